"""Kill the server with SIGKILL while 20 fallback jobs are queued or running, start it again, and
check that nothing is lost or half-written."""

import os
import signal
import time
from pathlib import Path

import httpx
import pytest

from live_server import free_port, server_process
from receipts import decodes, jpeg, receipt

pytestmark = pytest.mark.slow

IMAGE = jpeg(receipt(2000, 1500, seed=3))
JOBS = 20


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is dead too: it only waits for its parent to read its status.
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().split(") ")[-1][0] != "Z"


def test_sigkill_mid_way_then_restart_loses_nothing(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "receipt.jpg").write_bytes(IMAGE)  # by path: 20 submissions in a blink
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with server_process(tmp_path, port) as first:
        workers = httpx.get(f"{base}/api/health").json()["workers"]
        job_ids = []
        for i in range(JOBS):
            # Upscaled and blurred wide: a fraction of a second each, so the kill lands mid-way.
            params = {"resize": {"maxSide": 4000 + 10 * i}, "grayscale": True, "blur": {"kernelSize": 15}}
            r = httpx.post(
                f"{base}/api/pipelines/fallback",
                json={
                    "pipeline_id": "preprocessing",
                    "image_path": "receipt.jpg",
                    "params": params,
                    "task_id": f"t{i}",
                },
            )
            assert r.status_code == 202, r.text
            job_ids.append(r.json()["job_id"])
        deadline = time.monotonic() + 60
        # Mid-way: jobs start in order on two workers, so when the third is done the rest are not.
        while httpx.get(f"{base}/api/pipelines/jobs/{job_ids[2]}").json()["status"] != "completed":
            assert time.monotonic() < deadline
            time.sleep(0.01)
        first.send_signal(signal.SIGKILL)
        killed_at = time.time()
        first.wait(timeout=10)
    deadline = time.monotonic() + 10
    while any(alive(pid) for pid in workers):  # the workers must not outlive their server
        assert time.monotonic() < deadline, "worker processes survived the server"
        time.sleep(0.05)

    with server_process(tmp_path, port):
        deadline = time.monotonic() + 120
        while True:
            jobs = [httpx.get(f"{base}/api/pipelines/jobs/{j}").json() for j in job_ids]
            if all(j["status"] in ("completed", "failed") for j in jobs):
                break
            assert time.monotonic() < deadline, [j["status"] for j in jobs]
            time.sleep(0.1)
    for job in jobs:
        if job["status"] == "failed":
            assert isinstance(job["error"], str) and job["error"]
        else:
            assert job["result_path"] == f"outputs/playground/preprocessing/{job['job_id']}.png"
            assert decodes((tmp_path / job["result_path"]).read_bytes()), job["job_id"]
    assert [p for p in (tmp_path / "outputs").rglob("*") if p.name.endswith(".tmp")] == []
    assert sum(j["status"] == "completed" for j in jobs) == JOBS  # nothing here should fail
    # The restarted server ran what the first one left: some jobs finished after the restart.
    assert max(j["finished_at"] for j in jobs) > killed_at
    # The jobs the kill caught running were counted as an attempt and run again.
    assert any(j["attempts"] == 2 for j in jobs), [j["attempts"] for j in jobs]
