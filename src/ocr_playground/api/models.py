"""Request and response models of the pipelines API (the seed's shapes, made exact)."""

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from ocr_playground.artifacts import UPLOADS
from ocr_playground.datasets import is_utf8
from ocr_playground.jobs.model import Job, JobStatus
from ocr_playground.jobs.routing import Backend
from ocr_playground.jobs.service import job_notes, public_path


def _whole_unicode(text: str) -> str:
    """Refuse a lone UTF-16 surrogate ("\\ud800" in JSON): no file name, database or JSON answer
    can hold it, so it is refused here rather than failing deep inside."""
    if not is_utf8(text):
        raise ValueError("holds a lone surrogate, which is not valid Unicode text")
    return text


# A string from the request that names something or is echoed back: whole Unicode, bounded.
Text = Annotated[str, AfterValidator(_whole_unicode)]
TASK_ID_MAX = 200
# Paging past this finds nothing on any server; beyond 2**63 SQLite cannot even take the number.
MAX_OFFSET = 1_000_000_000
# The one task_id type of every route: echoed in the response and in every WebSocket message.
TaskId = Annotated[Text | None, Field(max_length=TASK_ID_MAX, description="Echoed in the response.")]


class PipelineRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    pipeline_id: Text = Field(min_length=1, max_length=100, examples=["preprocessing"])
    params: dict[str, Any] = Field(
        default_factory=dict, examples=[{"autocontrast": True, "rembg": "client", "blur": {"kernelSize": 5}}]
    )
    image_base64: str | None = Field(
        None, description="The image bytes, base64 (a data: URL prefix is allowed)."
    )
    image_path: Text | None = Field(
        None, max_length=4096, description="An image under the data root; used when image_base64 is absent."
    )
    checkpoint_path: Text | None = Field(None, max_length=4096, description="Under the checkpoints root.")
    recognizer_path: Text | None = Field(
        None,
        max_length=4096,
        description="inference only: a text recognizer (GET /api/inference/recognizers, e.g. "
        "builtin:ppocrv4-rec); each detection then carries its text and textScore.",
    )
    task_id: TaskId = None


class FallbackRequest(PipelineRequest):
    wait: bool = Field(False, description="Answer when the job is done (200) instead of at once (202).")


class PipelineResponse(BaseModel):
    status: Literal["accepted", "queued", "running", "completed", "failed", "cancelled"]
    job_id: str
    routed_backend: Backend
    cache_key: str
    result_path: str | None = None
    task_id: str | None = None
    error: str | None = None
    notes: list[str] = []


class JobResponse(BaseModel):
    job_id: str
    pipeline_id: str
    cache_key: str
    params: Any = Field(None, description="The params as sent (for the Jobs page's summary).")
    checkpoint_path: str | None = None
    recognizer_path: str | None = None
    source_name: str = Field(
        "", description="The source image's file name, or 'upload' for bytes sent with the request."
    )
    status: JobStatus
    progress: float
    result_path: str | None
    task_id: str | None
    error: str | None
    attempts: int
    created_at: float
    started_at: float | None
    finished_at: float | None
    report: dict[str, Any] | None = Field(
        None,
        description="What the ops found, for example "
        '{"ops": {"crop_document": {"quad": [[x, y] ×4] or null, "confidence": c}}}.',
    )
    notes: list[str] = Field([], description="What the ops want said, e.g. that no page edge was found.")

    @classmethod
    def of(cls, job: Job) -> "JobResponse":
        source = Path(job.input_path)
        return cls(
            job_id=job.job_id,
            pipeline_id=job.pipeline_id,
            cache_key=job.cache_key,
            params=job.params,
            checkpoint_path=job.checkpoint_path,
            recognizer_path=job.recognizer_path,
            source_name="upload" if source.parent.name == UPLOADS else source.name,
            status=job.status,
            progress=round(job.progress, 4),
            result_path=public_path(job.result_path),
            task_id=job.task_id,
            error=job.error,
            attempts=job.attempts,
            created_at=job.created_at,
            started_at=job.started_at,
            finished_at=job.finished_at,
            report=job.report,
            notes=job_notes(job),
        )


class ImageEntry(BaseModel):
    path: str = Field(description="Relative to the data root; pass it as image_path.")
    size_bytes: int


class ImageList(BaseModel):
    data_root: str
    images: list[ImageEntry]
    truncated: bool = Field(description="True when there were more images than the listing shows.")
