"""Parity: the TypeScript kernels the browser workers run against the Python ops, on the same
generated images. Tolerances are the issue's: grayscale and autocontrast within 1 level everywhere;
blur and resize within 2 levels with a mean difference ≤ 0.5; masks IoU ≥ 0.99; corners within 1 px.
"""

import os
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from ocr_playground.imaging.pipeline import run_pipeline
from ocr_playground.imaging.registry import OPS

from images import photo
from strict import cannot_run
from ts_kernels import ensure_bundle, run_probe, run_ts, to_rgba


@pytest.fixture(scope="module", autouse=True)
def bundle() -> None:
    reason = ensure_bundle()
    if reason:
        cannot_run(f"cannot run the TypeScript kernels: {reason}")


def with_alpha_ramp(image: np.ndarray) -> np.ndarray:
    """RGBA with a varying alpha, so an op that touches alpha by mistake shows it."""
    h, w = image.shape[:2]
    alpha = (np.add.outer(np.arange(h), np.arange(w)) % 256).astype(np.uint8)
    return np.dstack([image, alpha])


IMAGES = {
    "photo": lambda: photo(211, 157, seed=3),
    "low-contrast": lambda: (photo(180, 240, seed=4) // 3 + 60).astype(np.uint8),
    "tiny": lambda: photo(5, 3, seed=5),
}


def python_op(image: np.ndarray, op: str, params: dict[str, Any]) -> np.ndarray:
    spec = OPS[op]
    return spec.apply(image, spec.params.model_validate(params))


def diff(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    assert a.shape == b.shape, f"shapes differ: {a.shape} vs {b.shape}"
    return np.abs(a.astype(np.int16) - b.astype(np.int16))


@pytest.mark.parametrize("name", IMAGES)
@pytest.mark.parametrize(
    ("op", "params", "max_level", "max_mean"),
    [
        ("grayscale", {}, 1, 1.0),
        ("autocontrast", {}, 1, 1.0),
        ("autocontrast", {"cutoff": 2.5}, 1, 1.0),
        ("autocontrast", {"cutoff": 30}, 1, 1.0),
        ("blur", {"kernelSize": 3}, 2, 0.5),
        ("blur", {"kernelSize": 5}, 2, 0.5),
        ("blur", {"kernelSize": 9, "sigma": 0}, 2, 0.5),
        ("blur", {"kernelSize": 15, "sigma": 3.5}, 2, 0.5),
        ("blur", {"kernelSize": 31}, 2, 0.5),
        ("resize", {"maxSide": 64}, 2, 0.5),  # area, fractional factor
        ("resize", {"maxSide": 100}, 2, 0.5),
        ("resize", {"maxSide": 500}, 2, 0.5),  # bilinear, growing
    ],
)
def test_rgb_ops_match(name: str, op: str, params: dict[str, Any], max_level: int, max_mean: float) -> None:
    rgb = IMAGES[name]()
    image = with_alpha_ramp(rgb)
    ts, _ = run_ts(image, {"op": op, "params": params})
    # RGB in, so the Python op is compared on colour alone; alpha is checked on the TS side below.
    py = to_rgba(python_op(rgb, op, params))
    d = diff(ts[:, :, :3], py[:, :, :3])
    assert d.max() <= max_level, f"{op} {params} on {name}: max diff {d.max()}"
    assert d.mean() <= max_mean, f"{op} {params} on {name}: mean diff {d.mean():.3f}"
    if op != "resize":
        assert np.array_equal(ts[:, :, 3], image[:, :, 3]), "alpha must pass through untouched"


def test_resize_with_an_integer_factor_is_a_box_average() -> None:
    rgb = photo(256, 128, seed=6)
    ts, _ = run_ts(rgb, {"op": "resize", "params": {"maxSide": 64}})
    py = to_rgba(python_op(rgb, "resize", {"maxSide": 64}))
    d = diff(ts[:, :, :3], py[:, :, :3])
    assert d.max() <= 1 and d.mean() <= 0.5


@pytest.mark.parametrize("name", IMAGES)
@pytest.mark.parametrize(
    "params",
    [
        {"method": "otsu"},
        {"method": "adaptive", "blockSize": 31, "C": 10},
        {"method": "adaptive", "blockSize": 3, "C": 0},
        {"method": "adaptive", "blockSize": 11, "C": -4.5},
    ],
)
def test_binarize_matches_exactly(name: str, params: dict[str, Any]) -> None:
    rgb = IMAGES[name]()
    ts, _ = run_ts(rgb, {"op": "binarize", "params": params})
    py = to_rgba(python_op(rgb, "binarize", params))
    # Both sides compute the same integer luma and thresholds: no pixel may differ.
    assert np.array_equal(ts[:, :, :3], py[:, :, :3])


@pytest.mark.parametrize(
    "params",
    [
        {
            "resize": {"maxSide": 160},
            "grayscale": True,
            "autocontrast": {"cutoff": 1},
            "blur": {"kernelSize": 5},
        },
        {"autocontrast": True, "blur": {"kernelSize": 7, "sigma": 1.2}},
        {
            "resize": {"maxSide": 120},
            "blur": {"kernelSize": 3},
            "binarize": {"method": "adaptive", "blockSize": 15, "C": 5},
        },
    ],
)
def test_pipeline_matches(params: dict[str, Any]) -> None:
    rgb = photo(240, 180, seed=7)
    ts, _ = run_ts(rgb, {"pipeline_id": "preprocessing", "params": params})
    py = to_rgba(run_pipeline("preprocessing", rgb, params).image)
    d = diff(ts[:, :, :3], py[:, :, :3])
    if "binarize" in params:
        # Upstream 1-level differences may flip a pixel sitting on the threshold.
        assert (d > 0).mean() <= 0.002
    else:
        assert d.max() <= 2 and d.mean() <= 0.5


def _receipt(seed: int, size: tuple[int, int] = (640, 480)) -> np.ndarray:
    from ocr_playground.imaging.synthetic import make_receipt

    return make_receipt(seed=seed, size=size).image


@pytest.mark.parametrize("seed", [0, 1, 2, 5])
@pytest.mark.parametrize("strength", [1.0, 0.6])
def test_background_removal_mask_and_blend_match(seed: int, strength: float) -> None:
    from ocr_playground.imaging.ops.background_removal import page_mask

    rgb = _receipt(seed)
    ts, _ = run_ts(rgb, {"op": "background_removal", "params": {"strength": strength}})
    want_alpha = page_mask(rgb)
    a, b = ts[:, :, 3] >= 128, want_alpha >= 128
    assert (a & b).sum() / max(1, (a | b).sum()) >= 0.99, "page masks differ (IoU < 0.99)"
    assert np.abs(ts[:, :, 3].astype(int) - want_alpha).max() <= 1
    py = python_op(rgb, "background_removal", {"strength": strength})
    d = diff(ts[:, :, :3], py[:, :, :3])
    assert d.max() <= 1 and d.mean() <= 0.5


@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4, 6])
def test_crop_document_corners_within_a_pixel(seed: int) -> None:
    from ocr_playground.imaging.ops.crop_document import find_page_quad

    rgb = _receipt(seed)
    probe = run_probe(rgb, "page_quad")
    want = find_page_quad(rgb)
    # Every one of these receipts has a findable page: a quad missing on both sides must fail.
    assert want is not None and probe["corners"] is not None
    got = np.array(probe["corners"], np.float64)
    assert np.abs(got - want).max() <= 1.0
    ts, _ = run_ts(rgb, {"op": "crop_document"})
    py = to_rgba(python_op(rgb, "crop_document", {}))
    assert ts.shape == py.shape
    d = diff(ts[:, :, :3], py[:, :, :3])
    # OpenCV warps with 1/32-pixel fixed-point weights, the worker in floating point.
    assert d.mean() <= 1.0


