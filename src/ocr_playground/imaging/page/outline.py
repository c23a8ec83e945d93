"""The mask cue's quadrilateral: straight sides fitted to the outline of a page mask.

Deterministic geometry on a working-resolution mask (pixel centres on integers), so the TypeScript
twin follows it line by line (``quad_from_mask``):

1. No page when fewer than ``MIN_PAGE_FRACTION`` of the working pixels are in the mask.
2. Boundary points: the foreground pixels with at least one 4-neighbour that is background or
   outside the image, as (x, y), in raster order (row by row, left to right).
3. Initial corners, extreme points along the diagonals: TL = min(x + y), TR = max(x − y),
   BR = max(x + y), BL = min(x − y); ties go to the first point in raster order.
4. Refine ``REFINE_PASSES`` times. For each side k from corner k to corner k+1 (TL→TR, TR→BR, BR→BL,
   BL→TL), with length L, unit direction d and unit normal n: take the boundary points whose distance
   |(p − c_k)·n| ≤ max(``SIDE_BAND_MIN``, ``SIDE_BAND`` · L) and whose position (p − c_k)·d / L lies in
   [``SIDE_TRIM``, 1 − ``SIDE_TRIM``] (the middle of the side: corners are rounded by the opening).
   With at least ``MIN_SIDE_POINTS`` of them, the side's line is their total-least-squares fit:
   through the centroid, direction angle ``0.5 · atan2(2·Sxy, Sxx − Syy)`` (central second moments);
   otherwise the line through the two corners. New corner k = intersection of the lines of sides
   k−1 and k (kept unchanged if the lines are nearly parallel).
5. Move each final line ``EDGE_OFFSET`` pixels outward (away from the mask's centroid): boundary
   pixel centres lie half a pixel inside the page edge. Corners = intersections as in step 4.
6. Sanity: the quad must be convex (the four cross products of consecutive sides have one sign) and
   its area within ``AREA_TOLERANCE`` of the mask's pixel count; otherwise None.

Limits: step 3 assumes the page is rotated less than about 45° (past that the labels follow the
picture); at exactly 45° the diagonal extremes are ambiguous and step 6 usually rejects the result.
"""

import numpy as np

MIN_PAGE_FRACTION = 0.05  # a page smaller than this share of the image is not trusted
REFINE_PASSES = 2  # line-fit passes after the diagonal extremes
SIDE_BAND = 0.03  # boundary points within this share of the side length count for the side
SIDE_BAND_MIN = 2.0  # ... but at least within this many working pixels
SIDE_TRIM = 0.15  # ignore this share of the side at each end
MIN_SIDE_POINTS = 8  # fewer points than this: keep the corner-to-corner line
EDGE_OFFSET = 0.5  # working pixels from boundary-pixel centres to the page edge
AREA_TOLERANCE = 0.12  # |quad area − mask area| ≤ this share of the mask area
PARALLEL_EPS = 1e-9  # |cross(d1, d2)| below this: lines treated as parallel


def boundary_points(mask: np.ndarray) -> np.ndarray:
    """Step 2: foreground pixels with a background (or outside) 4-neighbour, as float64 (x, y)."""
    padded = np.pad(mask, 1, constant_values=False)
    inner = padded[:-2, 1:-1] & padded[2:, 1:-1] & padded[1:-1, :-2] & padded[1:-1, 2:]
    ys, xs = np.nonzero(mask & ~inner)  # np.nonzero returns raster order
    return np.stack([xs, ys], axis=1).astype(np.float64)


def diagonal_corners(points: np.ndarray) -> np.ndarray:
    """Step 3: TL, TR, BR, BL as the extremes along the two diagonals (first in raster order)."""
    s = points[:, 0] + points[:, 1]
    d = points[:, 0] - points[:, 1]
    return points[[np.argmin(s), np.argmax(d), np.argmax(s), np.argmin(d)]].copy()


def fit_side(points: np.ndarray, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Step 4 for one side: (point on the line, unit direction) fitted to the side's middle points."""
    length = float(np.hypot(*(b - a)))
    if length == 0.0:
        return a, np.array([1.0, 0.0])
    d = (b - a) / length
    n = np.array([-d[1], d[0]])
    rel = points - a
    along = rel @ d / length
    across = np.abs(rel @ n)
    band = max(SIDE_BAND_MIN, SIDE_BAND * length)
    chosen = points[(across <= band) & (along >= SIDE_TRIM) & (along <= 1.0 - SIDE_TRIM)]
    if len(chosen) < MIN_SIDE_POINTS:
        return a, d
    centre = chosen.mean(axis=0)
    c = chosen - centre
    sxx, syy, sxy = float(c[:, 0] @ c[:, 0]), float(c[:, 1] @ c[:, 1]), float(c[:, 0] @ c[:, 1])
    angle = 0.5 * np.arctan2(2.0 * sxy, sxx - syy)
    direction = np.array([np.cos(angle), np.sin(angle)])
    if direction @ d < 0:  # keep the side's orientation (TL→TR etc.)
        direction = -direction
    return centre, direction


def intersect(p1: np.ndarray, d1: np.ndarray, p2: np.ndarray, d2: np.ndarray) -> np.ndarray | None:
    cross = d1[0] * d2[1] - d1[1] * d2[0]
    if abs(cross) < PARALLEL_EPS:
        return None
    t = ((p2[0] - p1[0]) * d2[1] - (p2[1] - p1[1]) * d2[0]) / cross
    return p1 + t * d1


def _corners_from_lines(lines: list[tuple[np.ndarray, np.ndarray]], previous: np.ndarray) -> np.ndarray:
    corners = previous.copy()
    for k in range(4):
        hit = intersect(*lines[k - 1], *lines[k])  # side k−1 ends where side k starts
        if hit is not None:
            corners[k] = hit
    return corners


def _push_outward(line: tuple[np.ndarray, np.ndarray], centre: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Step 5: move a line EDGE_OFFSET away from ``centre``."""
    p, d = line
    n = np.array([-d[1], d[0]])
    if (p - centre) @ n < 0:
        n = -n
    return p + EDGE_OFFSET * n, d


def _polygon_area(quad: np.ndarray) -> float:
    x, y = quad[:, 0], quad[:, 1]
    return float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))) / 2.0


def _is_convex(quad: np.ndarray) -> bool:
    sides = np.roll(quad, -1, axis=0) - quad
    nxt = np.roll(sides, -1, axis=0)
    cross = sides[:, 0] * nxt[:, 1] - sides[:, 1] * nxt[:, 0]
    return bool((cross > 0).all() or (cross < 0).all())


def quad_from_mask(mask: np.ndarray) -> np.ndarray | None:
    """Steps 2–6 on a working-resolution page mask: TL, TR, BR, BL in working coordinates."""
    area = int(mask.sum())
    if area < MIN_PAGE_FRACTION * mask.size:
        return None
    points = boundary_points(mask)
    corners = diagonal_corners(points)
    lines: list[tuple[np.ndarray, np.ndarray]] = []
    for _ in range(REFINE_PASSES):
        lines = [fit_side(points, corners[k], corners[(k + 1) % 4]) for k in range(4)]
        corners = _corners_from_lines(lines, corners)
    ys, xs = np.nonzero(mask)
    centre = np.array([xs.mean(), ys.mean()])
    lines = [_push_outward(line, centre) for line in lines]
    corners = _corners_from_lines(lines, corners)
    if not _is_convex(corners) or abs(abs(_polygon_area(corners)) - area) > AREA_TOLERANCE * area:
        return None
    return corners
