"""Pipelines: preview (route it), fallback (run it on the server), the catalogue, and jobs."""

from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi import APIRouter, HTTPException, Query, Response, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse

from ocr_playground.api.deps import ServiceDep, SettingsDep
from ocr_playground.api.inputs import inspect_image, load_input
from ocr_playground.api.models import (
    MAX_OFFSET,
    FallbackRequest,
    JobResponse,
    PipelineRequest,
    PipelineResponse,
)
from ocr_playground.api.reuse import job_from_run
from ocr_playground.api.runs import RunsDep
from ocr_playground.contract import contract
from ocr_playground.imaging.formats import media_type
from ocr_playground.imaging.io import probe_size
from ocr_playground.jobs.model import JobStatus, new_job_id
from ocr_playground.jobs.routing import (
    CHECKPOINT_PIPELINES,
    Backend,
    route_preview,
    server_backend,
)
from ocr_playground.jobs.runners import validate_job
from ocr_playground.jobs.service import JobService, Submission, job_notes, public_path
from ocr_playground.runs.service import RunService
from ocr_playground.settings import Settings

router = APIRouter(prefix="/api/pipelines", tags=["pipelines"])

ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"description": text, "content": {"application/json": {"example": {"detail": "One sentence."}}}}
    for code, text in (
        (403, "A path leaves its root."),
        (404, "Unknown pipeline, file or job."),
        (409, "Wrong job state."),
        (410, "The result file is gone."),
        (413, "Body or image too large."),
        (422, "Invalid request, params or image."),
        (429, "Queue full; see Retry-After."),
    )
}
INLINE_BASE64_CHARS = 1_500_000  # about 1.1 MB of image
CACHE_NOTE = "Client should use cache_key to reuse previously computed previews."
WS_NOTE = 'Follow the job on WS /api/pipelines/ws with {"subscribe": job_id}.'


def _answer(
    submission: Submission, backend: Backend, task_id: str | None, notes: list[str]
) -> PipelineResponse:
    job = submission.job
    if submission.outcome == "reused":
        backend, notes = "server-cache", [*notes, "The server already holds this result; nothing was run."]
    elif submission.outcome == "joined":
        notes = [*notes, f"An identical job ({job.job_id}) is in flight; this request joined it.", WS_NOTE]
    else:
        notes = [*notes, WS_NOTE]
    notes = [*notes, *job_notes(job)]
    shown = job.status.value if job.done else "accepted"
    return PipelineResponse(
        status=shown,
        job_id=job.job_id,
        routed_backend=backend,
        cache_key=job.cache_key,
        result_path=public_path(job.result_path),
        task_id=task_id,
        error=job.error,
        notes=notes,
    )


@router.get("", summary="Pipelines, their ordered ops and each op's params as JSON Schema")
def list_pipelines() -> dict[str, Any]:
    return contract()


def _preview(
    body: PipelineRequest, service: JobService, settings: Settings, runs: RunService
) -> PipelineResponse | Callable[[], PipelineResponse]:
    """The answer, or (when a job must be started) a function that starts it and answers: that
    part writes files and is never run on the event loop."""
    # Unknown pipeline, bad params, a missing checkpoint: refused before any I/O.
    validate_job(body.pipeline_id, body.params, body.checkpoint_path, body.recognizer_path)
    request = load_input(body, settings)
    reused = service.reused(request.cache_key) or job_from_run(runs, service, request)
    if reused is not None:
        service.metrics.routing.labels("server-cache").inc()
        return _answer(reused, "server-cache", body.task_id, [CACHE_NOTE])
    width, height = probe_size(request.image)  # the header alone: the route needs no more
    backend, reason = route_preview(body.pipeline_id, body.params, len(request.image), width, height)
    if backend != "client-workers":
        joined = service.existing(request.cache_key)
        if joined is not None:
            return _answer(joined, backend, body.task_id, [reason, CACHE_NOTE])
        service.refuse_if_full()  # before the image is checked or written
    inspect_image(request.image)
    service.metrics.routing.labels(backend).inc()
    if backend == "client-workers":
        # The browser runs it; the id is for correlating its telemetry, the server keeps no job.
        return PipelineResponse(
            status="accepted",
            job_id=new_job_id(body.pipeline_id),
            routed_backend=backend,
            cache_key=request.cache_key,
            task_id=body.task_id,
            notes=[reason, CACHE_NOTE],
        )
    return lambda: _answer(service.submit(request), backend, body.task_id, [reason, CACHE_NOTE])


