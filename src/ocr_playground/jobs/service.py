"""The job service: submit with coalescing, a bounded queue, cancel, wait, and crash recovery.

It is the pool's owner (it answers the pool's callbacks), keeps the store as the record of truth
and tells the bus about every change. The rule that the same work never runs twice lives in
``submit``: under one lock, a finished result with the same cache key is reused and one in flight
is joined; only otherwise is a job created.
"""

import asyncio
import contextlib
import logging
import math
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from ocr_playground.artifacts import UPLOADS, atomic_write_bytes, playground_path
from ocr_playground.errors import NotFound, Refusal
from ocr_playground.inference.profiles import last_change
from ocr_playground.jobs.bus import EventBus
from ocr_playground.jobs.executor import ProcessPool
from ocr_playground.jobs.model import ACTIVE, MAX_ATTEMPTS, Job, JobStatus, new_job_id
from ocr_playground.jobs.runners import Task
from ocr_playground.jobs.store import JobStore
from ocr_playground.server_metrics import ServerMetrics
from ocr_playground.settings import Settings

log = logging.getLogger(__name__)


class QueueFull(Refusal):
    status_code = 429

    def __init__(self, active: int, retry_after: int) -> None:
        super().__init__(
            f"The job queue is full ({active} jobs queued or running); retry in about {retry_after} s."
        )
        self.retry_after = retry_after


class JobNotFound(NotFound):
    def __init__(self, job_id: str) -> None:
        super().__init__(f"No job has the id '{job_id}'.")


class JobAlreadyDone(Refusal):
    status_code = 409

    def __init__(self, job: Job) -> None:
        super().__init__(f"Job '{job.job_id}' is already {job.status.value}; there is nothing to cancel.")
        self.job = job


@dataclass(frozen=True)
class JobRequest:
    pipeline_id: str
    params: Any
    cache_key: str
    image: bytes
    digest: str
    image_file: Path | None = None  # the data-root file the bytes came from, if any
    checkpoint_path: Path | None = None
    recognizer_path: Path | None = None
    task_id: str | None = None


@dataclass(frozen=True)
class Submission:
    job: Job
    outcome: Literal["new", "joined", "reused"]


def public_path(path: str | None) -> str | None:
    """Paths shown to clients: relative to the server's working directory when under it (the
    seed's ``outputs/playground/...``), else absolute."""
    if path is None:
        return None
    with contextlib.suppress(ValueError):
        return str(Path(path).relative_to(Path.cwd().resolve()))
    return path


def state(job: Job) -> dict[str, Any]:
    """A job as a WebSocket message."""
    return {
        "job_id": job.job_id,
        "status": job.status.value,
        "progress": round(job.progress, 4),
        "result_path": public_path(job.result_path),
        "task_id": job.task_id,
        "error": job.error,
        "report": job.report,
        "notes": job_notes(job),
    }


def job_notes(job: Job) -> list[str]:
    """What a finished job's ops want said ("crop_document: no page edge found; …"), and the run
    item it was taken from, if any."""
    report = job.report or {}
    notes = [f"{op}: {found['note']}" for op, found in report.get("ops", {}).items() if found.get("note")]
    if report.get("reused_from"):
        notes.append(f"Taken from the run item {report['reused_from']}; the model did not run.")
    return notes


def checkpoint_replaced(job: Job) -> bool:
    """Whether the job's checkpoint or recognizer (or a sidecar profile), or this code's reading of
    them (``RESULTS_CHANGED_AT``), changed after the job started. The cache key names each model by
    its path (docs/contract.md), so a model exported over the old file keeps the key; its results
    must not."""
    models = [Path(m) for m in (job.checkpoint_path, job.recognizer_path) if m is not None]
    return last_change(models) > (job.started_at or job.created_at)


def remove_temp_files(folder: Path, pattern: str = "**/.*.tmp") -> int:
    """Temp files of interrupted atomic writes (``.{name}.{random}.tmp``); they are never whole."""
    removed = 0
    if folder.is_dir():
        for path in folder.glob(pattern):
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
                removed += 1
    return removed


