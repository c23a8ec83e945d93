"""background_removal: the page found by ``imaging/page`` kept, the background blended toward white,
the page mask as alpha.

The page is the one ``crop_document`` crops (``imaging.page.finder``): the mask is its quadrilateral,
with the edges refined by the region cue so a receipt whose sides are not straight keeps its outline
(``imaging.page.mask``). No page found: the image comes back unchanged, with an opaque alpha.

Blend: ``b = round(strength · (255 − alpha))`` and, per channel,
``out = rgb + round((255 − rgb) · b / 255)``. Strength 0 leaves RGB untouched; strength 1 makes
alpha-0 pixels pure white. The output is RGBA.
"""

import cv2
import numpy as np
from pydantic import Field

from ocr_playground.imaging.ops.base import Op, OpParams
from ocr_playground.imaging.page.finder import PageFinding, find_page
from ocr_playground.imaging.page.mask import quad_mask, soft_mask
from ocr_playground.imaging.page.region import WorkingMask
from ocr_playground.imaging.pixels import split_alpha


class BackgroundRemovalParams(OpParams):
    strength: float = Field(
        1.0, ge=0.0, le=1.0, description="How far the background is blended toward white (1 = removed)."
    )


def finding_mask(finding: PageFinding) -> np.ndarray:
    """The full-resolution alpha of a finding: 255 everywhere when there is no page."""
    region = finding.region
    width, height = region.image_size
    if finding.working_quad is None:
        return np.full((height, width), 255, np.uint8)
    mask = quad_mask(finding.working_quad, region.mask)
    return soft_mask(WorkingMask(mask=mask, factor=region.factor, image_size=region.image_size))


def page_mask(image: np.ndarray) -> np.ndarray:
    """The feathered page mask of an RGB/RGBA image: H×W uint8, 255 = page, 0 = background."""
    return finding_mask(find_page(image))


def blend_to_white(rgb: np.ndarray, alpha: np.ndarray, strength: float) -> np.ndarray:
    """``rgb + round((255 − rgb) · b / 255)`` with ``b = round(strength · (255 − alpha))``."""
    if strength <= 0.0:
        return np.ascontiguousarray(rgb)
    weight = cv2.convertScaleAbs(cv2.bitwise_not(alpha), alpha=strength)  # round(strength·(255−α))
    weight3 = cv2.merge([weight, weight, weight])
    lift = cv2.multiply(cv2.bitwise_not(rgb), weight3, scale=1.0 / 255.0)  # rounded, saturated
    return cv2.add(rgb, lift)


def remove_background(image: np.ndarray, params: BackgroundRemovalParams) -> tuple[np.ndarray, dict]:
    """The op with its report: the page's quad (input pixels) and confidence."""
    rgb, _ = split_alpha(image)
    rgb = np.ascontiguousarray(rgb)
    finding = find_page(rgb)
    alpha = finding_mask(finding)
    out = cv2.merge([*cv2.split(blend_to_white(rgb, alpha, params.strength)), alpha])  # ≫ np.dstack
    return out, finding.report()


def background_removal(image: np.ndarray, params: BackgroundRemovalParams) -> np.ndarray:
    """RGBA: the background blended toward white by ``strength``, the feathered page mask as alpha."""
    return remove_background(image, params)[0]


OP = Op(
    name="background_removal",
    params=BackgroundRemovalParams,
    apply=background_removal,
    apply_with_report=remove_background,
    summary="Keep the page crop_document finds (mask refined at its edges); background toward white.",
    aliases=("rembg",),
)
