"""blur: a true Gaussian (OpenCV's, border reflect-101); ``sigma`` 0 derives it from the size."""

import cv2
import numpy as np
from pydantic import Field

from ocr_playground.imaging.ops.base import OddInt, Op, OpParams
from ocr_playground.imaging.pixels import split_alpha, with_alpha


class BlurParams(OpParams):
    kernel_size: OddInt = Field(5, ge=3, le=31, description="Odd kernel size in pixels (3–31).")
    sigma: float = Field(0.0, ge=0, le=50, description="Standard deviation; 0 means 0.3·((k−1)·0.5−1)+0.8.")


def blur(image: np.ndarray, params: BlurParams) -> np.ndarray:
    # The alpha plane is a mask (background removal's), not picture: it stays sharp.
    rgb, alpha = split_alpha(image)
    k = params.kernel_size
    blurred = cv2.GaussianBlur(rgb, (k, k), params.sigma, borderType=cv2.BORDER_REFLECT_101)
    return with_alpha(blurred, alpha)


OP = Op(name="blur", params=BlurParams, apply=blur, summary="Gaussian blur.")
