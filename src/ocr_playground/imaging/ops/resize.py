"""resize: the long side becomes ``maxSide``, aspect kept.

Shrinking averages areas (OpenCV INTER_AREA) so thin receipt strokes survive; growing is bilinear.
The short side is ``max(1, floor(short * maxSide / long + 0.5))`` — written out so the TypeScript
twin rounds the same way (no banker's rounding).
"""

import math

import cv2
import numpy as np
from pydantic import Field

from ocr_playground.imaging.ops.base import Op, OpParams


class ResizeParams(OpParams):
    max_side: int = Field(1024, ge=16, le=8192, description="Target length of the long side, px.")


def target_size(width: int, height: int, max_side: int) -> tuple[int, int]:
    long_side = max(width, height)
    short = max(1, math.floor(min(width, height) * max_side / long_side + 0.5))
    return (max_side, short) if width >= height else (short, max_side)


def resize(image: np.ndarray, params: ResizeParams) -> np.ndarray:
    height, width = image.shape[:2]
    size = target_size(width, height, params.max_side)
    if size == (width, height):
        return image
    shrinking = params.max_side < max(width, height)
    interpolation = cv2.INTER_AREA if shrinking else cv2.INTER_LINEAR
    return cv2.resize(image, size, interpolation=interpolation)


OP = Op(name="resize", params=ResizeParams, apply=resize, summary="Scale so the long side is maxSide.")
