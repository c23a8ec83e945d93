"""The Preprocessing Studio in a real Chromium against a real server: open a generated receipt,
switch each op on and check the canvas equals the Python result for the same params (and the
browser's cache key equals the server's); drag a slider 30 times in a second and check the queue
never holds more than 2 and the last picture is the last params' result.
"""

import json
import os
import shlex
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest

from ocr_playground.cachekey import cache_key
from ocr_playground.imaging.io import decode_image, encode_png
from ocr_playground.imaging.pipeline import run_pipeline
from ocr_playground.imaging.synthetic import make_receipt
from ocr_playground.settings import Settings

from browser import ARTIFACTS, chromium_page, e2e_server, open_studio, read_canvas
from browser import studio_defaults as defaults

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

# The tolerances of the parity suite; binarize is a threshold, so it is counted in flipped pixels.
LEVELS = {"grayscale": 1, "autocontrast": 1, "blur": 2, "resize": 2}


def receipt_png() -> bytes:
    return encode_png(make_receipt(seed=3, size=(720, 540)).image)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root: Path = tmp_path_factory.mktemp("e2e")
    with e2e_server(Settings(data_root=root / "data", outputs_root=root / "outputs")) as base:
        yield base


@pytest.fixture(scope="module")
def image_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("img") / "receipt.png"
    path.write_bytes(receipt_png())
    return path


def set_only(page, op: str | None, ops: list[str]) -> None:
    for name in ops:
        box = page.get_by_label(f"{name} enabled")
        if box.is_checked() != (name == op):
            box.click()


def wait_for_key(page, key: str) -> None:
    page.locator(f'[data-testid="result-canvas"][data-cache-key="{key}"]').wait_for(timeout=20_000)


def python_result(image_bytes: bytes, params: dict[str, Any]) -> np.ndarray:
    return run_pipeline("preprocessing", decode_image(image_bytes), params).image


def assert_close(op: str, got: np.ndarray, want: np.ndarray) -> None:
    assert got.shape[:2] == want.shape[:2], f"{op}: size {got.shape[:2]} vs {want.shape[:2]}"
    rgb_got, rgb_want = got[:, :, :3].astype(np.int16), want[:, :, :3].astype(np.int16)
    if op == "background_removal":
        # The canvas stores premultiplied alpha, so colour is only exact where the page is opaque.
        a, b = got[:, :, 3] >= 128, want[:, :, 3] >= 128
        assert (a & b).sum() / max(1, (a | b).sum()) >= 0.99, f"{op}: masks differ"
        opaque = (got[:, :, 3] == 255) & (want[:, :, 3] == 255)
        assert np.abs(rgb_got - rgb_want)[opaque].max() <= 1
        return
    d = np.abs(rgb_got - rgb_want)
    if op in LEVELS:
        assert d.max() <= LEVELS[op], f"{op}: max diff {d.max()}"
        assert d.mean() <= 0.5, f"{op}: mean diff {d.mean():.3f}"
    elif op == "crop_document":
        # Same corners; OpenCV warps with 1/32-pixel fixed-point weights, the worker in floats.
        assert d.mean() <= 1.0, f"{op}: mean diff {d.mean():.3f}"
    else:
        assert (d > 0).mean() <= 0.002, f"{op}: {(d > 0).mean():.2%} of pixels differ"


