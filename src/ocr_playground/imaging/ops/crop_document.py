"""crop_document: the page found by ``imaging/page`` warped to an upright rectangle.

``find_page`` proposes quadrilaterals from several cues and keeps the one that looks most like a
page (see ``imaging.page.finder``); this op only warps. Output width = round(max(|TR − TL|,
|BR − BL|)), height = round(max(|BL − TL|, |BR − TR|)); the homography maps TL, TR, BR, BL to
(0, 0), (w − 1, 0), (w − 1, h − 1), (0, h − 1) (``cv2.getPerspectiveTransform``), and
``cv2.warpPerspective`` samples with INTER_LINEAR and a replicated border. No page found → the image
is returned unchanged, and the report says so.
"""

import cv2
import numpy as np

from ocr_playground.imaging.ops.base import Op, OpParams
from ocr_playground.imaging.page.finder import find_page


class CropDocumentParams(OpParams):
    """No settings: the page is found automatically."""


def find_page_quad(image: np.ndarray) -> np.ndarray | None:
    """The page's corners (4×2 float32, TL, TR, BR, BL) in image coordinates, or None."""
    return find_page(image).quad


def output_size(quad: np.ndarray) -> tuple[int, int]:
    tl, tr, br, bl = quad.astype(np.float64)
    width = max(np.hypot(*(tr - tl)), np.hypot(*(br - bl)))
    height = max(np.hypot(*(bl - tl)), np.hypot(*(br - tr)))
    return max(1, round(float(width))), max(1, round(float(height)))


def warp_quad(image: np.ndarray, quad: np.ndarray) -> np.ndarray:
    """Warp the quad (TL, TR, BR, BL) onto an upright rectangle of its longest side lengths."""
    w, h = output_size(quad)
    target = np.array([[0, 0], [w - 1, 0], [w - 1, h - 1], [0, h - 1]], np.float32)
    homography = cv2.getPerspectiveTransform(quad.astype(np.float32), target)
    return cv2.warpPerspective(
        image, homography, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    )


def crop_with_report(image: np.ndarray, params: CropDocumentParams) -> tuple[np.ndarray, dict]:
    """The op with its report: the page's quad (input pixels) and confidence."""
    finding = find_page(image)
    if finding.quad is None:
        return image, finding.report()
    return warp_quad(np.ascontiguousarray(image), finding.quad), finding.report()


def crop_document(image: np.ndarray, params: CropDocumentParams) -> np.ndarray:
    """The page, perspective-corrected; the image unchanged when no page is found."""
    return crop_with_report(image, params)[0]


OP = Op(
    name="crop_document",
    params=CropDocumentParams,
    apply=crop_document,
    apply_with_report=crop_with_report,
    summary="Find the page quadrilateral and warp it to an upright rectangle (perspective correction).",
)
