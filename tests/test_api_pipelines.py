"""Every pipelines/jobs/images/metrics route, against a real uvicorn server on a loopback port."""

import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import cv2
import httpx
import numpy as np
import pytest

from ocr_playground.cachekey import cache_key
from ocr_playground.settings import Settings

from jobs_api import wait_done, wait_for
from live_server import live_server
from receipts import b64, decodes, jpeg, png, receipt, slow_params

SMALL = jpeg(receipt(640, 480, seed=1))
LARGE = png(receipt(2600, 1800, seed=2))  # long side over 2048 px: routed to the server
QUICK = {"grayscale": True, "blur": {"kernelSize": 5}}


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("pipelines")
    (root / "data" / "val").mkdir(parents=True)
    (root / "data" / "val" / "sample.jpg").write_bytes(SMALL)
    (root / "data" / "notes.txt").write_text("not an image")
    # result_path is shown relative to the server's working directory: run it from the root.
    previous = Path.cwd()
    os.chdir(root)
    yield root
    os.chdir(previous)


@pytest.fixture(scope="module")
def base(root: Path) -> Iterator[str]:
    settings = Settings(data_root=root / "data", outputs_root=root / "outputs", workers=2, job_timeout_s=60)
    with live_server(settings) as url:
        yield url


def test_health_reports_workers(base: str) -> None:
    body = httpx.get(f"{base}/api/health").json()
    assert body["status"] == "ok" and len(body["workers"]) == 2


def test_pipelines_catalogue_has_op_schemas(base: str) -> None:
    body = httpx.get(f"{base}/api/pipelines").json()
    ids = [p["id"] for p in body["pipelines"]]
    assert "preprocessing" in ids
    assert body["ops"]["blur"]["params_schema"]["properties"]["kernelSize"]
    assert body["client_limits"] == {"max_bytes": 2 * 1024 * 1024, "max_side": 2048}


