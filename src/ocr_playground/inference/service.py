"""Detection as the API and the CLI use it: image -> preprocessing ops -> probability map -> boxes.

The probability map is the expensive part (hundreds of ms); thresholds only change the cheap DB
post-processing (a few ms). Maps are therefore cached per (image bytes, model identity,
preprocessing ops), so dragging a threshold slider re-runs post-processing only.

Geometry: detections are always in ORIGINAL image coordinates. Preprocessing ops that keep the full
frame (grayscale, autocontrast, blur, binarize, background removal, and resize, which only scales
it) run before detection, and the map is scaled back to the original size. ``crop_document`` warps
a quadrilateral to a rectangle, so its detections could not be drawn on the original image: it is
refused for detection (crop with the ``preprocessing`` pipeline, then detect on the cropped image).
"""

import hashlib
import json
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

import cv2
import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from ocr_playground.cachekey import image_digest
from ocr_playground.imaging.completeness import check_plausible
from ocr_playground.imaging.io import decode_image, probe_size
from ocr_playground.imaging.pipeline import Step, run_steps, validate
from ocr_playground.inference.engine import Detector, inference_slot
from ocr_playground.inference.errors import GeometryNotInvertible
from ocr_playground.inference.postprocess import Detection, DetectionParams, boxes_from_map
from ocr_playground.inference.profiles import ModelProfile
from ocr_playground.inference.recognition import Recognizer, TextLine, read_lines
from ocr_playground.inference.recognizer_profile import RecognitionParams
from ocr_playground.inference.words import word_boxes

NOT_INVERTIBLE_OPS = ("crop_document",)


class InferenceParams(BaseModel):
    """``params`` of an inference preview: preprocessing ops by name (as in the ``preprocessing``
    pipeline) plus a ``detection`` object with the DB thresholds."""

    model_config = ConfigDict(extra="allow")

    detection: DetectionParams = Field(default_factory=DetectionParams)
    recognition: RecognitionParams = Field(default_factory=RecognitionParams)

    def ops(self) -> dict[str, Any]:
        """The preprocessing ops that are switched on (``false``/``null`` means off)."""
        return {k: v for k, v in (self.model_extra or {}).items() if v is not False and v is not None}


@dataclass
class DetectionResult:
    detections: list[Detection]
    width: int
    height: int
    timings: dict[str, float | bool] = field(default_factory=dict)
    map_size: tuple[int, int] = (0, 0)  # (height, width) of the probability map: what the model saw
    texts: list[TextLine] | None = None  # one per detection, when a recognizer was given


@dataclass(frozen=True)
class _MapEntry:
    prob: np.ndarray
    gray: np.ndarray  # the original image in grey, for word splitting
    timings: dict[str, float]

    @property
    def width(self) -> int:
        return self.gray.shape[1]

    @property
    def height(self) -> int:
        return self.gray.shape[0]

    @property
    def nbytes(self) -> int:
        return self.prob.nbytes + self.gray.nbytes


class MapCache:
    """A small LRU of probability maps (a 1000×1500 receipt's entry is about 7 MB), bounded in
    count and in bytes: it lives as long as the server, so it must not grow with image sizes."""

    def __init__(self, capacity: int = 8, max_bytes: int = 64 * 1024 * 1024) -> None:
        self.capacity = capacity
        self.max_bytes = max_bytes
        self._lock = threading.Lock()
        self._maps: OrderedDict[str, _MapEntry] = OrderedDict()

    def get(self, key: str) -> _MapEntry | None:
        with self._lock:
            entry = self._maps.get(key)
            if entry is not None:
                self._maps.move_to_end(key)
            return entry

    def put(self, key: str, entry: _MapEntry) -> None:
        if entry.nbytes > self.max_bytes:
            return
        with self._lock:
            self._maps[key] = entry
            self._maps.move_to_end(key)
            while len(self._maps) > self.capacity or self._bytes() > self.max_bytes:
                self._maps.popitem(last=False)

    def _bytes(self) -> int:
        return sum(entry.nbytes for entry in self._maps.values())


def map_key(digest: str, detector: Detector, ops: dict[str, Any]) -> str:
    """The probability map's key: the image's ``image_digest``, the model file's identity, the ops."""
    material = f"{digest}\n{detector.key!r}\n{json.dumps(ops, sort_keys=True)}"
    return hashlib.sha256(material.encode()).hexdigest()


def check_ops(ops: dict[str, Any]) -> list[Step]:
    """Refuse ops detections cannot be mapped back through, then validate the rest; the steps."""
    refused = [name for name in ops if name in NOT_INVERTIBLE_OPS]
    if refused:
        raise GeometryNotInvertible(
            f"The op '{refused[0]}' warps the image, so detections could not be mapped back to the "
            "original; crop with the preprocessing pipeline first, then detect on the cropped image."
        )
    return validate("preprocessing", ops) if ops else []


def preprocess(image: np.ndarray, ops: dict[str, Any]) -> tuple[np.ndarray, dict[str, float]]:
    """Run the switched-on preprocessing ops (full-frame ones only, see the module docstring)."""
    steps = check_ops(ops)
    if not steps:
        return image, {}
    t0 = time.perf_counter()
    result = run_steps(steps, image)
    return result.image, {"pipeline_ms": (time.perf_counter() - t0) * 1e3}


