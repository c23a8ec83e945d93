"""background_removal: a classical page mask, background blended toward white, the mask as alpha.

No weights, no GrabCut: everything below is integer arithmetic or a simple filter, so the TypeScript
twin (Web Worker) can follow it line by line. Constants are named at the top of this module.

Working-resolution analysis (``page_mask_working``), for an H×W RGB image:

1. Factor ``f = ceil(max(H, W) / WORK_LONG_SIDE)``, clamped to ``[1, min(H, W)]`` (a 1×2000 strip
   must not vanish); working size ``h = H // f``,
   ``w = W // f``. The last ``H - h·f`` rows and ``W - w·f`` columns are not analysed.
2. Block mean: each working pixel's R, G, B is the mean of its f×f block, in integers, rounded half
   up: ``(sum + f²//2) // f²``.
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

Full-resolution soft mask (``page_mask``):

9. Feather: 3×3 box mean (``FEATHER_SIZE``) of the 0/1 working mask, border replicated → float 0..1.
10. Bilinear upsample with half-pixel centres: full-res pixel X samples working coordinate
    ``(X + 0.5) / f − 0.5`` clamped to ``[0, w − 1]`` (so the unanalysed last rows/columns repeat the
    last working row/column); the same for Y.
11. Alpha = round(255 · soft), uint8.

Blend (``background_removal``): ``b = round(strength · (255 − alpha))`` and, per channel,
``out = rgb + round((255 − rgb) · b / 255)``. Strength 0 leaves RGB untouched; strength 1 makes
alpha-0 pixels pure white. The output is RGBA with the alpha of step 11.
"""

from dataclasses import dataclass

import cv2
import numpy as np
from pydantic import Field

from ocr_playground.imaging.ops.base import Op, OpParams
from ocr_playground.imaging.pixels import split_alpha

WORK_LONG_SIDE = 512  # analysis happens at about this long side (integer block factor)
CORNER_PATCH_DIV = 10  # corner patches are 1/10 of the working height and width
CORNER_PERCENTILE = 25  # background level of a corner patch: its 25th-percentile score
OPEN_SIZE = 3  # square structuring element of the opening
FEATHER_SIZE = 3  # box feather at working resolution (≈ 3·f full-resolution pixels)


class BackgroundRemovalParams(OpParams):
    strength: float = Field(
        1.0, ge=0.0, le=1.0, description="How far the background is blended toward white (1 = removed)."
    )


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
    return means.min(axis=2).astype(np.uint8)


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


def page_mask_working(image: np.ndarray) -> WorkingMask:
    """Steps 1–8: the hard page mask at working resolution."""
    rgb, _ = split_alpha(image)
    height, width = rgb.shape[:2]
    factor = working_factor(height, width)
    score = flatten_light(page_score(block_mean(rgb, factor)))
    t = otsu_threshold(np.bincount(score.ravel(), minlength=256))
    fg = (score > t).astype(np.uint8)
    kernel = np.ones((OPEN_SIZE, OPEN_SIZE), np.uint8)
    fg = cv2.morphologyEx(fg, cv2.MORPH_OPEN, kernel)  # OpenCV ignores outside pixels here
    page = largest_component(fg)
    if page.any():
        page = fill_holes(page)
    return WorkingMask(mask=page, factor=factor, image_size=(width, height))


def soft_mask(working: WorkingMask) -> np.ndarray:
    """Steps 9–11: the feathered mask at full resolution, uint8 0..255."""
    width, height = working.image_size
    f = working.factor
    h, w = working.mask.shape
    soft = cv2.blur(
        working.mask.astype(np.float32), (FEATHER_SIZE, FEATHER_SIZE), borderType=cv2.BORDER_REPLICATE
    )
    if (w, h) != (width // f, height // f) or w == 0 or h == 0:
        raise ValueError("working mask does not match the image size")
    # cv2.resize INTER_LINEAR samples (X + 0.5)/f − 0.5 with edge clamping: step 10 exactly.
    up = cv2.resize(soft, (w * f, h * f), interpolation=cv2.INTER_LINEAR) if f > 1 else soft
    up = cv2.copyMakeBorder(up, 0, height - h * f, 0, width - w * f, cv2.BORDER_REPLICATE)
    return cv2.convertScaleAbs(up, alpha=255.0)


def page_mask(image: np.ndarray) -> np.ndarray:
    """The feathered page mask of an RGB/RGBA image: H×W uint8, 255 = page, 0 = background."""
    return soft_mask(page_mask_working(image))


def blend_to_white(rgb: np.ndarray, alpha: np.ndarray, strength: float) -> np.ndarray:
    """``rgb + round((255 − rgb) · b / 255)`` with ``b = round(strength · (255 − alpha))``."""
    if strength <= 0.0:
        return np.ascontiguousarray(rgb)
    weight = cv2.convertScaleAbs(cv2.bitwise_not(alpha), alpha=strength)  # round(strength·(255−α))
    weight3 = cv2.merge([weight, weight, weight])
    lift = cv2.multiply(cv2.bitwise_not(rgb), weight3, scale=1.0 / 255.0)  # rounded, saturated
    return cv2.add(rgb, lift)


def background_removal(image: np.ndarray, params: BackgroundRemovalParams) -> np.ndarray:
    """RGBA: the background blended toward white by ``strength``, the feathered page mask as alpha."""
    rgb, _ = split_alpha(image)
    rgb = np.ascontiguousarray(rgb)
    alpha = page_mask(rgb)
    return cv2.merge([*cv2.split(blend_to_white(rgb, alpha, params.strength)), alpha])  # ≫ np.dstack


OP = Op(
    name="background_removal",
    params=BackgroundRemovalParams,
    apply=background_removal,
    summary="Classical page mask (brightness, saturation, largest component); background toward white.",
    aliases=("rembg",),
)
