"""The Evaluation Lab in a real Chromium against a real server, on two runs of the tiny detector:
the run's page opens worst first and sorts by any column; the keyboard opens an image whose missed
words are drawn in the "missed" colour exactly where the ground truth puts them (pixels read from a
screenshot); ←/→ walk the table; the Studios open with the run's settings; a comparison lists as
fixed and broke exactly the images whose per-image H-mean rose and fell; a sweep's chart renders;
a run that reads text shows its text figures, sorts by word F1, and its image viewer lists what was
read beside the ground truth.
Every wait is for a state of the page, never for a time."""

from pathlib import Path

import cv2
import httpx
import numpy as np
import pytest

from browser import chromium_page, e2e_server, open_studio
from runs_data import CHECKPOINT, PARAMS, RECOGNIZER, Workspace, make_workspace, wait_run

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
TIMEOUT_MS = 120_000
B_PARAMS = {"grayscale": True, "detection": {"unclipRatio": 1.0, "boxThresh": 0.5}}
VERMILLION = np.array([213, 94, 0])  # the Okabe-Ito colour of a missed word


def start(base: str, params: dict, name: str, **spec: object) -> str:
    body = {"dataset": "receipts/images", "checkpoint_path": CHECKPOINT, "gt": "receipts/gt.json",
            "params": params, "name": name} | spec  # fmt: skip
    return httpx.post(f"{base}/api/runs", json=body).json()["run_id"]


def api_items(base: str, run_id: str, **query: object) -> list[dict]:
    return httpx.get(f"{base}/api/runs/{run_id}/items", params={"limit": 1000, **query}).json()["items"]


def table_names(page) -> list[str]:
    return page.locator('[data-testid="items-table"] tbody tr').evaluate_all(
        "rows => rows.map(r => r.dataset.name)"
    )


def wait_table(page, names: list[str]) -> None:
    """Wait until the table shows exactly ``names`` in this order (the state after a sort)."""
    page.wait_for_function(
        "names => JSON.stringify([...document.querySelectorAll('[data-testid=\"items-table\"] tbody tr')]"
        ".map(r => r.dataset.name)) === JSON.stringify(names)",
        arg=names,
        timeout=TIMEOUT_MS,
    )


def missed_pixels_match(page, base: str, run_id: str, name: str) -> tuple[int, int]:
    """Sample each missed word's top and bottom edges on screen; (samples in the missed colour, samples)."""
    detail = httpx.get(f"{base}/api/runs/{run_id}/items/{name}").json()
    missed = [g for g in detail["ground_truth"] if g["match"] == "fn"]
    assert missed, "the tiny detector misses some words of every receipt"
    stage = page.locator('[data-testid="eval-viewer-stage"]:not([data-scale="0"])')
    stage.wait_for(timeout=TIMEOUT_MS)
    page.locator('[data-testid="eval-viewer-marks"] polygon[data-mark="gt:fn"]').first.wait_for()
    scale, x0, y0 = (float(stage.get_attribute(k)) for k in ("data-scale", "data-x", "data-y"))
    frame = page.locator(".ev-frame").bounding_box()
    shot = page.screenshot(clip=frame)
    pixels = cv2.cvtColor(cv2.imdecode(np.frombuffer(shot, np.uint8), cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)
    hits = total = 0
    for word in missed:
        pts = np.asarray(word["points"], float)
        for a, b in ((pts[0], pts[1]), (pts[3], pts[2])):  # top and bottom edges
            for t in (0.3, 0.5, 0.7):
                px, py = (a + (b - a) * t) * scale + (x0, y0)
                cx, cy = round(px), round(py)
                if not (2 <= cx < pixels.shape[1] - 2 and 2 <= cy < pixels.shape[0] - 2):
                    continue
                patch = pixels[cy - 2 : cy + 3, cx - 2 : cx + 3].reshape(-1, 3).astype(int)
                total += 1
                hits += int((np.abs(patch - VERMILLION).sum(axis=1) < 60).any())
    return hits, total


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Workspace, dict[str, str]]:
    ws = make_workspace(tmp_path_factory.mktemp("e2e-lab"), count=5)
    settings = ws.settings.model_copy(update={"web_dist": None})  # the checkout's built SPA
    with e2e_server(settings) as base:
        runs = {"a": start(base, PARAMS, "A"), "b": start(base, B_PARAMS, "B")}
        runs["text"] = start(base, PARAMS, "text", recognizer_path=RECOGNIZER)
        for run_id in runs.values():
            wait_run(base, run_id)
        yield base, ws, runs


