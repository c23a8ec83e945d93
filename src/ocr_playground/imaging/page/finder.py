"""Find the page: candidates from several cues, each scored by what a page is, the best kept.

``find_page(image)`` on an RGB(A) image:

1. Working block means (``region.py`` steps 1–2, factor f).
2. Cues, each proposing quadrilaterals in working coordinates:
   - lines (``edges.py``, ``lines.py``, ``quads.py``): the ``LINE_CANDIDATES`` best outlines drawn
     by straight edges;
   - region (``region.py``, ``outline.py``): the quad fitted to the brightness/colour page mask.
3. Each candidate's corners are put in order TL, TR, BR, BL (clockwise in image space from the
   corner with the smallest x + y, the first on ties) and scored (``evidence.py``): per side the
   evidence e (edge support and contrast across it), and the score
   ``Σ L·e − GAP_COST · Σ L·(1 − e)`` over the sides of length L.
4. The best-scoring candidate whose weakest side has evidence ≥ ``MIN_CONFIDENCE`` and whose area
   is at least ``MIN_AREA`` of the picture is the page;
   its confidence is that weakest evidence. None qualifies: no page (the confidence reported is
   the best candidate's, 0 without any).
5. Image coordinates: ``X = (x + 0.5)·f − 0.5``, the same for Y.
"""

from dataclasses import dataclass

import numpy as np

from ocr_playground.imaging.page.edges import blurred, find_edges
from ocr_playground.imaging.page.evidence import quads_evidence
from ocr_playground.imaging.page.lines import direction_bins, find_lines
from ocr_playground.imaging.page.outline import quad_from_mask
from ocr_playground.imaging.page.quads import candidates
from ocr_playground.imaging.page.region import WorkingMask, block_mean, region_mask, working_factor
from ocr_playground.imaging.pixels import split_alpha

LINE_CANDIDATES = 20
GAP_COST = 1.5
MIN_CONFIDENCE = 0.5
MIN_AREA = 0.02  # a page covers at least this share of the picture
NO_PAGE = "no page edge found; the image is unchanged"


@dataclass(frozen=True)
class PageFinding:
    """The page (or none) and what the ops need to act on it."""

    quad: np.ndarray | None  # 4×2 float32, TL, TR, BR, BL in image pixels
    confidence: float
    working_quad: np.ndarray | None  # the same in working coordinates (float64)
    region: WorkingMask  # the region cue's mask, for the edges of background_removal's mask

    def report(self) -> dict:
        """What the ops report: the quad (rounded to 0.01 px) and the confidence."""
        quad = None if self.quad is None else [[round(float(x), 2), round(float(y), 2)] for x, y in self.quad]
        out: dict = {"quad": quad, "confidence": round(self.confidence, 3)}
        if quad is None:
            out["note"] = NO_PAGE
        return out


def _twice_area(quad: np.ndarray) -> float:
    """Shoelace sum, positive for a clockwise quad in image space (y down)."""
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = quad.tolist()
    return (x0 * y1 + x1 * y2 + x2 * y3 + x3 * y0) - (y0 * x1 + y1 * x2 + y2 * x3 + y3 * x0)


def _area(quad: np.ndarray) -> float:
    return abs(_twice_area(quad)) / 2


def clockwise_from_top_left(quad: np.ndarray) -> np.ndarray:
    """Step 3's order: clockwise in image space (y down), starting at the smallest x + y."""
    twice_area = _twice_area(quad)
    q = quad if twice_area > 0 else quad[::-1]
    first = int(np.argmin(q[:, 0] + q[:, 1]))
    return q[[(first + k) % 4 for k in range(4)]]


def working_candidates(means: np.ndarray, region: np.ndarray) -> tuple[list[np.ndarray], object, np.ndarray]:
    planes = blurred(means)
    edges = find_edges(planes)
    lines = find_lines(edges)
    found = [c.corners for c in candidates(lines, edges.width, edges.height, keep=LINE_CANDIDATES)]
    mask_quad = quad_from_mask(region)
    if mask_quad is not None:
        found.append(mask_quad)
    return [clockwise_from_top_left(q) for q in found], edges, planes


def choose(
    found: list[np.ndarray], direction: np.ndarray, planes: np.ndarray
) -> tuple[np.ndarray | None, float]:
    """Step 4: the best candidate (first on ties) and its confidence."""
    area = direction.shape[0] * direction.shape[1]
    best, best_score, best_conf, top_conf = None, -np.inf, 0.0, 0.0
    all_evidence, all_lengths = quads_evidence(direction, planes, found)
    for quad, evidence, lengths in zip(found, all_evidence, all_lengths, strict=True):
        confidence = float(evidence.min())
        top_conf = max(top_conf, confidence)
        if confidence < MIN_CONFIDENCE or _area(quad) < MIN_AREA * area:
            continue
        score = float((lengths * evidence).sum() - GAP_COST * (lengths * (1 - evidence)).sum())
        if score > best_score:
            best, best_score, best_conf = quad, score, confidence
    return best, (best_conf if best is not None else top_conf)


def find_page(image: np.ndarray) -> PageFinding:
    """Steps 1–5."""
    rgb, _ = split_alpha(image)
    height, width = rgb.shape[:2]
    factor = working_factor(height, width)
    means = block_mean(rgb, factor)
    region = WorkingMask(mask=region_mask(means), factor=factor, image_size=(width, height))
    found, edges, planes = working_candidates(means, region.mask)
    direction = np.full(means.shape[:2], -1, np.int64)
    direction[edges.y, edges.x] = direction_bins(edges.angle)
    quad, confidence = choose(found, direction, planes)
    image_quad = None if quad is None else ((quad + 0.5) * factor - 0.5).astype(np.float32)
    return PageFinding(image_quad, confidence, quad, region)
