"""What a run is: its spec, its state, and the fields every item carries.

A run is ``run-{12 hex}``; it applies one spec to one dataset. An item is one image of it, keyed by
the single-image cache key under the run's spec, so a run and the Studios name the same work alike.
"""

import secrets
import time
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator


class RunStatus(StrEnum):
    queued = "queued"
    running = "running"
    completed = "completed"
    failed = "failed"
    cancelled = "cancelled"


ACTIVE = (RunStatus.queued, RunStatus.running)
TERMINAL = (RunStatus.completed, RunStatus.failed, RunStatus.cancelled)

ENGINES = ("local", "ray")
RUN_PIPELINES = ("preprocessing", "inference")
# Where an item's time went, in milliseconds; a stage that did not run is absent (null in Parquet).
TIMING_STAGES = ("read", "decode", "ops", "model", "postprocess", "recognize", "evaluate", "write", "total")


def new_run_id() -> str:
    return f"run-{secrets.token_hex(6)}"


class RunSpec(BaseModel):
    """What to run over which images. Paths are under the data root (the server) or local paths
    (the command line); ``checkpoint_path`` as for a single-image job."""

    model_config = ConfigDict(extra="forbid")

    dataset: str | list[str] = Field(
        description="A folder (its images, recursively, in sorted order) or a list of image paths.",
        examples=["receipts/val"],
    )
    pipeline_id: Literal["preprocessing", "inference"] = "inference"
    params: dict[str, Any] = Field(
        default_factory=dict,
        description="As a preview's: ops by name, and for inference 'detection' (and 'recognition').",
    )
    checkpoint_path: str | None = Field(None, max_length=4096, examples=["builtin:ppocrv4-det"])
    recognizer_path: str | None = Field(
        None,
        max_length=4096,
        examples=["builtin:ppocrv4-rec"],
        description="inference only: read each detection's text with this recognizer (tuned by "
        "params.recognition); with ground truth that has text, each item gets text metrics.",
    )
    gt: str | None = Field(
        None,
        max_length=4096,
        description="Ground truth: receipt JSON, word-list JSON, or an ICDAR 2015 / SROIE file or folder.",
    )
    predictions: str | None = Field(
        None,
        max_length=4096,
        description="Instead of a checkpoint: detections made elsewhere, as competition JSON or a "
        "submission CSV (filename,polygons); the run scores them without running a model.",
    )
    engine: Literal["local", "ray"] = "local"
    save_images: bool = Field(False, description="Also write each item's image under images/.")
    reuse: bool = Field(
        True, description="Take an image's item from an earlier run with the same cache key, if any."
    )
    name: str | None = Field(None, max_length=200)
    workers: int | None = Field(None, ge=1, le=64, description="Worker processes (local) or actors (ray).")

    @field_validator("dataset", "checkpoint_path", "recognizer_path", "gt", "name", "predictions")
    @classmethod
    def _encodable(cls, value: str | list[str] | None) -> str | list[str] | None:
        # A lone surrogate survives JSON decoding but no file system, SQLite or hash takes it.
        for text in [value] if isinstance(value, str) else value or []:
            try:
                text.encode("utf-8")
            except UnicodeEncodeError:
                raise ValueError("must be valid UTF-8 text") from None
        return value


@dataclass
class Run:
    run_id: str
    spec: RunSpec
    status: RunStatus = RunStatus.queued
    total: int = 0
    done: int = 0
    failed: int = 0
    error: str | None = None
    origin: Literal["server", "cli"] = "server"
    created_at: float = field(default_factory=time.time)
    started_at: float | None = None
    finished_at: float | None = None

    @property
    def finished(self) -> bool:
        return self.status in TERMINAL

    @property
    def name(self) -> str | None:
        return self.spec.name

    def state(self) -> dict[str, Any]:
        """The WebSocket message about this run."""
        return {
            "run_id": self.run_id,
            "status": self.status.value,
            "done": self.done,
            "failed": self.failed,
            "total": self.total,
            "error": self.error,
        }


ItemStatus = Literal["completed", "failed"]
