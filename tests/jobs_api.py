"""Reading a server job's state over HTTP, and waiting for it, for the API tests."""

import time

import httpx

FINISHED = ("completed", "failed", "cancelled")


def job_state(base: str, job_id: str) -> dict:
    return httpx.get(f"{base}/api/pipelines/jobs/{job_id}").json()


def wait_for(base: str, job_id: str, statuses: tuple[str, ...], timeout: float = 30) -> dict:
    """Poll until the job is in one of ``statuses``; fail with its last state after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while (state := job_state(base, job_id))["status"] not in statuses:
        assert time.monotonic() < deadline, state
        time.sleep(0.02)
    return state


def wait_done(base: str, job_id: str, timeout: float = 60) -> dict:
    return wait_for(base, job_id, FINISHED, timeout)
