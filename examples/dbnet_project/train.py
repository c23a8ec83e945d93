"""Train entry point of the example project: compose the config, write it resolved, exit 0."""

import hydra
from _common import write_resolved
from omegaconf import DictConfig


@hydra.main(version_base="1.3", config_path="configs", config_name="train")
def main(cfg: DictConfig) -> None:
    write_resolved(cfg)


if __name__ == "__main__":
    main()
