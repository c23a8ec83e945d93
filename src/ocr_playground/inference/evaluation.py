"""Detection quality: precision, recall and H-mean under two named protocols, on Shapely polygons.

* ``icdar2015-iou`` (ICDAR 2015 Robust Reading, challenge 4): one-to-one matching in ground-truth
  order, a pair matches when IoU > 0.5. Ground-truth words transcribed ``###`` are don't-care; a
  detection covering a don't-care word by more than half its own area is ignored too.
* ``deteval`` (Wolf & Jolion 2006, as in the ICDAR 2013 scripts): area recall ≥ 0.8 and area precision
  ≥ 0.4; one-to-one matches (with the centre-distance check) count 1, one-to-many (a word split
  into several detections) 0.8 recall and 1 per detection, many-to-one (one detection covering
  several words) 1 recall per word and 0.8 precision. Detections covering a don't-care word by more
  than 0.4 of their area are ignored.

Both accumulate over the whole set (sums of matches over sums of words), as the official scripts do.
Readers for the two formats this project meets live in :mod:`ocr_playground.inference.annotations`.
"""

import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from pydantic import BaseModel, Field
from shapely import make_valid
from shapely.geometry import Polygon
from shapely.geometry.base import BaseGeometry

from ocr_playground.inference.errors import EvaluationTooLong, InvalidAnnotations
from ocr_playground.inference.names import image_key, predictions_by_key

DONT_CARE = "###"


@dataclass(frozen=True)
class Word:
    points: np.ndarray  # N×2
    text: str | None = None
    dont_care: bool = False
    score: float | None = None
    text_score: float | None = None  # the recognizer's confidence in ``text`` (predictions only)


Annotations = Mapping[str, Sequence[Word]]  # image name -> words


class ProtocolResult(BaseModel):
    protocol: str = Field(description="'icdar2015-iou' or 'deteval'.")
    precision: float
    recall: float
    hmean: float = Field(description="Harmonic mean of precision and recall (F1).")
    matched_gt: float = Field(description="Recall numerator (DetEval counts splits as 0.8).")
    matched_det: float = Field(description="Precision numerator (DetEval counts merges as 0.8).")
    gt_care: int = Field(description="Ground-truth words that count (don't-care excluded).")
    det_care: int = Field(description="Detections that count (those on don't-care words excluded).")


class EvaluationResult(BaseModel):
    images: int
    protocols: list[ProtocolResult]


# Repairing an outline that crosses itself costs about the square of its crossings: 18 ms at 32
# random points, 5 s at 256, a minute at 512. Bow-tie quads and small slips are repaired; a longer
# outline that crosses itself is not a word's shape, and is refused by name.
MAX_REPAIR_POINTS = 32


def _polygon(word: Word) -> BaseGeometry:
    pts = np.asarray(word.points, dtype=np.float64)
    if pts.ndim != 2 or pts.shape[1] != 2 or len(pts) < 3:
        return Polygon()
    poly = Polygon(pts)
    if poly.is_valid:
        return poly
    if len(pts) > MAX_REPAIR_POINTS:
        raise InvalidAnnotations(
            f"A word's outline of {len(pts)} points crosses itself; such outlines are repaired up to "
            f"{MAX_REPAIR_POINTS} points (a bow-tie quad is), a longer one is not a word's shape."
        )
    # A self-intersecting (bow-tie) quad is repaired rather than refused, as submissions often have them.
    return make_valid(poly)


# Matching compares every ground-truth word with every detection, in matrices of that size: past
# this many pairs on one image (2,000 words against 2,000 detections) an image is refused by name
# rather than let one request or one item take gigabytes. Intersections are computed only where
# boxes overlap, a few per word on a real page; boxes piled on one another are refused past
# MAX_OVERLAPS, which bounds the time (about 6 µs an intersection).
MAX_PAIRS = 4_000_000
MAX_OVERLAPS = 400_000
_CHUNK = 65_536  # intersections computed at once: bounds the geometries alive at a time


