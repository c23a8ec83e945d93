"""crop_document: corner accuracy on synthetic receipts, the coordinate convention on drawn shapes,
the warp, and the no-page case."""

import cv2
import numpy as np
import pytest
from pydantic import ValidationError

from ocr_playground.imaging.ops.crop_document import OP, CropDocumentParams, crop_document, find_page_quad
from ocr_playground.imaging.page import outline

from receipts import ACCURACY_SEEDS, accuracy_receipt

SEEDS = ACCURACY_SEEDS
receipt = accuracy_receipt


def corner_error(found: np.ndarray | None, truth: np.ndarray) -> float:
    """Largest corner distance, in pixels (inf when nothing was found)."""
    if found is None:
        return float("inf")
    return float(np.hypot(*(found.astype(np.float64) - truth).T).max())


@pytest.mark.slow
def test_corner_accuracy_on_synthetic_receipts() -> None:
    errors = []
    for s in SEEDS:
        r = receipt(s)
        diagonal = float(np.hypot(*r.image.shape[:2]))
        errors.append(corner_error(find_page_quad(r.image), r.corners) / diagonal)
    errors = np.array(errors)
    hit_rate = float((errors <= 0.02).mean())
    print(
        f"\ncrop_document corners within 2% of the diagonal on {hit_rate:.0%} of {len(errors)} receipts; "
        f"median error {np.median(errors):.3%}, worst {errors.max():.3%} of the diagonal"
    )
    assert hit_rate >= 0.9


def _drawn_page(quad: np.ndarray, size: tuple[int, int] = (800, 600)) -> np.ndarray:
    """A white polygon on a dark textured table, drawn with 8 sub-pixel bits by OpenCV."""
    w, h = size
    rng = np.random.default_rng(0)
    image = rng.integers(40, 90, (h, w, 3), dtype=np.uint8)
    cv2.fillPoly(image, [np.round(quad * 256).astype(np.int32)], (245, 243, 236), cv2.LINE_AA, shift=8)
    return image


@pytest.mark.parametrize(
    "quad",
    [
        np.array([[200.0, 100.0], [520.0, 100.0], [520.0, 500.0], [200.0, 500.0]]),  # upright
        np.array([[260.0, 80.0], [560.0, 140.0], [500.0, 520.0], [170.0, 450.0]]),  # rotated, skewed
        np.array([[301.3, 60.7], [470.2, 77.9], [520.6, 555.1], [240.4, 530.8]]),  # keystone
    ],
)
def test_corners_of_a_drawn_quad(quad: np.ndarray) -> None:
    # fillPoly's vertices are pixel-centre coordinates, the convention of find_page_quad. At 800×600
    # the working factor is 2, so an edge is only known to about one full-resolution pixel per axis.
    found = find_page_quad(_drawn_page(quad))
    assert found is not None and found.dtype == np.float32 and found.shape == (4, 2)
    assert corner_error(found, quad) < 2.5


@pytest.mark.parametrize("degrees", [-35.0, 30.0, 60.0, 45.0])
def test_strongly_rotated_pages(degrees: float) -> None:
    t = np.deg2rad(degrees)
    rot = np.array([[np.cos(t), -np.sin(t)], [np.sin(t), np.cos(t)]])
    quad = np.array([[-150.0, -220.0], [150.0, -220.0], [150.0, 220.0], [-150.0, 220.0]]) @ rot.T + [400, 300]
    found = find_page_quad(_drawn_page(quad))
    if degrees == 45.0:  # both diagonals run along edges: ambiguous, may give up, must not crash
        return
    # Past 45° the labels follow the picture (TL is the visually top-left corner), so compare the
    # quads up to a cyclic shift of the corner order.
    assert found is not None
    assert min(corner_error(np.roll(found, k, axis=0), quad) for k in range(4)) < 2.5


def test_corners_are_found_at_full_resolution_without_downscaling() -> None:
    quad = np.array([[60.0, 40.0], [300.0, 52.0], [290.0, 330.0], [48.0, 310.0]])
    found = find_page_quad(_drawn_page(quad, (400, 360)))  # long side ≤ 512: factor 1
    # fillPoly also fills the pixels its outline passes through: the drawn page is ~½ pixel larger.
    assert corner_error(found, quad) < 1.5


