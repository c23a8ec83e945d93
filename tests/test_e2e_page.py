"""The Studio shows the page its workers found: outlined on the original, with the confidence, or a
line saying that no page edge was found (and the image was left unchanged)."""

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from ocr_playground.imaging.io import encode_png
from ocr_playground.imaging.page.finder import NO_PAGE
from ocr_playground.imaging.scenes import make_scene
from ocr_playground.settings import Settings

from browser import ARTIFACTS, chromium_page, e2e_server, open_studio

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root: Path = tmp_path_factory.mktemp("e2e-page")
    with e2e_server(Settings(data_root=root / "data", outputs_root=root / "outputs")) as base:
        yield base


def scene_file(tmp_path: Path, kind: str, seed: int) -> tuple[Path, np.ndarray | None]:
    scene = make_scene(kind, seed)
    path = tmp_path / f"{kind}-{seed}.png"
    path.write_bytes(encode_png(scene.image))
    return path, scene.corners


def test_the_found_page_is_outlined_on_the_original(server: str, tmp_path: Path) -> None:
    image, corners = scene_file(tmp_path, "light_on_light", 11)
    with chromium_page() as page:
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        open_studio(page, server, image)
        page.get_by_label("crop_document enabled").click()
        found = page.locator('[data-testid="page-found"] [data-op="crop_document"][data-found="yes"]')
        found.wait_for(timeout=30_000)
        assert "page found (confidence" in found.inner_text()
        points = page.locator('[data-testid="page-quad"] polygon').get_attribute("points")
        quad = np.array([[float(v) for v in p.split(",")] for p in points.split()])
        assert np.hypot(*(quad - corners).T).max() <= 0.02 * 1000
        page.screenshot(path=str(ARTIFACTS / "studio-page-found.png"))
        assert not errors, errors


def test_no_page_is_said_plainly(server: str, tmp_path: Path) -> None:
    image, _ = scene_file(tmp_path, "wall", 3)
    with chromium_page() as page:
        open_studio(page, server, image)
        page.get_by_label("crop_document enabled").click()
        missing = page.locator('[data-testid="page-found"] [data-op="crop_document"][data-found="no"]')
        missing.wait_for(timeout=30_000)
        assert NO_PAGE in missing.inner_text()
        assert page.locator('[data-testid="page-quad"]').count() == 0