def _area_matrices(gts: list[BaseGeometry], dets: list[BaseGeometry]) -> np.ndarray:
    """Intersection areas, computed only where the bounding boxes overlap (vectorised, in chunks)."""
    inter = np.zeros((len(gts), len(dets)))
    if not gts or not dets:
        return inter
    gb = np.array([g.bounds if not g.is_empty else (0, 0, -1, -1) for g in gts])
    db = np.array([d.bounds if not d.is_empty else (0, 0, -1, -1) for d in dets])
    overlap = (
        (gb[:, None, 0] <= db[None, :, 2])
        & (db[None, :, 0] <= gb[:, None, 2])
        & (gb[:, None, 1] <= db[None, :, 3])
        & (db[None, :, 1] <= gb[:, None, 3])
    )
    gi, di = np.nonzero(overlap)
    if len(gi) > MAX_OVERLAPS:
        raise InvalidAnnotations(
            f"On one image, {len(gi):,} pairs of a ground-truth word and a detection overlap; at most "
            f"{MAX_OVERLAPS:,} are scored (are boxes piled on one another?)."
        )
    g_arr, d_arr = np.array(gts, dtype=object), np.array(dets, dtype=object)
    for start in range(0, len(gi), _CHUNK):
        i, j = gi[start : start + _CHUNK], di[start : start + _CHUNK]
        inter[i, j] = shapely.area(shapely.intersection(g_arr[i], d_arr[j]))
    return inter


def _div(a: np.ndarray | float, b: np.ndarray | float) -> np.ndarray:
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return np.divide(a, b, out=np.zeros(np.broadcast(a, b).shape), where=b > 0)


@dataclass
class PreparedImage:
    inter: np.ndarray
    gt_area: np.ndarray
    det_area: np.ndarray
    gt_dc: np.ndarray  # bool per ground-truth word
    gts: list[BaseGeometry]
    dets: list[BaseGeometry]

    def det_dc(self, constraint: float) -> np.ndarray:
        """Detections lying on a don't-care word by more than ``constraint`` of their own area."""
        if not self.gt_dc.any():
            return np.zeros(len(self.dets), bool)
        cover = _div(self.inter[self.gt_dc], self.det_area[None, :])
        return (cover > constraint).any(axis=0)


def prepare_image(gt: Sequence[Word], det: Sequence[Word]) -> PreparedImage:
    if len(gt) * len(det) > MAX_PAIRS:
        raise InvalidAnnotations(
            f"An image with {len(gt)} ground-truth words and {len(det)} detections is too large to "
            f"score: matching compares every pair, at most {MAX_PAIRS:,} on one image."
        )
    gts, dets = [_polygon(w) for w in gt], [_polygon(w) for w in det]
    return PreparedImage(
        inter=_area_matrices(gts, dets),
        gt_area=np.array([g.area for g in gts]),
        det_area=np.array([d.area for d in dets]),
        gt_dc=np.array([w.dont_care or w.text == DONT_CARE for w in gt], bool),
        gts=gts,
        dets=dets,
    )


@dataclass(frozen=True)
class _Matching:
    """One image under one protocol: the numerators and denominators, and who matched whom."""

    matched_gt: float  # recall numerator (DetEval counts a split word as 0.8)
    matched_det: float  # precision numerator (DetEval counts a merging detection as 0.8)
    gt_care: int
    det_care: int
    gt_used: np.ndarray  # bool per ground-truth word
    det_used: np.ndarray  # bool per detection
    det_dc: np.ndarray  # bool per detection: lies on a don't-care word, so it does not count


def iou_matches(
    im: PreparedImage, iou_constraint: float = 0.5, dc_constraint: float = 0.5
) -> tuple[list[tuple[int, int]], np.ndarray]:
    """ICDAR 2015's one-to-one matching: (ground truth, detection) pairs with IoU above the
    constraint, greedy in ground-truth order, don't-care words skipped; and the mask of detections
    ignored for lying on a don't-care word. The text metrics pair lines the same way."""
    det_dc = im.det_dc(dc_constraint)
    union = im.gt_area[:, None] + im.det_area[None, :] - im.inter
    iou = _div(im.inter, union)
    gt_used = np.zeros(len(im.gts), bool)
    det_used = np.zeros(len(im.dets), bool)
    pairs = []
    for g in range(len(im.gts)):  # greedy in ground-truth order, as the official script
        if im.gt_dc[g]:
            continue
        for d in np.flatnonzero(iou[g] > iou_constraint):  # the first free one, in detection order
            if not det_used[d] and not det_dc[d]:
                gt_used[g] = det_used[d] = True
                pairs.append((g, int(d)))
                break
    return pairs, det_dc


