"""One item of a run, computed the same way by both engines (a local worker process or a Ray actor).

An ``ItemWorker`` is built once per process: it loads the ONNX sessions once (the detector, and the
recognizer of a run that reads text, with the thread count the engine chose) and keeps a reader
thread that reads and decodes the next image while the current one is in the model; ONNX Runtime,
OpenCV and Pillow's decoders release the GIL, so the two overlap.
A bad image fails its own item with a sentence; nothing here stops the run.
"""

import json
import time
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ocr_playground.artifacts import atomic_write_bytes, confine
from ocr_playground.cachekey import cache_key_from_digest, image_digest
from ocr_playground.imaging.errors import ImagingError
from ocr_playground.imaging.io import decode_image, encode_png
from ocr_playground.imaging.pipeline import run_steps, validate
from ocr_playground.inference.engine import DetectorCache
from ocr_playground.inference.errors import InferenceError
from ocr_playground.inference.evaluation import Word, evaluate_image
from ocr_playground.inference.text_metrics import text_counts

# An image file larger than this is refused unread (a 50 MP PNG is well under it).
MAX_FILE_BYTES = 256 * 1024 * 1024


@dataclass(frozen=True)
class WorkerSpec:
    """What every worker needs, as plain data (it crosses into processes and onto Ray nodes)."""

    pipeline_id: str
    params: dict[str, Any]
    checkpoint_path: str | None  # as the user gave it: part of the cache key
    model_path: str | None  # the resolved ONNX file
    images_dir: str | None  # save_images: where each item's PNG goes
    threads: int = 1  # ONNX Runtime threads of this worker's session
    recognizer_path: str | None = None  # as the user gave it: part of the cache key
    recognizer_file: str | None = None  # the resolved ONNX recognizer: each detection's text is read
    # The run's ground truth holds text somewhere: then every image with ground truth is scored on
    # text, one that expects no text included (what was read there counts against precision), as
    # `evaluate` scores a set.
    text_truth: bool = False


@dataclass(frozen=True)
class ItemTask:
    seq: int
    name: str
    path: str
    gt: str | None  # the image's ground-truth words as JSON


def parse_words(text: str) -> list[Word]:
    return [
        Word(
            points=np.asarray(w["points"], np.float64), text=w.get("text"), dont_care=bool(w.get("dont_care"))
        )
        for w in json.loads(text)
    ]


def detection_words(boxes: Sequence[dict[str, Any]]) -> list[Word]:
    return [
        Word(points=np.asarray(b["points"], np.float64), score=b["score"], text=b.get("text")) for b in boxes
    ]


def score(gt: str | None, boxes: Sequence[dict[str, Any]]) -> dict[str, Any] | None:
    """Per-protocol metrics of one image (None without ground truth)."""
    if gt is None:
        return None
    return {
        name: s.model_dump() for name, s in evaluate_image(parse_words(gt), detection_words(boxes)).items()
    }


def score_text(gt: str | None, boxes: Sequence[dict[str, Any]]) -> dict[str, Any] | None:
    """One image's text metrics (``TextMetrics`` as JSON) in a run scored on text; None without
    ground truth."""
    if gt is None:
        return None
    return text_counts(parse_words(gt), detection_words(boxes)).metrics().model_dump()


def has_text(gt: str | None) -> bool:
    """Whether one image's ground truth (as JSON) holds any text."""
    return gt is not None and any(w.text for w in parse_words(gt))


def failed(task: ItemTask, error: str, timings: dict[str, float] | None = None) -> dict[str, Any]:
    return {
        "seq": task.seq,
        "name": task.name,
        "status": "failed",
        "error": error,
        "timings": timings or {},
    }


def _ms(since: float) -> float:
    return round((time.perf_counter() - since) * 1e3, 3)


@dataclass
class _Loaded:
    data: bytes | None = None
    image: np.ndarray | None = None
    error: str | None = None
    timings: dict[str, float] | None = None


def load_task(task: ItemTask) -> _Loaded:
    """Read and decode one task's image; a problem is the item's error, never an exception."""
    t0 = time.perf_counter()
    try:
        path = Path(task.path)
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return _Loaded(error=f"The file is {size} bytes, over the limit of {MAX_FILE_BYTES} bytes.")
        data = path.read_bytes()
    except OSError as exc:
        return _Loaded(error=f"The file cannot be read: {exc.strerror or exc}.")
    timings = {"read": _ms(t0)}
    t1 = time.perf_counter()
    try:
        image = decode_image(data)
    except ImagingError as exc:
        return _Loaded(data=data, error=str(exc), timings=timings)
    except MemoryError:
        return _Loaded(data=data, error="The image does not fit in memory.", timings=timings)
    timings["decode"] = _ms(t1)
    return _Loaded(data=data, image=image, timings=timings)


