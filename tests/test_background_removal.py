"""background_removal: accuracy on synthetic receipts, the blend, and each step against an
independent computation."""

import cv2
import numpy as np
import pytest
from pydantic import ValidationError

from ocr_playground.imaging.ops import background_removal as br
from ocr_playground.imaging.ops.background_removal import (
    OP,
    BackgroundRemovalParams,
    background_removal,
    page_mask,
)
from ocr_playground.imaging.page import mask, region

from receipts import ACCURACY_SEEDS, accuracy_receipt

SEEDS = ACCURACY_SEEDS
receipt = accuracy_receipt


def iou(a: np.ndarray, b: np.ndarray) -> float:
    return float((a & b).sum() / (a | b).sum())


@pytest.mark.slow
def test_mask_accuracy_on_synthetic_receipts() -> None:
    ious = [iou(page_mask(receipt(s).image) >= 128, receipt(s).mask) for s in SEEDS]
    median, worst = float(np.median(ious)), min(ious)
    print(f"\nbackground_removal mask IoU on {len(ious)} receipts: median {median:.4f}, worst {worst:.4f}")
    assert median >= 0.95
    assert worst >= 0.85


def test_op_output_is_rgba_with_the_mask_as_alpha() -> None:
    r = receipt(1)
    out = background_removal(r.image, BackgroundRemovalParams())
    assert out.dtype == np.uint8 and out.shape == (*r.image.shape[:2], 4)
    assert iou(out[:, :, 3] >= 128, r.mask) > 0.95
    assert np.array_equal(out[:, :, 3], page_mask(r.image))


def test_strength_zero_leaves_rgb_untouched() -> None:
    r = receipt(4)
    out = background_removal(r.image, BackgroundRemovalParams(strength=0.0))
    assert np.array_equal(out[:, :, :3], r.image)


def test_strength_one_makes_background_white_and_keeps_the_page() -> None:
    r = receipt(4)
    out = background_removal(r.image, BackgroundRemovalParams(strength=1.0))
    alpha = out[:, :, 3]
    assert (out[alpha == 0, :3] == 255).all()
    assert np.array_equal(out[alpha == 255, :3], r.image[alpha == 255])
    # Far from the page (by the ground truth) the photo is white.
    far = ~cv2.dilate(r.mask.astype(np.uint8), np.ones((61, 61), np.uint8)).astype(bool)
    assert (out[far, :3] == 255).mean() > 0.99


def test_blend_matches_the_documented_formula() -> None:
    rng = np.random.default_rng(3)
    rgb = rng.integers(0, 256, (64, 80, 3), dtype=np.uint8)
    alpha = rng.integers(0, 256, (64, 80), dtype=np.uint8)
    for strength in (0.25, 0.5, 0.85):
        got = br.blend_to_white(rgb, alpha, strength).astype(np.float64)
        b = np.round(strength * (255.0 - alpha))[:, :, None]
        want = rgb + np.round((255.0 - rgb) * b / 255.0)
        assert np.abs(got - want).max() <= 1  # OpenCV rounds half to even


def test_rgba_input_gets_its_alpha_replaced() -> None:
    r = receipt(2)
    rgba = np.dstack([r.image, np.full(r.image.shape[:2], 7, np.uint8)])
    out = background_removal(rgba, BackgroundRemovalParams(strength=0.5))
    assert out.shape[2] == 4
    assert np.array_equal(out, background_removal(r.image, BackgroundRemovalParams(strength=0.5)))


@pytest.mark.parametrize(
    "shape", [(600, 800, 3), (7, 5, 3), (1, 1, 3), (513, 1025, 3), (1, 2000, 3), (3, 1600, 3)]
)
def test_noise_and_odd_sizes_do_not_crash(shape: tuple[int, int, int]) -> None:
    noise = np.random.default_rng(0).integers(0, 256, shape, dtype=np.uint8)
    out = background_removal(noise, BackgroundRemovalParams(strength=0.7))
    assert out.shape == (*shape[:2], 4)


def test_params_model() -> None:
    assert BackgroundRemovalParams.model_validate({"strength": 0.85}).strength == 0.85
    assert BackgroundRemovalParams().strength == 1.0
    for bad in ({"strength": 1.5}, {"strength": -0.1}, {"strenght": 1}):
        with pytest.raises(ValidationError):
            BackgroundRemovalParams.model_validate(bad)
    schema = OP.json_schema()
    assert schema["properties"]["strength"]["maximum"] == 1.0
    assert OP.name == "background_removal" and "rembg" in OP.aliases


