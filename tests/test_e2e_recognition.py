"""Reading text in the Inference Studio, in a real Chromium against a real server with the demo
models (PP-OCRv4 det and rec): choose the recognizer, see the text on the image and in the list
(the same lines the server returns for the very request the page sent), hover a line to highlight
its box, and copy all the text."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from ocr_playground.imaging import synthetic
from ocr_playground.settings import Settings

from browser import ARTIFACTS, chromium_page, e2e_server
from strict import cannot_run

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

RECOGNIZER = "builtin:ppocrv4-rec"
PREVIEW = "/api/inference/preview"
TIMEOUT_MS = 90_000  # the first reading loads both models; the machine is shared


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root: Path = tmp_path_factory.mktemp("e2e-recognition")
    settings = Settings(
        data_root=root / "data", outputs_root=root / "outputs", checkpoints_root=root / "checkpoints"
    )
    with e2e_server(settings) as base:
        listed = httpx.get(f"{base}/api/inference/recognizers").json()["recognizers"]
        if not any(r["recognizer_path"] == RECOGNIZER for r in listed):
            cannot_run("the demo recognizer is not installed (uv sync --extra demo)")
        yield base


def test_read_text_show_it_highlight_a_line_and_copy_it_all(server: str, tmp_path: Path) -> None:
    image = tmp_path / "receipt.jpg"
    image.write_bytes(synthetic.make_receipt(3, size=(720, 1000)).jpeg)
    with chromium_page() as page:
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        bodies: list[dict[str, Any]] = []
        page.on("request", lambda r: bodies.append(r.post_data_json) if r.url.endswith(PREVIEW) else None)
        page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server)
        page.goto(server + "/#/inference")
        page.get_by_test_id("selected-checkpoint").filter(has_text="PP-OCRv4").wait_for(timeout=TIMEOUT_MS)
        page.get_by_label("open image file").set_input_files(str(image))
        page.locator('[data-testid="detection"]').first.wait_for(timeout=TIMEOUT_MS)
        assert page.get_by_test_id("text-list").count() == 0  # reading is off until asked for

        page.get_by_label("recognizer").select_option(RECOGNIZER)
        lines = page.get_by_test_id("text-list").locator("li")
        lines.first.wait_for(timeout=TIMEOUT_MS)
        sent = next(b for b in reversed(bodies) if b.get("recognizer_path") == RECOGNIZER)
        answer = httpx.post(server + PREVIEW, json=sent, timeout=120).json()
        read = sorted(d["text"] for d in answer["detections"] if d["text"])
        spans = page.get_by_test_id("text-list").locator("span[data-index]")
        assert sorted(spans.all_inner_texts()) == read and len(read) > 5
        assert "TOTAL" in read  # the generated receipt's total line, read as printed
        labels = page.locator(".inf-det text.inf-read").all_text_contents()
        assert any(label.startswith("TOTAL") for label in labels)  # the text is on the image too

        # Hovering a line in the list highlights its box on the image, and only that one.
        total = spans.filter(has_text="TOTAL").first
        index = total.get_attribute("data-index")
        total.hover()
        highlighted = page.locator(".inf-det.highlighted")
        highlighted.wait_for()
        assert highlighted.count() == 1
        boxes = page.locator(".inf-det")
        assert boxes.nth(int(index)).get_attribute("class") == "inf-det highlighted"
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "inference-text.png"), full_page=True)

        page.get_by_role("button", name="Copy all text").click()
        page.get_by_role("status").filter(has_text="Copied.").wait_for()
        copied = page.evaluate("navigator.clipboard.readText()")
        assert copied.count("\n") == lines.count() - 1
        assert sorted(" ".join(copied.split("\n")).split()) == sorted(" ".join(read).split())
        assert errors == []
