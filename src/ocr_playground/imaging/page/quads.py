"""Quadrilaterals from lines, scored by what a page is.

Candidates: two pairs of roughly opposite lines (``MAX_OPPOSITE_DEG`` between a pair), the pairs
crossing at corner angles within ``[MIN_CORNER_DEG, 180° − MIN_CORNER_DEG]``. The corners are the
four intersections in the order i∩k, k∩j, j∩l, l∩i for pairs (i, j) and (k, l); a candidate must be
convex, have its corners inside the image (``CORNER_MARGIN`` of the long side outside at most), and
sides of at least ``MIN_SIDE`` of the short side.

Score of a side: its supported length ``s`` (edge pixels along it) and its length ``L``. The quad's
score is ``Σ s − GAP_COST · Σ (L − s)``: every drawn pixel of the outline counts for it, every gap
against it, so the largest outline that is drawn all round wins over both a smaller box inside the
page (a table on a form) and a bigger quad that borrows a table edge (with long gaps). A side drawn
on less than ``MIN_COVER`` of its length rules the candidate out.
"""

import math
from dataclasses import dataclass

import numpy as np

from ocr_playground.imaging.page.lines import Line

MAX_OPPOSITE_DEG = 40.0
MIN_CORNER_DEG = 45.0
CORNER_MARGIN = 0.02
MIN_SIDE = 0.08
GAP_COST = 1.5
MIN_COVER = 0.3


@dataclass(frozen=True)
class Candidate:
    corners: np.ndarray  # 4×2 float64, in the order the lines give (not yet TL first)
    score: float
    cover: np.ndarray  # per-side supported fraction
    lines: tuple[int, int, int, int]


def _intersect(nx1, ny1, r1, nx2, ny2, r2):
    det = nx1 * ny2 - ny1 * nx2
    return (r1 * ny2 - r2 * ny1) / det, (nx1 * r2 - nx2 * r1) / det


def candidates(lines: list[Line], width: int, height: int, keep: int = 8) -> list[Candidate]:
    """The ``keep`` best-scoring quads, best first."""
    k = len(lines)
    if k < 4:
        return []
    nx = np.array([ln.nx for ln in lines])
    ny = np.array([ln.ny for ln in lines])
    rho = np.array([ln.rho for ln in lines])
    prefix = np.stack([ln.prefix for ln in lines])
    offset = lines[0].offset
    cx, cy = (width - 1) / 2.0, (height - 1) / 2.0
    short = min(width, height)

    i, j = np.triu_indices(k, 1)
    cross = np.abs(nx[i] * ny[j] - ny[i] * nx[j])
    di = nx[i] * cx + ny[i] * cy - rho[i]
    dj = nx[j] * cx + ny[j] * cy - rho[j]
    same = nx[i] * nx[j] + ny[i] * ny[j] > 0
    separation = np.where(same, np.abs(di - dj), np.abs(di + dj))
    ok = (cross <= math.sin(math.radians(MAX_OPPOSITE_DEG))) & (separation >= MIN_SIDE * short)
    pi, pj = i[ok], j[ok]
    if pi.size < 2:
        return []
    p, q = np.triu_indices(pi.size, 1)
    a, c = pi[p], pj[p]  # one pair: sides a and c
    b, d = pi[q], pj[q]  # the other: sides b and d
    distinct = (a != b) & (a != d) & (c != b) & (c != d)
    a, b, c, d = a[distinct], b[distinct], c[distinct], d[distinct]
    order = [a, b, c, d]  # sides in cyclic order; corner m joins side m and side m+1
    xs, ys = [], []
    for m in range(4):
        s, t = order[m], order[(m + 1) % 4]
        det = nx[s] * ny[t] - ny[s] * nx[t]
        with np.errstate(divide="ignore", invalid="ignore"):
            x, y = _intersect(nx[s], ny[s], rho[s], nx[t], ny[t], rho[t])
        bad = np.abs(det) < math.sin(math.radians(MIN_CORNER_DEG))
        x = np.where(bad, np.nan, x)
        xs.append(x)
        ys.append(y)
    with np.errstate(invalid="ignore"):
        return _score(lines, order, xs, ys, nx, ny, prefix, offset, width, height, keep)


def _score(lines, order, xs, ys, nx, ny, prefix, offset, width, height, keep):
    short = min(width, height)
    margin = CORNER_MARGIN * max(width, height)
    valid = np.ones(order[0].size, bool)
    for m in range(4):
        valid &= np.isfinite(xs[m]) & (xs[m] >= -margin) & (xs[m] <= width - 1 + margin)
        valid &= (ys[m] >= -margin) & (ys[m] <= height - 1 + margin)
    turn = []
    for m in range(4):
        ux, uy = xs[(m + 1) % 4] - xs[m], ys[(m + 1) % 4] - ys[m]
        vx, vy = xs[(m + 2) % 4] - xs[(m + 1) % 4], ys[(m + 2) % 4] - ys[(m + 1) % 4]
        turn.append(ux * vy - uy * vx)
    with np.errstate(invalid="ignore"):
        valid &= ((turn[0] > 0) & (turn[1] > 0) & (turn[2] > 0) & (turn[3] > 0)) | (
            (turn[0] < 0) & (turn[1] < 0) & (turn[2] < 0) & (turn[3] < 0)
        )
    idx = np.nonzero(valid)[0]
    if idx.size == 0:
        return []
    sides = [o[idx] for o in order]
    cxs = [x[idx] for x in xs]
    cys = [y[idx] for y in ys]
    total_s = np.zeros(idx.size)
    total_l = np.zeros(idx.size)
    covers = []
    alive = np.ones(idx.size, bool)
    for m in range(4):
        line = sides[m]
        # Side m runs from corner m−1 (side m−1 ∩ side m) to corner m.
        x0, y0 = cxs[m - 1], cys[m - 1]
        x1, y1 = cxs[m], cys[m]
        t0 = -ny[line] * x0 + nx[line] * y0
        t1 = -ny[line] * x1 + nx[line] * y1
        lo, hi = np.minimum(t0, t1), np.maximum(t0, t1)
        n = prefix.shape[1] - 1
        ca = np.clip(np.floor(lo).astype(np.int64) + offset, 0, n)
        cb = np.clip(np.floor(hi).astype(np.int64) + offset, 0, n)
        s = (prefix[line, cb] - prefix[line, ca]).astype(np.float64)
        length = hi - lo
        alive &= length >= MIN_SIDE * short
        cover = s / np.maximum(length, 1.0)
        alive &= cover >= MIN_COVER
        covers.append(cover)
        total_s = total_s + s
        total_l = total_l + length
    score = total_s - GAP_COST * (total_l - total_s)
    score = np.where(alive, score, -np.inf)
    best = np.argsort(-score, kind="stable")[:keep]
    out = []
    for r in best:
        if not np.isfinite(score[r]):
            break
        corners = np.array([[cxs[m][r], cys[m][r]] for m in range(4)])
        out.append(
            Candidate(
                corners,
                float(score[r]),
                np.array([covers[m][r] for m in range(4)]),
                tuple(int(sides[m][r]) for m in range(4)),
            )
        )
    return out
