"""The Studios and the runs share results by cache key, in both directions, on a real server with
real ONNX models (model calls counted in every process of the server):

- an Inference Studio preview of an image a run has finished answers from the run's item, exactly
  as the model would (same detections, same form), without calling the model; other thresholds, or
  a replaced checkpoint, are computed;
- a run over a folder takes an image's detections from a finished single-image inference job
  (re-scored against the run's ground truth), unless the checkpoint was replaced since.
"""

import json
import os
import sqlite3
import time
from pathlib import Path

import httpx
import pytest

from ocr_playground.cachekey import cache_key

from live_server import free_port, server_process
from runs_data import CHECKPOINT, COUNTER, PARAMS, Workspace, make_workspace, model_calls, wait_run

pytestmark = pytest.mark.slow

IMAGE = "r001.jpg"


def stored_boxes(root: Path, run_id: str, name: str) -> tuple[list[dict], str, bool]:
    """An item's detections as the store holds them, its cache key, and whether it was reused."""
    with sqlite3.connect(root / "outputs" / "jobs.sqlite3") as db:
        boxes, key, reused = db.execute(
            "SELECT boxes, cache_key, reused FROM run_items WHERE run_id = ? AND name = ?", (run_id, name)
        ).fetchone()
    return json.loads(boxes), key, bool(reused)


def start_run(base: str, **change: object) -> dict:
    body = {"dataset": "receipts/images", "checkpoint_path": CHECKPOINT, "params": PARAMS,
            "gt": "receipts/gt.json", "workers": 1} | change  # fmt: skip
    r = httpx.post(f"{base}/api/runs", json=body)
    assert r.status_code == 202, r.text
    run = wait_run(base, r.json()["run_id"])
    assert run["status"] == "completed" and run["failed"] == 0, run
    return run


def preview(base: str, params: dict) -> dict:
    body = {"image_path": f"receipts/images/{IMAGE}", "checkpoint_path": CHECKPOINT, "params": params}
    r = httpx.post(f"{base}/api/inference/preview", json=body, timeout=60)
    assert r.status_code == 200, r.text
    return r.json()


def replace_checkpoint(workspace: Workspace) -> None:
    """The checkpoint exported again over the same file (same path, so the same cache key)."""
    later = time.time() + 5
    os.utime(workspace.model, (later, later))


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    return make_workspace(tmp_path, count=3)


def test_a_preview_answers_from_a_finished_run_item(workspace: Workspace) -> None:
    port, calls = free_port(), workspace.root / "calls"
    base = f"http://127.0.0.1:{port}"
    with server_process(workspace.root, port, {"PYTHONPATH": COUNTER, "OCRP_TEST_MODEL_CALLS": str(calls)}):
        run = start_run(base)
        boxes, key, _ = stored_boxes(workspace.root, run["run_id"], IMAGE)
        data = (workspace.dataset / IMAGE).read_bytes()
        assert key == cache_key("inference", data, PARAMS, CHECKPOINT)
        before = model_calls(calls)

        # The same settings, keys in another order (the key is canonical JSON): the run's answer.
        reordered = {"detection": {"boxThresh": 0.5, "unclipRatio": 0.5}, "grayscale": True}
        reused = preview(base, reordered)
        assert reused["reused_from"] == f"{run['run_id']}/{IMAGE}"
        assert reused["detections"] == [b | {"text": None, "textScore": None} for b in boxes]
        assert reused["image"] == {"width": 480, "height": 360}
        assert "inference_ms" not in reused["timings"] and reused["timings"]["total_ms"] >= 0
        assert model_calls(calls) == before  # the model did not run

        # Another threshold is other work: computed, and said so by the absent field.
        other = preview(base, {"grayscale": True, "detection": {"unclipRatio": 0.5, "boxThresh": 0.6}})
        assert other["reused_from"] is None and model_calls(calls) == before + 1
        # A default written out is not the same request as one left to the model's profile.
        spelled = preview(base, PARAMS | {"detection": PARAMS["detection"] | {"thresh": 0.3}})
        assert spelled["reused_from"] is None

        # A checkpoint replaced while the run ran, before this item finished: the run's workers had
        # loaded the old model, so the item does not stand for the new one.
        with sqlite3.connect(workspace.root / "outputs" / "jobs.sqlite3") as db:
            (finished,) = db.execute(
                "SELECT finished_at FROM run_items WHERE run_id = ? AND name = ?", (run["run_id"], IMAGE)
            ).fetchone()
        assert run["started_at"] < finished
        during = (run["started_at"] + finished) / 2
        os.utime(workspace.model, (during, during))
        mid_run = preview(base, PARAMS)
        assert mid_run["reused_from"] is None and "inference_ms" in mid_run["timings"]

        # A checkpoint replaced after the run: its items no longer stand for the model.
        replace_checkpoint(workspace)
        fresh = preview(base, PARAMS)
        assert fresh["reused_from"] is None and "inference_ms" in fresh["timings"]
        # ... and the model, run again, answers exactly what the item held: the same form.
        assert fresh["detections"] == reused["detections"]


