"""A 4032×3024 phone photo in the Studio, in a real Chromium against a real server: it opens in
the browser's workers on a 1/2-scale proxy with the label saying so (no server job), a slider drag
repaints while it goes on and ends on the exact final params, Download PNG gives the server's
full-resolution result, and a crop keeps its own aspect ratio in the split view.
"""

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest

from ocr_playground.imaging.io import decode_image
from ocr_playground.imaging.pipeline import run_pipeline
from ocr_playground.imaging.synthetic import make_receipt
from ocr_playground.settings import Settings

from browser import ARTIFACTS, chromium_page, e2e_server, open_studio, read_canvas
from browser import studio_defaults as defaults

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

CANVAS = '[data-testid="result-canvas"]'
SIZE = (4032, 3024)
PROXY_SIDE = 2016  # the long side halved: the proxy the workers hold

# Every change of the canvas's params, recorded in the page: what was painted, in order.
RECORD_PAINTS_JS = """() => {
  const canvas = document.querySelector('[data-testid="result-canvas"]');
  window.__painted = [];
  new MutationObserver(() => window.__painted.push(canvas.dataset.params))
    .observe(canvas, { attributes: true, attributeFilter: ['data-params'] });
}"""


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("phone")


@pytest.fixture(scope="module")
def server(root: Path) -> Iterator[str]:
    with e2e_server(Settings(data_root=root / "data", outputs_root=root / "outputs")) as base:
        yield base


@pytest.fixture(scope="module")
def phone(root: Path) -> Path:
    path = root / "phone-photo.jpeg"
    path.write_bytes(make_receipt(seed=11, size=SIZE).jpeg)
    return path


def wait_for_params(page, params: dict[str, Any]) -> None:
    """Until the picture shows these params (compared as JS values: Python's 0.0 is JS's 0)."""
    page.wait_for_function(
        "want => { const c = document.querySelector('[data-testid=\"result-canvas\"]');"
        " return !!c && !!c.dataset.params && c.dataset.params === JSON.stringify(want); }",
        arg=params,
        timeout=60_000,
    )


def proxy_of(image: np.ndarray) -> np.ndarray:
    """The proxy as the browser makes it: the resize op (area average) to half the long side."""
    return run_pipeline("preprocessing", image, {"resize": {"maxSide": PROXY_SIDE}}).image


def test_a_phone_photo_opens_in_the_workers_on_a_proxy_with_the_label_shown(server: str, phone: Path) -> None:
    with chromium_page() as page:
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        open_studio(page, server, phone)
        label = page.get_by_test_id("proxy-label")
        label.wait_for(timeout=60_000)
        assert "Preview at 1/2 scale" in label.inner_text() and "2016×1512" in label.inner_text()
        page.get_by_label("grayscale enabled").click()
        wait_for_params(page, {"grayscale": defaults("grayscale")})
        line = page.locator('[data-testid="route-line"][data-phase="done"]')
        assert line.get_attribute("data-backend") == "client-workers"
        assert "1/2-scale copy" in line.inner_text()
        canvas = page.locator(CANVAS)
        assert canvas.get_attribute("data-scale") == "0.5"
        assert canvas.evaluate("c => [c.width, c.height]") == [2016, 1512]
        proxy = proxy_of(decode_image(phone.read_bytes()))
        want = run_pipeline("preprocessing", proxy, {"grayscale": True}).image
        got = read_canvas(page, CANVAS)[:, :, :3]
        diff = np.abs(got.astype(np.int16) - want.astype(np.int16))
        assert diff.max() <= 3 and diff.mean() <= 0.5, (diff.max(), diff.mean())
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "phone-proxy.png"))
        assert not errors, errors


