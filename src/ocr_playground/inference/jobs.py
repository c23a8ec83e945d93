"""The ``inference`` pipeline as a server job (``/api/pipelines/preview`` and ``/fallback``).

A job decodes the image, runs detection (and, with a recognizer, reads each detection's text) and
writes two artifacts atomically: the PNG the jobs API serves (the original image with the
detections drawn) and, beside it, ``{job_id}.json`` with the detections in original image
coordinates (``text``/``textScore`` with a recognizer). Each worker process keeps its own session
caches.
"""

import json
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from pydantic import ValidationError

from ocr_playground.artifacts import atomic_write_bytes
from ocr_playground.imaging.errors import ImagingError, InvalidParams, first_problem
from ocr_playground.imaging.io import decode_image, encode_png
from ocr_playground.inference.catalog import (
    resolve_checkpoint,
    resolve_local_checkpoint,
    resolve_local_recognizer,
    resolve_recognizer,
)
from ocr_playground.inference.engine import default_cache
from ocr_playground.inference.errors import InferenceError
from ocr_playground.inference.postprocess import Detection, detection_json
from ocr_playground.inference.recognition import default_recognizers
from ocr_playground.inference.service import DetectionResult, InferenceParams, check_ops, detect_array

PIPELINE_ID = "inference"
OVERLAY_COLOUR = (0, 200, 80)  # RGB


def load_checkpoint(root: Path, user_path: str) -> Path:
    """The checkpoint of an ``inference`` request, resolved under ``root`` and loaded before any job
    exists, so a missing, non-ONNX or non-image model is refused up front rather than a failed job."""
    path = resolve_checkpoint(root, user_path)
    default_cache().get(path)
    return path


def load_recognizer(root: Path, user_path: str) -> Path:
    """The recognizer of an ``inference`` request, resolved under ``root`` and loaded before any
    job exists, as the checkpoint is: a file that is not a CTC recognizer is a 4xx, not a failed job."""
    path = resolve_recognizer(root, user_path)
    default_recognizers().get(path)
    return path


def parse_params(params: Any) -> InferenceParams:
    """The pipeline's params, validated before a job exists (bad ones are a 422, never a job)."""
    try:
        parsed = InferenceParams.model_validate(params or {})
    except ValidationError as exc:
        where, message = first_problem(exc)
        raise InvalidParams(f"Invalid params for pipeline 'inference': field '{where}': {message}.") from None
    try:
        check_ops(parsed.ops())
    except InferenceError as exc:
        raise InvalidParams(str(exc)) from None
    return parsed


def detections_json(result: DetectionResult) -> list[dict[str, Any]]:
    """The detections of a result as the API and the job file give them (with text when read)."""
    if result.texts is None:
        return [detection_json(d.points, d.score) for d in result.detections]
    return [
        detection_json(d.points, d.score, t.text, t.score)
        for d, t in zip(result.detections, result.texts, strict=True)
    ]


def detections_path(output_path: str | Path) -> Path:
    return Path(output_path).with_suffix(".json")


def draw(image: np.ndarray, detections: Sequence[Detection | np.ndarray]) -> np.ndarray:
    """The image with each detection's polygon drawn (a detection, or its points)."""
    canvas = np.ascontiguousarray(image[:, :, :3]).copy()
    thickness = max(1, round(max(canvas.shape[:2]) / 600))
    points = [d.points if isinstance(d, Detection) else d for d in detections]
    polygons = [np.round(p).astype(np.int32).reshape(-1, 1, 2) for p in points]
    cv2.polylines(canvas, polygons, True, OVERLAY_COLOUR, thickness, cv2.LINE_AA)
    return canvas


def write_result(
    output_path: str | Path,
    image: np.ndarray,
    checkpoint_path: str | None,
    recognizer_path: str | None,
    detections: list[dict[str, Any]],
) -> list[Path]:
    """A job's two files, each atomic: the detections (``detections_json`` form) first, then the
    drawn PNG, whose presence is what marks the result whole. The files written."""
    payload = {
        "image": {"width": image.shape[1], "height": image.shape[0]},
        "checkpoint_path": checkpoint_path,
        "recognizer_path": recognizer_path,
        "detections": detections,
    }
    atomic_write_bytes(detections_path(output_path), json.dumps(payload).encode())
    polygons = [np.asarray(d["points"], np.float64) for d in detections]
    try:
        atomic_write_bytes(output_path, encode_png(draw(image, polygons)))
    except BaseException:  # a full disk: no detections file is left without its PNG
        detections_path(output_path).unlink(missing_ok=True)
        raise
    return [detections_path(output_path), Path(output_path)]


def run_inference_task(task: Any, on_progress: Any) -> dict[str, float]:
    """The worker's run function for ``inference`` (see ``jobs.worker.RunFunction``)."""
    try:
        return _run(task, on_progress)
    except InferenceError as exc:  # the worker reports ImagingError messages as the job's error
        raise ImagingError(str(exc)) from None


def _run(task: Any, on_progress: Any) -> dict[str, float]:
    if not task.checkpoint_path:
        raise InvalidParams("The inference pipeline needs a checkpoint_path.")
    params = parse_params(task.params)
    started = time.perf_counter()
    image = decode_image(Path(task.input_path).read_bytes())
    timings = {"decode": (time.perf_counter() - started) * 1e3}
    detector = default_cache().get(resolve_local_checkpoint(task.checkpoint_path))
    recognizer = None
    if task.recognizer_path:
        recognizer = default_recognizers().get(resolve_local_recognizer(task.recognizer_path))
    on_progress("load", 0.2)
    result = detect_array(image, detector, params, recognizer)
    timings |= {k: v for k, v in result.timings.items() if isinstance(v, float)}
    on_progress("detect", 0.9)
    started = time.perf_counter()
    write_result(task.output_path, image, task.checkpoint_path, task.recognizer_path, detections_json(result))
    timings["encode"] = (time.perf_counter() - started) * 1e3
    return timings
