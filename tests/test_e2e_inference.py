"""The Inference Studio in a real Chromium against a real server, with the demo model (PP-OCRv4 det).

Search for the demo model and pick it (a ``.ckpt`` beside it is listed with the server's reason and
cannot be picked), open a generated receipt, and check the overlay draws as many polygons as the
server returns for the very request the page sent (replayed with httpx), each where the server's
points put it on the displayed image. Drag a threshold and check a new request goes out, at most one
at a time, and the page ends on the server's answer for the final value. Download the predictions
JSON, check its structure, and score it against the receipt's known words on the server. Open a
server image (sent by path), see a refused op's sentence, drop a file, and check both ends of every
threshold slider are values the server accepts.
"""

import base64
import json
import os
import subprocess
import sys
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


DEMO = "builtin:ppocrv4-det"
PREVIEW = "/api/inference/preview"
SIZE = (720, 1000)
TIMEOUT_MS = 60_000  # the first detection loads the model; the machine is shared


@pytest.fixture(scope="module")
def receipt() -> Any:
    return synthetic.make_receipt(5, size=SIZE)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, receipt: Any) -> Iterator[str]:
    root: Path = tmp_path_factory.mktemp("e2e-inference")
    (root / "data" / "receipts").mkdir(parents=True)
    (root / "data" / "receipts" / "receipt.jpg").write_bytes(receipt.jpeg)
    (root / "checkpoints" / "dbnet").mkdir(parents=True)
    (root / "checkpoints" / "dbnet" / "epoch=12.ckpt").write_bytes(b"not unpickled")
    settings = Settings(
        data_root=root / "data", outputs_root=root / "outputs", checkpoints_root=root / "checkpoints"
    )
    with e2e_server(settings) as base:
        listed = httpx.get(f"{base}/api/inference/checkpoints").json()["checkpoints"]
        if not any(c["checkpoint_path"] == DEMO and c["status"] == "ready" for c in listed):
            cannot_run("the demo model is not installed (uv sync --extra demo)")
        yield base


@pytest.fixture(scope="module")
def image_file(tmp_path_factory: pytest.TempPathFactory, receipt: Any) -> Path:
    path = tmp_path_factory.mktemp("img") / "receipt.jpg"
    path.write_bytes(receipt.jpeg)
    return path


class Previews:
    """Every POST /api/inference/preview the page sends, and how many ran at once."""

    def __init__(self, page) -> None:
        self.bodies: list[dict[str, Any]] = []
        self.open = 0
        self.max_open = 0
        page.on("request", self._sent)
        page.on("requestfinished", self._done)
        page.on("requestfailed", self._done)

    @staticmethod
    def _is_preview(r) -> bool:
        return r.method == "POST" and r.url.endswith(PREVIEW)

    def _sent(self, r) -> None:
        if self._is_preview(r):
            self.bodies.append(r.post_data_json)
            self.open += 1
            self.max_open = max(self.max_open, self.open)

    def _done(self, r) -> None:
        if self._is_preview(r):
            self.open -= 1


def overlay_count(page) -> int:
    return page.locator('[data-testid="detection"]').count()


def wait_idle(page, previews: Previews, sent_before: int) -> None:
    """Until a request after ``sent_before`` has gone out and the page has nothing left to send."""
    page.wait_for_function(
        """(n) => {
          const s = document.querySelector('[data-testid="request-stats"]');
          const busy = document.querySelector('[data-testid="requests"]');
          return Number(s.dataset.sent) > n && busy.textContent === 'idle';
        }""",
        arg=sent_before,
        timeout=TIMEOUT_MS,
    )
    # Playwright's own "request finished" events may trail the page's render by a few ms.
    for _ in range(100):
        if previews.open == 0:
            break
        page.wait_for_timeout(20)
    assert previews.open == 0


def server_answer(base: str, body: dict[str, Any]) -> dict[str, Any]:
    reply = httpx.post(base + PREVIEW, json=body, timeout=60)
    assert reply.status_code == 200, reply.text
    return reply.json()


def known_words(receipt: Any) -> dict[str, Any]:
    """The generated receipt's word boxes as receipt-competition ground truth."""
    words = {str(i): {"points": w.quad.tolist(), "text": w.text} for i, w in enumerate(receipt.words)}
    return {"images": {"receipt.jpg": {"words": words}}}


def drawn_polygons(page) -> list[list[tuple[float, float]]]:
    raw = page.locator('[data-testid="detection"]').evaluate_all(
        "els => els.map(e => e.getAttribute('points'))"
    )
    return [[tuple(float(v) for v in pair.split(",")) for pair in text.split()] for text in raw]