def test_a_run_opens_worst_first_sorts_and_shows_missed_words_where_they_are(lab) -> None:
    base, _, runs = lab
    with chromium_page() as page:
        page.goto(f"{base}/#/lab?run={runs['a']}")
        page.locator('[data-testid="run-evaluation"][data-status="completed"]').wait_for(timeout=TIMEOUT_MS)
        worst = [i["name"] for i in api_items(base, runs["a"], sort="hmean", order="asc")]
        wait_table(page, worst)
        assert page.locator('th[aria-sort="ascending"] [data-sort="hmean"]').count() == 1
        shown = page.locator('[data-testid="items-table"] tbody tr td[data-metric="hmean"]').all_inner_texts()
        hmeans = [float(v) for v in shown]
        assert hmeans == sorted(hmeans)
        # Any column sorts, worst first: "missed" puts the most missed words on top.
        page.locator('[data-sort="fn"]').click()
        wait_table(page, [i["name"] for i in api_items(base, runs["a"], sort="fn", order="desc")])
        page.locator('[data-sort="hmean"]').click()
        wait_table(page, worst)

        # Keyboard: the second row, Enter opens it.
        page.get_by_test_id("items-table").focus()
        page.keyboard.press("ArrowDown")
        page.locator('tr[data-index="1"][aria-selected="true"]').wait_for()
        page.keyboard.press("Enter")
        page.locator(f'[data-testid="item-dialog"][data-image="{worst[1]}"]').wait_for(timeout=TIMEOUT_MS)
        hits, total = missed_pixels_match(page, base, runs["a"], worst[1])
        assert total >= 6 and hits >= 0.8 * total, (hits, total)
        detail = httpx.get(f"{base}/api/runs/{runs['a']}/items/{worst[1]}").json()
        missed = sum(g["match"] == "fn" for g in detail["ground_truth"])
        assert page.get_by_test_id("count-gt:fn").inner_text() == str(missed)
        assert page.locator('polygon[data-mark="gt:fn"]').count() == missed

        page.keyboard.press("ArrowRight")
        page.locator(f'[data-testid="item-dialog"][data-image="{worst[2]}"]').wait_for()
        page.keyboard.press("ArrowLeft")
        page.locator(f'[data-testid="item-dialog"][data-image="{worst[1]}"]').wait_for()

        # The Studios open on this image with the run's settings.
        page.get_by_role("link", name="Open in the Preprocessing Studio").click()
        page.get_by_test_id("image-name").filter(has_text=Path(worst[1]).name).wait_for(timeout=TIMEOUT_MS)
        assert page.get_by_label("grayscale enabled").is_checked()
        page.go_back()
        page.locator(f'[data-testid="item-dialog"][data-image="{worst[1]}"]').wait_for(timeout=TIMEOUT_MS)
        page.get_by_role("link", name="Open in the Inference Studio").click()
        page.get_by_test_id("image-name").filter(has_text=Path(worst[1]).name).wait_for(timeout=TIMEOUT_MS)
        page.get_by_test_id("selected-checkpoint").filter(has_text=CHECKPOINT).wait_for(timeout=TIMEOUT_MS)
        assert page.get_by_label("grayscale enabled").is_checked()
        # With the run's settings, the run's item answers (the model does not run again) ...
        reused = page.get_by_test_id("reused-from").filter(has_text=f"{runs['a']}/{worst[1]}")
        reused.wait_for(timeout=TIMEOUT_MS)
        # ... and with other settings the model does.
        page.get_by_label("grayscale enabled").uncheck()
        page.get_by_test_id("reused-from").wait_for(state="detached", timeout=TIMEOUT_MS)  # no run's item


def test_a_comparison_lists_fixed_and_broke_as_the_items_score_them(lab) -> None:
    base, _, runs = lab
    a = {i["name"]: i["metrics"]["icdar2015-iou"]["hmean"] for i in api_items(base, runs["a"])}
    b = {i["name"]: i["metrics"]["icdar2015-iou"]["hmean"] for i in api_items(base, runs["b"])}
    with chromium_page() as page:
        page.goto(f"{base}/#/lab?a={runs['a']}&b={runs['b']}")
        page.get_by_test_id("verdict").wait_for(timeout=TIMEOUT_MS)
        lists = {
            key: page.get_by_test_id(f"{key}-list")
            .locator("li")
            .evaluate_all(
                "items => items.map(li => [li.dataset.name, Number(li.dataset.a), Number(li.dataset.b)])"
            )
            for key in ("fixed", "broke")
        }
        assert {n for n, _, _ in lists["fixed"]} == {n for n in a if b[n] > a[n]}
        assert {n for n, _, _ in lists["broke"]} == {n for n in a if b[n] < a[n]}
        assert lists["fixed"] or lists["broke"]
        for name, got_a, got_b in lists["fixed"] + lists["broke"]:
            assert (got_a, got_b) == pytest.approx((a[name], b[name]))
        assert page.get_by_test_id("compare-scatter").get_attribute("data-points") == str(len(a))
        first = (lists["fixed"] or lists["broke"])[0][0]
        page.get_by_test_id("fixed-list" if lists["fixed"] else "broke-list").get_by_role(
            "button", name=first
        ).click()
        page.locator('[data-testid="side-by-side"] [data-testid="viewer-a-marks"]').wait_for(
            timeout=TIMEOUT_MS
        )
        page.locator('[data-testid="side-by-side"] [data-testid="viewer-b-marks"]').wait_for(
            timeout=TIMEOUT_MS
        )
        page.keyboard.press("Escape")
        page.get_by_test_id("side-by-side").wait_for(state="detached")


