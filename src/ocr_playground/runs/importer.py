"""Runs from prediction files: detections made elsewhere, scored and compared here like any run.

Two formats are read:

* the receipt competition's JSON (``{"images": {name: {"words": {id: {"points", "score"}}}}}``, or
  a list of words per image), as ``ocr-playground detect`` and a run's ``predictions.json`` write;
  words with ``text`` (and ``textScore``) make it a run that reads text: with ground truth that has
  text, its items get text metrics as a recognizer's run does;
* a submission CSV with the columns ``filename,polygons``, where ``polygons`` holds the image's
  polygons separated by ``|``, each ``x1 y1 x2 y2 ...`` (a header row is optional; an empty field
  means no detections). A CSV carries no scores, so its detections score 1.

Images are matched by name without extension, then by file name (``sub/a.jpg`` finds ``a``), as
ground truth is. An image of the dataset the file does not name has no detections (as the
competition's scripts count it); names the dataset does not hold are counted and left out.

No model runs: the engine below reads each image's header (its size) and bytes (its cache key),
takes its detections from the file and scores them, in the service's thread.
"""

import csv
import hashlib
import io
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from ocr_playground.artifacts import NotARegularFile, read_regular_file
from ocr_playground.cachekey import cache_key_from_digest, image_digest
from ocr_playground.imaging.errors import ImagingError
from ocr_playground.imaging.io import probe_size
from ocr_playground.inference.annotations import load_json, parse_decimal, parse_receipt_json
from ocr_playground.inference.errors import InferenceError
from ocr_playground.inference.names import found_key, image_key, one_per_image
from ocr_playground.inference.postprocess import detection_json
from ocr_playground.runs.engine import EngineWork, ShouldStop, Sink
from ocr_playground.runs.errors import RunError
from ocr_playground.runs.worker import MAX_FILE_BYTES, ItemTask, failed, score, score_text

MAX_PREDICTIONS_BYTES = 512 * 1024 * 1024
CSV_SUFFIXES = (".csv",)
Boxes = list[dict[str, Any]]


def _polygon(text: str, where: str) -> list[list[float]]:
    try:
        values = [parse_decimal(v) for v in text.split()]
    except ValueError:
        raise RunError(f"{where}: a polygon must be numbers 'x1 y1 x2 y2 ...'.") from None
    if len(values) < 6 or len(values) % 2 or not np.isfinite(values).all():
        raise RunError(f"{where}: a polygon needs at least 3 finite x y pairs, not {len(values)} numbers.")
    return [[values[i], values[i + 1]] for i in range(0, len(values), 2)]


def parse_submission_csv(text: str, source: str) -> dict[str, Boxes]:
    """``filename,polygons`` rows (polygons ``x1 y1 ...|x1 y1 ...``) -> name -> boxes (score 1)."""
    out: dict[str, Boxes] = {}
    try:
        for n, row in enumerate(csv.reader(io.StringIO(text)), start=1):
            _submission_row(out, row, n, source)
    except csv.Error as exc:  # a field past the csv module's limit (128 KiB), a NUL byte
        raise RunError(f"{source} cannot be read as CSV: {exc}.") from None
    if not out:
        raise RunError(f"{source} holds no rows (expected filename,polygons).")
    try:
        one_per_image([(name, name) for name in out], source)
    except InferenceError as exc:
        raise RunError(str(exc)) from None
    return out


def _submission_row(out: dict[str, Boxes], row: list[str], n: int, source: str) -> None:
    if not row or not "".join(row).strip():
        return
    if n == 1 and [c.strip().lower() for c in row[:2]] == ["filename", "polygons"]:
        return
    if len(row) != 2:
        raise RunError(f"{source} line {n} has {len(row)} fields; expected filename,polygons.")
    name, polygons = row[0].strip(), row[1].strip()
    boxes = out.setdefault(name, [])
    for part in filter(None, (p.strip() for p in polygons.split("|"))):
        boxes.append({"points": _polygon(part, f"{source} line {n}"), "score": 1.0})


