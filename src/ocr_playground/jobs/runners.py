"""The run table: for each pipeline id, how its params are checked and how a job runs.

``run`` functions execute inside worker processes (the executor preloads this module there), so
they take plain data (a ``Task``) and write their artifact atomically themselves.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ocr_playground.artifacts import atomic_write_bytes
from ocr_playground.imaging.errors import InvalidParams, UnknownPipeline
from ocr_playground.imaging.io import decode_image, encode_result
from ocr_playground.imaging.pipeline import PIPELINES, run_pipeline, validate


@dataclass(frozen=True)
class Task:
    job_id: str
    pipeline_id: str
    input_path: str
    params: Any
    output_path: str
    checkpoint_path: str | None = None
    recognizer_path: str | None = None


Progress = Callable[[str, float], None]
# A run function reads the task's input, writes its PNG atomically to ``task.output_path`` and
# returns per-step timings in milliseconds, or (timings, report) when its ops found something the
# job keeps (the page's quad). It raises ImagingError for bad input.
Report = dict[str, Any]
RunFunction = Callable[[Task, Progress], "dict[str, float] | tuple[dict[str, float], Report]"]


def run_image_pipeline(task: Task, on_progress: Progress) -> tuple[dict[str, float], Report]:
    started = time.perf_counter()
    image = decode_image(Path(task.input_path).read_bytes())
    timings = {"decode": (time.perf_counter() - started) * 1000}
    result = run_pipeline(task.pipeline_id, image, task.params, on_progress)
    timings.update(result.timings)
    started = time.perf_counter()
    png = encode_result(result.image)
    timings["encode"] = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    atomic_write_bytes(task.output_path, png)
    timings["write"] = (time.perf_counter() - started) * 1000
    return timings, {"ops": result.reports} if result.reports else {}


@dataclass(frozen=True)
class Runner:
    """How the server runs one pipeline: ``validate(params, checkpoint_path, recognizer_path)``
    refuses a bad request before a job exists (raising ImagingError), ``run`` does the work in a
    worker."""

    validate: Callable[[Any, str | None, str | None], object]
    run: RunFunction


def _image_pipeline(pipeline_id: str) -> Runner:
    def check(params: Any, _checkpoint: str | None, recognizer_path: str | None) -> None:
        validate(pipeline_id, params)
        if recognizer_path is not None:
            raise InvalidParams(
                f"The '{pipeline_id}' pipeline detects no text to read; a recognizer_path needs the "
                "'inference' pipeline."
            )

    return Runner(validate=check, run=run_image_pipeline)


def _validate_inference(params: Any, checkpoint_path: str | None, _recognizer: str | None) -> None:
    # Imported on first use, like the run function: onnxruntime stays out of workers that never detect.
    from ocr_playground.inference.jobs import parse_params

    parse_params(params)
    if checkpoint_path is None:
        raise InvalidParams(
            "The inference pipeline needs a checkpoint_path (see GET /api/inference/checkpoints)."
        )


def run_inference(task: Task, on_progress: Progress) -> dict[str, float]:
    from ocr_playground.inference.jobs import run_inference_task

    return run_inference_task(task, on_progress)


# pipeline id -> runner: the one table server jobs dispatch through.
RUNNERS: dict[str, Runner] = {pipeline_id: _image_pipeline(pipeline_id) for pipeline_id in PIPELINES}
RUNNERS["inference"] = Runner(validate=_validate_inference, run=run_inference)


def runner_for(pipeline_id: str) -> Runner:
    try:
        return RUNNERS[pipeline_id]
    except KeyError:
        known = ", ".join(sorted(RUNNERS))
        raise UnknownPipeline(f"Unknown pipeline '{pipeline_id}'; known pipelines: {known}.") from None


def validate_job(
    pipeline_id: str, params: Any, checkpoint_path: str | None = None, recognizer_path: str | None = None
) -> None:
    """Refuse an unknown pipeline or a bad request before any work (4xx at the API)."""
    runner_for(pipeline_id).validate(params, checkpoint_path, recognizer_path)


def execute(task: Task, on_progress: Progress) -> tuple[dict[str, float], Report | None]:
    """Run the task: (timings, report or None)."""
    outcome = runner_for(task.pipeline_id).run(task, on_progress)
    if isinstance(outcome, tuple):
        timings, report = outcome
        return timings, report or None
    return outcome, None