def test_pick_demo_model_detect_drag_threshold_and_download(
    server: str, image_file: Path, receipt: Any
) -> None:
    with chromium_page() as page:
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        previews = Previews(page)
        page.goto(server + "/#/inference")

        # The checkpoint picker: a training file is listed with why it cannot be used; search finds the demo.
        search = page.get_by_label("search checkpoints")
        search.fill("epoch")
        refused = page.locator('[data-checkpoint="dbnet/epoch=12.ckpt"]')
        refused.wait_for()
        assert refused.get_attribute("aria-disabled") == "true"
        assert "ONNX" in refused.inner_text()
        assert page.locator(f'[data-checkpoint="{DEMO}"]').count() == 0
        # No match: the page says where checkpoints are looked for.
        search.fill("no-such-model")
        empty = page.get_by_test_id("no-checkpoint").text_content() or ""
        assert "no-such-model" in empty and "--checkpoints-root" in empty
        assert httpx.get(f"{server}/api/inference/checkpoints").json()["root"] in empty
        search.fill("")
        search.press_sequentially("pp-ocrv4 demo", delay=20)  # filtered as it is typed
        assert page.locator('[role="option"]').count() == 1
        demo = page.locator(f'[data-checkpoint="{DEMO}"]')
        demo.click()
        assert demo.get_attribute("aria-selected") == "true"
        page.get_by_test_id("selected-checkpoint").filter(has_text="PP-OCRv4").wait_for()

        # Open the receipt: polygons drawn, as many as the server finds for the same request.
        page.get_by_label("detection boxThresh").wait_for()
        page.get_by_label("open image file").set_input_files(str(image_file))
        page.get_by_test_id("image-name").filter(has_text="receipt.jpg").wait_for()
        wait_idle(page, previews, 0)
        drawn = overlay_count(page)
        assert drawn > 0
        assert page.get_by_test_id("detection-overlay").get_attribute("data-count") == str(drawn)
        assert previews.bodies[-1]["checkpoint_path"] == DEMO
        assert previews.bodies[-1]["image_base64"].startswith("data:image/jpeg;base64,")
        first = server_answer(server, previews.bodies[-1])
        assert drawn == len(first["detections"])
        assert page.get_by_test_id("detection-count").get_attribute("data-count") == str(drawn)
        assert "ms" in page.get_by_test_id("latency").inner_text()

        # Each polygon sits where the server's points put it on the image as displayed, at any zoom.
        assert (first["image"]["width"], first["image"]["height"]) == SIZE
        box = "i => { const r = i.getBoundingClientRect(); return [r.width, r.height]; }"
        widths = []
        for _ in range(2):
            shown = page.get_by_test_id("inference-image").evaluate(box)
            widths.append(shown[0])
            sx, sy = shown[0] / first["image"]["width"], shown[1] / first["image"]["height"]
            for got, det in zip(drawn_polygons(page), first["detections"], strict=True):
                for (gx, gy), (x, y) in zip(got, det["points"], strict=True):
                    assert abs(gx - x * sx) <= 0.06 and abs(gy - y * sy) <= 0.06
            page.get_by_role("button", name="zoom in").click()
        assert widths[1] == pytest.approx(widths[0] * 1.25, abs=1)

        # Drag boxThresh up in a burst: new requests, never two at once, the last answer shown.
        sent = len(previews.bodies)
        slider = page.get_by_label("detection boxThresh")
        slider.focus()
        for _ in range(30):  # 0.60 -> 0.90 in steps of 0.01
            page.keyboard.press("ArrowRight")
            page.wait_for_timeout(20)
        wait_idle(page, previews, sent)
        assert len(previews.bodies) > sent
        assert previews.max_open == 1
        stats = page.get_by_test_id("request-stats")
        assert stats.get_attribute("data-max-in-flight") == "1"
        final = previews.bodies[-1]
        assert final["params"]["detection"]["boxThresh"] == pytest.approx(float(slider.input_value()))
        assert final["params"]["detection"]["boxThresh"] == pytest.approx(0.90)
        after = server_answer(server, final)
        assert overlay_count(page) == len(after["detections"])
        assert len(after["detections"]) < drawn  # a stricter box threshold keeps fewer boxes

        # Word boxes, the granularity of the receipts' ground truth (a select, so it goes out at once).
        sent = len(previews.bodies)
        slider.fill("0.6")
        page.get_by_label("detection granularity").select_option("word")
        wait_idle(page, previews, sent)
        words_answer = server_answer(server, previews.bodies[-1])
        assert previews.bodies[-1]["params"]["detection"]["granularity"] == "word"
        assert overlay_count(page) == len(words_answer["detections"])

        # Download the predictions: the receipt competition's JSON, scored against the known words.
        with page.expect_download() as info:
            page.get_by_role("button", name="Download predictions JSON").click()
        download = info.value
        assert download.suggested_filename == "receipt-predictions.json"
        preds = json.loads(Path(download.path()).read_text())
        assert list(preds) == ["images"] and list(preds["images"]) == ["receipt.jpg"]
        words = preds["images"]["receipt.jpg"]["words"]
        assert list(words) == [str(i) for i in range(len(words_answer["detections"]))]
        for word, det in zip(words.values(), words_answer["detections"], strict=True):
            assert set(word) == {"points", "score"}
            assert len(word["points"]) >= 4 and all(len(p) == 2 for p in word["points"])
            assert word["points"] == det["points"] and word["score"] == det["score"]
        scores = httpx.post(
            f"{server}/api/evaluation", json={"ground_truth": known_words(receipt), "predictions": preds}
        )
        scores = scores.json()
        ic15 = next(p for p in scores["protocols"] if p["protocol"] == "icdar2015-iou")
        print(f"\nInference Studio download on receipt seed 5: ICDAR 2015 H-mean {ic15['hmean']:.3f}")
        assert ic15["hmean"] >= 0.8, ic15  # the polygons sit on the words

        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "inference.png"), full_page=True)
        assert not errors, errors


