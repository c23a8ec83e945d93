"""Errors raised by image code for bad input. Each message is one sentence naming the culprit.

The API maps them to 4xx answers and the CLI to exit status 2; anything else escaping is a bug.
"""

from pydantic import ValidationError


def first_problem(exc: ValidationError, fallback: str = "params") -> tuple[str, str]:
    """The first problem of a pydantic error: its dotted field path (or ``fallback``) and message."""
    first = exc.errors()[0]
    return ".".join(str(p) for p in first["loc"]) or fallback, first["msg"]


class ImagingError(ValueError):
    """Base of every bad-input error raised by ``ocr_playground.imaging``."""


class InvalidImage(ImagingError):
    """The bytes are not a decodable image (or are truncated)."""


class ImageTooLarge(ImagingError):
    """The image header announces more pixels than the limit; nothing was decoded."""


class UnknownPipeline(ImagingError):
    """No pipeline has this id."""


class InvalidParams(ImagingError):
    """Params name an unknown op, or an op's params fail validation."""
