"""Shared by the three entry points: write the resolved config where the run can find it.

Nothing is trained here. The scripts exist so that a command line built by ocr-playground's command
builder can be executed for real and its effect (the composed, resolved config) inspected.
"""

from pathlib import Path

from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig, OmegaConf


def write_resolved(cfg: DictConfig) -> Path:
    out = Path(HydraConfig.get().runtime.output_dir) / "resolved_config.yaml"
    out.write_text(OmegaConf.to_yaml(cfg, resolve=True), encoding="utf-8")
    print(out)
    return out
