"""autocontrast: per channel, stretch so the ``cutoff``% darkest/lightest pixels map to 0/255.

Pillow's ``ImageOps.autocontrast`` semantics, built as one lookup table per channel from its
histogram; the cut-off walk is done on cumulative sums instead of Pillow's per-bin loop.
"""

import cv2
import numpy as np
from pydantic import Field

from ocr_playground.imaging.ops.base import Op, OpParams

_LEVELS = np.arange(256, dtype=np.float64)


class AutocontrastParams(OpParams):
    cutoff: float = Field(
        0.0, ge=0, lt=50, description="Percent of pixels clipped at each end of each channel."
    )


def channel_lut(histogram: np.ndarray, cutoff: float) -> np.ndarray:
    """The 256-entry table Pillow would build for one channel's histogram."""
    h = histogram.astype(np.int64)
    if cutoff:
        cut = int(h.sum() * cutoff // 100)
        # Removing `cut` pixels from the low end empties every bin whose cumulative count is <= cut.
        # The high end is then cut from what the low end left, as Pillow does.
        h = np.minimum(h, np.maximum(np.cumsum(h) - cut, 0))
        h = np.minimum(h, np.maximum(np.cumsum(h[::-1])[::-1] - cut, 0))
    nonzero = np.flatnonzero(h)
    if nonzero.size == 0 or nonzero[-1] <= nonzero[0]:
        return np.arange(256, dtype=np.uint8)
    lo, hi = int(nonzero[0]), int(nonzero[-1])
    scale = 255.0 / (hi - lo)
    offset = -lo * scale
    # int() truncates toward zero; values below zero are clipped to 0 either way.
    return np.clip(np.trunc(_LEVELS * scale + offset), 0, 255).astype(np.uint8)


def autocontrast(image: np.ndarray, params: AutocontrastParams) -> np.ndarray:
    # One interleaved table for all channels (alpha gets the identity): no split, no merge.
    image = np.ascontiguousarray(image)
    tables = [np.arange(256, dtype=np.uint8)] * image.shape[2]
    for channel in range(3):
        histogram = cv2.calcHist([image], [channel], None, [256], [0, 256]).ravel()
        tables[channel] = channel_lut(histogram, params.cutoff)
    lut = np.stack(tables, axis=1).reshape(1, 256, image.shape[2])
    return cv2.LUT(image, lut)


OP = Op(
    name="autocontrast",
    params=AutocontrastParams,
    apply=autocontrast,
    summary="Stretch each channel so its darkest/lightest cutoff% reach 0/255.",
)
