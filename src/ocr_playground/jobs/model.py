"""What a job is: one pipeline run on one image, identified by ``{pipeline_id}-{12 hex}``."""

import secrets
import time
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class JobStatus(StrEnum):
    queued = "queued"
    running = "running"
    completed = "completed"
    failed = "failed"
    cancelled = "cancelled"


ACTIVE = (JobStatus.queued, JobStatus.running)
TERMINAL = (JobStatus.completed, JobStatus.failed, JobStatus.cancelled)

# A job interrupted this many times (worker crash, server killed) is not tried again.
MAX_ATTEMPTS = 3


def new_job_id(pipeline_id: str) -> str:
    return f"{pipeline_id}-{secrets.token_hex(6)}"


@dataclass
class Job:
    job_id: str
    pipeline_id: str
    cache_key: str
    input_path: str  # absolute path of the image bytes the worker reads (upload copy or data file)
    params: Any
    output_path: str  # absolute path the PNG is written to (atomically)
    checkpoint_path: str | None = None
    recognizer_path: str | None = None  # resolved, like the checkpoint: the text of each detection is read
    task_id: str | None = None
    status: JobStatus = JobStatus.queued
    progress: float = 0.0
    result_path: str | None = None  # absolute; set once the PNG is whole on disk
    error: str | None = None
    attempts: int = 0
    created_at: float = field(default_factory=time.time)
    started_at: float | None = None
    finished_at: float | None = None
    # What the ops found, {"ops": {op: {...}}} (crop_document's page quad and confidence); None
    # until the job completes, and for pipelines whose ops report nothing.
    report: dict[str, Any] | None = None

    @property
    def done(self) -> bool:
        return self.status in TERMINAL