def test_each_op_changes_the_canvas_and_equals_python(server: str, image_file: Path) -> None:
    image_bytes = image_file.read_bytes()
    original = decode_image(image_bytes)
    pipelines = httpx.get(f"{server}/api/pipelines").json()["pipelines"]
    ops = next(p["ops"] for p in pipelines if p["id"] == "preprocessing")
    assert {"background_removal", "crop_document", "blur"} <= set(ops)
    with chromium_page() as page:
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        open_studio(page, server, image_file)
        for op in ops:
            set_only(page, op, ops)
            params = {op: defaults(op)}
            wait_for_key(page, cache_key("preprocessing", image_bytes, params))
            got = read_canvas(page, '[data-testid="result-canvas"]')
            want = python_result(image_bytes, params)
            if got.shape[:2] == original.shape[:2]:
                assert not np.array_equal(got[:, :, :3], original), f"{op} did not change the picture"
            assert_close(op, got, want)
            # Chromium has WebAssembly SIMD: every op runs in its SIMD form.
            engine = page.locator(f'table[aria-label="Per-op timings"] tr[data-op="{op}"]').get_attribute(
                "data-engine"
            )
            assert engine == "simd", f"{op} ran its {engine} kernel"
        page.screenshot(path=str(ARTIFACTS / "studio-ops.png"))
        assert not errors, errors


def test_slider_drag_keeps_the_queue_short_and_ends_on_the_last_params(server: str, image_file: Path) -> None:
    image_bytes = image_file.read_bytes()
    with chromium_page() as page:
        open_studio(page, server, image_file)
        page.get_by_label("blur enabled").click()
        slider = page.get_by_label("blur sigma")
        slider.focus()
        for _ in range(30):  # 30 moves in about a second
            page.keyboard.press("ArrowRight")
            page.wait_for_timeout(33)
        sigma = float(slider.input_value())
        assert sigma > 0
        params = {"blur": {**defaults("blur"), "sigma": sigma}}
        key = cache_key("preprocessing", image_bytes, params)
        wait_for_key(page, key)
        depth = page.get_by_test_id("queue-depth")
        assert int(depth.get_attribute("data-max-depth")) <= 2
        got = read_canvas(page, '[data-testid="result-canvas"]')
        assert_close("blur", got, python_result(image_bytes, params))
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "studio-slider.png"))
        (ARTIFACTS / "studio-slider.json").write_text(json.dumps({"params": params, "cache_key": key}))


def test_the_exported_cli_command_runs_what_the_studio_shows(server: str, tmp_path: Path) -> None:
    # An image under the server's data root, so the command names a file the CLI can read.
    data_root = Path(httpx.get(f"{server}/api/images").json()["data_root"])
    (data_root / "receipts").mkdir(parents=True, exist_ok=True)
    image_bytes = receipt_png()
    (data_root / "receipts" / "export me.png").write_bytes(image_bytes)
    with chromium_page() as page:
        page.context.grant_permissions(["clipboard-read", "clipboard-write"])
        page.goto(server + "/")
        page.get_by_label("grayscale enabled").wait_for()
        page.get_by_label("server image").select_option("receipts/export me.png")
        page.get_by_test_id("image-name").filter(has_text="export me.png").wait_for()
        page.get_by_label("blur enabled").click()
        params = {"blur": defaults("blur")}
        wait_for_key(page, cache_key("preprocessing", image_bytes, params))
        page.get_by_test_id("export").locator("summary").click()
        page.get_by_role("button", name="Copy params JSON").click()
        assert json.loads(page.evaluate("navigator.clipboard.readText()")) == params
        page.get_by_role("button", name="Copy CLI command (run)").click()
        command = page.evaluate("navigator.clipboard.readText()")
        assert command == page.get_by_test_id("export-CLI command (run)").text_content()
        batch = page.get_by_test_id("export-CLI command (batch)").text_content() or ""
        got = read_canvas(page, '[data-testid="result-canvas"]')
    assert shlex.split(batch)[:5] == [
        "ocr-playground",
        "batch",
        str(data_root / "receipts"),
        "--pipeline",
        "preprocessing",
    ]
    # The copied line, run by a shell: the CLI writes what the canvas shows.
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    run = subprocess.run(
        ["sh", "-c", command], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stderr
    written = decode_image((tmp_path / "export me-out.png").read_bytes())
    assert np.array_equal(written, python_result(image_bytes, params))
    assert_close("blur", got, written)
