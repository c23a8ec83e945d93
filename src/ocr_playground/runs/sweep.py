"""Threshold sweep: which ``thresh``, ``boxThresh`` and ``unclipRatio`` score best on a run's images.

The detector's probability map is the expensive part of detection (hundreds of ms); the thresholds
only change DB post-processing (tens of ms). So each image's map is computed ONCE, in a worker
process, and every point of the grid re-runs only post-processing and scoring on it; the worker
returns the image's counts per point and protocol, which are summed over images. A 60-point sweep
costs one model call per image, whatever the grid size (each record says how many it made).

Every other setting (the preprocessing ops, the detection mode, granularity, ...) is the run's own;
the thresholds a point leaves out are the run's, completed by the model's sidecar defaults.
"""

import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic.alias_generators import to_camel

from ocr_playground.imaging.errors import ImagingError
from ocr_playground.inference.engine import DetectorCache
from ocr_playground.inference.errors import InferenceError
from ocr_playground.inference.evaluation import PROTOCOLS, Word, evaluate_image
from ocr_playground.inference.postprocess import (
    Detection,
    DetectionParams,
    Region,
    detection_json,
    expand,
    regions,
)
from ocr_playground.inference.words import word_boxes
from ocr_playground.runs.measures import COUNTS, MEASURES
from ocr_playground.runs.worker import ItemTask, detection_words, failed, load_task, parse_words

GRID_FIELDS = ("thresh", "boxThresh", "unclipRatio")  # as the API names them
MAX_VALUES = 50  # values per field
MAX_POINTS = 1000
DEFAULT_GRID = {
    "thresh": [0.2, 0.3, 0.4],
    "boxThresh": [0.4, 0.5, 0.6, 0.7, 0.8],
    "unclipRatio": [1.2, 1.5, 1.8, 2.1],
}  # 60 points around PP-OCR's and DBNet's published defaults (0.3, 0.6, 1.5)
RANGES = {"thresh": (0.0, 1.0), "box_thresh": (0.0, 1.0), "unclip_ratio": (0.0, 10.0)}


