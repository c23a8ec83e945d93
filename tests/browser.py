"""Headless Chromium for the browser tests: Debian's package, driven by Playwright (no download)."""

import base64
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
from fastapi import FastAPI

from ocr_playground.imaging.registry import OPS
from ocr_playground.settings import Settings

from live_server import live_server
from strict import cannot_run

CHROMIUM = os.environ.get("OCRP_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
WEB_DIST = Path(__file__).resolve().parents[1] / "web" / "dist"


def missing_browser() -> str | None:
    if not Path(CHROMIUM).exists() and shutil.which(CHROMIUM) is None:
        return f"no Chromium at {CHROMIUM} (apt-get install chromium)"
    if not (WEB_DIST / "index.html").is_file():
        return "web/dist is not built (npm ci && npm run build in web/)"
    return None


@contextmanager
def chromium_page(viewport: tuple[int, int] = (1400, 900)) -> Iterator["object"]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})
            yield page
        finally:
            browser.close()


READ_CANVAS_JS = """(selector) => {
  const c = document.querySelector(selector);
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let s = '';
  for (let i = 0; i < d.length; i += 0x8000) s += String.fromCharCode.apply(null, d.subarray(i, i + 0x8000));
  return { width: c.width, height: c.height, data: btoa(s) };
}"""


def read_canvas(page, selector: str) -> np.ndarray:
    """The canvas's pixels as H×W×4 ``uint8``."""
    got = page.evaluate(READ_CANVAS_JS, selector)
    raw = np.frombuffer(base64.b64decode(got["data"]), np.uint8)
    return raw.reshape(got["height"], got["width"], 4)


@contextmanager
def e2e_server(settings: Settings, app: FastAPI | None = None) -> Iterator[str]:
    """A live server for a browser test; "cannot run here" (a failure under make test) without
    Chromium or a built SPA."""
    reason = missing_browser()
    if reason:
        cannot_run(reason)
    with live_server(settings, app) as base:
        yield base


def studio_defaults(op: str) -> dict[str, Any]:
    """What the Studio sends for an op switched on and left alone: every field at its default."""
    props = OPS[op].json_schema().get("properties", {})
    return {name: spec["default"] for name, spec in props.items()}


def open_studio(page, base: str, image: Path) -> None:
    page.goto(base + "/")
    page.get_by_label("grayscale enabled").wait_for()
    page.get_by_label("open image file").set_input_files(str(image))
    page.get_by_test_id("image-name").filter(has_text=image.name).wait_for()