class JobService:
    def __init__(self, settings: Settings, metrics: ServerMetrics) -> None:
        self.settings = settings
        self.outputs_root = settings.outputs_root.resolve()
        self.uploads = self.outputs_root / UPLOADS
        self.store = JobStore(settings.db_path)
        self.bus = EventBus()
        self.metrics = metrics
        self.pool = ProcessPool(settings.workers, settings.job_timeout_s, self)
        self._submit_lock = threading.Lock()
        metrics.queue_depth.set_function(self.queued_count)
        metrics.running_jobs.set_function(lambda: self.store.count((JobStatus.running,)))

    # --- life cycle --------------------------------------------------------------------------------

    def start(self) -> None:
        removed = remove_temp_files(self.outputs_root)
        requeued = self.store.recover()
        self.pool.start()
        for job_id in requeued:
            self.pool.submit(job_id)
        if removed or requeued:
            log.info("recovered: %d jobs queued again, %d temp files removed", len(requeued), removed)

    def stop(self) -> None:
        self.pool.stop()
        self.store.close()

    # --- requests ----------------------------------------------------------------------------------

    def get(self, job_id: str) -> Job:
        job = self.store.get(job_id)
        if job is None:
            raise JobNotFound(job_id)
        return job

    def queued_count(self) -> int:
        return self.store.count((JobStatus.queued,))

    def find_result(self, cache_key: str) -> Job | None:
        """A completed job with this key whose PNG is still on disk, made with the checkpoint as
        it is now."""
        for job in self.store.by_cache_key(cache_key, (JobStatus.completed,)):
            if job.result_path and Path(job.result_path).is_file() and not checkpoint_replaced(job):
                return job
        return None

    def reused(self, cache_key: str) -> Submission | None:
        """The finished result for this key, counted as a cache hit; None on a miss."""
        done = self.find_result(cache_key)
        if done is None:
            return None
        self.metrics.cache_hits.labels("result").inc()
        return Submission(done, "reused")

    def retry_after(self, active: int) -> int:
        """Seconds until a slot is likely free: the work ahead spread over the workers."""
        per_job = self.store.average_duration() or 1.0
        return max(1, min(300, math.ceil(per_job * max(1, active - self.pool.size + 1) / self.pool.size)))

    def existing(self, cache_key: str) -> Submission | None:
        """The finished result for this key (reused) or the identical job in flight (joined):
        neither costs a queue slot, so neither is ever refused."""
        reused = self.reused(cache_key)
        if reused is not None:
            return reused
        in_flight = self.store.by_cache_key(cache_key, ACTIVE)
        if in_flight:
            self.metrics.cache_hits.labels("in_flight").inc()
            return Submission(in_flight[0], "joined")
        return None

    def refuse_if_full(self) -> None:
        """QueueFull when no job can be added now: called before any work on a request's image."""
        active = self.store.count(ACTIVE)
        if active >= self.settings.queue_limit:
            raise QueueFull(active, self.retry_after(active))

    def _keep_upload(self, path: Path, data: bytes) -> None:
        # Content-addressed, so identical uploads share one file and a requeued job finds it.
        # A reused one is touched: `ocr-playground prune` only removes files not used lately.
        try:
            os.utime(path)
        except FileNotFoundError:
            atomic_write_bytes(path, data)  # DiskFull when there is no room: nothing was inserted

    def _new_job(self, request: JobRequest) -> Job:
        """The request as a queued job, its image on disk: the bytes are written before the row
        exists, so a failed write leaves no job holding a slot."""
        input_path = request.image_file or self.uploads / request.digest
        if request.image_file is None:
            self._keep_upload(input_path, request.image)
        job_id = new_job_id(request.pipeline_id)
        return Job(
            job_id=job_id,
            pipeline_id=request.pipeline_id,
            cache_key=request.cache_key,
            input_path=str(input_path),
            params=request.params,
            output_path=str(playground_path(self.outputs_root, request.pipeline_id, job_id)),
            checkpoint_path=None if request.checkpoint_path is None else str(request.checkpoint_path),
            recognizer_path=None if request.recognizer_path is None else str(request.recognizer_path),
            task_id=request.task_id,
        )

    def submit(self, request: JobRequest) -> Submission:
        existing = self.existing(request.cache_key)
        if existing is not None:
            return existing
        self.refuse_if_full()
        job = self._new_job(request)
        with self._submit_lock:
            existing = self.existing(request.cache_key)
            if existing is not None:
                return existing
            self.refuse_if_full()
            self.store.insert(job)
        self.metrics.cache_misses.inc()
        self.bus.publish(state(job))
        self.pool.submit(job.job_id)
        return Submission(job, "new")

    def adopt(
        self, request: JobRequest, write: Callable[[str], list[Path]], report: dict[str, Any]
    ) -> Submission:
        """A completed job whose result ``write`` puts at the output path (returning the files it
        wrote) from work done elsewhere (a run's item under the same key), so later requests find it
        like any finished job. The files are whole before the row exists; if an identical job
        appeared meanwhile, it wins and these files go."""
        job = self._new_job(request)
        written = write(job.output_path)
        with self._submit_lock:
            existing = self.existing(request.cache_key)
            if existing is None:
                now = time.time()
                job.status, job.progress, job.result_path = JobStatus.completed, 1.0, job.output_path
                job.started_at = job.finished_at = now
                job.report = report
                self.store.insert(job)
        if existing is not None:
            for path in written:
                path.unlink(missing_ok=True)
            return existing
        self.metrics.cache_hits.labels("run").inc()
        self.bus.publish(state(job))
        return Submission(job, "reused")

    def cancel(self, job_id: str) -> Job:
        job = self.store.cancel(job_id)
        if job is None:
            raise JobAlreadyDone(self.get(job_id))
        self.pool.cancel(job_id)  # kills the worker if the job is running now
        self.bus.publish(state(job))
        return job

    async def wait(self, job_id: str, timeout_s: float) -> Job:
        """The job once it is done, or as it is when ``timeout_s`` runs out."""
        subscription = self.bus.subscribe()
        try:
            self.bus.follow(subscription, [job_id])
            job = self.get(job_id)  # read after following, so no change can slip between
            loop = asyncio.get_running_loop()
            deadline = loop.time() + timeout_s
            while not job.done:
                remaining = deadline - loop.time()
                if remaining <= 0:
                    break
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(subscription.queue.get(), remaining)
                job = self.get(job_id)
            return job
        finally:
            self.bus.close(subscription)

    # --- pool callbacks (slot threads) -------------------------------------------------------------

    def _publish(self, job: Job | None) -> None:
        if job is not None:
            self.bus.publish(state(job))

    def claim(self, job_id: str) -> Task | None:
        job = self.store.start(job_id)
        if job is None:
            return None  # cancelled (or already taken) while it waited
        self._publish(job)
        return Task(
            job_id=job.job_id,
            pipeline_id=job.pipeline_id,
            input_path=job.input_path,
            params=job.params,
            output_path=job.output_path,
            checkpoint_path=job.checkpoint_path,
            recognizer_path=job.recognizer_path,
        )

    def progress(self, job_id: str, op: str, fraction: float) -> None:
        # 1.0 is kept for "completed": the PNG still has to be encoded and written.
        self._publish(self.store.progress(job_id, min(fraction, 0.99)))

    def completed(
        self, job_id: str, timings: dict[str, float], seconds: float, report: dict | None = None
    ) -> None:
        job = self.store.get(job_id)
        if job is None:
            return
        done = self.store.complete(job_id, job.output_path, report)
        self._publish(done)
        if done is not None:
            self.metrics.job_seconds.labels(job.pipeline_id, "completed").observe(seconds)
            for op, ms in timings.items():
                self.metrics.op_seconds.labels(job.pipeline_id, op).observe(ms / 1000)

    def failed(self, job_id: str, reason: str) -> None:
        job = self.store.fail(job_id, reason, (JobStatus.running,))
        self._publish(job)
        if job is not None and job.started_at and job.finished_at:
            seconds = job.finished_at - job.started_at
            self.metrics.job_seconds.labels(job.pipeline_id, "failed").observe(seconds)

    def crashed(self, job_id: str, reason: str) -> None:
        job = self.store.get(job_id)
        if job is None:
            return
        if job.attempts >= MAX_ATTEMPTS:
            self._publish(
                self.store.fail(
                    job_id,
                    f"{reason} It crashed on {job.attempts} attempts; giving up.",
                    (JobStatus.running,),
                )
            )
            return
        requeued = self.store.requeue(job_id, f"{reason} It was queued again.")
        self._publish(requeued)
        if requeued is not None:
            self.pool.submit(job_id)

    def cancelled(self, job_id: str) -> None:
        job = self.store.get(job_id)
        if job is not None:  # only this job's temp file: other workers may be writing beside it
            output = Path(job.output_path)
            remove_temp_files(output.parent, f".{output.name}.*.tmp")

    def interrupted(self, job_id: str) -> None:
        self.store.requeue(
            job_id, "The server stopped while the job was running; it was requeued.", refund=True
        )