# --- the steps, each against an independent computation ------------------------------------------


@pytest.mark.parametrize(("height", "width", "factor"), [(90, 120, 3), (1500, 2000, 4), (1303, 1799, 6)])
def test_block_mean_is_the_exact_rounded_block_mean(height: int, width: int, factor: int) -> None:
    rgb = np.random.default_rng(factor).integers(0, 256, (height, width, 3), dtype=np.uint8)
    h, w = height // factor, width // factor
    sums = rgb[: h * factor, : w * factor].reshape(h, factor, w, factor, 3).sum(axis=(1, 3))
    want = np.floor(sums / factor**2 + 0.5)
    assert np.array_equal(region.block_mean(rgb, factor), want)


def test_working_factor() -> None:
    sizes = [(300, 400), (384, 512), (384, 513), (1500, 2000), (2200, 3000), (1, 2000), (3, 1600)]
    assert [region.working_factor(h, w) for h, w in sizes] == [1, 1, 2, 4, 6, 1, 3]


def test_score_is_brightness_times_one_minus_saturation() -> None:
    means = np.random.default_rng(1).integers(1, 256, (50, 60, 3))
    v = means.max(axis=2).astype(np.float64)
    s = (v - means.min(axis=2)) / v
    assert np.array_equal(region.page_score(means), np.round(v * (1 - s)).astype(np.uint8))


def test_otsu_matches_opencv() -> None:
    rng = np.random.default_rng(5)
    for _ in range(20):
        a, b = rng.integers(20, 120), rng.integers(140, 240)
        img = np.concatenate([rng.normal(a, 15, 3000), rng.normal(b, 20, rng.integers(500, 5000))])
        img = np.clip(img, 0, 255).astype(np.uint8).reshape(1, -1)
        want, _ = cv2.threshold(img, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
        assert region.otsu_threshold(np.bincount(img.ravel(), minlength=256)) == int(want)
    assert region.otsu_threshold(np.bincount(np.full(10, 77), minlength=256)) == 0


def test_flatten_light_removes_a_smooth_light_gradient() -> None:
    h, w = 300, 400
    y, x = np.mgrid[0:h, 0:w]
    light = 1.0 - 0.4 * x / (w - 1) - 0.2 * y / (h - 1)  # bilinear light, 40 % darker at one end
    surface = np.round(180 * light).astype(np.uint8)
    flat = region.flatten_light(surface)
    assert surface.max() - surface.min() > 70
    # 72 grey levels of light falloff shrink to a few (patch percentiles sit a little below centre).
    assert flat.max() - flat.min() <= 6
    assert abs(int(np.median(flat)) - 180) <= 8


def test_fill_holes_fills_enclosed_regions_only() -> None:
    mask = np.zeros((40, 40), bool)
    mask[5:30, 5:30] = True
    mask[10:20, 10:20] = False  # a hole
    mask[0:40, 34:40] = True
    mask[15:25, 36:40] = False  # a notch open to the border
    filled = region.fill_holes(mask)
    assert filled[10:20, 10:20].all()
    assert not filled[15:25, 36:40].any()
    assert filled.sum() == mask.sum() + 100


def test_largest_component_keeps_one_8_connected_blob() -> None:
    mask = np.zeros((30, 30), bool)
    mask[2:6, 2:6] = True  # 16 pixels
    mask[10:14, 10:14] = True
    mask[14:20, 14:20] = True  # touches the previous one diagonally: 16 + 36 pixels
    out = region.largest_component(mask)
    assert out.sum() == 52 and not out[2:6, 2:6].any()
    assert not region.largest_component(np.zeros((5, 5), bool)).any()


def test_soft_mask_upsampling_convention() -> None:
    # A working mask with one true column: at full resolution the 0.5 crossing sits where the
    # documented mapping (X + 0.5) / f − 0.5 puts it.
    working = region.WorkingMask(mask=np.zeros((10, 10), bool), factor=4, image_size=(42, 41))
    working.mask[:, 5:] = True
    alpha = mask.soft_mask(working)
    assert alpha.shape == (41, 42)
    row = alpha[20].astype(int)
    # Feathered edge at working x = 4.5, i.e. full-res X = (4.5 + 0.5) · 4 − 0.5 = 19.5.
    assert row[19] < 128 <= row[20]
    assert row[19] + row[20] == pytest.approx(255, abs=2)
    assert (row[40:] == row[39]).all()  # the unanalysed last columns repeat the last one
