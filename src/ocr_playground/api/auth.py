"""The access token, as Jupyter does it: served beyond loopback, every route needs it.

``ocr-playground serve --host 0.0.0.0`` takes ``OCRP_TOKEN`` or makes one and prints the URL that
carries it. A request may show the token as ``?token=...``, as ``Authorization: token ...`` (or
``Bearer ...``) or in the ``ocrp_token`` cookie; it is compared in constant time. A page opened
with ``?token=`` in its URL gets the cookie (HttpOnly, SameSite=Strict) and is redirected to the
same URL without it, so the token leaves the address bar and the history, and the SPA, its assets,
its API calls and its WebSocket carry the cookie without knowing about it.

Without the token: 401 with a sentence (the WebSocket is refused with an HTTP 401 before it
opens); ``/api/health`` answers only ``{"status": ...}``, enough for a load balancer.
"""

import hmac
import ipaddress
import json
import secrets
from http.cookies import SimpleCookie
from urllib.parse import parse_qsl, urlencode

from starlette.types import ASGIApp, Receive, Scope, Send

COOKIE = "ocrp_token"
PUBLIC_PATHS = ("/api/health",)
_REFUSAL = (
    "This server needs its access token: open the URL it printed at start (…/?token=...), or send "
    "the header 'Authorization: token <token>'."
)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:  # a host name: it may resolve to anything
        return False


def new_token() -> str:
    return secrets.token_urlsafe(24)


def _shown_token(scope: Scope) -> str | None:
    """The token the request carries (query, Authorization header, cookie), if any."""
    for key, value in parse_qsl(scope.get("query_string", b"").decode("latin-1")):
        if key == "token":
            return value
    headers = dict(scope.get("headers", []))
    scheme, _, credentials = headers.get(b"authorization", b"").decode("latin-1").partition(" ")
    if scheme.lower() in ("token", "bearer") and credentials:
        return credentials.strip()
    cookie = SimpleCookie()
    try:
        cookie.load(headers.get(b"cookie", b"").decode("latin-1"))
    except Exception:  # a malformed Cookie header carries no token
        return None
    morsel = cookie.get(COOKIE)
    return morsel.value if morsel is not None else None


class TokenGate:
    """Plain ASGI, outermost: refuses before any route, static file or WebSocket runs."""

    def __init__(self, app: ASGIApp, token: str | None) -> None:
        self.app = app
        self.token = token.encode() if token else None

    def _valid(self, shown: str | None) -> bool:
        return shown is not None and hmac.compare_digest(shown.encode("utf-8", "replace"), self.token or b"")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.token is None or scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        allowed = self._valid(_shown_token(scope))
        scope.setdefault("state", {})["authenticated"] = allowed
        query = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
        page = scope["type"] == "http" and scope["method"] in ("GET", "HEAD")
        if allowed and page and any(key == "token" for key, _ in query):
            await self._keep_in_cookie(scope, send, query)
            return
        if allowed or (scope["type"] == "http" and scope["path"] in PUBLIC_PATHS):
            await self.app(scope, receive, send)
            return
        await self._refuse(scope, receive, send)

    async def _keep_in_cookie(self, scope: Scope, send: Send, query: list[tuple[str, str]]) -> None:
        rest = urlencode([(k, v) for k, v in query if k != "token"])
        location = scope.get("root_path", "") + scope["path"] + (f"?{rest}" if rest else "")
        cookie = f"{COOKIE}={self.token.decode()}; HttpOnly; SameSite=Strict; Path=/"  # type: ignore[union-attr]
        headers = [
            (b"location", location.encode("latin-1")),
            (b"set-cookie", cookie.encode("latin-1")),
            (b"cache-control", b"no-store"),
            (b"content-length", b"0"),
        ]
        await send({"type": "http.response.start", "status": 303, "headers": headers})
        await send({"type": "http.response.body", "body": b""})

    @staticmethod
    async def _refuse(scope: Scope, receive: Receive, send: Send) -> None:
        body = json.dumps({"detail": _REFUSAL}).encode()
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"www-authenticate", b"Token"),
        ]
        if scope["type"] == "http":
            await send({"type": "http.response.start", "status": 401, "headers": headers})
            await send({"type": "http.response.body", "body": body})
            return
        await receive()  # websocket.connect: the handshake is answered after it arrives
        if "websocket.http.response" in scope.get("extensions", {}):
            await send({"type": "websocket.http.response.start", "status": 401, "headers": headers})
            await send({"type": "websocket.http.response.body", "body": body})
        else:  # a server without the denial extension: close before accepting (HTTP 403)
            await send({"type": "websocket.close", "code": 1008})
