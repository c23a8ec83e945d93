"""Built commands are run for real against the example Hydra project, and what they composed is read.

The scripts write their resolved config to `<hydra.run.dir>/resolved_config.yaml`; the test adds only
`hydra.run.dir=...` (where to write) and swaps `python` for this interpreter.
"""

import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from ocr_playground.commands.build import build
from ocr_playground.commands.catalog import Catalog, Sources

PROJECT = Path(__file__).resolve().parents[1] / "examples" / "dbnet_project"

# Text that would break a naive command line or be re-typed by Hydra or OmegaConf.
WEIRD_NAMES = [
    "plain",
    "with space and 'single' \"double\" quotes",
    "$HOME `id` $(echo x) ; rm -rf / & | > <",
    "a,b=c [d] {e:f} (g) \\ back\\slash\\",
    "true",
    "1e3",
    "null",
    "${oc.env:HOME} and \\${escaped}",
    "unicode é 日本語 ‘quoted’ #hash !bang",
]


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    root = tmp_path_factory.mktemp("roots")
    ckpt = root / "checkpoints" / "exp 1" / "epoch=3.ckpt"
    ckpt.parent.mkdir(parents=True)
    ckpt.write_bytes(b"not a real checkpoint")
    return Catalog(Sources(root / "checkpoints", root / "data", PROJECT))


def run_built(argv: list[str], run_dir: Path) -> dict[str, Any]:
    assert argv[0] == "python"
    cmd = [sys.executable, *argv[1:], f"hydra.run.dir={run_dir}"]
    proc = subprocess.run(cmd, cwd=PROJECT, capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    return yaml.safe_load((run_dir / "resolved_config.yaml").read_text(encoding="utf-8"))


def test_train_command_runs_with_the_chosen_values(catalog: Catalog, tmp_path: Path) -> None:
    schema = catalog.get("train")
    ckpt = next(o for o in schema.element("resume_checkpoint").options or [])
    values = {
        "exp_name": WEIRD_NAMES[1],
        "architecture": "dbnetpp",
        "encoder": "resnet50",
        "decoder": "unet",
        "optimizer": "sgd",
        "learning_rate": 0.0005,
        "max_epochs": 120,
        "batch_size": 16,
        "dataset": "sroie",
        "wandb": True,
        "tags": ["baseline", "debug"],
        "disable_early_stopping": True,
        "resume": True,
        "resume_checkpoint": ckpt,
    }
    result = build(schema, values, append_model_suffix=True, project_dir=PROJECT)
    cfg = run_built(result.argv, tmp_path)
    assert cfg["exp_name"] == WEIRD_NAMES[1] + "-dbnetpp-resnet50"
    assert cfg["model"]["architecture"] == "dbnetpp" and cfg["model"]["head"]["adaptive"] is True
    assert cfg["model"]["encoder"]["name"] == "resnet50"
    assert cfg["model"]["decoder"]["name"] == "unet"
    assert cfg["optimizer"] == {"name": "sgd", "lr": 0.0005, "weight_decay": 0.0, "momentum": 0.9}
    assert cfg["trainer"]["max_epochs"] == 120 and cfg["trainer"]["batch_size"] == 16
    assert cfg["trainer"]["deterministic"] is True  # the schema's constant override
    assert cfg["dataset"]["name"] == "sroie"
    assert cfg["wandb"] is True
    assert cfg["tags"] == ["baseline", "debug"]
    assert "early_stopping" not in cfg["callbacks"]
    assert cfg["ckpt_path"] == ckpt


def test_untouched_form_runs_the_project_defaults(catalog: Catalog, tmp_path: Path) -> None:
    schema = catalog.get("train")
    result = build(schema, {}, project_dir=PROJECT)
    assert result.overrides == []
    cfg = run_built(result.argv, tmp_path)
    # The schema's defaults are the project's: an unchanged field emits nothing and still holds.
    for key, path in {
        "exp_name": "exp_name",
        "learning_rate": "optimizer.lr",
        "max_epochs": "trainer.max_epochs",
        "batch_size": "trainer.batch_size",
        "wandb": "wandb",
    }.items():
        node: Any = cfg
        for part in path.split("."):
            node = node[part]
        assert node == result.values[key], key


@pytest.mark.parametrize("name", WEIRD_NAMES)
def test_text_reaches_the_config_exactly_through_a_real_shell(
    catalog: Catalog, tmp_path: Path, name: str
) -> None:
    # The POSIX string itself is run by /bin/sh: what the console drawer shows is what runs.
    result = build(catalog.get("train"), {"exp_name": name}, project_dir=PROJECT)
    line = result.command.replace("python", shlex.quote(sys.executable), 1)
    line += " " + shlex.quote(f"hydra.run.dir={tmp_path}")
    proc = subprocess.run(
        ["/bin/sh", "-c", line], cwd=PROJECT, capture_output=True, text=True, timeout=120, check=False
    )
    assert proc.returncode == 0, proc.stderr
    cfg = yaml.safe_load((tmp_path / "resolved_config.yaml").read_text(encoding="utf-8"))
    assert cfg["exp_name"] == name


@pytest.mark.parametrize(
    ("schema_id", "values", "expect"),
    [
        (
            "test",
            {"checkpoint": "/ckpts/best 1.ckpt", "split": "val", "box_thresh": 0.45, "batch_size": 4},
            {"checkpoint": "/ckpts/best 1.ckpt", "split": "val", "box_thresh": 0.45, "batch_size": 4},
        ),
        (
            "predict",
            {
                "checkpoint": "c.ckpt",
                "input_dir": "imgs/val",
                "save_visualizations": False,
                "architecture": "craft",
            },
            {"checkpoint": "c.ckpt", "input_dir": "imgs/val", "save_visualizations": False},
        ),
    ],
)
def test_test_and_predict_commands_run(
    catalog: Catalog, tmp_path: Path, schema_id: str, values: dict[str, Any], expect: dict[str, Any]
) -> None:
    result = build(catalog.get(schema_id), values, project_dir=PROJECT)
    cfg = run_built(result.argv, tmp_path)
    assert {k: cfg[k] for k in expect} == expect
    assert cfg["model"]["architecture"] == values.get("architecture", "dbnet")