def with_model_defaults(params: DetectionParams, profile: ModelProfile) -> DetectionParams:
    """The request's thresholds, with the model's own (its sidecar's) for those the request leaves out."""
    if profile.detection is None:
        return params
    unset = {
        name: value
        for name, value in profile.detection.model_dump(exclude_none=True).items()
        if name not in params.model_fields_set
    }
    return params.model_copy(update=unset) if unset else params


def _map_entry(image: np.ndarray, detector: Detector, ops: dict[str, Any]) -> tuple[_MapEntry, np.ndarray]:
    """Preprocess and run the model: the map, and the preprocessed image (for recognition; it is
    not kept in the map cache, so it dies inside the caller's slot)."""
    processed, timings = preprocess(image, ops)
    prob, model_timings = detector.probability_map(processed)
    return _MapEntry(prob=prob, gray=_gray(image), timings=timings | model_timings), processed


def probability_entry(image: np.ndarray, detector: Detector, ops: dict[str, Any]) -> _MapEntry:
    """The preprocessed image's probability map (one model call), ready for any thresholds."""
    with inference_slot():
        return _map_entry(image, detector, ops)[0]


def detect_array(
    image: np.ndarray, detector: Detector, params: InferenceParams, recognizer: Recognizer | None = None
) -> DetectionResult:
    """Detection (and, given a recognizer, recognition) on an already decoded RGB(A) image (the
    CLI and job path: no map cache)."""
    with inference_slot():
        entry, processed = _map_entry(image, detector, params.ops())
        result = _finish(entry, with_model_defaults(params.detection, detector.profile), cached=False)
        if recognizer is not None:
            read_text(processed, result, recognizer, params.recognition)
    return result


def _decoded_map_entry(data: bytes, detector: Detector, ops: dict[str, Any]) -> tuple[_MapEntry, np.ndarray]:
    t0 = time.perf_counter()
    image = decode_image(data)
    decode_ms = (time.perf_counter() - t0) * 1e3
    entry, processed = _map_entry(image, detector, ops)
    timings = {"decode_ms": decode_ms} | entry.timings
    return _MapEntry(prob=entry.prob, gray=entry.gray, timings=timings), processed


def detect_bytes(
    data: bytes,
    detector: Detector,
    params: InferenceParams,
    cache: MapCache | None = None,
    recognizer: Recognizer | None = None,
    digest: str | None = None,
) -> DetectionResult:
    """Detection (and, given a recognizer, recognition) on encoded image bytes, reusing a cached
    probability map when there is one. Recognition reads the preprocessed image, which the cache
    does not keep (it can be large): with a recognizer, a cached map still decodes and preprocesses
    the image again, a small cost next to reading every line. ``digest`` is the bytes'
    ``image_digest`` when the caller already has it (a preview hashes an image once)."""
    ops = params.ops()
    key = map_key(digest or image_digest(data), detector, ops)
    detection = with_model_defaults(params.detection, detector.profile)
    entry = cache.get(key) if cache is not None else None
    if entry is not None and recognizer is None:
        return _finish(entry, detection, cached=True)
    probe_size(data)  # what the header alone can refuse is refused before waiting for the slot
    check_plausible(data)
    with inference_slot():  # the decoded image counts too: decode inside the slot
        if entry is None:
            entry, processed = _decoded_map_entry(data, detector, ops)
            if cache is not None:
                cache.put(key, entry)
            result = _finish(entry, detection, cached=False)
        else:
            processed = preprocess(decode_image(data), ops)[0]
            result = _finish(entry, detection, cached=True)
        if recognizer is not None:
            read_text(processed, result, recognizer, params.recognition)
    return result


def read_text(
    processed: np.ndarray, result: DetectionResult, recognizer: Recognizer, params: RecognitionParams
) -> None:
    """Set ``result.texts``: each detection's text, read from the preprocessed image (what the ops
    do to the pixels is what recognition sees; a resize op changed its size: the corners are scaled
    to it). Run inside the inference slot, like the detector."""
    ph, pw = processed.shape[:2]
    scale = np.array([pw / result.width, ph / result.height])
    steps: dict[str, float] = {}
    result.texts = read_lines(
        processed, [d.points * scale for d in result.detections], recognizer, params, steps
    )
    result.timings |= steps


def _gray(image: np.ndarray) -> np.ndarray:
    return image if image.ndim == 2 else cv2.cvtColor(image[:, :, :3], cv2.COLOR_RGB2GRAY)


def _finish(entry: _MapEntry, params: DetectionParams, cached: bool) -> DetectionResult:
    t0 = time.perf_counter()
    detections = boxes_from_map(entry.prob, params, (entry.width, entry.height))
    if params.granularity == "word":
        detections = word_boxes(entry.gray, detections, params.word_gap)
    post_ms = (time.perf_counter() - t0) * 1e3
    # On a cache hit only post-processing ran: the map's own timings are not repeated.
    timings: dict[str, float | bool] = {} if cached else dict(entry.timings)
    timings |= {"postprocess_ms": post_ms, "map_cached": cached}
    return DetectionResult(
        detections=detections,
        width=entry.width,
        height=entry.height,
        timings=timings,
        map_size=(entry.prob.shape[0], entry.prob.shape[1]),
    )