# ``../shared/real`` beside the checkout, or wherever OCRP_REAL_DIR points (a worktree elsewhere).
REAL_ROOT = Path(os.environ.get("OCRP_REAL_DIR") or Path(__file__).resolve().parents[2] / "shared" / "real")
REAL_PHOTOS = REAL_ROOT / "corners" / "images"


def _real_photos() -> list[str]:
    return sorted(p.name for p in REAL_PHOTOS.glob("*.jpg")) if REAL_PHOTOS.is_dir() else ["(missing)"]


@pytest.mark.slow
@pytest.mark.parametrize("name", _real_photos())
def test_page_finder_agrees_on_real_photos(name: str) -> None:
    # The development photos live beside the checkout (never in it). A clone without them skips
    # with the reason, even under OCRP_STRICT: their absence is the data's, not a broken setup.
    if not REAL_PHOTOS.is_dir():
        pytest.skip(f"real photos not found at {REAL_PHOTOS}")
    from ocr_playground.imaging.io import decode_image
    from ocr_playground.imaging.ops.background_removal import page_mask
    from ocr_playground.imaging.page.finder import find_page

    rgb = decode_image((REAL_PHOTOS / name).read_bytes())
    want = find_page(rgb)
    probe = run_probe(rgb, "page_quad")
    assert (want.quad is None) == (probe["corners"] is None), f"{name}: one engine found no page"
    if want.quad is not None:
        assert np.abs(np.array(probe["corners"], np.float64) - want.quad).max() <= 1.0
    assert probe["report"]["confidence"] == pytest.approx(want.confidence, abs=0.01)
    ts, _ = run_ts(rgb, {"op": "background_removal", "params": {}})
    a, b = ts[:, :, 3] >= 128, page_mask(rgb) >= 128
    assert (a & b).sum() / max(1, (a | b).sum()) >= 0.99, f"{name}: page masks differ (IoU < 0.99)"
