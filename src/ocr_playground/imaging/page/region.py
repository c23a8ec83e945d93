"""The region cue: a page mask from brightness and colour against the surroundings.

Everything is integer arithmetic or a simple filter, so the TypeScript twin follows it line by line.
For an H×W RGB image:

1. Factor ``f = ceil(max(H, W) / WORK_LONG_SIDE)``, clamped to ``[1, min(H, W)]`` (a 1×2000 strip
   must not vanish); working size ``h = H // f``,
   ``w = W // f``. The last ``H - h·f`` rows and ``W - w·f`` columns are not analysed.
2. Block mean: each working pixel's R, G, B is the mean of its f×f block, in integers, rounded half
   up: ``(sum + f²//2) // f²``. The page finder's other cues work on these means too.
3. Score = ``min(R, G, B)``, i.e. brightness × (1 − saturation) with brightness = max(R, G, B) and
   saturation = (max − min) / max. Paper is bright and unsaturated; tables, wood and fabric are
   darker or coloured.
4. Flatten the light (a page in shadow next to a brightly lit grey table defeats any single global
   threshold). In each corner of the working image take a patch of ``max(1, h // CORNER_PATCH_DIV)``
   rows × ``max(1, w // CORNER_PATCH_DIV)`` columns; its level ``c`` is the value at index
   ``(n − 1) · CORNER_PERCENTILE // 100`` of its n sorted scores, then ``max(c, 1)`` (a low
   percentile, so a page reaching into a corner patch does not count as background), placed at
   the patch centre. In doubled coordinates (integral at half-pixel centres) ``x' = 2x − (pw − 1)``,
   ``y' = 2y − (ph − 1)``, ``SX = max(2(w − pw), 1)``, ``SY = max(2(h − ph), 1)``, the background
   estimate is the bilinear ``B = max(1, c_tl·(SX − x')·(SY − y') + c_tr·x'·(SY − y')
   + c_bl·(SX − x')·y' + c_br·x'·y')`` (scaled by SX·SY; it extrapolates a little beyond the
   centres), ``G = max`` of the four levels, and the flattened score is
   ``min(255, (score · G · SX · SY) // B)`` — all integers below 2^53, so exact in JS too.
5. Threshold ``t`` = Otsu on the 256-bin histogram of the flattened score (see ``otsu_threshold`` for
   the exact formula and tie rule); foreground = flattened score > t.
6. Opening with a 3×3 square (erode, then dilate; pixels outside the image are ignored) to cut thin
   bridges to bright clutter.
7. Keep the largest 8-connected component (ties: the one whose first pixel in raster order comes
   first). No foreground at all → the mask is empty.
8. Fill holes: 4-connected background regions that do not touch the image border become foreground
   (text lines and stains inside the page).
"""

from dataclasses import dataclass

import cv2
import numpy as np

WORK_LONG_SIDE = 512  # analysis happens at about this long side (integer block factor)
CORNER_PATCH_DIV = 10  # corner patches are 1/10 of the working height and width
CORNER_PERCENTILE = 25  # background level of a corner patch: its 25th-percentile score
OPEN_SIZE = 3  # square structuring element of the opening


@dataclass(frozen=True)
class WorkingMask:
    """The hard page mask at working resolution and the integer factor back to the image."""

    mask: np.ndarray  # h×w bool
    factor: int
    image_size: tuple[int, int]  # (W, H) of the analysed image