def read_predictions(path: Path) -> dict[str, Boxes]:
    """A predictions file (competition JSON or submission CSV) as image name -> boxes, each box
    ``{points, score}`` rounded as every output of this project writes them."""
    try:
        text = read_regular_file(path, MAX_PREDICTIONS_BYTES).decode("utf-8-sig")
    except NotARegularFile as exc:
        raise RunError(f"The predictions cannot be read: {exc}") from None
    except UnicodeDecodeError as exc:
        raise RunError(f"The predictions '{path.name}' are not UTF-8 text ({exc.reason}).") from None
    if path.suffix.lower() in CSV_SUFFIXES:
        return parse_submission_csv(text, path.name)
    try:
        words = parse_receipt_json(load_json(text, f"The predictions '{path.name}'"), path.name)
    except InferenceError as exc:
        raise RunError(str(exc)) from None
    return {
        name: [
            detection_json(w.points, 1.0 if w.score is None else w.score, w.text, w.text_score) for w in found
        ]
        for name, found in words.items()
    }


def reads_text(predictions: Mapping[str, Boxes]) -> bool:
    """Whether the file carries text (then its run is scored on text too, where the ground truth has it)."""
    return any("text" in box for boxes in predictions.values() for box in boxes)


def file_digest(path: Path) -> str:
    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def match(predictions: Mapping[str, Boxes], names: list[str]) -> tuple[list[Boxes], int]:
    """Each dataset image's boxes ([] when the file does not name it) and how many of the file's
    names match no image."""
    by_key = {image_key(name): boxes for name, boxes in predictions.items()}
    used: set[str] = set()
    out = []
    for name in names:
        key = found_key(by_key, name)
        if key is not None:
            used.add(key)
        out.append([] if key is None else by_key[key])
    return out, len(by_key) - len(used)


def check_predictions(path: Path, shown: str, names: list[str]) -> None:
    """Refuse a predictions file that cannot be read or names none of the dataset's images."""
    predictions = read_predictions(path)
    if not predictions:
        raise RunError(f"The predictions '{shown}' name no image.")
    _, stray = match(predictions, names)
    if stray == len({image_key(n) for n in predictions}):
        example = next(iter(predictions))
        raise RunError(
            f"The predictions '{shown}' name none of the {len(names)} images of the dataset "
            f"(they name e.g. '{example}'; the dataset has e.g. '{names[0]}')."
        )


def pseudo_checkpoint(path: Path) -> str:
    """What stands for the checkpoint in an imported item's cache key: the file's content."""
    return f"predictions:{file_digest(path)[:16]}"


class PredictionsEngine:
    """Items from a predictions file instead of a model (see the module docstring)."""

    name = "predictions"

    def __init__(self, path: Path) -> None:
        self.path = path

    def run(self, work: EngineWork, sink: Sink, should_stop: ShouldStop) -> None:
        predictions = read_predictions(self.path)
        boxes, _ = match(predictions, [t.name for t in work.tasks])
        checkpoint = pseudo_checkpoint(self.path)
        text = reads_text(predictions) and work.spec.text_truth
        for task, found in zip(work.tasks, boxes, strict=True):
            if should_stop():
                return
            sink(self._item(task, found, work.spec.pipeline_id, work.spec.params, checkpoint, text))

    @staticmethod
    def _item(
        task: ItemTask, boxes: Boxes, pipeline_id: str, params: Any, checkpoint: str, text: bool
    ) -> dict[str, Any]:
        t0 = time.perf_counter()
        try:
            path = Path(task.path)
            if path.stat().st_size > MAX_FILE_BYTES:
                return failed(task, f"The file is over the limit of {MAX_FILE_BYTES} bytes.")
            data = path.read_bytes()
            width, height = probe_size(data)
        except OSError as exc:
            return failed(task, f"The file cannot be read: {exc.strerror or exc}.")
        except ImagingError as exc:
            return failed(task, str(exc))
        read_ms = (time.perf_counter() - t0) * 1e3
        t1 = time.perf_counter()
        try:
            metrics = score(task.gt, boxes)
            text_metrics = score_text(task.gt, boxes) if text else None
        except InferenceError as exc:  # an image too large to score fails alone, saying why
            return failed(task, str(exc))
        timings = {"read": round(read_ms, 3), "evaluate": round((time.perf_counter() - t1) * 1e3, 3)}
        timings["total"] = round((time.perf_counter() - t0) * 1e3, 3)
        return {
            "seq": task.seq,
            "name": task.name,
            "status": "completed",
            "error": None,
            "cache_key": cache_key_from_digest(pipeline_id, image_digest(data), params, checkpoint),
            "width": width,
            "height": height,
            "detections": len(boxes),
            "timings": timings,
            "boxes": boxes,
            "metrics": metrics,
            "text_metrics": text_metrics,
        }
