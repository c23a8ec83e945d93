"""Straight lines from oriented edge pixels: a Hough transform that knows each pixel's direction.

1. Directions: ``N_THETA`` bins over the full circle; bin b has the unit normal
   ``(COS[b], SIN[b]) / 2^14`` from integer tables (``round(cos(2πb/N) · 2^14)``), so that every
   vote lands in the same cell in both engines. A line is ``x·cos θ + y·sin θ = ρ`` with its normal
   pointing to the brighter side: the two sides of a thin dark line are two lines, and a page edge
   is one.
2. Votes: each edge pixel with angle φ votes once in each of the bins ``round(φ / step) + k``,
   ``|k| ≤ VOTE_SPREAD`` (wrapping), at ``ρ = floor((x·COS + y·SIN + 2^13) / 2^14)``.
3. Peaks: cells with at least ``MIN_VOTES`` votes that beat every cell of the
   ±``PEAK_THETA`` × ±``PEAK_RHO`` window around them (ties go to the first in raster order of the
   accumulator), sorted by votes (then position); at most ``MAX_LINES`` are kept.
4. Fit: each peak's line is refitted to the edge pixels within ``FIT_DISTANCE`` of it whose angle
   is within ``FIT_ANGLE`` bins of its own: total least squares through their centroid, from integer
   moments. Fewer than ``MIN_FIT_PIXELS`` pixels: the peak's own line is kept.
5. Support: the pixels within ``SUPPORT_DISTANCE`` of the fitted line, angle within ``FIT_ANGLE``
   bins, are projected along the line; position ``t`` (from the line's foot point) marks the unit
   cell ``floor(t) + offset``. The prefix sum of marked cells tells how much of any stretch of the
   line is drawn in the image.
"""

import math
from dataclasses import dataclass

import cv2
import numpy as np

from ocr_playground.imaging.page.edges import Edges

N_THETA = 360
FIXED = 1 << 14
VOTE_SPREAD = 2  # a pixel votes for its direction ± this many bins
MIN_VOTES = 12  # a line needs at least this many edge pixels
PEAK_THETA = 3  # peak window half-size in direction bins
PEAK_RHO = 4  # ... and in ρ cells
MAX_LINES = 40
FIT_DISTANCE = 2.0  # pixels this close to a peak's line refit it
FIT_ANGLE = 4  # ... if their direction is within this many bins
MIN_FIT_PIXELS = 6
SUPPORT_DISTANCE = 1.5

STEP = 2.0 * math.pi / N_THETA
_ANGLES = np.arange(N_THETA) * STEP
COS = np.round(np.cos(_ANGLES) * FIXED).astype(np.int64)
SIN = np.round(np.sin(_ANGLES) * FIXED).astype(np.int64)


@dataclass(frozen=True)
class Line:
    """``x·nx + y·ny = rho``; (nx, ny) unit, pointing to the brighter side; support prefix sums."""

    nx: float
    ny: float
    rho: float
    votes: int
    # int64, prefix[i] = marked cells before cell i (cell i covers t ∈ [i − offset, i − offset + 1))
    prefix: np.ndarray
    offset: int

    def supported(self, t0: float, t1: float) -> float:
        """Marked cells between positions t0 ≤ t1 along the line (direction (−ny, nx))."""
        n = self.prefix.size - 1
        a = min(max(math.floor(t0) + self.offset, 0), n)
        b = min(max(math.floor(t1) + self.offset, 0), n)
        return float(self.prefix[b] - self.prefix[a])


def direction_bins(angle: np.ndarray) -> np.ndarray:
    """The nearest direction bin of each angle (radians), in [0, N_THETA)."""
    return np.floor(angle / STEP + 0.5).astype(np.int64) % N_THETA


