"""The Runs page and "Run on a dataset" in a real Chromium against a real server: start a run from the
Preprocessing Studio with the current settings, follow it to completed on the Runs page, and see a
scored run's metrics there (the numbers the API gives). Start one from the Inference Studio, and see
the Studio answer an image of that run from the run's item, saying so."""

from pathlib import Path
from typing import Any

import httpx
import pytest

from browser import chromium_page, e2e_server, open_studio
from runs_data import CHECKPOINT, PARAMS, make_workspace, wait_run

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
TIMEOUT_MS = 90_000


def run_on_dataset(page, dataset: str, images: int) -> str:
    """Start "Run on a dataset" from a Studio with its current settings; the run's id."""
    page.get_by_role("button", name="Run on a dataset…").click()
    page.get_by_label("dataset", exact=True).select_option(dataset)
    page.get_by_role("button", name="Start run").click()
    status = page.get_by_role("status").filter(has_text=f"started on {images} images")
    status.wait_for(timeout=TIMEOUT_MS)
    return status.inner_text().split(" ")[0]


def test_run_from_the_studio_and_follow_it_on_the_runs_page(tmp_path: Path) -> None:
    workspace = make_workspace(tmp_path, count=4)
    image = workspace.dataset / "r001.jpg"
    settings = workspace.settings.model_copy(update={"web_dist": None})  # the checkout's built SPA
    with e2e_server(settings) as base, chromium_page() as page:
        scored = httpx.post(
            f"{base}/api/runs",
            json={
                "dataset": "receipts/images",
                "checkpoint_path": CHECKPOINT,
                "params": PARAMS,
                "gt": "receipts/gt.json",
            },
        ).json()["run_id"]
        open_studio(page, base, image)
        page.get_by_label("grayscale enabled").check()
        run_id = run_on_dataset(page, "receipts/images", 4)
        spec = httpx.get(f"{base}/api/runs/{run_id}").json()["spec"]
        assert spec["pipeline_id"] == "preprocessing" and spec["params"].get("grayscale") not in (None, False)

        page.get_by_role("link", name="Follow it on the Runs page").click()
        row = page.get_by_test_id(f"run-{run_id}")
        page.locator(f'[data-testid="run-{run_id}"][data-status="completed"]').wait_for(timeout=TIMEOUT_MS)
        assert "4/4" in row.inner_text()
        page.locator(f'[data-testid="run-{scored}"][data-status="completed"]').wait_for(timeout=TIMEOUT_MS)
        metrics = httpx.get(f"{base}/api/runs/{scored}").json()["metrics"]["icdar2015-iou"]
        shown = page.get_by_test_id(f"run-{scored}").get_by_test_id("metrics-iou").inner_text()
        assert shown == " / ".join(f"{100 * metrics[k]:.1f}" for k in ("precision", "recall", "hmean"))


def test_the_inference_studio_answers_from_a_run_it_started(tmp_path: Path) -> None:
    workspace = make_workspace(tmp_path, count=3)
    settings = workspace.settings.model_copy(update={"web_dist": None})
    with e2e_server(settings) as base, chromium_page() as page:
        page.goto(base + "/#/inference")
        page.locator(f'[data-checkpoint="{CHECKPOINT}"]').click()
        page.locator(f'[data-checkpoint="{CHECKPOINT}"][aria-selected="true"]').wait_for()
        page.get_by_label("detection boxThresh").wait_for()
        page.get_by_label("server image").select_option("receipts/images/r001.jpg")
        summary = page.get_by_test_id("latency")
        summary.filter(has_text="ms").wait_for(timeout=TIMEOUT_MS)  # computed: no run has it yet
        assert page.get_by_test_id("reused-from").count() == 0

        run_id = run_on_dataset(page, "receipts/images", 3)
        assert wait_run(base, run_id)["status"] == "completed"

        # Another image of the run, with the settings the run was started with: the run's answer.
        def preview_of_r002(response: Any) -> bool:
            return response.url.endswith("/api/inference/preview") and "r002.jpg" in (
                response.request.post_data or ""
            )

        with page.expect_response(preview_of_r002, timeout=TIMEOUT_MS) as answer:
            page.get_by_label("server image").select_option("receipts/images/r002.jpg")
        reused = page.get_by_test_id("reused-from").filter(has_text=f"{run_id}/r002.jpg")
        reused.wait_for(timeout=TIMEOUT_MS)
        # What the page says, the server did: the answer holds the lookup's time, no model's.
        assert "inference_ms" not in answer.value.json()["timings"]
