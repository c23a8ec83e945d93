"""The bounded queue (429 + Retry-After), the per-job time limit, and a worker that keeps crashing."""

import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from ocr_playground.settings import Settings

from jobs_api import job_state, wait_for
from live_server import live_server
from receipts import b64, jpeg, receipt, slow_params

IMAGE = b64(jpeg(receipt(400, 300, seed=11)))


def fallback(base: str, params: dict) -> httpx.Response:
    return httpx.post(
        f"{base}/api/pipelines/fallback",
        json={"pipeline_id": "preprocessing", "image_base64": IMAGE, "params": params},
    )


def one_worker_server(tmp_path_factory: pytest.TempPathFactory, job_timeout_s: float) -> Iterator[str]:
    root: Path = tmp_path_factory.mktemp("queue")
    settings = Settings(
        data_root=root / "data",
        outputs_root=root / "outputs",
        workers=1,
        queue_limit=2,
        job_timeout_s=job_timeout_s,
    )
    with live_server(settings) as url:
        yield url


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from one_worker_server(tmp_path_factory, job_timeout_s=3)


def test_a_full_queue_answers_429_with_retry_after(base: str) -> None:
    first, second = fallback(base, slow_params(10)), fallback(base, slow_params(11))
    assert first.status_code == second.status_code == 202
    refused = fallback(base, slow_params(12))
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) >= 1
    assert "queue is full" in refused.json()["detail"]
    # Joining work already in flight costs nothing, so it is not refused.
    joined = fallback(base, slow_params(10))
    assert joined.status_code == 202 and joined.json()["job_id"] == first.json()["job_id"]
    for r in (first, second):
        httpx.delete(f"{base}/api/pipelines/jobs/{r.json()['job_id']}")
    assert fallback(base, {"grayscale": True}).status_code == 202


@pytest.fixture(scope="module")
def tight_base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A server whose time limit is far below what the slow params take even on an idle machine
    (seconds), so the time-out does not depend on how busy the machine is."""
    yield from one_worker_server(tmp_path_factory, job_timeout_s=0.2)


def test_a_job_over_the_time_limit_fails_with_its_reason(tight_base: str) -> None:
    base = tight_base
    job_id = fallback(base, slow_params(20)).json()["job_id"]
    state = wait_for(base, job_id, ("completed", "failed"), timeout=30)
    assert state["status"] == "failed" and "time limit" in state["error"]
    assert fallback(base, {"grayscale": True, "blur": True}).status_code == 202  # the slot came back


def test_a_job_that_keeps_crashing_ends_failed_with_its_reason(base: str) -> None:
    job_id = fallback(base, slow_params(30)).json()["job_id"]
    for attempt in (1, 2, 3):
        state = wait_for(base, job_id, ("running",))
        assert state["attempts"] == attempt
        worker = httpx.get(f"{base}/api/health").json()["workers"][0]
        os.kill(worker, signal.SIGKILL)  # what an out-of-memory kill or a segfault looks like
        if attempt < 3:
            # Queued again, not failed: wait for the next attempt, which still carries the reason.
            deadline = time.monotonic() + 30
            while (requeued := job_state(base, job_id))["attempts"] == attempt:
                assert time.monotonic() < deadline, requeued
                time.sleep(0.02)
            assert requeued["status"] in ("queued", "running") and "queued again" in requeued["error"]
    state = wait_for(base, job_id, ("failed",))
    assert "died" in state["error"] and "3 attempts" in state["error"]
