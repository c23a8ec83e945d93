"""binarize: black text on white, by a global Otsu threshold or a local mean (adaptive).

Both work on BT.601 luma and write the result to all three channels (alpha kept). Adaptive uses the
mean of a ``blockSize`` square (border replicated) minus ``C``, the OpenCV MEAN_C rule: a box mean
is cheap in a browser worker too (integral image), where a Gaussian-weighted mean is not.
"""

from typing import Literal

import cv2
import numpy as np
from pydantic import Field

from ocr_playground.imaging.ops.base import OddInt, Op, OpParams
from ocr_playground.imaging.ops.grayscale import luma
from ocr_playground.imaging.pixels import split_alpha, with_alpha


class BinarizeParams(OpParams):
    method: Literal["otsu", "adaptive"] = Field("otsu", description="Global Otsu or local mean.")
    block_size: OddInt = Field(31, ge=3, le=255, description="Adaptive: odd neighbourhood size, px.")
    c: float = Field(
        10.0, ge=-128, le=128, alias="C", description="Adaptive: subtracted from the local mean."
    )


def binarize(image: np.ndarray, params: BinarizeParams) -> np.ndarray:
    _, alpha = split_alpha(image)
    gray = luma(image)
    if params.method == "otsu":
        _, out = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    else:
        out = cv2.adaptiveThreshold(
            gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY, params.block_size, params.c
        )
    return with_alpha(cv2.cvtColor(out, cv2.COLOR_GRAY2RGB), alpha)


OP = Op(name="binarize", params=BinarizeParams, apply=binarize, summary="Black text on white.")