def test_a_run_takes_an_image_from_a_finished_inference_job(workspace: Workspace) -> None:
    port, calls = free_port(), workspace.root / "calls"
    base = f"http://127.0.0.1:{port}"
    with server_process(workspace.root, port, {"PYTHONPATH": COUNTER, "OCRP_TEST_MODEL_CALLS": str(calls)}):
        body = {"pipeline_id": "inference", "image_path": f"receipts/images/{IMAGE}",
                "checkpoint_path": CHECKPOINT, "params": PARAMS, "wait": True}  # fmt: skip
        job = httpx.post(f"{base}/api/pipelines/fallback", json=body, timeout=60).json()
        assert job["status"] == "completed", job
        found = httpx.get(f"{base}/api/inference/jobs/{job['job_id']}/detections").json()
        before = model_calls(calls)

        run = start_run(base)
        assert model_calls(calls) == before + len(workspace.names) - 1  # all but the job's image
        boxes, key, reused = stored_boxes(workspace.root, run["run_id"], IMAGE)
        assert reused and key == job["cache_key"]
        assert [b | {"text": None, "textScore": None} for b in boxes] == found["detections"]
        item = httpx.get(f"{base}/api/runs/{run['run_id']}/items/{IMAGE}").json()
        assert item["reused"] and item["width"] == 480 and item["height"] == 360, item
        assert item["timings"]["total"] > 0 and item["metrics"]["icdar2015-iou"]["gt"] > 0, item
        others = [n for n in workspace.names if n != IMAGE]
        assert not any(stored_boxes(workspace.root, run["run_id"], n)[2] for n in others)

        # Exported again over the same file: neither the job nor that run stands for it now.
        replace_checkpoint(workspace)
        before = model_calls(calls)
        again = start_run(base)
        assert model_calls(calls) == before + len(workspace.names)
        assert not stored_boxes(workspace.root, again["run_id"], IMAGE)[2]


def test_an_inference_job_is_made_complete_from_a_finished_run_item(workspace: Workspace) -> None:
    port, calls = free_port(), workspace.root / "calls"
    base = f"http://127.0.0.1:{port}"
    with server_process(workspace.root, port, {"PYTHONPATH": COUNTER, "OCRP_TEST_MODEL_CALLS": str(calls)}):
        run = start_run(base)
        before = model_calls(calls)
        for route in ("preview", "fallback"):
            name = IMAGE if route == "preview" else "r002.jpg"
            boxes, key, _ = stored_boxes(workspace.root, run["run_id"], name)
            body = {"pipeline_id": "inference", "image_path": f"receipts/images/{name}",
                    "checkpoint_path": CHECKPOINT, "params": PARAMS}  # fmt: skip
            job = httpx.post(f"{base}/api/pipelines/{route}", json=body, timeout=60).json()
            # Done at once, under the item's key, saying where it came from.
            assert job["status"] == "completed" and job["routed_backend"] == "server-cache", job
            assert job["cache_key"] == key
            assert any(f"{run['run_id']}/{name}" in note for note in job["notes"]), job["notes"]
            found = httpx.get(f"{base}/api/inference/jobs/{job['job_id']}/detections").json()
            assert found["detections"] == [b | {"text": None, "textScore": None} for b in boxes]
            png = httpx.get(f"{base}/api/pipelines/jobs/{job['job_id']}/result")
            assert png.status_code == 200 and png.content.startswith(b"\x89PNG"), png.status_code
            # Asked again, it is the job that answers (an ordinary finished job now).
            again = httpx.post(f"{base}/api/pipelines/{route}", json=body, timeout=60).json()
            assert again["job_id"] == job["job_id"], again
        assert model_calls(calls) == before
