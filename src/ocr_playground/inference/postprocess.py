"""DB post-processing: a text probability map becomes scored boxes or polygons in image coordinates.

DBNet predicts a *shrunk* text kernel: the map is binarised, each connected region is scored by its
mean probability, and the survivors are grown back by the Vatti offset the network was trained to
undo (``unclipRatio``). Geometry is computed in map pixels and mapped to the original image last.
"""

from dataclasses import dataclass
from typing import Any, Literal

import cv2
import numpy as np
import pyclipper
from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel


class DetectionParams(BaseModel):
    """The thresholds of DB post-processing. JSON names are camelCase (``boxThresh``)."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid", frozen=True)

    thresh: float = Field(
        0.3,
        ge=0.0,
        le=1.0,
        description="Pixel threshold: a pixel of the probability map is text when its probability is "
        "above this. Lower joins more pixels (bigger regions, neighbouring words merge); higher splits "
        "and thins them.",
    )
    box_thresh: float = Field(
        0.6,
        ge=0.0,
        le=1.0,
        description="Box threshold: a region is kept only when the mean probability inside its box "
        "(or polygon) is at least this. Higher trades recall for precision.",
    )
    unclip_ratio: float = Field(
        1.5,
        gt=0.0,
        le=10.0,
        description="Expansion: each region is grown outward by area × unclipRatio / perimeter pixels "
        "(Vatti offset) to undo the kernel shrinking DB is trained with. Higher gives looser boxes.",
    )
    max_candidates: int = Field(
        1000,
        ge=1,
        le=100_000,
        description="At most this many regions are examined, the largest first: bounds the cost on a "
        "noisy map.",
    )
    mode: Literal["box", "polygon"] = Field(
        "box",
        description="'box': a minimum-area rotated rectangle (4 points) per region. 'polygon': the "
        "region's simplified outline, expanded (curved text).",
    )
    min_size: float = Field(
        3.0,
        ge=0.0,
        le=1000.0,
        description="Regions whose shorter side is under this many map pixels are dropped as noise "
        "(and, after expansion, under minSize + 2).",
    )
    dilate: bool = Field(
        False,
        description="Dilate the binary map by a 2×2 kernel before finding regions: joins broken thin "
        "strokes (rapidocr does this by default).",
    )
    granularity: Literal["line", "word"] = Field(
        "line",
        description="'line': the boxes as the model found them (PP-OCR finds text lines). 'word': each "
        "box split at the blank gaps in its ink and tightened to the ink, for word-level ground truth "
        "such as ICDAR 2015 (box mode; polygons are kept as found).",
    )
    word_gap: float = Field(
        0.3,
        gt=0.0,
        le=5.0,
        description="With granularity 'word': a blank gap wider than this × the ink height separates "
        "two words. Raise it for wide letter spacing, lower it for tight word spacing.",
    )


@dataclass(frozen=True)
class Detection:
    points: np.ndarray  # N×2 float64, image coordinates, clockwise from the top-left-most corner
    score: float


def detection_json(
    points: np.ndarray, score: float, text: str | None = None, text_score: float | None = None
) -> dict[str, Any]:
    """A detection as every output writes it (preview, job file, receipt JSON): points to 0.1 px,
    score to 4 places, rounded the same way everywhere so the outputs agree; ``text`` and
    ``textScore`` when a recognizer read it."""
    out: dict[str, Any] = {
        "points": np.round(np.asarray(points, dtype=np.float64), 1).tolist(),
        "score": round(float(score), 4),
    }
    if text is not None:
        out |= {"text": text, "textScore": round(float(text_score or 0.0), 4)}
    return out


def unclip(points: np.ndarray, ratio: float) -> list[np.ndarray]:
    """Grow a closed polygon by area × ratio / perimeter (rounded joins); may return 0..n polygons.

    The offset runs on whole map pixels: the corners are truncated to integers first, as PaddleOCR's
    own DB post-processing does (and RapidOCR, which copies it). A sub-pixel offset finds boxes just
    as well (the same detection H-mean on real receipts), but it moves a corner by a pixel now and
    then, and the PP-OCR recognizer reads about one line in thirteen differently from a crop one
    pixel off: on the same probability map, whole pixels give PaddleOCR's boxes corner for corner,
    so a line reads here as it reads in the pipeline the model is deployed in.
    """
    contour = points.astype(np.float32).reshape(-1, 1, 2)
    perimeter = cv2.arcLength(contour, True)
    if perimeter <= 0:
        return []
    distance = cv2.contourArea(contour) * ratio / perimeter
    offset = pyclipper.PyclipperOffset()
    offset.AddPath(points.astype(np.int64).tolist(), pyclipper.JT_ROUND, pyclipper.ET_CLOSEDPOLYGON)
    return [np.asarray(p, dtype=np.float64) for p in offset.Execute(distance)]


def mean_inside(prob: np.ndarray, polygon: np.ndarray) -> float:
    """Mean probability of the map pixels inside the polygon (rasterised on its bounding box only).
    The corners are truncated to whole pixels, as PaddleOCR scores a box: rounding them instead
    moves a score by up to 0.08, enough to keep a box near ``boxThresh`` that PaddleOCR drops."""
    h, w = prob.shape
    x0 = int(np.clip(np.floor(polygon[:, 0].min()), 0, w - 1))
    x1 = int(np.clip(np.ceil(polygon[:, 0].max()), 0, w - 1))
    y0 = int(np.clip(np.floor(polygon[:, 1].min()), 0, h - 1))
    y1 = int(np.clip(np.ceil(polygon[:, 1].max()), 0, h - 1))
    mask = np.zeros((y1 - y0 + 1, x1 - x0 + 1), dtype=np.uint8)
    shifted = (polygon - (x0, y0)).astype(np.int32).reshape(1, -1, 2)
    cv2.fillPoly(mask, shifted, 1)
    return float(cv2.mean(prob[y0 : y1 + 1, x0 : x1 + 1], mask)[0])


def order_clockwise(points: np.ndarray) -> np.ndarray:
    """Clockwise on screen (y down), starting at the corner nearest the top-left."""
    centre = points.mean(axis=0)
    angles = np.arctan2(points[:, 1] - centre[1], points[:, 0] - centre[0])
    ordered = points[np.argsort(angles)]
    start = int(np.argmin(ordered[:, 0] + ordered[:, 1]))
    return np.roll(ordered, -start, axis=0)


def _box(points: np.ndarray) -> tuple[np.ndarray, float]:
    rect = cv2.minAreaRect(points.astype(np.float32).reshape(-1, 1, 2))
    return order_clockwise(cv2.boxPoints(rect).astype(np.float64)), min(rect[1])


def _candidates(bitmap: np.ndarray, limit: int) -> list[np.ndarray]:
    contours, _ = cv2.findContours(bitmap, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
    if len(contours) > limit:
        # Keep the largest: on a noisy map the tail is specks that would be dropped anyway.
        contours = sorted(contours, key=cv2.contourArea, reverse=True)[:limit]
    return list(contours)


@dataclass(frozen=True)
class Region:
    """A region of the binarised map that passed the size check: its shape in map pixels (a box or
    a polygon, before expansion) and its score (the mean probability inside the shape)."""

    shape: np.ndarray
    score: float


def regions(prob: np.ndarray, params: DetectionParams) -> list[Region]:
    """The scored regions of ``prob`` (float32): the part of post-processing that depends on
    ``thresh``, ``dilate``, ``mode``, ``minSize`` and ``maxCandidates`` only, not on ``boxThresh``
    or ``unclipRatio`` (a threshold sweep computes it once per ``thresh``)."""
    bitmap = (prob > params.thresh).astype(np.uint8)
    if params.dilate:
        bitmap = cv2.dilate(bitmap, np.ones((2, 2), np.uint8))
    out = []
    for contour in _candidates(bitmap, params.max_candidates):
        outline = contour.reshape(-1, 2).astype(np.float64)
        if params.mode == "box":
            shape, short_side = _box(outline)
        else:
            eps = 0.002 * cv2.arcLength(contour, True)
            shape = cv2.approxPolyDP(contour, eps, True).reshape(-1, 2).astype(np.float64)
            if len(shape) < 4:
                continue
            short_side = min(cv2.minAreaRect(contour)[1])
        if short_side < params.min_size:
            continue
        out.append(Region(shape=shape, score=mean_inside(prob, shape)))
    return out


def expand(
    region: Region, params: DetectionParams, map_size: tuple[int, int], image_size: tuple[int, int]
) -> Detection | None:
    """A region grown by ``unclipRatio`` and mapped from the map's (height, width) to the image's
    (width, height); None when it vanishes, splits in two or ends up too small."""
    grown = unclip(region.shape, params.unclip_ratio)
    if len(grown) != 1:  # vanished or split in two: not a word-shaped region
        return None
    if params.mode == "box":
        points, short_side = _box(grown[0])
    else:
        points = order_clockwise_polygon(grown[0])
        short_side = min(cv2.minAreaRect(grown[0].astype(np.float32))[1])
    if short_side < params.min_size + 2:
        return None
    (map_h, map_w), (width, height) = map_size, image_size
    points = points / (map_w, map_h) * (width, height)  # in PaddleOCR's order: the same floats
    points[:, 0] = np.clip(points[:, 0], 0, width)
    points[:, 1] = np.clip(points[:, 1], 0, height)
    return Detection(points=points, score=region.score)


def boxes_from_map(prob: np.ndarray, params: DetectionParams, image_size: tuple[int, int]) -> list[Detection]:
    """Detections in the coordinates of an image of ``image_size`` (width, height).

    ``prob`` is the H×W probability map the detector produced for that image resized to H×W.
    """
    prob = np.asarray(prob, dtype=np.float32)
    found = (
        expand(r, params, prob.shape, image_size)
        for r in regions(prob, params)
        if r.score >= params.box_thresh
    )
    return [d for d in found if d is not None]


def order_clockwise_polygon(points: np.ndarray) -> np.ndarray:
    """A polygon's vertices clockwise on screen, starting nearest the top-left (order kept)."""
    area2 = float(np.sum(points[:, 0] * np.roll(points[:, 1], -1) - np.roll(points[:, 0], -1) * points[:, 1]))
    if area2 < 0:  # counter-clockwise on screen (y down)
        points = points[::-1]
    start = int(np.argmin(points[:, 0] + points[:, 1]))
    return np.roll(points, -start, axis=0)
