"""Errors raised by image code for bad input. Each message is one sentence naming the culprit.

Each declares its HTTP status (see ``ocr_playground.errors``); the CLI exits with status 2. Anything
else escaping is a bug.
"""

from pydantic import ValidationError

from ocr_playground.errors import Refusal


def first_problem(exc: ValidationError, fallback: str = "params") -> tuple[str, str]:
    """The first problem of a pydantic error: its dotted field path (or ``fallback``) and message."""
    first = exc.errors()[0]
    return ".".join(str(p) for p in first["loc"]) or fallback, first["msg"]


class ImagingError(Refusal, ValueError):
    """Base of every bad-input error raised by ``ocr_playground.imaging``."""

    status_code = 422


class InvalidImage(ImagingError):
    """The bytes are not a decodable image (or are truncated)."""


class ImageTooLarge(ImagingError):
    """The image header announces more pixels than the limit; nothing was decoded."""

    status_code = 413


class UnknownPipeline(ImagingError):
    """No pipeline has this id."""

    status_code = 404


class InvalidParams(ImagingError):
    """Params name an unknown op, or an op's params fail validation. ``op`` and ``field`` name the
    culprit where there is one (the browser's twin names the same: contract/index.ts)."""

    def __init__(self, message: str, op: str | None = None, field: str | None = None) -> None:
        super().__init__(message)
        self.op = op
        self.field = field