@router.post(
    "/preview",
    response_model=PipelineResponse,
    responses=ERRORS,
    summary="Route a preview: to the browser's workers, or start it on the server",
)
async def preview(
    body: PipelineRequest, service: ServiceDep, settings: SettingsDep, runs: RunsDep
) -> PipelineResponse:
    # A preview is answered on every slider move, most often from the cache. For an image named by
    # path or a small upload the work (hash, one SQLite lookup) is shorter than a hop to the thread
    # pool and back, so it runs right here; a big upload's base64 decode, or a checkpoint that may
    # have to be loaded, goes to a thread, and so does starting a job.
    small = body.image_base64 is None or len(body.image_base64) <= INLINE_BASE64_CHARS
    if small and body.pipeline_id not in CHECKPOINT_PIPELINES:
        answer = _preview(body, service, settings, runs)
    else:
        answer = await run_in_threadpool(_preview, body, service, settings, runs)
    return await run_in_threadpool(answer) if callable(answer) else answer


def _fallback(
    body: FallbackRequest, service: JobService, settings: Settings, runs: RunService
) -> tuple[Submission, Backend]:
    validate_job(body.pipeline_id, body.params, body.checkpoint_path, body.recognizer_path)
    request = load_input(body, settings)
    backend = server_backend(body.pipeline_id, body.params)
    existing = service.existing(request.cache_key) or job_from_run(runs, service, request)
    if existing is not None:
        return existing, backend
    service.refuse_if_full()  # before the image is checked or written; joining stays free
    inspect_image(request.image)
    return service.submit(request), backend


@router.post(
    "/fallback",
    response_model=PipelineResponse,
    status_code=status.HTTP_202_ACCEPTED,
    responses={200: {"description": "Done (wait: true, or the result was cached)."}, **ERRORS},
    summary="Run the pipeline on the server and store the PNG",
)
async def fallback(
    body: FallbackRequest, response: Response, service: ServiceDep, settings: SettingsDep, runs: RunsDep
) -> PipelineResponse:
    submission, backend = await run_in_threadpool(_fallback, body, service, settings, runs)
    notes = []
    if body.wait and not submission.job.done:
        # Generous: the job may queue behind others before its own time limit starts.
        job = await service.wait(submission.job.job_id, 2 * settings.job_timeout_s + 10)
        if not job.done:
            notes.append("The job is still running; this request stopped waiting.")
        submission = Submission(job, submission.outcome)
    answer = _answer(submission, backend, body.task_id, notes)
    response.status_code = status.HTTP_200_OK if submission.job.done else status.HTTP_202_ACCEPTED
    return answer


@router.get("/jobs/{job_id}", response_model=JobResponse, responses=ERRORS, summary="A job's state")
def get_job(job_id: str, service: ServiceDep) -> JobResponse:
    return JobResponse.of(service.get(job_id))


@router.get(
    "/jobs/{job_id}/result",
    response_class=FileResponse,
    responses={200: {"content": {"image/png": {}}, "description": "The PNG."}, **ERRORS},
    summary="A finished job's PNG",
)
def get_result(job_id: str, service: ServiceDep) -> FileResponse:
    job = service.get(job_id)
    if job.status is not JobStatus.completed or job.result_path is None:
        raise HTTPException(
            status.HTTP_409_CONFLICT, f"Job '{job_id}' is {job.status.value}; it has no result."
        )
    if not Path(job.result_path).is_file():
        raise HTTPException(
            status.HTTP_410_GONE, f"The result of job '{job_id}' was deleted from the outputs root."
        )
    return FileResponse(job.result_path, media_type="image/png", filename=f"{job_id}.png")


@router.get(
    "/jobs/{job_id}/source",
    response_class=FileResponse,
    responses={200: {"content": {"image/*": {}}, "description": "The image."}, **ERRORS},
    summary="The image a job ran on (for the Jobs page)",
)
def get_source(job_id: str, service: ServiceDep) -> FileResponse:
    path = Path(service.get(job_id).input_path)
    try:
        with path.open("rb") as file:
            head = file.read(12)
    except OSError:
        raise HTTPException(
            status.HTTP_410_GONE, f"The source image of job '{job_id}' is no longer on the server."
        ) from None
    return FileResponse(path, media_type=media_type(head))


@router.delete(
    "/jobs/{job_id}",
    response_model=JobResponse,
    responses=ERRORS,
    summary="Cancel a job; a running one has its worker process killed",
)
def cancel_job(job_id: str, service: ServiceDep) -> JobResponse:
    return JobResponse.of(service.cancel(job_id))


@router.get("/jobs", response_model=list[JobResponse], summary="The newest jobs first (for the Jobs page)")
def list_jobs(
    service: ServiceDep,
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0, le=MAX_OFFSET, description="Skip this many of the newest (the next page)."),
) -> list[JobResponse]:
    return [JobResponse.of(job) for job in service.store.recent(limit, offset)]
