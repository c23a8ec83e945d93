"""ASGI middleware: the request body limits (size and time) and the request latency histogram.

Both are plain ASGI (not BaseHTTPMiddleware) so they neither buffer bodies nor break WebSockets.
"""

import asyncio
import time

from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ocr_playground.server_metrics import ServerMetrics


def _too_large(limit: int) -> str:
    return f"The request body is over the limit of {limit} bytes ({limit // (1024 * 1024)} MB)."


class WatchedSend:
    """``send``, noting whether the answer has begun: after that no error answer can be sent, so
    a middleware that would answer an exception must let it go on instead."""

    def __init__(self, send: Send) -> None:
        self.send = send
        self.started = False

    async def __call__(self, message: Message) -> None:
        self.started = self.started or message["type"] == "http.response.start"
        await self.send(message)


class BodyLimit:
    """Refuse a body over ``limit`` bytes with 413: at once when Content-Length says so, else as
    soon as the streamed chunks pass it, without reading the rest. A body that has not all
    arrived ``timeout_s`` after the request started is refused with 408 (a client that stops
    sending would otherwise hold the request, its thread and its buffer for ever)."""

    def __init__(self, app: ASGIApp, limit: int, timeout_s: float = 120.0) -> None:
        self.app = app
        self.limit = limit
        self.timeout_s = timeout_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope["headers"]:
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = -1
                if declared > self.limit:
                    await JSONResponse(
                        {"detail": _too_large(self.limit)}, 413, headers={"Connection": "close"}
                    )(scope, receive, send)
                    return
        received = 0
        body_done = False
        deadline = asyncio.get_running_loop().time() + self.timeout_s

        async def counting_receive() -> Message:
            nonlocal received, body_done
            if body_done:  # afterwards receive() only waits for a disconnect: no deadline
                return await receive()
            try:
                message = await asyncio.wait_for(receive(), deadline - asyncio.get_running_loop().time())
            except TimeoutError:
                raise HTTPException(
                    408, f"The request body did not arrive within {self.timeout_s:g} s."
                ) from None
            body_done = message["type"] != "http.request" or not message.get("more_body", False)
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    # FastAPI re-raises HTTPException from body reading, so this becomes a 413.
                    raise HTTPException(413, _too_large(self.limit))
            return message

        watched = WatchedSend(send)
        try:
            await self.app(scope, counting_receive, watched)
        except HTTPException as exc:
            if watched.started or exc.status_code not in (408, 413):
                raise
            refusal = JSONResponse({"detail": exc.detail}, exc.status_code, headers={"Connection": "close"})
            await refusal(scope, receive, send)


class RequestMetrics:
    """Observe every HTTP request's latency, labelled by route template (not the raw path, which
    would make one series per job id), and tell the client in a ``Server-Timing`` header."""

    def __init__(self, app: ASGIApp, metrics: ServerMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status_code = 500

        async def recording_send(message: Message) -> None:
            nonlocal status_code
            if message["type"] == "http.response.start":
                status_code = message["status"]
                # Server-Timing lets a client tell the server's share of a latency from the network's.
                spent = (time.perf_counter() - started) * 1000
                headers = [*message.get("headers", []), (b"server-timing", f"app;dur={spent:.2f}".encode())]
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, recording_send)
        finally:
            route = scope.get("route")
            label = getattr(route, "path", None) or "unmatched"
            self.metrics.request_seconds.labels(scope["method"], label, str(status_code)).observe(
                time.perf_counter() - started
            )