def _icdar2015_image(im: PreparedImage) -> _Matching:
    pairs, det_dc = iou_matches(im)
    gt_used = np.zeros(len(im.gts), bool)
    det_used = np.zeros(len(im.dets), bool)
    for g, d in pairs:
        gt_used[g] = det_used[d] = True
    matched = len(pairs)
    return _Matching(
        matched, matched, int((~im.gt_dc).sum()), int((~det_dc).sum()), gt_used, det_used, det_dc
    )


def _centre_check(im: PreparedImage, g: int, d: int) -> bool:
    a, b = im.gts[g], im.dets[d]
    dist = a.centroid.distance(b.centroid)

    def diag(p: BaseGeometry) -> float:
        x0, y0, x1, y1 = p.bounds
        return float(np.hypot(x1 - x0, y1 - y0))

    total = diag(a) + diag(b)
    return total > 0 and 2.0 * dist / total < 1.0


def _deteval_image(im: PreparedImage, tr: float = 0.8, tp: float = 0.4) -> _Matching:
    det_dc = im.det_dc(tp)
    recall = _div(im.inter, im.gt_area[:, None])
    precision = _div(im.inter, im.det_area[None, :])
    ok = (recall >= tr) & (precision >= tp)
    ok[im.gt_dc, :] = False
    ok[:, det_dc] = False
    gt_used = np.zeros(len(im.gts), bool)
    det_used = np.zeros(len(im.dets), bool)
    r_acc = p_acc = 0.0
    # One-to-one: the pair satisfies both constraints and neither has any other such partner.
    partners_of_gt, partners_of_det = ok.sum(axis=1), ok.sum(axis=0)
    for g, d in zip(*np.nonzero(ok), strict=True):
        if (
            partners_of_gt[g] == 1
            and partners_of_det[d] == 1
            and not gt_used[g]
            and not det_used[d]
            and _centre_check(im, g, d)
        ):
            gt_used[g] = det_used[d] = True
            r_acc += 1.0
            p_acc += 1.0
    # One-to-many: a word split over detections that each lie mostly on it and together cover it.
    for g in np.nonzero(~im.gt_dc & ~gt_used)[0]:
        parts = np.flatnonzero(~det_used & ~det_dc & (precision[g] >= tp))
        if len(parts) and recall[g, parts].sum() >= tr:
            gt_used[g] = True
            det_used[parts] = True
            r_acc += 0.8
            p_acc += 1.0 * len(parts)
    # Many-to-one: one detection covering several words, each mostly inside it.
    for d in np.nonzero(~det_dc & ~det_used)[0]:
        parts = np.flatnonzero(~gt_used & ~im.gt_dc & (recall[:, d] >= tr))
        if len(parts) and precision[parts, d].sum() >= tp:
            det_used[d] = True
            gt_used[parts] = True
            r_acc += 1.0 * len(parts)
            p_acc += 0.8
    return _Matching(r_acc, p_acc, int((~im.gt_dc).sum()), int((~det_dc).sum()), gt_used, det_used, det_dc)


def result_from_counts(
    name: str, matched_gt: float, matched_det: float, gt_care: int, det_care: int
) -> ProtocolResult:
    recall = matched_gt / gt_care if gt_care else 0.0
    precision = matched_det / det_care if det_care else 0.0
    hmean = 2 * precision * recall / (precision + recall) if precision + recall > 0 else 0.0
    return ProtocolResult(
        protocol=name,
        precision=precision,
        recall=recall,
        hmean=hmean,
        matched_gt=matched_gt,
        matched_det=matched_det,
        gt_care=gt_care,
        det_care=det_care,
    )


PROTOCOLS: dict[str, Callable[[PreparedImage], _Matching]] = {
    "icdar2015-iou": _icdar2015_image,
    "deteval": _deteval_image,
}


