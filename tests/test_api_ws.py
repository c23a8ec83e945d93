"""WS /api/pipelines/ws over a real socket: state at subscribe time, every change, task_id echo."""

import json
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from websockets.sync.client import connect

from ocr_playground.settings import Settings

from jobs_api import wait_done
from live_server import live_server
from receipts import b64, jpeg, receipt, slow_params

IMAGE = jpeg(receipt(800, 600, seed=5))


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root: Path = tmp_path_factory.mktemp("ws")
    with live_server(Settings(data_root=root / "data", outputs_root=root / "outputs", workers=1)) as url:
        yield url


def ws_url(base: str) -> str:
    return base.replace("http://", "ws://") + "/api/pipelines/ws"


def receive_until(ws, predicate, timeout: float = 60) -> list[dict]:
    messages = []
    deadline = time.monotonic() + timeout
    while True:
        message = json.loads(ws.recv(timeout=max(0.01, deadline - time.monotonic())))
        messages.append(message)
        if predicate(message):
            return messages


def submit(base: str, params: dict, task_id: str) -> str:
    r = httpx.post(
        f"{base}/api/pipelines/fallback",
        json={
            "pipeline_id": "preprocessing",
            "image_base64": b64(IMAGE),
            "params": params,
            "task_id": task_id,
        },
    )
    assert r.status_code == 202, r.text
    assert r.json()["task_id"] == task_id
    return r.json()["job_id"]


def test_subscribe_gets_the_state_at_once_then_every_change_with_the_task_id(base: str) -> None:
    job_id = submit(base, {"grayscale": True, "autocontrast": True, "blur": True}, "worker-7:42")
    with connect(ws_url(base)) as ws:
        ws.send(json.dumps({"subscribe": job_id}))
        messages = receive_until(ws, lambda m: m["status"] in ("completed", "failed"))
    first = messages[0]
    assert set(first) == {
        "job_id",
        "status",
        "progress",
        "result_path",
        "task_id",
        "error",
        "report",
        "notes",
    }
    assert all(m["job_id"] == job_id and m["task_id"] == "worker-7:42" for m in messages)
    assert messages[-1]["status"] == "completed"
    assert messages[-1]["result_path"].endswith(f"playground/preprocessing/{job_id}.png")
    progress = [m["progress"] for m in messages]
    assert progress == sorted(progress) and progress[-1] == 1


def test_subscribing_to_a_finished_job_sends_its_final_state(base: str) -> None:
    job_id = submit(base, {"grayscale": True}, "done-1")
    wait_done(base, job_id)
    with connect(ws_url(base)) as ws:
        ws.send(json.dumps({"subscribe": [job_id]}))
        message = json.loads(ws.recv(timeout=10))
    assert message["status"] == "completed" and message["task_id"] == "done-1"


def test_progress_and_cancel_reach_the_subscriber(base: str) -> None:
    job_id = submit(base, slow_params(3), "slow-1")
    with connect(ws_url(base)) as ws:
        ws.send(json.dumps({"subscribe": job_id}))
        receive_until(ws, lambda m: m["status"] == "running", timeout=30)
        assert httpx.delete(f"{base}/api/pipelines/jobs/{job_id}").status_code == 200
        last = receive_until(ws, lambda m: m["status"] == "cancelled", timeout=10)[-1]
    assert last["task_id"] == "slow-1" and last["error"]


def test_unsubscribe_stops_updates(base: str) -> None:
    job_id = submit(base, slow_params(4), "slow-2")
    other = submit(base, {"grayscale": True, "blur": {"kernelSize": 7}}, "quick")
    with connect(ws_url(base)) as ws:
        ws.send(json.dumps({"subscribe": [job_id, other]}))
        ws.send(json.dumps({"unsubscribe": job_id}))
        # Messages are handled in order: once the answer about an unknown id arrives, the
        # unsubscribe has been too, and the cancel below cannot race it.
        ws.send(json.dumps({"subscribe": "preprocessing-000000000000"}))
        receive_until(ws, lambda m: m["job_id"] == "preprocessing-000000000000", timeout=10)
        httpx.delete(f"{base}/api/pipelines/jobs/{job_id}")
        messages = receive_until(ws, lambda m: m["job_id"] == other and m["status"] == "completed")
    # The two subscribe-time states may name the slow job; nothing after the unsubscribe does.
    assert [m for m in messages if m["job_id"] == job_id and m["status"] == "cancelled"] == []


@pytest.mark.parametrize(
    "message",
    [
        "not json",
        "[1, 2]",
        '{"hello": 1}',
        '{"subscribe": 5}',
        '{"subscribe": []}',
        '{"unsubscribe": [1]}',
    ],
)
def test_bad_messages_get_a_detail_and_the_socket_stays_open(base: str, message: str) -> None:
    with connect(ws_url(base)) as ws:
        ws.send(message)
        assert isinstance(json.loads(ws.recv(timeout=5))["detail"], str)
        ws.send(json.dumps({"subscribe": "preprocessing-000000000000"}))
        reply = json.loads(ws.recv(timeout=5))
        assert reply["job_id"] == "preprocessing-000000000000" and "No job" in reply["detail"]
