"""Each op against an independent computation — never against itself."""

import cv2
import numpy as np
import pytest
from PIL import Image, ImageOps

from ocr_playground.imaging.ops.autocontrast import AutocontrastParams, autocontrast
from ocr_playground.imaging.ops.binarize import BinarizeParams, binarize
from ocr_playground.imaging.ops.blur import BlurParams, blur
from ocr_playground.imaging.ops.grayscale import GrayscaleParams, grayscale
from ocr_playground.imaging.ops.resize import ResizeParams, resize

from images import photo


@pytest.mark.parametrize("cutoff", [0, 0.5, 2, 10, 33.3])
def test_autocontrast_equals_pillow(cutoff: float) -> None:
    image = (photo(seed=1) // 2 + 40).astype(np.uint8)  # a low-contrast photo, so the stretch matters
    expected = np.asarray(ImageOps.autocontrast(Image.fromarray(image), cutoff=cutoff))
    got = autocontrast(image, AutocontrastParams(cutoff=cutoff))
    assert np.array_equal(got, expected)


def test_autocontrast_keeps_alpha_and_handles_flat_channels() -> None:
    image = np.dstack([np.full((8, 8, 3), 77, np.uint8), np.arange(64, dtype=np.uint8).reshape(8, 8)])
    got = autocontrast(image, AutocontrastParams())
    assert np.array_equal(got, image)  # a flat channel has nothing to stretch; alpha passes through


@pytest.mark.parametrize(("k", "sigma"), [(3, 0), (5, 0), (7, 0), (9, 0), (15, 2.5), (31, 0)])
def test_blur_equals_opencv_gaussian(k: int, sigma: float) -> None:
    image = photo(seed=2)
    expected = cv2.GaussianBlur(image, (k, k), sigma, borderType=cv2.BORDER_REFLECT_101)
    got = blur(image, BlurParams(kernel_size=k, sigma=sigma))
    assert np.array_equal(got, expected)
    box = cv2.blur(image, (k, k), borderType=cv2.BORDER_REFLECT_101)
    assert not np.array_equal(got, box)  # a real Gaussian, not a box filter


def test_blur_keeps_the_alpha_mask_sharp() -> None:
    image = photo(seed=10)
    alpha = np.zeros(image.shape[:2], np.uint8)
    alpha[40:200, 60:260] = 255
    got = blur(np.dstack([image, alpha]), BlurParams(kernel_size=9))
    assert np.array_equal(got[:, :, 3], alpha)
    expected = cv2.GaussianBlur(image, (9, 9), 0, borderType=cv2.BORDER_REFLECT_101)
    assert np.array_equal(got[:, :, :3], expected)


def test_blur_sigma_zero_uses_the_size_rule() -> None:
    image = photo(seed=3)
    k = 11
    rule = 0.3 * ((k - 1) * 0.5 - 1) + 0.8
    explicit = blur(image, BlurParams(kernel_size=k, sigma=rule))
    derived = blur(image, BlurParams(kernel_size=k, sigma=0))
    assert np.abs(explicit.astype(int) - derived).max() <= 1


@pytest.mark.parametrize(("size", "max_side"), [((320, 240), 100), ((240, 320), 77), ((300, 200), 150)])
def test_resize_shrinks_by_area_average(size: tuple[int, int], max_side: int) -> None:
    image = photo(*size, seed=4)
    got = resize(image, ResizeParams(max_side=max_side))
    assert max(got.shape[:2]) == max_side
    expected = cv2.resize(image, (got.shape[1], got.shape[0]), interpolation=cv2.INTER_AREA)
    assert np.array_equal(got, expected)


def test_resize_integer_factor_is_the_block_mean() -> None:
    image = photo(320, 240, seed=5)
    got = resize(image, ResizeParams(max_side=160)).astype(np.float64)
    blocks = image.reshape(120, 2, 160, 2, 3).mean(axis=(1, 3))
    assert np.abs(got - blocks).max() <= 0.5 + 1e-9


def test_resize_grows_bilinearly_and_keeps_aspect() -> None:
    image = photo(100, 50, seed=6)
    got = resize(image, ResizeParams(max_side=301))
    assert got.shape == (151, 301, 3)  # 50 * 301 / 100 = 150.5 rounds half up
    expected = cv2.resize(image, (301, 151), interpolation=cv2.INTER_LINEAR)
    assert np.array_equal(got, expected)


def test_grayscale_is_bt601_rounded() -> None:
    image = photo(seed=7)
    got = grayscale(image, GrayscaleParams())
    r, g, b = (image[:, :, i].astype(np.float64) for i in range(3))
    expected = 0.299 * r + 0.587 * g + 0.114 * b
    assert got.shape == image.shape
    assert np.array_equal(got[:, :, 0], got[:, :, 1]) and np.array_equal(got[:, :, 1], got[:, :, 2])
    # Rounded to the nearest level; fixed-point weights may tip a value sitting on .5 the other way.
    assert np.abs(got[:, :, 0] - expected).max() <= 0.51
    rgba = np.dstack([image, image[:, :, 0]])
    assert np.array_equal(grayscale(rgba, GrayscaleParams()), np.dstack([got, image[:, :, 0]]))


def test_binarize_otsu_equals_opencv_threshold() -> None:
    image = photo(seed=8)
    gray = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
    _, expected = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    got = binarize(image, BinarizeParams())
    assert set(np.unique(got)) <= {0, 255}
    assert np.array_equal(got[:, :, 0], expected)
    # Otsu's threshold separates the two classes: recompute it by brute force on the histogram.
    hist = np.bincount(gray.ravel(), minlength=256).astype(np.float64)
    levels = np.arange(256)
    best = max(
        range(1, 255),
        key=lambda t: (
            hist[: t + 1].sum()
            * hist[t + 1 :].sum()
            * (
                (levels[: t + 1] * hist[: t + 1]).sum() / max(hist[: t + 1].sum(), 1)
                - (levels[t + 1 :] * hist[t + 1 :]).sum() / max(hist[t + 1 :].sum(), 1)
            )
            ** 2
        ),
    )
    assert np.array_equal(got[:, :, 0] == 255, gray > best)


def test_binarize_adaptive_is_local_mean_minus_c() -> None:
    image = photo(seed=9)
    gray = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY).astype(np.float64)
    got = binarize(image, BinarizeParams(method="adaptive", block_size=15, C=5))
    mean = cv2.blur(gray, (15, 15), borderType=cv2.BORDER_REPLICATE)
    decided = np.abs(gray - (mean - 5)) > 0.5  # leave pixels on the rounding edge out
    assert np.array_equal((got[:, :, 0] == 255)[decided], (gray > mean - 5)[decided])