class Grid(BaseModel):
    """The values to try for each threshold; the sweep runs every combination."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")

    thresh: list[float] = Field(
        default_factory=lambda: DEFAULT_GRID["thresh"], min_length=1, max_length=MAX_VALUES
    )
    box_thresh: list[float] = Field(
        default_factory=lambda: DEFAULT_GRID["boxThresh"], min_length=1, max_length=MAX_VALUES
    )
    unclip_ratio: list[float] = Field(
        default_factory=lambda: DEFAULT_GRID["unclipRatio"], min_length=1, max_length=MAX_VALUES
    )

    @field_validator("thresh", "box_thresh", "unclip_ratio")
    @classmethod
    def _in_range(cls, values: list[float], info: Any) -> list[float]:
        lo, hi = RANGES[info.field_name]
        for v in values:
            if not lo <= v <= hi or (info.field_name == "unclip_ratio" and v == 0):
                bounds = f"({lo}, {hi}]" if info.field_name == "unclip_ratio" else f"[{lo}, {hi}]"
                raise ValueError(f"{v} is outside {bounds}")
        return sorted(set(values))

    @model_validator(mode="after")
    def _bounded(self) -> "Grid":
        n = len(self.thresh) * len(self.box_thresh) * len(self.unclip_ratio)
        if n > MAX_POINTS:
            raise ValueError(f"the grid has {n} points, over the limit of {MAX_POINTS}")
        return self

    def points(self) -> list[dict[str, float]]:
        """Every combination, ``thresh`` slowest, as the API names the fields."""
        return [
            {"thresh": t, "boxThresh": b, "unclipRatio": u}
            for t, b, u in itertools.product(self.thresh, self.box_thresh, self.unclip_ratio)
        ]


def point_params(base: DetectionParams, point: dict[str, float]) -> DetectionParams:
    return base.model_copy(
        update={
            "thresh": point["thresh"],
            "box_thresh": point["boxThresh"],
            "unclip_ratio": point["unclipRatio"],
        }
    )


class GridPostprocess:
    """Post-processing of one probability map at many points, each shared step done once: the
    scored regions depend on ``thresh`` only, a region's expansion on (``thresh``, ``unclipRatio``)
    only, and a point's ``boxThresh`` just picks regions. At every point the detections are those
    ``boxes_from_map`` (and word splitting) give; the same objects come back for the same regions,
    so the scoring below can recognise a detection set it has already scored."""

    def __init__(self, prob: np.ndarray, gray: np.ndarray) -> None:
        self.prob = np.asarray(prob, dtype=np.float32)
        self.gray = gray
        self.size = (gray.shape[1], gray.shape[0])
        self._regions: dict[tuple, list[Region]] = {}
        self._expanded: dict[tuple, dict[int, Detection | None]] = {}
        self._words: dict[tuple, list[Detection]] = {}

    def __call__(self, params: DetectionParams) -> list[Detection]:
        key = (params.thresh, params.dilate, params.mode, params.min_size, params.max_candidates)
        if key not in self._regions:
            self._regions[key] = regions(self.prob, params)
        expanded = self._expanded.setdefault((*key, params.unclip_ratio), {})
        out = []
        for i, region in enumerate(self._regions[key]):
            if region.score < params.box_thresh:
                continue
            if i not in expanded:
                expanded[i] = expand(region, params, self.prob.shape, self.size)
            if (found := expanded[i]) is not None:
                out.append(found)
        if params.granularity == "word":
            lines = (*map(id, out), params.word_gap)
            if lines not in self._words:
                self._words[lines] = word_boxes(self.gray, out, params.word_gap)
            out = self._words[lines]
        return out


def image_counts(
    detect: Callable[[DetectionParams], list[Detection]], gt: list[Word], points: list[DetectionParams]
) -> np.ndarray:
    """One image's counts (points × protocols × COUNTS): ``detect`` is post-processing of the
    image's probability map under some thresholds (the map itself is computed once, outside).
    Detections are scored as a run stores and scores them (rounded by ``detection_json``), so a
    point with a run's thresholds gives that run's counts exactly. Points that give the very same
    detections (the same objects) are scored once."""
    out = np.zeros((len(points), len(PROTOCOLS), len(COUNTS)))
    # Keyed by the objects' ids; the memo holds the objects, so no id is reused while it lives.
    scored: dict[tuple[int, ...], tuple[list[Detection], np.ndarray]] = {}
    for i, params in enumerate(points):
        detections = detect(params)
        key = tuple(map(id, detections))
        if key not in scored:
            stored = [detection_json(d.points, d.score) for d in detections]
            scores = evaluate_image(gt, detection_words(stored))
            counts = np.array([[getattr(scores[p], name) for name in COUNTS] for p in PROTOCOLS])
            scored[key] = (detections, counts)
        out[i] = scored[key][1]
    return out


def summarize(points: list[dict[str, float]], counts: np.ndarray | None) -> tuple[list[dict], dict]:
    """Each point with its precision, recall and H-mean per protocol (from the summed counts), and
    the best point per protocol: the highest H-mean, then the higher precision, then grid order."""
    rows: list[dict[str, Any]] = []
    best: dict[str, dict[str, Any]] = {}
    if counts is None:
        return [dict(p, protocols={}) for p in points], best
    sums = np.asarray(counts, np.float64)
    values = {m.name: m.value(sums) for m in MEASURES}  # each points × protocols
    for i, point in enumerate(points):
        protocols = {
            protocol: {name: float(values[name][i, j]) for name in values}
            for j, protocol in enumerate(PROTOCOLS)
        }
        rows.append(dict(point, protocols=protocols))
    for j, protocol in enumerate(PROTOCOLS):
        order = sorted(
            range(len(points)), key=lambda i: (-values["hmean"][i, j], -values["precision"][i, j], i)
        )
        best[protocol] = dict(points[order[0]], **rows[order[0]]["protocols"][protocol])
    return rows, best


# --- the worker (one per process of the local engine) -----------------------------------------


@dataclass(frozen=True)
class SweepSpec:
    pipeline_id: str
    params: dict[str, Any]  # the run's
    model_path: str
    points: list[dict[str, float]]
    threads: int = 1


class SweepWorker:
    """Holds the model; per image: one probability map, then every grid point on it."""

    def __init__(self, spec: SweepSpec) -> None:
        from ocr_playground.inference.jobs import parse_params
        from ocr_playground.inference.service import with_model_defaults

        self.detector = DetectorCache(threads=spec.threads, capacity=1, keep_arena=True).get(
            Path(spec.model_path)
        )
        params = parse_params(spec.params)
        self.ops = params.ops()
        base = with_model_defaults(params.detection, self.detector.profile)
        self.points = [point_params(base, p) for p in spec.points]

    def process(self, tasks: list[ItemTask]) -> list[dict[str, Any]]:
        return [self._one(task) for task in tasks]

    def _one(self, task: ItemTask) -> dict[str, Any]:
        from ocr_playground.inference.service import probability_entry

        loaded = load_task(task)
        if loaded.image is None:
            return failed(task, loaded.error or "The image could not be read.")
        t0 = time.perf_counter()
        try:
            entry = probability_entry(loaded.image, self.detector, self.ops)
            t1 = time.perf_counter()
            detect = GridPostprocess(entry.prob, entry.gray)
            counts = image_counts(detect, parse_words(task.gt or "[]"), self.points)
        except (ImagingError, InferenceError) as exc:
            return failed(task, str(exc))
        except MemoryError:
            return failed(task, "The worker ran out of memory on this image.")
        timings = {"model": (t1 - t0) * 1e3, "sweep": (time.perf_counter() - t1) * 1e3}
        return {
            "seq": task.seq,
            "name": task.name,
            "status": "completed",
            "counts": counts.tolist(),
            "model_calls": 1,
            "timings": timings,
        }
