"""The one settings object. Every field can be set from the environment with the ``OCRP_`` prefix
(``OCRP_DATA_ROOT=/srv/receipts``) or from the command line of ``ocr-playground serve``."""

import os
from functools import cached_property
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from ocr_playground.artifacts import DB_NAME

MB = 1024 * 1024


def _default_workers() -> int:
    return max(1, min(4, (os.cpu_count() or 2) - 1))


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="OCRP_", frozen=True)

    host: str = "127.0.0.1"
    port: int = 8000
    data_root: Path = Path("data")
    outputs_root: Path = Path("outputs")
    checkpoints_root: Path = Path("checkpoints")
    web_dist: Path | None = Field(None, description="The built SPA; None means the checkout's web/dist.")
    workers: int = Field(default_factory=_default_workers, ge=1, le=64)
    queue_limit: int = Field(64, ge=1, description="Jobs queued or running before 429.")
    job_timeout_s: float = Field(120.0, gt=0)
    max_body_bytes: int = 25 * MB
    # A request's headers must arrive within header_timeout_s of its first byte, its whole body
    # within body_timeout_s (408 otherwise): a half-open request must not hold a connection.
    header_timeout_s: float = Field(10.0, gt=0)
    body_timeout_s: float = Field(120.0, gt=0)
    # Every route and the WebSocket require this token when it is set (`serve` sets one whenever it
    # binds beyond loopback; see api/auth.py). None: open to whoever reaches the port.
    token: str | None = Field(None, min_length=8, repr=False)
    # The Hydra project the command builder targets: its config tree (configs/ by default) gives the
    # config-group options and is composed to check every built command. Missing folder: no check.
    commands_project_dir: Path | None = Path("examples/dbnet_project")
    # Extra command schemas (*.yaml); one with the id of a packaged schema replaces it.
    commands_schemas_dir: Path | None = None
    # Runs: the Ray cluster the `ray` engine joins (unset: a local Ray started on first use), and
    # how long a run may go without finishing an image before it is failed as stuck.
    ray_address: str | None = None
    run_stall_s: float = Field(300.0, gt=0)

    @cached_property
    def db_path(self) -> Path:
        return self.outputs_root / DB_NAME
