"""The Runs page and "Run on a dataset" in a real Chromium against a real server: start a run from the
Preprocessing Studio with the current settings, follow it to completed on the Runs page, and see a
scored run's metrics there (the numbers the API gives)."""

from pathlib import Path

import httpx
import pytest

from browser import chromium_page, e2e_server, open_studio
from runs_data import CHECKPOINT, PARAMS, make_workspace

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
TIMEOUT_MS = 90_000


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
        page.get_by_role("button", name="Run on a dataset…").click()
        page.get_by_label("dataset", exact=True).select_option("receipts/images")
        page.get_by_role("button", name="Start run").click()
        status = page.get_by_role("status").filter(has_text="started on 4 images")
        status.wait_for(timeout=TIMEOUT_MS)
        run_id = status.inner_text().split(" ")[0]
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