def accumulate(edges: Edges, diag: int) -> np.ndarray:
    """Step 2: the N_THETA × (2·diag + 1) vote counts."""
    n_rho = 2 * diag + 1
    base = direction_bins(edges.angle)
    cells = []
    for k in range(-VOTE_SPREAD, VOTE_SPREAD + 1):
        b = (base + k) % N_THETA
        rho = (edges.x * COS[b] + edges.y * SIN[b] + FIXED // 2) // FIXED
        cells.append(b * n_rho + rho + diag)
    return np.bincount(np.concatenate(cells), minlength=N_THETA * n_rho).reshape(N_THETA, n_rho)


def peaks(acc: np.ndarray) -> list[tuple[int, int, int]]:
    """Step 3: (votes, direction bin, ρ cell) of the strongest local maxima."""
    n_theta, n_rho = acc.shape
    f = acc.astype(np.float32)  # vote counts are far below 2^24
    wrapped = np.concatenate([f[-PEAK_THETA:], f, f[:PEAK_THETA]])
    window = np.ones((2 * PEAK_THETA + 1, 2 * PEAK_RHO + 1), np.uint8)
    local = cv2.dilate(wrapped, window, borderType=cv2.BORDER_CONSTANT, borderValue=-1.0)
    ts, rs = np.nonzero((acc >= MIN_VOTES) & (f == local[PEAK_THETA:-PEAK_THETA]))
    votes = acc[ts, rs]
    # Ties inside a window: the cell earlier in raster order (smaller θ, then smaller ρ) wins.
    beaten = np.zeros(ts.size, bool)
    for dt in range(-PEAK_THETA, 1):
        for dr in range(-PEAK_RHO, PEAK_RHO + 1):
            if dt == 0 and dr >= 0:
                break
            r = rs + dr
            inside = (r >= 0) & (r < n_rho)
            other = acc[(ts + dt) % n_theta, np.clip(r, 0, n_rho - 1)]
            beaten |= inside & (other == votes)
    ts, rs, votes = ts[~beaten], rs[~beaten], votes[~beaten]
    order = np.lexsort((rs, ts, -votes))[:MAX_LINES]
    return [(int(votes[i]), int(ts[i]), int(rs[i])) for i in order]


class ByDirection:
    """The edge pixels grouped by direction bin, to pick those near a direction without a scan."""

    def __init__(self, edges: Edges, bins: np.ndarray) -> None:
        order = np.argsort(bins, kind="stable")
        self.x, self.y, self.bins = edges.x[order], edges.y[order], bins[order]
        self.starts = np.searchsorted(self.bins, np.arange(N_THETA + 1))

    def near(self, centre: int) -> tuple[np.ndarray, np.ndarray]:
        """(x, y) of the pixels whose bin is within FIT_ANGLE of ``centre`` (wrapping)."""
        parts = []
        for b in range(centre - FIT_ANGLE, centre + FIT_ANGLE + 1):
            b %= N_THETA
            parts.append(slice(self.starts[b], self.starts[b + 1]))
        index = np.concatenate([np.arange(p.start, p.stop) for p in parts])
        return self.x[index], self.y[index]


def fit_line(groups: ByDirection, theta: int, rho: float) -> tuple[float, float, float]:
    """Step 4: (nx, ny, ρ) refitted to the nearby, like-directed pixels."""
    nx, ny = math.cos(theta * STEP), math.sin(theta * STEP)
    gx, gy = groups.near(theta)
    near = np.abs(gx * nx + gy * ny - rho) <= FIT_DISTANCE
    xs, ys = gx[near], gy[near]
    n = int(xs.size)
    if n < MIN_FIT_PIXELS:
        return nx, ny, rho
    sx, sy = int(xs.sum()), int(ys.sum())
    # Central moments × n², exact integers: n·Σx² − (Σx)² etc.
    cxx = n * int((xs * xs).sum()) - sx * sx
    cyy = n * int((ys * ys).sum()) - sy * sy
    cxy = n * int((xs * ys).sum()) - sx * sy
    # The line's direction is the major axis; its normal the minor one.
    along = 0.5 * math.atan2(2.0 * cxy, float(cxx - cyy))
    fx, fy = -math.sin(along), math.cos(along)
    if fx * nx + fy * ny < 0:
        fx, fy = -fx, -fy
    return fx, fy, (fx * sx + fy * sy) / n


def support_prefix(groups: ByDirection, line: tuple[float, float, float], theta: int, diag: int):
    """Step 5: prefix sums of marked unit cells along the line, and the cell offset."""
    nx, ny, rho = line
    gx, gy = groups.near(theta)
    near = np.abs(gx * nx + gy * ny - rho) <= SUPPORT_DISTANCE
    t = gx[near] * -ny + gy[near] * nx
    cells = np.floor(t).astype(np.int64) + diag
    marked = np.zeros(2 * diag + 1, np.int64)
    marked[np.clip(cells, 0, 2 * diag)] = 1
    return np.concatenate([[0], np.cumsum(marked)]), diag


def find_lines(edges: Edges) -> list[Line]:
    """Steps 1–5: the strongest lines with their support."""
    if edges.x.size == 0:
        return []
    diag = math.ceil(math.hypot(edges.width, edges.height)) + 1
    bins = direction_bins(edges.angle)
    groups = ByDirection(edges, bins)
    lines = []
    for votes, theta, cell in peaks(accumulate(edges, diag)):
        fitted = fit_line(groups, theta, float(cell - diag))
        fitted_theta = int(direction_bins(np.array([math.atan2(fitted[1], fitted[0])]))[0])
        prefix, offset = support_prefix(groups, fitted, fitted_theta, diag)
        lines.append(Line(fitted[0], fitted[1], fitted[2], votes, prefix, offset))
    return lines
