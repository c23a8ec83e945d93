"""WS /api/pipelines/ws: follow jobs and runs. The client sends ``{"subscribe": id | [ids]}`` or
``{"unsubscribe": ...}``; the server sends each followed job's (or run's) state at once, then every
change (a run's at most a few times a second).

The current state goes through the same queue as the updates and is read *after* the job is
followed, so a change racing the subscription is never lost (at worst a state arrives twice).
"""

import asyncio
import contextlib
import json
from typing import Any

from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from ocr_playground.artifacts import shown
from ocr_playground.jobs.bus import Subscription
from ocr_playground.jobs.service import JobService, state
from ocr_playground.runs.service import RunService
from ocr_playground.runs.sweeps import SweepService, progress

router = APIRouter(tags=["pipelines"])

MAX_IDS = 500  # ids one message may name
MAX_ID_CHARS = 200


def _is_id(value: Any) -> bool:
    """A string a job id could be: bounded, and whole Unicode (SQLite and JSON cannot hold a lone
    surrogate, so one would break the socket instead of getting an answer)."""
    return isinstance(value, str) and len(value) <= MAX_ID_CHARS and value == shown(value)


def _ids(value: Any) -> list[str] | None:
    if _is_id(value):
        return [value]
    if isinstance(value, list) and 0 < len(value) <= MAX_IDS and all(_is_id(v) for v in value):
        return value
    return None


RUN_PREFIX = "run-"


def current_state(
    some_id: str, service: JobService, runs: RunService, sweeps: SweepService | None = None
) -> dict[str, Any] | None:
    """A job's or a run's state as a message (runs are ``run-...``, with their latest sweep's
    progress when they have one); None when there is none."""
    if some_id.startswith(RUN_PREFIX):
        run = runs.store.get(some_id)
        if run is None:
            return None
        sweep = None if sweeps is None else sweeps.store.latest(some_id)
        return run.state() if sweep is None else run.state() | {"sweep": progress(sweep)}
    job = service.store.get(some_id)
    return None if job is None else state(job)


async def _handle(
    message: str,
    service: JobService,
    subscription: Subscription,
    runs: RunService,
    sweeps: SweepService | None = None,
) -> None:
    outbox = subscription.queue  # bus updates and our own replies share one ordered queue
    try:
        request = json.loads(message)
    except ValueError:
        await outbox.put({"detail": "The message is not valid JSON."})
        return
    except RecursionError:
        await outbox.put({"detail": "The message is nested too deeply."})
        return
    if not isinstance(request, dict) or not ({"subscribe", "unsubscribe"} & request.keys()):
        await outbox.put({"detail": 'Send {"subscribe": job_id or [job_ids]} or {"unsubscribe": ...}.'})
        return
    for verb in ("subscribe", "unsubscribe"):
        if verb not in request:
            continue
        ids = _ids(request[verb])
        if ids is None:
            await outbox.put(
                {
                    "detail": f"'{verb}' takes a job id (up to {MAX_ID_CHARS} characters of valid "
                    f"Unicode) or a list of 1 to {MAX_IDS} of them."
                }
            )
            continue
        if verb == "unsubscribe":
            service.bus.unfollow(subscription, ids)
            continue
        service.bus.follow(subscription, ids)
        for job_id in ids:
            current = current_state(job_id, service, runs, sweeps)
            if current is None:
                service.bus.unfollow(subscription, [job_id])
                key = "run_id" if job_id.startswith(RUN_PREFIX) else "job_id"
                await outbox.put({key: job_id, "detail": f"No job or run has the id '{job_id}'."})
            else:
                await outbox.put(current)


@router.websocket("/api/pipelines/ws")
async def job_updates(websocket: WebSocket) -> None:
    service: JobService = websocket.app.state.jobs
    await websocket.accept()
    subscription = service.bus.subscribe()

    async def send() -> None:
        while True:
            await websocket.send_json(await subscription.queue.get())

    sender = asyncio.create_task(send())
    try:
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                break
            text = message.get("text")
            if text is None:
                text = (message.get("bytes") or b"").decode("utf-8", "replace")
            await _handle(text, service, subscription, websocket.app.state.runs, websocket.app.state.sweeps)
    except WebSocketDisconnect:
        pass
    finally:
        service.bus.close(subscription)
        sender.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await sender
