"""Results the Studios and the runs share by cache key, in both directions.

A run's item and a single-image ``inference`` job are keyed alike (the image's digest, the params as
sent, the checkpoint and the recognizer as named), and both hold their detections in the one JSON
form ``detections_json`` writes. So a run takes an image's detections from a finished job, and
an Inference Studio preview (or an inference pipeline job, made complete from the item) answers
from a finished run item, without running the model. Either
is used only while its files are whole and its models unchanged since it was made. The lookups
live here, above both services, so neither the runs nor the jobs import the other.
"""

import json
import logging
import sqlite3
import time
from pathlib import Path
from typing import Any

from ocr_playground.api.inputs import key_for
from ocr_playground.imaging.io import decode_image
from ocr_playground.inference import catalog
from ocr_playground.inference.jobs import PIPELINE_ID, detections_path, write_result
from ocr_playground.inference.profiles import last_change
from ocr_playground.jobs.model import ACTIVE, Job
from ocr_playground.jobs.service import JobRequest, JobService, Submission
from ocr_playground.runs.service import RunService, StudioLookup
from ocr_playground.settings import Settings
from ocr_playground.sqlite_store import StoreUnavailable

log = logging.getLogger(__name__)


def job_item(job: Job) -> dict[str, Any] | None:
    """A finished inference job as a run item (without seq and name), None when its detections
    file is gone or unreadable. Its timing is the job's own wall time: what the result cost."""
    try:
        body = json.loads(detections_path(job.result_path or "").read_text())
        boxes, image = body["detections"], body["image"]
        width, height = int(image["width"]), int(image["height"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    timings = {}
    adopted = bool((job.report or {}).get("reused_from"))  # made from a run item: no time of its own
    if job.started_at is not None and job.finished_at is not None and not adopted:
        timings["total"] = round((job.finished_at - job.started_at) * 1e3, 3)
    return {
        "status": "completed",
        "error": None,
        "cache_key": job.cache_key,
        "width": width,
        "height": height,
        "detections": len(boxes),
        "timings": timings,
        "boxes": boxes,
    }


def job_lookup(jobs: JobService) -> StudioLookup:
    """What a run asks the Studios for: a completed inference job under the key, whose files are
    on disk and whose models have not changed since (``find_result``), started after
    ``not_before`` (the run's own models' last change)."""

    def lookup(cache_key: str, not_before: float) -> dict[str, Any] | None:
        job = jobs.find_result(cache_key)
        if job is None or job.pipeline_id != PIPELINE_ID or (job.started_at or job.created_at) <= not_before:
            return None
        return job_item(job)

    return lookup


def preview_key(digest: str, params: Any, checkpoint_path: str, recognizer_path: str | None) -> str | None:
    """The cache key of an inference preview (``digest``: the image's ``image_digest``), as a job or
    a run computes it for the same image and settings (params hashed as sent); None when the params
    are not known or cannot be canonicalised (no reuse)."""
    if params is None:
        return None
    try:
        return key_for(PIPELINE_ID, digest, params, checkpoint_path, recognizer_path)
    except ValueError:  # InvalidParams (not canonical JSON), or a lone surrogate in a key
        return None


def _run_item(runs: RunService, cache_key: str, models: list[Path | None]) -> dict[str, Any] | None:
    """A completed run item under ``cache_key`` from a run started after the last change of
    ``models``, with ``run_id`` and ``lookup_ms``. The lookup is a shortcut: when the store cannot
    answer, None, and the model runs."""
    started = time.perf_counter()
    try:
        found = runs.store.reusable(cache_key, last_change(models))
    except (sqlite3.Error, StoreUnavailable) as exc:
        log.warning("run items not looked up: %s", exc)
        return None
    if found is not None:
        found["lookup_ms"] = (time.perf_counter() - started) * 1e3
    return found


def run_answer(
    runs: RunService,
    settings: Settings,
    cache_key: str,
    checkpoint_path: str,
    recognizer_path: str | None,
) -> dict[str, Any] | None:
    """A completed run item under ``cache_key`` from a run started after the last change of the
    checkpoint and the recognizer (resolved as the preview resolves them: a bad path is the same 4xx), with
    ``run_id``; None when there is none."""
    models: list[Path | None] = [catalog.resolve_checkpoint(settings.checkpoints_root, checkpoint_path)]
    if recognizer_path is not None:
        models.append(catalog.resolve_recognizer(settings.checkpoints_root, recognizer_path))
    return _run_item(runs, cache_key, models)


def job_from_run(runs: RunService, jobs: JobService, request: JobRequest) -> Submission | None:
    """For an ``inference`` pipeline request: a completed job made from a finished run item under
    its key (its detections file, and the image with them drawn), from a run started after the last
    change of the request's models; None when no run has one, or an identical job is at work."""
    if request.pipeline_id != PIPELINE_ID or jobs.store.by_cache_key(request.cache_key, ACTIVE):
        return None  # an identical job at work is joined, not raced with files written twice
    item = _run_item(runs, request.cache_key, [request.checkpoint_path, request.recognizer_path])
    if item is None:
        return None
    image = decode_image(request.image)  # the bytes a run already decoded: no model, one decode

    def write(output_path: str) -> list[Path]:
        checkpoint = None if request.checkpoint_path is None else str(request.checkpoint_path)
        recognizer = None if request.recognizer_path is None else str(request.recognizer_path)
        return write_result(output_path, image, checkpoint, recognizer, item["boxes"])

    return jobs.adopt(request, write, {"reused_from": f"{item['run_id']}/{item['name']}"})
