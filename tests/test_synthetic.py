"""The synthetic receipt generator: determinism, its JPEG, and that its ground truth is true."""

import io

import cv2
import numpy as np
import pytest
from PIL import Image

from ocr_playground.imaging.synthetic import SyntheticReceipt, make_receipt, write_samples

SIZES = [(1600, 1200), (1200, 1600), (1024, 768)]


@pytest.fixture(scope="module", params=[(0, SIZES[0]), (7, SIZES[1]), (12, SIZES[2])], ids=str)
def receipt(request: pytest.FixtureRequest) -> SyntheticReceipt:
    seed, size = request.param
    return make_receipt(seed, size)


def _luma(rgb: np.ndarray) -> np.ndarray:
    return rgb.astype(np.float32) @ np.array([0.299, 0.587, 0.114], np.float32)


def test_same_seed_same_photo_and_other_seed_other_photo() -> None:
    a, b, c = make_receipt(5, (800, 600)), make_receipt(5, (800, 600)), make_receipt(6, (800, 600))
    assert a.jpeg == b.jpeg
    assert np.array_equal(a.corners, b.corners)
    assert a.jpeg != c.jpeg
    assert not np.allclose(a.corners, c.corners)


def test_shapes_and_types(receipt: SyntheticReceipt) -> None:
    h, w = receipt.image.shape[:2]
    assert receipt.image.dtype == np.uint8 and receipt.image.shape == (h, w, 3)
    assert receipt.mask.dtype == bool and receipt.mask.shape == (h, w)
    assert receipt.corners.shape == (4, 2)
    assert receipt.words and all(word.quad.shape == (4, 2) and word.text for word in receipt.words)


@pytest.mark.parametrize("size", [(640, 480), (2000, 1500), (3000, 2200)])
def test_other_sizes(size: tuple[int, int]) -> None:
    r = make_receipt(3, size)
    assert r.image.shape == (size[1], size[0], 3)
    assert 0.24 <= r.mask.mean() <= 0.71


def test_image_is_exactly_the_decoded_jpeg(receipt: SyntheticReceipt) -> None:
    decoded = np.asarray(Image.open(io.BytesIO(receipt.jpeg)).convert("RGB"))  # Pillow, not OpenCV
    assert receipt.jpeg[:2] == b"\xff\xd8"
    assert np.array_equal(decoded, receipt.image)


def test_page_inside_frame_and_of_the_promised_size(receipt: SyntheticReceipt) -> None:
    h, w = receipt.mask.shape
    x, y = receipt.corners[:, 0], receipt.corners[:, 1]
    assert x.min() > 0 and y.min() > 0 and x.max() < w - 1 and y.max() < h - 1
    assert 0.24 <= receipt.mask.mean() <= 0.71
    assert not receipt.mask[0].any() and not receipt.mask[-1].any()


def test_corners_are_ordered_tl_tr_br_bl(receipt: SyntheticReceipt) -> None:
    tl, tr, br, bl = receipt.corners
    assert tl[0] < tr[0] and bl[0] < br[0]  # left corners left of right ones
    assert tl[1] < bl[1] and tr[1] < br[1]  # top corners above bottom ones
    sides = np.roll(receipt.corners, -1, axis=0) - receipt.corners
    cross = sides[:, 0] * np.roll(sides[:, 1], -1) - sides[:, 1] * np.roll(sides[:, 0], -1)
    assert (cross > 0).all()  # convex, clockwise on screen (y down)


def test_mask_is_the_corner_polygon(receipt: SyntheticReceipt) -> None:
    # Rasterise the corners independently (8 sub-pixel bits) and compare with the mask.
    poly = np.zeros(receipt.mask.shape, np.uint8)
    pts = np.round(receipt.corners * 256).astype(np.int32)
    cv2.fillPoly(poly, [pts], 1, lineType=cv2.LINE_8, shift=8)
    inter = (poly.astype(bool) & receipt.mask).sum()
    union = (poly.astype(bool) | receipt.mask).sum()
    assert inter / union > 0.995


def test_page_is_paper_and_background_is_not(receipt: SyntheticReceipt) -> None:
    inner = cv2.erode(receipt.mask.astype(np.uint8), np.ones((15, 15), np.uint8)).astype(bool)
    outer = ~cv2.dilate(receipt.mask.astype(np.uint8), np.ones((15, 15), np.uint8)).astype(bool)
    whiteness = receipt.image.min(axis=2)
    assert np.median(whiteness[inner]) > np.median(whiteness[outer]) + 20


def _flat_word(image: np.ndarray, quad: np.ndarray, margin: int) -> tuple[np.ndarray, int, int]:
    """The word's quad warped to an upright box with ``margin`` pixels around it (luma)."""
    bw = max(2, round(float(np.linalg.norm(quad[1] - quad[0]))))
    bh = max(2, round(float(np.linalg.norm(quad[3] - quad[0]))))
    m = margin
    dst = np.float32([[m, m], [m + bw, m], [m + bw, m + bh], [m, m + bh]])
    homography = cv2.getPerspectiveTransform(quad.astype(np.float32), dst)
    flat = cv2.warpPerspective(_luma(image), homography, (bw + 2 * margin, bh + 2 * margin))
    return flat, bw, bh


def test_word_boxes_are_tight_around_ink(receipt: SyntheticReceipt) -> None:
    margin = 3
    tight = 0
    for word in receipt.words:
        flat, bw, bh = _flat_word(receipt.image, word.quad, margin + 2)
        lo, hi = np.percentile(flat, 2), np.percentile(flat, 98)
        assert hi - lo > 60, f"no ink contrast in the box of {word.text!r}"
        dark = flat < (lo + hi) / 2
        box = dark[margin + 2 : margin + 2 + bh, margin + 2 : margin + 2 + bw]
        assert box.mean() > 0.08, f"box of {word.text!r} holds too little ink"
        # Outside the box (beyond a 2-pixel slack for interpolation and JPEG) there is no ink.
        ring = dark.copy()
        ring[2:-2, 2:-2] = False
        assert ring.mean() < 0.02, f"ink outside the box of {word.text!r}"
        # Each side of the box touches ink within 2 pixels.
        edges = [box[:2].any(), box[-2:].any(), box[:, :2].any(), box[:, -2:].any()]
        tight += all(edges)
    assert tight >= 0.95 * len(receipt.words)


def test_word_boxes_lie_on_the_page(receipt: SyntheticReceipt) -> None:
    page = receipt.corners.astype(np.float32).reshape(-1, 1, 2)
    for word in receipt.words:
        for x, y in word.quad:
            assert cv2.pointPolygonTest(page, (float(x), float(y)), False) > 0


def test_words_have_no_spaces_and_include_prices(receipt: SyntheticReceipt) -> None:
    texts = [w.text for w in receipt.words]
    assert all(" " not in t for t in texts)
    assert any(t.replace(".", "").isdigit() and "." in t for t in texts)


def test_write_samples(tmp_path) -> None:
    paths = write_samples(tmp_path / "data", 2, size=(640, 480))
    assert [p.name for p in paths] == ["receipt-00.jpg", "receipt-01.jpg"]
    assert paths[1].read_bytes() == make_receipt(1, (640, 480)).jpeg
    assert Image.open(paths[0]).size == (640, 480)
    assert sorted(p.name for p in (tmp_path / "data").iterdir()) == ["receipt-00.jpg", "receipt-01.jpg"]
