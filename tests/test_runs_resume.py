"""SIGKILL a server in the middle of a run, start it again: the run completes, each item is stored
once, and the items finished before the kill are not computed again (model calls are counted in
every process of both servers). The killed server's worker processes do not outlive it."""

import json
import signal
import sqlite3
import time
from pathlib import Path

import httpx
import pytest

from live_server import alive, descendants, free_port, server_process
from runs_data import CHECKPOINT, COUNTER, PARAMS, make_workspace, model_calls

pytestmark = pytest.mark.slow

IMAGES = 24
SIZE = (1200, 900)


def stored_items(root: Path, run_id: str) -> dict[str, float]:
    with sqlite3.connect(root / "outputs" / "jobs.sqlite3") as db:
        rows = db.execute("SELECT name, finished_at FROM run_items WHERE run_id = ?", (run_id,)).fetchall()
    return dict(rows)


def test_sigkill_mid_run_then_restart_resumes_without_recomputing(tmp_path: Path) -> None:
    make_workspace(tmp_path, count=IMAGES, size=SIZE)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {"PYTHONPATH": COUNTER, "OCRP_TEST_MODEL_CALLS": str(tmp_path / "calls-1")}
    body = {"dataset": "receipts/images", "checkpoint_path": CHECKPOINT, "params": PARAMS,
            "gt": "receipts/gt.json", "workers": 2, "reuse": False}  # fmt: skip
    with server_process(tmp_path, port, env) as first:
        run_id = httpx.post(f"{base}/api/runs", json=body).json()["run_id"]
        deadline = time.monotonic() + 120
        while httpx.get(f"{base}/api/runs/{run_id}").json()["done"] < 5:
            assert time.monotonic() < deadline
            time.sleep(0.02)
        workers = descendants(first.pid)
        assert len(workers) >= 2, workers  # the forkserver and the run's workers
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    deadline = time.monotonic() + 30
    while alive(workers):
        assert time.monotonic() < deadline, f"orphans of the killed server: {sorted(alive(workers))}"
        time.sleep(0.05)
    before = stored_items(tmp_path, run_id)
    assert 5 <= len(before) < IMAGES, len(before)
    assert model_calls(tmp_path / "calls-1") >= len(before)

    env["OCRP_TEST_MODEL_CALLS"] = str(tmp_path / "calls-2")
    with server_process(tmp_path, port, env):
        deadline = time.monotonic() + 180
        while (run := httpx.get(f"{base}/api/runs/{run_id}").json())["status"] != "completed":
            assert run["status"] in ("queued", "running") and time.monotonic() < deadline, run
            time.sleep(0.1)
        items = httpx.get(f"{base}/api/runs/{run_id}/items", params={"limit": 1000}).json()
    assert run["done"] == run["total"] == IMAGES and run["failed"] == 0
    names = [item["name"] for item in items["items"]]
    assert items["total"] == IMAGES and len(set(names)) == IMAGES
    after = stored_items(tmp_path, run_id)
    assert all(after[name] == finished_at for name, finished_at in before.items())  # kept as they were
    assert model_calls(tmp_path / "calls-2") == IMAGES - len(before)  # only the rest was computed
    predictions = json.loads((tmp_path / "outputs" / "runs" / run_id / "predictions.json").read_text())
    assert len(predictions["images"]) == IMAGES
