"""The page finder on the scenes where a single cue fails, on images with no page, and what the ops
and the CLI report about it. The scenes are drawn here (imaging/scenes.py), not read from disk."""

import json
import subprocess
import sys

import numpy as np
import pytest

from ocr_playground.imaging.ops.crop_document import CropDocumentParams, crop_document
from ocr_playground.imaging.page.finder import NO_PAGE, find_page
from ocr_playground.imaging.pipeline import run_pipeline
from ocr_playground.imaging.scenes import make_scene

from receipts import png

SEEDS = (0, 1, 2)


def corner_error(found: np.ndarray | None, truth: np.ndarray, shape: tuple[int, ...]) -> float:
    """Largest corner distance as a share of the image diagonal (inf when nothing was found)."""
    if found is None:
        return float("inf")
    return float(np.hypot(*(found.astype(np.float64) - truth).T).max() / np.hypot(*shape[:2]))


def _assert_found(kind: str, seed: int) -> None:
    scene = make_scene(kind, seed)
    finding = find_page(scene.image)
    assert corner_error(finding.quad, scene.corners, scene.image.shape) <= 0.02, f"{kind} seed {seed}"
    assert 0.5 <= finding.confidence <= 1.0


@pytest.mark.parametrize("seed", SEEDS)
def test_light_page_on_a_light_table(seed: int) -> None:
    _assert_found("light_on_light", seed)


@pytest.mark.parametrize("seed", SEEDS)
def test_page_among_clutter_a_card_a_cable_and_a_coaster(seed: int) -> None:
    _assert_found("clutter", seed)


@pytest.mark.parametrize("seed", SEEDS)
def test_page_beside_glare_brighter_than_the_paper(seed: int) -> None:
    _assert_found("glare", seed)


@pytest.mark.parametrize("seed", SEEDS)
def test_card_held_in_a_hand(seed: int) -> None:
    _assert_found("hand_held", seed)


@pytest.mark.parametrize("kind", ["table", "wall", "full_frame_scan"])
@pytest.mark.parametrize("seed", SEEDS)
def test_no_page_found_where_there_is_none(kind: str, seed: int) -> None:
    scene = make_scene(kind, seed)
    finding = find_page(scene.image)
    assert finding.quad is None
    assert finding.report() == {"quad": None, "confidence": finding.report()["confidence"], "note": NO_PAGE}
    # crop_document gives the image back unchanged; background_removal keeps every pixel.
    assert np.array_equal(crop_document(scene.image, CropDocumentParams()), scene.image)
    result = run_pipeline("preprocessing", scene.image, {"background_removal": True})
    assert (result.image[:, :, 3] == 255).all()
    assert np.array_equal(result.image[:, :, :3], scene.image)
    assert result.reports["background_removal"]["note"] == NO_PAGE


def test_both_ops_report_the_same_page_in_input_pixels() -> None:
    scene = make_scene("clutter", 4)
    result = run_pipeline("rembg", scene.image, {})
    report = result.reports["background_removal"]
    assert corner_error(np.array(report["quad"]), scene.corners, scene.image.shape) <= 0.02
    crop = run_pipeline("preprocessing", scene.image, {"crop_document": True}).reports["crop_document"]
    assert crop == report
    assert set(report) == {"quad", "confidence"}


def test_background_mask_follows_the_quad() -> None:
    scene = make_scene("hand_held", 5)
    alpha = run_pipeline("rembg", scene.image, {}).image[:, :, 3]
    import cv2

    truth = np.zeros(scene.image.shape[:2], np.uint8)
    cv2.fillPoly(truth, [np.round(scene.corners * 16).astype(np.int32)], 1, shift=4)
    a, b = alpha >= 128, truth.astype(bool)
    assert (a & b).sum() / (a | b).sum() >= 0.95


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ocr_playground", *args], capture_output=True, text=True, timeout=120
    )


def test_cli_run_writes_the_report(tmp_path) -> None:
    scene = make_scene("light_on_light", 6)
    src = tmp_path / "page.png"
    src.write_bytes(png(scene.image))
    params = json.dumps({"crop_document": True, "background_removal": True})
    done = _cli(
        "run",
        str(src),
        "--params",
        params,
        "-o",
        str(tmp_path / "out.png"),
        "--report",
        str(tmp_path / "r.json"),
    )
    assert done.returncode == 0, done.stderr
    report = json.loads((tmp_path / "r.json").read_text())
    crop = report["ops"]["crop_document"]
    assert len(crop["quad"]) == 4 and all(len(p) == 2 for p in crop["quad"])
    assert corner_error(np.array(crop["quad"]), scene.corners, scene.image.shape) <= 0.02
    assert 0.5 <= crop["confidence"] <= 1
    assert "background_removal" in report["ops"]  # it ran on the cropped page


def test_cli_says_when_no_page_was_found(tmp_path) -> None:
    scene = make_scene("wall", 1)
    src = tmp_path / "wall.png"
    src.write_bytes(png(scene.image))
    done = _cli(
        "run",
        str(src),
        "--params",
        '{"crop_document": true}',
        "-o",
        str(tmp_path / "o.png"),
        "--report",
        str(tmp_path / "r.json"),
    )
    assert done.returncode == 0
    assert f"crop_document: {NO_PAGE}" in done.stderr
    assert json.loads((tmp_path / "r.json").read_text())["ops"]["crop_document"]["quad"] is None


def test_reports_are_in_the_input_images_pixels_after_resize_and_crop() -> None:
    scene = make_scene("clutter", 7, size=(1200, 900))
    alone = find_page(scene.image).report()["quad"]
    params = {"resize": {"maxSide": 600}, "crop_document": True, "background_removal": True}
    reports = run_pipeline("preprocessing", scene.image, params).reports
    # Found at half size, mapped back: within a couple of input pixels of the full-size finding.
    assert np.abs(np.array(reports["crop_document"]["quad"]) - alone).max() <= 3.0
    # background_removal ran on the cropped page: its page is (nearly) the whole crop, which maps
    # back onto the same quad, or it found no page in the crop.
    bg = reports["background_removal"]
    if bg["quad"] is not None:
        assert np.abs(np.array(bg["quad"]) - alone).max() <= 0.03 * 1500