def test_a_sweep_runs_from_the_page_and_its_chart_renders(lab) -> None:
    base, _, runs = lab
    with chromium_page() as page:
        page.goto(f"{base}/#/lab?run={runs['b']}")
        page.locator('[data-testid="run-evaluation"][data-status="completed"]').wait_for(timeout=TIMEOUT_MS)
        page.get_by_label("sweep thresh").fill("0.3")
        page.get_by_label("sweep boxThresh").fill("0.5, 0.7")
        page.get_by_label("sweep unclipRatio").fill("1.0")
        page.get_by_role("button", name="Sweep 2 points").click()
        chart = page.get_by_test_id("sweep-chart")
        chart.wait_for(timeout=TIMEOUT_MS)
        assert chart.get_attribute("data-points") == "2"
        assert chart.get_by_test_id("sweep-cell").count() == 2
        sweep = httpx.get(f"{base}/api/runs/{runs['b']}/sweep").json()
        shown = sorted(
            float(v)
            for v in chart.get_by_test_id("sweep-cell").evaluate_all(
                "cells => cells.map(c => c.dataset.hmean)"
            )
        )
        assert shown == pytest.approx(sorted(p["hmean"] for p in sweep["points"]))
        # B's own thresholds are a point of this grid: it scores what the run scored.
        own = next(p for p in sweep["points"] if p["boxThresh"] == 0.5)
        assert own["hmean"] == pytest.approx(
            httpx.get(f"{base}/api/runs/{runs['b']}").json()["metrics"]["icdar2015-iou"]["hmean"]
        )
        assert "best under ICDAR 2015 IoU" in page.get_by_test_id("sweep-best").inner_text()
        page.get_by_role("button", name="Save as this checkpoint's defaults…").click()
        page.get_by_role("alertdialog", name="Confirm saving defaults").get_by_role(
            "button", name="Cancel"
        ).click()
        page.get_by_role("button", name="Save as this checkpoint's defaults…").wait_for()


def test_preprocessing_a_b_from_the_studio_opens_the_comparison(lab) -> None:
    base, ws, _ = lab
    with chromium_page() as page:
        open_studio(page, base, ws.dataset / "r001.jpg")
        page.get_by_label("grayscale enabled").check()
        page.get_by_role("button", name="Compare with no preprocessing…").click()
        page.get_by_label("A/B dataset").select_option("receipts/images")
        page.get_by_label("A/B detector").select_option(CHECKPOINT)
        page.get_by_role("button", name="Start A/B").click()
        page.get_by_test_id("verdict").wait_for(timeout=TIMEOUT_MS)
        query = dict(part.split("=") for part in page.url.split("?", 1)[1].split("&"))
        a, b = (httpx.get(f"{base}/api/runs/{query[k]}").json() for k in ("a", "b"))
        assert (a["name"], b["name"]) == ("no preprocessing", "this pipeline")
        assert a["spec"]["params"] == {} and b["spec"]["params"]["grayscale"] not in (None, False)
        assert a["spec"]["checkpoint_path"] == b["spec"]["checkpoint_path"] == CHECKPOINT
        assert a["status"] == b["status"] == "completed"


def test_a_run_that_reads_text_shows_it_beside_the_ground_truth(lab) -> None:
    base, _, runs = lab
    run = httpx.get(f"{base}/api/runs/{runs['text']}").json()
    by_f1 = [i["name"] for i in api_items(base, runs["text"], sort="word_f1", order="asc")]
    with chromium_page() as page:
        page.goto(f"{base}/#/lab?run={runs['text']}")
        page.locator('[data-testid="run-evaluation"][data-status="completed"]').wait_for(timeout=TIMEOUT_MS)
        f1 = page.get_by_test_id("text-word-f1")
        f1.wait_for(timeout=TIMEOUT_MS)
        assert f1.inner_text() == f"{100 * run['text_metrics']['words']['f1']:.2f}"
        page.locator('[data-sort="word_f1"]').click()
        wait_table(page, by_f1)
        name = by_f1[0]
        page.get_by_test_id("items-table").get_by_role("button", name=name, exact=True).click()
        page.locator(f'[data-testid="item-dialog"][data-image="{name}"]').wait_for(timeout=TIMEOUT_MS)
        detail = httpx.get(f"{base}/api/runs/{runs['text']}/items/{name}").json()
        read = sorted([d["text"], d["gt_text"] or "—"] for d in detail["detections"] if d["text"])
        assert read, "the tiny reader reads every dark bar"
        page.wait_for_function(
            "n => document.querySelectorAll('[data-testid=\"read-text\"] tbody tr').length === n",
            arg=len(read),
            timeout=TIMEOUT_MS,
        )
        rows = page.locator('[data-testid="read-text"] tbody tr').evaluate_all(
            "rows => rows.map(r => [r.querySelector('[data-testid=read]').textContent,"
            " r.querySelector('[data-testid=truth]').textContent])"
        )
        assert sorted(rows) == read
        first = next(i for i, d in enumerate(detail["detections"]) if d["text"])
        title = page.locator(f'[data-testid="eval-viewer-marks"] polygon[data-index="{first}"] title')
        assert f"read: {detail['detections'][first]['text']}" in title.text_content()