def test_preview_of_a_small_image_goes_to_the_client_workers(base: str) -> None:
    r = httpx.post(
        f"{base}/api/pipelines/preview",
        json={
            "pipeline_id": "preprocessing",
            "image_base64": b64(SMALL),
            "params": QUICK,
            "task_id": "t-small",
        },
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["routed_backend"] == "client-workers" and body["status"] == "accepted"
    assert body["cache_key"] == cache_key("preprocessing", SMALL, QUICK)
    assert body["job_id"].startswith("preprocessing-") and len(body["job_id"].split("-")[-1]) == 12
    assert body["task_id"] == "t-small" and body["notes"]


def test_preview_of_a_large_image_runs_on_the_server_then_hits_the_cache(base: str, root: Path) -> None:
    request = {
        "pipeline_id": "preprocessing",
        "image_base64": b64(LARGE),
        "params": QUICK,
        "task_id": "t-big",
    }
    first = httpx.post(f"{base}/api/pipelines/preview", json=request).json()
    assert first["routed_backend"] == "server-pipeline" and first["task_id"] == "t-big"
    job = wait_done(base, first["job_id"])
    assert job["status"] == "completed"
    assert job["result_path"] == f"outputs/playground/preprocessing/{first['job_id']}.png"
    assert decodes((root / job["result_path"]).read_bytes())
    again = httpx.post(f"{base}/api/pipelines/preview", json={**request, "task_id": "t-again"}).json()
    assert again["routed_backend"] == "server-cache" and again["status"] == "completed"
    assert again["result_path"] == job["result_path"] and again["task_id"] == "t-again"


@pytest.mark.parametrize(
    "params",
    [
        {"background_removal": "server"},
        # The seed's example params plus its client obligation for the fallback: both names.
        {"autocontrast": True, "rembg": "client", "background_removal": "server"},
    ],
)
def test_server_hint_routes_to_server_rembg(base: str, params: dict) -> None:
    r = httpx.post(
        f"{base}/api/pipelines/preview",
        json={"pipeline_id": "preprocessing", "image_base64": b64(SMALL), "params": params},
    )
    assert r.status_code == 200, r.text
    assert r.json()["routed_backend"] == "server-rembg"


def test_fallback_answers_202_then_the_job_completes(base: str, root: Path) -> None:
    r = httpx.post(
        f"{base}/api/pipelines/fallback",
        json={
            "pipeline_id": "preprocessing",
            "image_path": "val/sample.jpg",
            "params": {"grayscale": True},
            "task_id": "fb-1",
        },
    )
    assert r.status_code == 202, r.text
    body = r.json()
    assert body["status"] == "accepted" and body["result_path"] is None and body["task_id"] == "fb-1"
    assert body["routed_backend"] == "server-pipeline"
    job = wait_done(base, body["job_id"])
    assert job["status"] == "completed" and job["task_id"] == "fb-1" and job["progress"] == 1
    result = httpx.get(f"{base}/api/pipelines/jobs/{body['job_id']}/result")
    assert result.status_code == 200 and result.headers["content-type"] == "image/png"
    assert decodes(result.content)
    assert (root / job["result_path"]).read_bytes() == result.content


def test_fallback_wait_answers_200_completed_with_the_result_path(base: str) -> None:
    r = httpx.post(
        f"{base}/api/pipelines/fallback",
        json={
            "pipeline_id": "preprocessing",
            "image_base64": b64(SMALL),
            "params": {"autocontrast": True},
            "wait": True,
        },
        timeout=60,
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["status"] == "completed"
    assert body["result_path"] == f"outputs/playground/preprocessing/{body['job_id']}.png"


def test_identical_jobs_coalesce_into_one_run(base: str, root: Path) -> None:
    request = {
        "pipeline_id": "preprocessing",
        "image_base64": b64(SMALL),
        "params": {**QUICK, "binarize": True},
    }
    answers: list[dict] = []

    def submit() -> None:
        answers.append(httpx.post(f"{base}/api/pipelines/fallback", json=request, timeout=60).json())

    threads = [threading.Thread(target=submit) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({a["job_id"] for a in answers}) == 1
    job = wait_done(base, answers[0]["job_id"])
    assert job["attempts"] == 1
    later = httpx.post(f"{base}/api/pipelines/fallback", json=request).json()
    assert later["job_id"] == job["job_id"] and later["routed_backend"] == "server-cache"
    assert later["status"] == "completed" and later["result_path"] == job["result_path"]
    files = list((root / "outputs" / "playground" / "preprocessing").glob(f"{job['job_id']}*"))
    assert len(files) == 1


def test_cancel_kills_a_running_job(base: str) -> None:
    pids_before = httpx.get(f"{base}/api/health").json()["workers"]
    r = httpx.post(
        f"{base}/api/pipelines/fallback",
        json={"pipeline_id": "preprocessing", "image_base64": b64(SMALL), "params": slow_params(1)},
    )
    job_id = r.json()["job_id"]
    wait_for(base, job_id, ("running",), timeout=20)
    cancelled = httpx.delete(f"{base}/api/pipelines/jobs/{job_id}")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    # The worker that ran it is replaced by a new process, and the pool keeps working.
    deadline = time.monotonic() + 10
    while True:
        pids_after = httpx.get(f"{base}/api/health").json()["workers"]
        if None not in pids_after and set(pids_after) != set(pids_before):
            break
        assert time.monotonic() < deadline, (pids_before, pids_after)
        time.sleep(0.05)
    assert len(set(pids_before) & set(pids_after)) == 1
    assert wait_done(base, job_id)["status"] == "cancelled"
    again = httpx.delete(f"{base}/api/pipelines/jobs/{job_id}")
    assert again.status_code == 409 and isinstance(again.json()["detail"], str)
    result = httpx.get(f"{base}/api/pipelines/jobs/{job_id}/result")
    assert result.status_code == 409


def test_images_lists_the_data_root_and_serves_bytes(base: str) -> None:
    body = httpx.get(f"{base}/api/images").json()
    assert [i["path"] for i in body["images"]] == ["val/sample.jpg"]
    assert body["images"][0]["size_bytes"] == len(SMALL) and body["truncated"] is False
    r = httpx.get(f"{base}/api/images/val/sample.jpg")
    assert r.status_code == 200 and r.content == SMALL and r.headers["content-type"] == "image/jpeg"


def test_client_telemetry_is_stored_and_summarised(base: str) -> None:
    events = [
        {"type": "worker", "event": "spawn", "worker_id": 0},
        {"type": "duration", "op": "blur", "ms": 4.0},
        {"type": "duration", "op": "blur", "ms": 8.0},
        {"type": "queue_depth", "depth": 3, "ts": time.time() * 1000},
        {"type": "cache", "hit": True, "layer": "memo"},
        {"type": "cache", "hit": False, "layer": "memo"},
        {"type": "cache", "hit": True, "layer": "memo"},
        {"type": "cache", "hit": True, "layer": "memo"},
        {"type": "routing", "routed_backend": "client-workers"},
        {"type": "routing", "routed_backend": "server-rembg", "reason": "hint"},
    ]
    r = httpx.post(f"{base}/api/metrics", json={"session_id": "s1", "events": events})
    assert r.status_code == 200 and r.json() == {"accepted": len(events)}
    summary = httpx.get(f"{base}/api/metrics/summary", params={"hours": 1}).json()
    assert summary["counts"]["cache"] == 4 and summary["counts"]["worker"] == 1
    assert summary["durations"]["blur"]["count"] == 2 and summary["durations"]["blur"]["mean_ms"] == 6.0
    assert summary["memo_hit_rate"] == 0.75 and summary["fallback_rate"] == 0.5
    assert summary["queue_depth"][0]["max"] == 3


def test_prometheus_text_has_the_server_figures(base: str) -> None:
    text = httpx.get(f"{base}/metrics").text
    for name in (
        "ocrp_http_request_duration_seconds_bucket",
        "ocrp_job_duration_seconds_count",
        "ocrp_queue_depth",
        "ocrp_cache_hits_total",
        "ocrp_cache_misses_total",
    ):
        assert name in text, name
    assert 'route="/api/pipelines/jobs/{job_id}"' in text


def test_docs_and_openapi_list_every_route(base: str) -> None:
    assert httpx.get(f"{base}/docs").status_code == 200
    paths = httpx.get(f"{base}/openapi.json").json()["paths"]
    for path in (
        "/api/pipelines",
        "/api/pipelines/preview",
        "/api/pipelines/fallback",
        "/api/pipelines/jobs/{job_id}",
        "/api/pipelines/jobs/{job_id}/result",
        "/api/images",
        "/api/metrics",
        "/api/metrics/summary",
        "/metrics",
        "/api/health",
    ):
        assert path in paths, path


def test_rembg_fallback_as_in_the_seed_writes_a_png_with_the_mask_as_alpha(base: str, root: Path) -> None:
    r = httpx.post(
        f"{base}/api/pipelines/fallback",
        json={
            "pipeline_id": "rembg",
            "image_path": "val/sample.jpg",
            "params": {"strength": 0.85},
            "wait": True,
        },
        timeout=60,
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["routed_backend"] == "server-rembg" and body["status"] == "completed"
    assert body["result_path"] == f"outputs/playground/rembg/{body['job_id']}.png"
    png_bytes = (root / body["result_path"]).read_bytes()
    assert cv2.imdecode(np.frombuffer(png_bytes, np.uint8), cv2.IMREAD_UNCHANGED).shape[2] == 4


def test_every_answer_says_the_servers_share_of_the_latency(base: str) -> None:
    timing = httpx.get(f"{base}/api/pipelines").headers["server-timing"]
    assert timing.startswith("app;dur=") and float(timing.split("=")[1]) >= 0


def test_a_reused_upload_is_marked_fresh_so_prune_keeps_it(base: str, root: Path) -> None:
    request = {"pipeline_id": "preprocessing", "image_base64": b64(SMALL), "params": {"grayscale": True}}
    first = httpx.post(f"{base}/api/pipelines/fallback", json={**request, "wait": True}, timeout=60).json()
    uploads = list((root / "outputs" / "uploads").iterdir())
    assert uploads, first
    week_ago = time.time() - 7 * 86400
    for path in uploads:
        os.utime(path, (week_ago, week_ago))
    # Other params, same image: a new job on the same content-addressed upload.
    again = {**request, "params": {"grayscale": True, "blur": {"kernelSize": 7}}, "wait": True}
    answer = httpx.post(f"{base}/api/pipelines/fallback", json=again, timeout=60).json()
    assert answer["status"] == "completed", answer
    assert max(p.stat().st_mtime for p in uploads) > time.time() - 600