def test_a_slider_drag_repaints_during_the_drag_and_ends_on_the_exact_final_params(
    server: str, phone: Path
) -> None:
    with chromium_page() as page:
        open_studio(page, server, phone)
        page.get_by_test_id("proxy-label").wait_for(timeout=60_000)
        page.get_by_label("blur enabled").click()
        wait_for_params(page, {"blur": defaults("blur")})
        page.evaluate(RECORD_PAINTS_JS)
        slider = page.get_by_label("blur sigma")
        slider.focus()
        # A hand on a slider: a step every ~30 ms, never waiting for the picture. The drag goes on
        # until three pictures have been painted while it was still moving (or 400 steps).
        presses = 0
        while presses < 400 and page.evaluate("() => window.__painted.length") < 3:
            page.keyboard.press("ArrowRight")  # sigma steps by 0.1 up to 50: never at the end here
            page.wait_for_timeout(30)
            presses += 1
        during = page.evaluate("() => window.__painted.slice()")
        page.keyboard.press("ArrowRight")  # the last step: its params must be the last picture
        sigma = float(slider.input_value())
        final = {"blur": {**defaults("blur"), "sigma": sigma}}
        wait_for_params(page, final)
        assert len(during) >= 3, f"only {len(during)} repaints in {presses} steps of the drag"
        assert json.loads(during[-1]) != final  # these were frames of the drag, not its end
        # The last picture is exactly the last params' on the proxy: kernel 5 → 3 and sigma
        # halved there (the unit tests hold the rule; here it is checked against Python).
        want = run_pipeline(
            "preprocessing",
            proxy_of(decode_image(phone.read_bytes())),
            {"blur": {"kernelSize": 3, "sigma": sigma / 2}},
        ).image
        got = read_canvas(page, CANVAS)[:, :, :3]
        diff = np.abs(got.astype(np.int16) - want.astype(np.int16))
        assert diff.max() <= 3 and diff.mean() <= 0.5, (diff.max(), diff.mean())
        (ARTIFACTS / "phone-drag.json").write_text(
            json.dumps({"steps": presses, "painted_during": len(during), "final": final})
        )


def test_the_download_is_the_servers_full_resolution_result(server: str, phone: Path) -> None:
    image = phone.read_bytes()
    with chromium_page() as page:
        open_studio(page, server, phone)
        page.get_by_test_id("proxy-label").wait_for(timeout=60_000)
        page.get_by_label("binarize enabled").click()
        params = {"binarize": defaults("binarize")}
        wait_for_params(page, params)
        button = page.get_by_role("button", name="Download PNG (full resolution)")
        with page.expect_download(timeout=120_000) as info:
            button.click()
        path = info.value.path()
        got = decode_image(Path(path).read_bytes())
        want = run_pipeline("preprocessing", decode_image(image), params).image
        assert got.shape[:2] == (SIZE[1], SIZE[0])
        assert np.array_equal(got[:, :, :3], want[:, :, :3])
        jobs = httpx.get(f"{server}/api/pipelines/jobs").json()
        assert any(j["status"] == "completed" for j in jobs)


def test_split_view_keeps_the_aspect_ratio_of_each_side(server: str, phone: Path) -> None:
    with chromium_page() as page:
        open_studio(page, server, phone)
        page.get_by_test_id("proxy-label").wait_for(timeout=60_000)
        page.get_by_label("crop_document enabled").click()
        wait_for_params(page, {"crop_document": defaults("crop_document")})
        sides = page.evaluate(
            """() => ['before-canvas', 'result-canvas'].map((id) => {
                 const c = document.querySelector(`[data-testid="${id}"]`);
                 const box = c.getBoundingClientRect();
                 return { pixels: c.width / c.height, shown: box.width / box.height };
               })"""
        )
        before, after = sides
        assert abs(after["pixels"] - 1) > 0.1  # the crop changed the shape (a receipt is tall)
        for side in (before, after):
            assert side["shown"] == pytest.approx(side["pixels"], rel=0.01), sides
        page.screenshot(path=str(ARTIFACTS / "phone-split-crop.png"))
