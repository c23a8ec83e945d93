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


def quads_evidence(
    direction: np.ndarray, planes: np.ndarray, quads: list[np.ndarray]
) -> tuple[np.ndarray, np.ndarray]:
    """Per quad and side (TL→TR, TR→BR, BR→BL, BL→TL): evidence (mean of the edge support and
    contrast shares) and length, as two (len(quads), 4) arrays.

    ``direction`` is the working image's edge map: the direction bin of each edge pixel, −1 elsewhere.
    """
    height, width = direction.shape
    count = 4 * len(quads)
    lengths = np.zeros(count)
    evidence = np.zeros(count)
    starts, ends, normals, bins, owner = [], [], [], [], []
    for i, quad in enumerate(quads):
        for k in range(4):
            a, b = quad[k], quad[(k + 1) % 4]
            dx, dy = float(b[0] - a[0]), float(b[1] - a[1])
            length = math.hypot(dx, dy)
            lengths[4 * i + k] = length
            n = math.floor(length)
            if n < 1:
                continue
            ux, uy = dx / length, dy / length
            t = np.arange(n, dtype=np.float64) + 0.5
            starts.append(a[0] + t * ux)
            ends.append(a[1] + t * uy)
            normals.append((-uy, ux, n))
            bins.append(int(direction_bins(np.array([math.atan2(ux, -uy)]))[0]))
            owner.append(np.full(n, 4 * i + k))
    if not owner:
        return evidence.reshape(-1, 4), lengths.reshape(-1, 4)
    px, py = np.concatenate(starts), np.concatenate(ends)
    vx = np.concatenate([np.full(n, x) for x, _, n in normals])
    vy = np.concatenate([np.full(n, y) for _, y, n in normals])
    normal_bin = np.concatenate([np.full(n, b) for (_, _, n), b in zip(normals, bins, strict=True)])
    side = np.concatenate(owner)
    hit = np.zeros(px.size, bool)
    for o in range(-SUPPORT_REACH, SUPPORT_REACH + 1):
        xi, yi = _positions(px + o * vx, py + o * vy, width, height)
        d = direction[yi, xi]
        gap = np.abs(d - normal_bin) % N_THETA
        gap = np.minimum(gap, N_THETA - gap)
        hit |= (d >= 0) & ((gap <= SUPPORT_BINS) | (gap >= N_THETA // 2 - SUPPORT_BINS))
    ix, iy = _positions(px + CONTRAST_REACH * vx, py + CONTRAST_REACH * vy, width, height)
    ox, oy = _positions(px - CONTRAST_REACH * vx, py - CONTRAST_REACH * vy, width, height)
    contrast = np.abs(planes[iy, ix] - planes[oy, ox]).max(axis=1) >= CONTRAST_MIN * BLUR_SCALE
    samples = np.bincount(side, minlength=count)
    support = np.bincount(side, weights=hit, minlength=count)
    across = np.bincount(side, weights=contrast, minlength=count)
    has = samples > 0
    evidence[has] = (support[has] / samples[has] + across[has] / samples[has]) / 2
    return evidence.reshape(-1, 4), lengths.reshape(-1, 4)
