"""Oriented edge pixels of the working image: the raw material of the line cue.

All integer arithmetic up to the gradient angle, so the TypeScript twin finds the same pixels:

1. Blur each channel of the working RGB (block means) with the 5×5 binomial ``[1 4 6 4 1]ᵀ[1 4 6 4 1]``,
   border replicated, kept as the integer sum (×256).
2. Sobel per channel, border replicated: ``gx`` = right column − left column with ``[1 2 1]`` weights
   down the column, ``gy`` likewise; the channel with the largest ``gx² + gy²`` (first of R, G, B on
   ties) gives the pixel's gradient, so a white page on beige wood (a step in blue more than in
   brightness) still has an edge.
3. Non-maximum suppression across the edge, the direction quantised to four sectors with integer
   comparisons (``|gy|·1000 ≤ |gx|·414`` is within 22.5° of the x axis, ``|gx|·1000 ≤ |gy|·414``
   of the y axis, otherwise a diagonal, ``gx·gy > 0`` the falling one): a pixel stays when its
   magnitude is ≥ the neighbour before it and > the one after it along that direction.
4. Keep pixels whose magnitude is at least ``MIN_STEP`` grey levels of an ideal step
   (``STEP_RESPONSE`` per level, so ``m² ≥ (MIN_STEP · STEP_RESPONSE)²``).
5. Angle ``φ = atan2(gy, gx)`` (the direction toward the brighter side) for each kept pixel.
"""

from dataclasses import dataclass

import cv2
import numpy as np

MIN_STEP = 3  # grey levels of a step edge below which a pixel is noise
STEP_RESPONSE = 640  # |Sobel| of the blurred ideal step of one grey level (16·16 blur sum, ×4·10 Sobel)
BINOMIAL = (1, 4, 6, 4, 1)
STEP_REACH = 4  # grid steps to each side where a step edge must differ
STEP_RATIO = 5  # ... by at least 1/5 of its gradient magnitude (an ideal step: 0.4)


@dataclass(frozen=True)
class Edges:
    """Edge pixels in raster order: position, gradient and angle (toward the brighter side)."""

    x: np.ndarray  # int64
    y: np.ndarray  # int64
    gx: np.ndarray  # int64
    gy: np.ndarray  # int64
    angle: np.ndarray  # float64 radians in (−π, π]
    width: int
    height: int


def blurred(rgb: np.ndarray) -> np.ndarray:
    """Step 1: h×w×3 int64, the binomial 5×5 sum (256 × the blurred value)."""
    kernel = np.array(BINOMIAL, np.float32)
    # float32 holds these integer sums (≤ 255·256) and every partial sum exactly.
    out = cv2.sepFilter2D(rgb.astype(np.float32), -1, kernel, kernel, borderType=cv2.BORDER_REPLICATE)
    return out.astype(np.int64).reshape(rgb.shape)


def sobel(planes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Step 2's per-channel Sobel of h×w×c planes, border replicated: (gx, gy) as float32 holding
    exact integers (|values| ≤ 2^17, sums ≤ 2^20)."""
    f = planes.astype(np.float32)
    gx = cv2.Sobel(f, -1, 1, 0, ksize=3, borderType=cv2.BORDER_REPLICATE).reshape(planes.shape)
    gy = cv2.Sobel(f, -1, 0, 1, ksize=3, borderType=cv2.BORDER_REPLICATE).reshape(planes.shape)
    return gx, gy


def sector_steps(gx: np.ndarray, gy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Step 3's direction as a unit grid step (dx, dy) along the gradient (int64)."""
    ax, ay = np.abs(gx), np.abs(gy)
    sx, sy = np.sign(gx), np.sign(gy)
    sx *= ax * 1000 > ay * 414  # within 22.5° of the y axis: no step across x
    sy *= ay * 1000 > ax * 414
    return sx.astype(np.int64), sy.astype(np.int64)


def is_step(planes: np.ndarray, channel, dx, dy, m2, ys, xs) -> np.ndarray:
    """Step 4b: the two sides, ``STEP_REACH`` grid steps away along the gradient (dx, dy), differ by
    at least ``1/STEP_RATIO`` of the magnitude (``diff² · STEP_RATIO² ≥ m²``): a step, not a thin line."""
    h, w = planes.shape[:2]
    ax = np.clip(xs + STEP_REACH * dx, 0, w - 1)
    ay = np.clip(ys + STEP_REACH * dy, 0, h - 1)
    bx = np.clip(xs - STEP_REACH * dx, 0, w - 1)
    by = np.clip(ys - STEP_REACH * dy, 0, h - 1)
    diff = (planes[ay, ax, channel] - planes[by, bx, channel]).astype(np.float64)
    return (diff > 0) & (diff * diff * (STEP_RATIO * STEP_RATIO) >= m2)


def find_edges(planes: np.ndarray) -> Edges:
    """Steps 2–5 on the blurred working RGB (step 1, h×w×3 integers). Steps 2–5 only look at the
    pixels over the step-4 floor: the rest can be neither a maximum nor kept."""
    h, w = planes.shape[:2]
    gx3, gy3 = sobel(planes)
    # Squared magnitudes, exact in float64 (below 2^53), per pixel and channel.
    g64x, g64y = gx3.astype(np.float64), gy3.astype(np.float64)
    m2c = g64x * g64x
    m2c += g64y * g64y
    m2 = np.maximum(np.maximum(m2c[:, :, 0], m2c[:, :, 1]), m2c[:, :, 2])
    idx = np.flatnonzero(m2 >= (MIN_STEP * STEP_RESPONSE) ** 2)
    em = m2.ravel()[idx]
    # Step 2: the first channel with the largest magnitude.
    per_channel = m2c.reshape(-1, 3)[idx]
    channel = np.where(per_channel[:, 0] == em, 0, np.where(per_channel[:, 1] == em, 1, 2))
    flat = idx * 3 + channel
    gx, gy = g64x.ravel()[flat], g64y.ravel()[flat]
    # Step 3: outside the image counts as magnitude 0 (a zero border, rows of w + 2).
    dx, dy = sector_steps(gx, gy)
    ys, xs = np.divmod(idx, w)
    bordered = np.pad(m2.reshape(h, w), 1).ravel()
    here = (ys + 1) * (w + 2) + xs + 1
    step = dy * (w + 2) + dx
    keep = np.flatnonzero((em >= bordered[here - step]) & (em > bordered[here + step]))
    ys, xs, dx, dy, em, channel, gx, gy = (v.take(keep) for v in (ys, xs, dx, dy, em, channel, gx, gy))
    step4 = is_step(planes, channel, dx, dy, em, ys, xs)
    ys, xs = ys[step4], xs[step4]
    ex, ey = gx[step4].astype(np.int64), gy[step4].astype(np.int64)
    angle = np.arctan2(ey.astype(np.float64), ex.astype(np.float64))
    return Edges(xs.astype(np.int64), ys.astype(np.int64), ex, ey, angle, w, h)