def working_factor(height: int, width: int) -> int:
    """Step 1: ceil(long side / WORK_LONG_SIDE), at least 1 and at most the short side."""
    return max(1, min(-(-max(height, width) // WORK_LONG_SIDE), height, width))


def block_mean(rgb: np.ndarray, factor: int) -> np.ndarray:
    """Step 2: exact integer f×f block means, rounded half up (h×w×3 int32)."""
    h, w = rgb.shape[0] // factor, rgb.shape[1] // factor
    if factor == 1:
        return rgb.astype(np.int32)
    crop = rgb[: h * factor, : w * factor].astype(np.float32)
    # INTER_AREA with an integer factor is the block mean; ×f² and rounding recovers the exact
    # integer block sum (float32 error is far below 0.5 for sums up to 255·f²).
    mean = cv2.resize(crop, (w, h), interpolation=cv2.INTER_AREA)
    n = factor * factor
    sums = np.rint(mean * n).astype(np.int32)
    return (sums + n // 2) // n


def page_score(means: np.ndarray) -> np.ndarray:
    """Step 3: min(R, G, B) = brightness × (1 − saturation), uint8."""
    return np.minimum(np.minimum(means[:, :, 0], means[:, :, 1]), means[:, :, 2]).astype(np.uint8)


def _patch_level(patch: np.ndarray) -> int:
    values = np.sort(patch, axis=None)
    return max(1, int(values[(values.size - 1) * CORNER_PERCENTILE // 100]))


def flatten_light(score: np.ndarray) -> np.ndarray:
    """Step 4: divide by a bilinear background estimate from the four corner patches (integers)."""
    h, w = score.shape
    ph, pw = max(1, h // CORNER_PATCH_DIV), max(1, w // CORNER_PATCH_DIV)
    tl, tr = _patch_level(score[:ph, :pw]), _patch_level(score[:ph, w - pw :])
    bl, br = _patch_level(score[h - ph :, :pw]), _patch_level(score[h - ph :, w - pw :])
    # Levels sit at the patch centres; doubled coordinates keep the half-pixel centres integral.
    sx, sy = max(2 * (w - pw), 1), max(2 * (h - ph), 1)
    x = 2 * np.arange(w, dtype=np.int64)[None, :] - (pw - 1)
    y = 2 * np.arange(h, dtype=np.int64)[:, None] - (ph - 1)
    estimate = tl * (sx - x) * (sy - y) + tr * x * (sy - y) + bl * (sx - x) * y + br * x * y
    estimate = np.maximum(estimate, 1)  # extrapolation past the centres of a steep gradient
    gain = max(tl, tr, bl, br) * sx * sy
    return np.minimum(score.astype(np.int64) * gain // estimate, 255).astype(np.uint8)


def otsu_threshold(hist: np.ndarray) -> int:
    """Step 5: Otsu's threshold t (foreground is > t) of a 256-bin histogram.

    With N pixels, ST = Σ i·hist[i], and for each t: W0 = Σ_{i≤t} hist[i], S0 = Σ_{i≤t} i·hist[i],
    the between-class score is ``(N·S0 − W0·ST)² / (W0·(N − W0))`` computed in float64 in exactly this
    order (the integers N·S0 and W0·ST are exact below 2^53). t is the first index with the largest
    score among those where both classes are non-empty; 0 when there is none (a constant image).
    """
    hist = hist.astype(np.int64)
    levels = np.arange(hist.size, dtype=np.int64)
    n = int(hist.sum())
    w0 = np.cumsum(hist)
    s0 = np.cumsum(hist * levels)
    st = int(s0[-1])
    w1 = n - w0
    valid = (w0 > 0) & (w1 > 0)
    if not valid.any():
        return 0
    diff = (n * s0 - w0 * st).astype(np.float64)
    score = np.full(hist.size, -1.0)
    score[valid] = diff[valid] ** 2 / (w0[valid].astype(np.float64) * w1[valid].astype(np.float64))
    return int(np.argmax(score))


def largest_component(mask: np.ndarray) -> np.ndarray:
    """Step 7: the largest 8-connected component (bool), or an empty mask."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    if count < 2:
        return np.zeros(mask.shape, bool)
    best = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    return labels == best


def fill_holes(mask: np.ndarray) -> np.ndarray:
    """Step 8: background regions (4-connected) that do not reach the border become foreground."""
    _, labels = cv2.connectedComponents((~mask).astype(np.uint8), connectivity=4)
    border = np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]])
    outside = np.isin(labels, np.unique(border[border > 0]))
    return ~outside


def region_mask(means: np.ndarray) -> np.ndarray:
    """Steps 3–8 on the working block means: the hard page mask (h×w bool)."""
    score = flatten_light(page_score(means))
    t = otsu_threshold(np.bincount(score.ravel(), minlength=256))
    fg = (score > t).astype(np.uint8)
    kernel = np.ones((OPEN_SIZE, OPEN_SIZE), np.uint8)
    fg = cv2.morphologyEx(fg, cv2.MORPH_OPEN, kernel)  # OpenCV ignores outside pixels here
    page = largest_component(fg)
    if page.any():
        page = fill_holes(page)
    return page