class ItemWorker:
    def __init__(self, spec: WorkerSpec) -> None:
        self.spec = spec
        self.detector = None
        self.recognizer = None
        if spec.pipeline_id == "inference":
            from ocr_playground.inference.jobs import parse_params

            self.params = parse_params(spec.params)
            assert spec.model_path is not None
            self.detector = DetectorCache(threads=spec.threads, capacity=1, keep_arena=True).get(
                Path(spec.model_path)
            )
            if spec.recognizer_file is not None:
                from ocr_playground.inference.recognition import RecognizerCache

                self.recognizer = RecognizerCache(threads=spec.threads, capacity=1, keep_arena=True).get(
                    Path(spec.recognizer_file)
                )
        else:
            self.steps = validate(spec.pipeline_id, spec.params)
        self._reader = ThreadPoolExecutor(1, thread_name_prefix="ocrp-read")

    def process(self, tasks: Sequence[ItemTask]) -> list[dict[str, Any]]:
        """Each task's item; the next image is read and decoded while this one runs."""
        records = []
        ahead: Future[_Loaded] | None = self._reader.submit(load_task, tasks[0]) if tasks else None
        for index, task in enumerate(tasks):
            assert ahead is not None
            loaded = ahead.result()
            ahead = self._reader.submit(load_task, tasks[index + 1]) if index + 1 < len(tasks) else None
            records.append(self._compute(task, loaded))
        return records

    def _compute(self, task: ItemTask, loaded: _Loaded) -> dict[str, Any]:
        timings = dict(loaded.timings or {})
        started = time.perf_counter() - sum(timings.values()) / 1e3
        key = None
        if loaded.data is not None:
            spec = self.spec
            key = cache_key_from_digest(
                spec.pipeline_id,
                image_digest(loaded.data),
                spec.params,
                spec.checkpoint_path,
                spec.recognizer_path,
            )
        if loaded.image is None:
            record = failed(task, loaded.error or "The image could not be read.", timings)
            return record | {"cache_key": key}
        try:
            record = self._run(task, loaded.image, timings)
        except (ImagingError, InferenceError) as exc:
            return failed(task, str(exc), timings) | {"cache_key": key}
        except MemoryError:
            return failed(task, "The worker ran out of memory on this image.", timings) | {"cache_key": key}
        except Exception as exc:  # a bug on one image must not take the run down: say what it was
            return failed(task, f"Internal error: {type(exc).__name__}: {exc}", timings) | {"cache_key": key}
        timings["total"] = _ms(started)
        height, width = loaded.image.shape[:2]
        return record | {"seq": task.seq, "name": task.name, "status": "completed", "error": None,
                         "cache_key": key, "width": width, "height": height, "timings": timings}  # fmt: skip

    def _run(self, task: ItemTask, image: np.ndarray, timings: dict[str, float]) -> dict[str, Any]:
        if self.detector is None:
            t0 = time.perf_counter()
            result = run_steps(self.steps, image)
            timings["ops"] = _ms(t0)
            self._save(task, result.image, timings)
            return {"detections": None, "boxes": None, "metrics": None, "text_metrics": None}
        from ocr_playground.inference.jobs import detections_json, draw
        from ocr_playground.inference.service import detect_array

        result = detect_array(image, self.detector, self.params, self.recognizer)
        t = result.timings
        if "pipeline_ms" in t:
            timings["ops"] = round(float(t["pipeline_ms"]), 3)
        timings["model"] = round(float(t["preprocess_ms"]) + float(t["inference_ms"]), 3)
        timings["postprocess"] = round(float(t["postprocess_ms"]), 3)
        if self.recognizer is not None:
            read = sum(float(t.get(k, 0.0)) for k in ("crop_ms", "classify_ms", "recognize_ms"))
            timings["recognize"] = round(read, 3)
        boxes = detections_json(result)
        t0 = time.perf_counter()
        metrics = score(task.gt, boxes)
        text = score_text(task.gt, boxes) if self.recognizer is not None and self.spec.text_truth else None
        if metrics is not None:
            timings["evaluate"] = _ms(t0)
        if self.spec.images_dir is not None:
            self._save(task, draw(image, result.detections), timings)
        return {"detections": len(boxes), "boxes": boxes, "metrics": metrics, "text_metrics": text}

    def _save(self, task: ItemTask, image: np.ndarray, timings: dict[str, float]) -> None:
        if self.spec.images_dir is None:
            return
        t0 = time.perf_counter()
        # confine: a listed image's name may climb out of the folder ('../x.jpg' on the command line).
        atomic_write_bytes(confine(f"{task.name}.png", Path(self.spec.images_dir)), encode_png(image))
        timings["write"] = _ms(t0)
