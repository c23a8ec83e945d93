"""Every 4xx answer is ``{"detail": "<one sentence>"}``: this module makes it so.

FastAPI's validation errors arrive as a list; they are turned into a sentence naming the field, and
the list rides along under ``errors`` for clients that want it.
"""

from typing import Any

from fastapi import FastAPI, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from ocr_playground.artifacts import PathOutsideRoot
from ocr_playground.imaging.errors import ImageTooLarge, ImagingError, UnknownPipeline
from ocr_playground.jobs.service import JobAlreadyDone, JobNotFound, QueueFull
from ocr_playground.runs.errors import RunError


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


async def _on_validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
    errors = list(exc.errors())
    return JSONResponse(
        status_code=422,
        content={"detail": validation_sentence(errors), "errors": _json_safe(errors)},
    )


async def _on_http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
    # Starlette's own answers are a bare phrase ("Not Found"); say what was not found.
    if exc.status_code == 404 and detail == "Not Found":
        detail = f"No route matches {request.method} {request.url.path}."
    elif exc.status_code == 405 and detail == "Method Not Allowed":
        detail = f"Method {request.method} is not allowed on {request.url.path}."
    return JSONResponse(status_code=exc.status_code, content={"detail": detail}, headers=exc.headers)


async def _on_imaging_error(_: Request, exc: ImagingError) -> JSONResponse:
    code = 422
    if isinstance(exc, ImageTooLarge):
        code = 413
    elif isinstance(exc, UnknownPipeline):
        code = status.HTTP_404_NOT_FOUND
    return JSONResponse(status_code=code, content={"detail": str(exc)})


def _detail(code: int, headers: dict[str, str] | None = None):
    async def handler(_: Request, exc: Exception) -> JSONResponse:
        return JSONResponse(status_code=code, content={"detail": str(exc)}, headers=headers)

    return handler


async def _on_queue_full(_: Request, exc: QueueFull) -> JSONResponse:
    return JSONResponse(
        status_code=status.HTTP_429_TOO_MANY_REQUESTS,
        content={"detail": str(exc)},
        headers={"Retry-After": str(exc.retry_after)},
    )


async def _on_run_error(_: Request, exc: RunError) -> JSONResponse:
    return JSONResponse(status_code=exc.status_code, content={"detail": str(exc)})


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(StarletteHTTPException, _on_http_error)
    app.add_exception_handler(ImagingError, _on_imaging_error)
    app.add_exception_handler(PathOutsideRoot, _detail(status.HTTP_403_FORBIDDEN))
    app.add_exception_handler(JobNotFound, _detail(status.HTTP_404_NOT_FOUND))
    app.add_exception_handler(JobAlreadyDone, _detail(status.HTTP_409_CONFLICT))
    app.add_exception_handler(QueueFull, _on_queue_full)
    app.add_exception_handler(RunError, _on_run_error)