DROP_JS = """([b64, name]) => {
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const data = new DataTransfer();
  data.items.add(new File([bytes], name, { type: 'image/jpeg' }));
  const target = document.querySelector('main.inference');
  for (const type of ['dragover', 'drop'])
    target.dispatchEvent(new DragEvent(type, { dataTransfer: data, bubbles: true, cancelable: true }));
}"""


def test_server_image_is_sent_by_path_and_a_refused_op_shows_the_servers_sentence(
    server: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    with chromium_page() as page:
        previews = Previews(page)
        page.goto(server + "/#/inference")
        page.locator(f'[data-checkpoint="{DEMO}"][aria-selected="true"]').wait_for()  # the first ready one
        page.get_by_label("detection boxThresh").wait_for()
        page.get_by_label("server image").select_option("receipts/receipt.jpg")
        wait_idle(page, previews, 0)
        assert previews.bodies[-1]["image_path"] == "receipts/receipt.jpg"
        assert "image_base64" not in previews.bodies[-1]
        drawn = overlay_count(page)
        assert drawn == len(server_answer(server, previews.bodies[-1])["detections"]) > 0
        # Export: the detect command shown, run by a shell, finds the same words as the page.
        page.get_by_test_id("export").locator("summary").click()
        command = page.get_by_test_id("export-CLI command (detect)").text_content() or ""
        assert (
            json.loads(page.get_by_test_id("export-params JSON").text_content() or "")
            == (previews.bodies[-1]["params"])
        )
        out = Path(tmp_path_factory.mktemp("detect"))
        env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
        run = subprocess.run(
            ["sh", "-c", command], cwd=out, env=env, capture_output=True, text=True, timeout=300
        )
        assert run.returncode == 0, run.stderr
        predictions = json.loads((out / "receipt-predictions.json").read_text())
        (words,) = (v["words"] for v in predictions["images"].values())
        assert len(words) == drawn
        page.get_by_test_id("export").locator("summary").click()
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "inference-lines.png"))  # default thresholds: line boxes

        # crop_document cannot be undone onto the original: the server refuses it for detection,
        # so the page does not offer it; the ops it offers come with their params.
        assert page.get_by_label("crop_document enabled").count() == 0
        assert page.get_by_label("blur kernelSize").count() == 1
        # A refusal (here the server's answer to a refused op) is shown; the old polygons stay.
        refusal = {"detail": "Op 'crop_document' cannot be used before detection."}
        page.route(f"**{PREVIEW}", lambda route: route.fulfill(status=422, json=refusal))
        page.get_by_label("blur enabled").check()
        alert = page.get_by_role("alert")
        alert.wait_for(timeout=TIMEOUT_MS)
        assert "crop_document" in alert.inner_text()
        assert overlay_count(page) == drawn  # the previous polygons stay, marked as such
        page.unroute(f"**{PREVIEW}")
        page.get_by_label("blur enabled").uncheck()
        page.get_by_label("grayscale enabled").check()
        alert.wait_for(state="detached", timeout=TIMEOUT_MS)
        assert previews.bodies[-1]["params"]["grayscale"] == {}
        assert "blur" not in previews.bodies[-1]["params"]

        # A dropped file replaces the picture: its own polygons, none of the old image's.
        other = synthetic.make_receipt(8, size=(640, 900))
        sent = len(previews.bodies)
        page.evaluate(DROP_JS, [base64.b64encode(other.jpeg).decode(), "dropped.jpg"])
        page.get_by_test_id("image-name").filter(has_text="dropped.jpg").wait_for()
        wait_idle(page, previews, sent)
        assert previews.bodies[-1]["image_base64"].startswith("data:image/jpeg;base64,")
        dropped = server_answer(server, previews.bodies[-1])
        assert dropped["image"] == {"width": 640, "height": 900}
        assert overlay_count(page) == len(dropped["detections"]) > 0

        # Every slider position is a value the server takes: both ends of each, sent as the page would.
        ranges = page.locator('.inf-thresholds input[type="range"]').evaluate_all(
            "els => els.map(e => [e.getAttribute('aria-label'), Number(e.min), Number(e.max)])"
        )
        assert {label.split()[-1] for label, _, _ in ranges} >= {
            "thresh",
            "boxThresh",
            "unclipRatio",
            "maxCandidates",
        }
        for label, low, high in ranges:
            for value in (low, high):
                body = {**previews.bodies[-1], "params": {"detection": {label.split()[-1]: value}}}
                reply = httpx.post(server + PREVIEW, json=body, timeout=60)
                assert reply.status_code == 200, (label, value, reply.text)
