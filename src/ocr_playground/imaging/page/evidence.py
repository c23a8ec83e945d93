"""What a page looks like along its outline, measured on any quadrilateral (from lines or mask).

Each side from corner a to corner b is walked in unit steps: sample t (0 ≤ t < n, n = ⌊|b − a|⌋)
sits at ``p = a + (t + 0.5)·u`` (u the unit direction, ν = (−u_y, u_x) the normal). A position is
``(floor(x + 0.5), floor(y + 0.5))``, clamped to the working image.

- Edge support: sample t counts when one of the pixels ``p + o·ν``, ``|o| ≤ SUPPORT_REACH``, is an
  edge pixel whose direction bin is within ``SUPPORT_BINS`` of the normal's bin either way round
  (the page may be brighter or darker than the table).
- Contrast: sample t counts when the blurred working colours at ``p ± CONTRAST_REACH·ν`` differ by at
  least ``CONTRAST_MIN`` grey levels in some channel: the two sides of a page edge are different
  surfaces, the two sides of a ruled line or a crease on the page are the same paper.

A side's evidence is the mean of the two shares; the quad's confidence is its weakest side's.
"""

import math

import numpy as np

from ocr_playground.imaging.page.lines import N_THETA, direction_bins

SUPPORT_REACH = 2
SUPPORT_BINS = 8
CONTRAST_REACH = 4
CONTRAST_MIN = 8
BLUR_SCALE = 256  # the blurred planes hold 256 × the colour


def _positions(x: np.ndarray, y: np.ndarray, width: int, height: int) -> tuple[np.ndarray, np.ndarray]:
    xi = np.clip(np.floor(x + 0.5).astype(np.int64), 0, width - 1)
    yi = np.clip(np.floor(y + 0.5).astype(np.int64), 0, height - 1)
    return xi, yi


def side_evidence(direction: np.ndarray, planes: np.ndarray, a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """(edge support share, contrast share) of the side a→b.

    ``direction`` is the working image's edge map: the direction bin of each edge pixel, −1 elsewhere.
    """
    height, width = direction.shape
    dx, dy = float(b[0] - a[0]), float(b[1] - a[1])
    length = math.hypot(dx, dy)
    n = math.floor(length)
    if n < 1:
        return 0.0, 0.0
    ux, uy = dx / length, dy / length
    vx, vy = -uy, ux
    t = np.arange(n, dtype=np.float64) + 0.5
    px, py = a[0] + t * ux, a[1] + t * uy
    normal_bin = int(direction_bins(np.array([math.atan2(vy, vx)]))[0])
    hit = np.zeros(n, bool)
    for o in range(-SUPPORT_REACH, SUPPORT_REACH + 1):
        xi, yi = _positions(px + o * vx, py + o * vy, width, height)
        d = direction[yi, xi]
        gap = np.abs(d - normal_bin) % N_THETA
        gap = np.minimum(gap, N_THETA - gap)
        hit |= (d >= 0) & ((gap <= SUPPORT_BINS) | (gap >= N_THETA // 2 - SUPPORT_BINS))
    ix, iy = _positions(px + CONTRAST_REACH * vx, py + CONTRAST_REACH * vy, width, height)
    ox, oy = _positions(px - CONTRAST_REACH * vx, py - CONTRAST_REACH * vy, width, height)
    diff = np.abs(planes[iy, ix] - planes[oy, ox]).max(axis=1)
    contrast = diff >= CONTRAST_MIN * BLUR_SCALE
    return int(hit.sum()) / n, int(contrast.sum()) / n


def outline_evidence(direction: np.ndarray, planes: np.ndarray, quad: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per side (TL→TR, TR→BR, BR→BL, BL→TL): the mean of support and contrast, and the length."""
    evidence, lengths = np.zeros(4), np.zeros(4)
    for k in range(4):
        a, b = quad[k], quad[(k + 1) % 4]
        support, contrast = side_evidence(direction, planes, a, b)
        evidence[k] = (support + contrast) / 2
        lengths[k] = math.hypot(float(b[0] - a[0]), float(b[1] - a[1]))
    return evidence, lengths
