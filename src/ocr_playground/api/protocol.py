"""uvicorn's HTTP protocol (httptools) with the two things the app cannot do from inside ASGI.

* Its own error answers (a malformed request line or header) are ``{"detail": sentence}`` like
  every other error, not ``text/plain``.
* A request must finish its headers within ``header_timeout_s`` of its first byte (or of the
  connection opening): a client that opens connections and drips header bytes (slowloris) would
  otherwise hold each one for ever. The body has its own deadline (``middleware.BodyLimit``).
"""

import asyncio
import json

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

_REASONS = {400: b"Bad Request", 408: b"Request Timeout"}


class GuardedHttpProtocol(HttpToolsProtocol):
    header_timeout_s: float = 10.0
    _header_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._arm()

    def on_headers_complete(self) -> None:
        self._disarm()
        super().on_headers_complete()

    def _arm(self) -> None:
        self._disarm()
        self._header_timer = self.loop.call_later(self.header_timeout_s, self._headers_too_slow)

    def _disarm(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _headers_too_slow(self) -> None:
        self._header_timer = None
        if self.cycle is None or self.cycle.response_complete:  # not inside a running request
            self._answer(408, f"The request headers did not arrive within {self.header_timeout_s:g} s.")

    def send_400_response(self, msg: str) -> None:
        self._answer(400, f"The request is not valid HTTP ({msg.rstrip('.')}).")

    def _answer(self, status: int, detail: str) -> None:
        if self.transport.is_closing():
            return
        body = json.dumps({"detail": detail}).encode()
        head = [
            b"HTTP/1.1 %d %s\r\n" % (status, _REASONS[status]),
            b"content-type: application/json\r\n",
            b"content-length: %d\r\n" % len(body),
            b"connection: close\r\n\r\n",
        ]
        self.transport.write(b"".join(head) + body)
        self.transport.close()


def guarded_http(header_timeout_s: float) -> type[GuardedHttpProtocol]:
    """The protocol class for ``uvicorn.Config(http=...)`` with this header deadline."""
    return type("GuardedHttp", (GuardedHttpProtocol,), {"header_timeout_s": header_timeout_s})
