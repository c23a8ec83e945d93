"""Every 4xx answer is ``{"detail": "<one sentence>"}``: this module makes it so.

FastAPI's validation errors arrive as a list; they are turned into a sentence naming the field, and
the list rides along under ``errors`` for clients that want it.
"""

from typing import Any

from fastapi import FastAPI, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from ocr_playground.imaging.errors import ImageTooLarge, ImagingError, UnknownPipeline


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
        status_code=status.HTTP_422_UNPROCESSABLE_ENTITY,
        content={"detail": validation_sentence(errors), "errors": _json_safe(errors)},
    )


async def _on_http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
    detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
    return JSONResponse(status_code=exc.status_code, content={"detail": detail}, headers=exc.headers)


async def _on_imaging_error(_: Request, exc: ImagingError) -> JSONResponse:
    code = 422
    if isinstance(exc, ImageTooLarge):
        code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    elif isinstance(exc, UnknownPipeline):
        code = status.HTTP_404_NOT_FOUND
    return JSONResponse(status_code=code, content={"detail": str(exc)})


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(StarletteHTTPException, _on_http_error)
    app.add_exception_handler(ImagingError, _on_imaging_error)
