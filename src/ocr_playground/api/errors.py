"""Every 4xx answer is ``{"detail": "<one sentence>"}``: this module makes it so.

Domain errors declare their status themselves (``ocr_playground.errors.Refusal``); one handler
answers them all. The other handlers cover what the framework and the standard library raise.
FastAPI's validation errors arrive as a list; they are turned into a sentence naming the field, and
the list rides along under ``errors`` for clients that want it. Anything no handler takes is a bug:
``InternalErrors`` answers it as a JSON 500 and logs its traceback.
"""

import logging
import sqlite3
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Receive, Scope, Send

from ocr_playground.api.middleware import WatchedSend
from ocr_playground.artifacts import shown
from ocr_playground.errors import Refusal

log = logging.getLogger(__name__)
INTERNAL_ERROR = "Internal error; the server log has the details."


def _location(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "request"


def validation_sentence(errors: list[dict[str, Any]]) -> str:
    """One sentence for a list of pydantic errors: the first culprit, and how many more."""
    if not errors:
        return "The request is invalid."
    first = errors[0]
    if first.get("type") == "json_invalid":
        return f"The request body is not valid JSON: {first.get('ctx', {}).get('error', 'parse error')}."
    where = _location(first.get("loc", ()))
    message = str(first.get("msg", "is invalid")).rstrip(".")
    more = f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})" if len(errors) > 1 else ""
    return f"Invalid field '{where}': {message}{more}."


def _json_safe(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            k: (v if k != "ctx" else {ck: str(cv) for ck, cv in v.items()})
            for k, v in e.items()
            if k in ("type", "loc", "msg", "ctx")
        }
        for e in errors
    ]


def error_response(
    code: int, detail: str, headers: dict[str, str] | None = None, **extra: Any
) -> JSONResponse:
    """The one way an error becomes a response: ``{"detail": sentence}``. The sentence may quote
    the request (an unknown op name, a path), so a lone surrogate in it is escaped, or encoding
    the answer would fail and turn a 4xx into a 500."""
    return JSONResponse(status_code=code, content={"detail": shown(detail), **extra}, headers=headers)


async def _on_validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
    errors = list(exc.errors())
    safe = jsonable_encoder(_json_safe(errors), custom_encoder={str: shown})
    return error_response(422, validation_sentence(errors), errors=safe)


async def _on_http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
    # Starlette's own answers are a bare phrase ("Not Found"); say what was not found.
    if exc.status_code == 404 and detail == "Not Found":
        detail = f"No route matches {request.method} {request.url.path}."
    elif exc.status_code == 405 and detail == "Method Not Allowed":
        detail = f"Method {request.method} is not allowed on {request.url.path}."
    elif exc.status_code == 400 and detail == "There was an error parsing the body":
        # Valid JSON syntax the parser still refuses (malformed JSON is a 422 of its own).
        detail = (
            "The request body cannot be parsed: its JSON is nested too deeply or holds an integer of "
            "over 4,300 digits."
        )
    return error_response(exc.status_code, detail, exc.headers)


async def _on_refusal(_: Request, exc: Refusal) -> JSONResponse:
    headers = None if exc.retry_after is None else {"Retry-After": str(exc.retry_after)}
    return error_response(exc.status_code, str(exc), headers)


async def _on_sqlite_error(_: Request, exc: sqlite3.Error) -> JSONResponse:
    # Reads go straight to SQLite (writes are translated by the store): a fault there is the
    # server's storage, not the request.
    detail = f"The job database cannot be read ({exc}); the server's storage needs attention."
    return error_response(503, detail, {"Retry-After": "30"})


async def _on_unencodable(_: Request, exc: UnicodeEncodeError) -> JSONResponse:
    # Text that cannot become UTF-8 (a lone surrogate such as "\ud800") reached a file name,
    # SQLite or the answer: it came from the request, so it is the request's fault.
    return error_response(422, "The request holds text that is not valid Unicode (a lone surrogate).")


async def _on_too_deep(_: Request, exc: RecursionError) -> JSONResponse:
    return error_response(422, "The request body is nested too deeply.")


class InternalErrors:
    """An exception that escapes every handler answers ``{"detail": INTERNAL_ERROR}`` with 500, and
    its traceback is logged. Starlette would hand it to its ServerErrorMiddleware, which answers
    plain text and raises it on to uvicorn, which then closes the connection; caught here, the
    answer is JSON like every other and the connection stays usable. Once an answer has started
    nothing else can be sent, so the exception goes on (and uvicorn cuts the connection)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        watched = WatchedSend(send)
        try:
            await self.app(scope, receive, watched)
        except Exception as exc:
            if watched.started:
                raise
            if isinstance(exc, StarletteHTTPException):  # raised by a middleware, past the handlers
                detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
                await error_response(exc.status_code, detail, dict(exc.headers or {}))(scope, receive, send)
                return
            log.exception("Unhandled error in %s %s", scope["method"], scope["path"])
            await error_response(500, INTERNAL_ERROR)(scope, receive, send)


def install_error_handlers(app: FastAPI) -> None:
    """The handlers, and the catch-all around everything: call it after adding the other
    middleware, so that ``InternalErrors`` is the outermost and sees their failures too."""
    app.add_middleware(InternalErrors)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(StarletteHTTPException, _on_http_error)
    app.add_exception_handler(Refusal, _on_refusal)
    app.add_exception_handler(sqlite3.Error, _on_sqlite_error)
    app.add_exception_handler(UnicodeEncodeError, _on_unencodable)
    app.add_exception_handler(RecursionError, _on_too_deep)