def test_crop_size_matches_the_page() -> None:
    r = receipt(2)
    out = crop_document(r.image, CropDocumentParams())
    tl, tr, br, bl = r.corners
    want_w = max(np.hypot(*(tr - tl)), np.hypot(*(br - bl)))
    want_h = max(np.hypot(*(bl - tl)), np.hypot(*(br - tr)))
    assert out.shape[2] == 3
    assert out.shape[1] == pytest.approx(want_w, rel=0.02)
    assert out.shape[0] == pytest.approx(want_h, rel=0.02)


def test_crop_content_is_the_upright_page() -> None:
    r = receipt(5)
    out = crop_document(r.image, CropDocumentParams())
    # Reference: OpenCV warping the true corners straight onto the output's rectangle.
    h, w = out.shape[:2]
    target = np.float32([[0, 0], [w - 1, 0], [w - 1, h - 1], [0, h - 1]])
    m = cv2.getPerspectiveTransform(r.corners.astype(np.float32), target)
    want = cv2.warpPerspective(r.image, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    assert np.abs(out.astype(int) - want).mean() < 6
    # It is paper: bright and unsaturated nearly everywhere (text aside).
    assert np.median(out.min(axis=2)) > 140


def test_rgba_input_keeps_its_alpha_channel() -> None:
    quad = np.array([[200.0, 100.0], [520.0, 110.0], [510.0, 500.0], [190.0, 490.0]])
    image = _drawn_page(quad)
    rgba = np.dstack([image, np.full(image.shape[:2], 200, np.uint8)])
    out = crop_document(rgba, CropDocumentParams())
    assert out.shape[2] == 4 and (out[:, :, 3] == 200).all()
    assert out.shape[:2] == crop_document(image, CropDocumentParams()).shape[:2]


def test_uniform_noise_has_no_page_and_comes_back_unchanged() -> None:
    noise = np.random.default_rng(0).integers(0, 256, (600, 800, 3), dtype=np.uint8)
    assert find_page_quad(noise) is None
    out = crop_document(noise, CropDocumentParams())
    assert np.array_equal(out, noise)


@pytest.mark.parametrize("shape", [(1, 1, 3), (9, 4, 3), (300, 2, 3), (1, 2000, 3), (2, 1100, 3)])
def test_tiny_images_do_not_crash(shape: tuple[int, int, int]) -> None:
    image = np.random.default_rng(1).integers(0, 256, shape, dtype=np.uint8)
    out = crop_document(image, CropDocumentParams())
    assert out.ndim == 3 and out.shape[2] == 3


def test_small_blob_is_not_a_page() -> None:
    image = np.full((400, 600, 3), 60, np.uint8)
    cv2.rectangle(image, (100, 100), (150, 140), (250, 250, 250), -1)  # 0.9 % of the image
    assert find_page_quad(image) is None


def test_round_blob_is_not_a_page() -> None:
    image = np.full((400, 600, 3), 60, np.uint8)
    cv2.circle(image, (300, 200), 150, (250, 250, 250), -1)  # big, but no four straight sides
    assert find_page_quad(image) is None


def test_fit_side_recovers_a_line_from_noisy_points() -> None:
    rng = np.random.default_rng(4)
    t = np.linspace(0, 100, 200)
    pts = np.stack([10 + t, 20 + 0.25 * t + rng.normal(0, 0.3, t.size)], axis=1)
    point, direction = outline.fit_side(pts, pts[0], pts[-1])
    assert direction[1] / direction[0] == pytest.approx(0.25, abs=0.01)
    assert point[1] - 20 - 0.25 * (point[0] - 10) == pytest.approx(0, abs=0.2)


def test_params_model() -> None:
    assert CropDocumentParams.model_validate({}) == CropDocumentParams()
    with pytest.raises(ValidationError):
        CropDocumentParams.model_validate({"margin": 3})
    assert OP.name == "crop_document" and OP.params is CropDocumentParams
    assert OP.json_schema()["type"] == "object"