@dataclass(frozen=True)
class Deadline:
    """When a caller that holds a request open (the API) stops scoring: each image is bounded, a
    set of them only by the body's size, so past this time the rest is refused by name."""

    at: float  # time.monotonic()

    def check(self, done: int, total: int) -> None:
        if time.monotonic() > self.at:
            raise EvaluationTooLong(
                f"Scoring stopped after {done} of {total} images: the set takes too long to score in "
                "one request; score it with `ocr-playground evaluate`, or as a run."
            )


def evaluate(gt: Annotations, pred: Annotations, deadline: Deadline | None = None) -> EvaluationResult:
    """Both protocols over every ground-truth image (an image without predictions has none)."""
    gt_by_key = {image_key(k): v for k, v in gt.items()}
    pred_by_key = predictions_by_key(gt, pred)
    per_image = []
    for key, words in gt_by_key.items():
        if deadline is not None:
            deadline.check(len(per_image), len(gt_by_key))
        per_image.append(evaluate_image(words, pred_by_key.get(key, [])))
    return EvaluationResult(
        images=len(gt_by_key), protocols=[aggregate(name, (s[name] for s in per_image)) for name in PROTOCOLS]
    )


# --- one image ---------------------------------------------------------------------------------


class ImageScore(BaseModel):
    """One image under one protocol. ``tp`` is the recall numerator (matched ground-truth words),
    ``fp`` the detections that count but did not match, ``fn`` the words no detection found;
    ``gt``/``det`` the words and detections that count (don't-care ones excluded)."""

    precision: float
    recall: float
    hmean: float
    tp: float
    fp: float
    fn: float
    gt: int
    det: int


def _image_score(m: _Matching) -> ImageScore:
    # Per-image conventions: nothing to find and nothing found is perfect; a side with nothing in
    # it scores 1 on the measure it cannot fail (no detections: precision; no words: recall).
    precision = m.matched_det / m.det_care if m.det_care else 1.0
    recall = m.matched_gt / m.gt_care if m.gt_care else 1.0
    if m.gt_care and not m.det_care:
        recall = 0.0
    if m.det_care and not m.gt_care:
        precision = 0.0
    hmean = 2 * precision * recall / (precision + recall) if precision > 0 and recall > 0 else 0.0
    return ImageScore(
        precision=precision,
        recall=recall,
        hmean=hmean,
        tp=m.matched_gt,
        fp=m.det_care - m.matched_det,
        fn=m.gt_care - m.matched_gt,
        gt=m.gt_care,
        det=m.det_care,
    )


def evaluate_image(gt: Sequence[Word], det: Sequence[Word]) -> dict[str, ImageScore]:
    """One image's scores under every protocol; summing their counts over images and calling
    :func:`aggregate` gives exactly what :func:`evaluate` gives for the set."""
    im = prepare_image(gt, det)
    return {name: _image_score(match(im)) for name, match in PROTOCOLS.items()}


def aggregate(protocol: str, scores: Iterable[ImageScore]) -> ProtocolResult:
    """A protocol's result over images, from summed counts (micro), never averaged scores."""
    matched_gt = matched_det = 0.0
    gt_care = det_care = 0
    for score in scores:
        matched_gt += score.tp
        matched_det += score.det - score.fp
        gt_care += score.gt
        det_care += score.det
    return result_from_counts(protocol, matched_gt, matched_det, gt_care, det_care)


def image_marks(gt: Sequence[Word], det: Sequence[Word], protocol: str) -> tuple[list[str], list[str]]:
    """How each detection (``tp``/``fp``/``ignored``) and each ground-truth word
    (``tp``/``fn``/``dont_care``) fared under ``protocol``."""
    m = PROTOCOLS[protocol](prepare_image(gt, det))
    det_marks = [
        "ignored" if dc else "tp" if used else "fp" for used, dc in zip(m.det_used, m.det_dc, strict=True)
    ]
    gt_marks = [
        "dont_care" if w.dont_care or w.text == DONT_CARE else "tp" if used else "fn"
        for used, w in zip(m.gt_used, gt, strict=True)
    ]
    return det_marks, gt_marks
