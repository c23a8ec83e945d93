"""From a pipeline request to checked inputs: the image bytes (base64 or a data-root file, size
read from the header), the checkpoint and recognizer paths (confined to their root, loaded for
``inference``) and the cache key."""

import base64
import binascii
from pathlib import Path

import rfc8785

from ocr_playground.api.models import PipelineRequest
from ocr_playground.artifacts import UnusablePath, confine
from ocr_playground.cachekey import cache_key_from_digest, image_digest
from ocr_playground.errors import NotFound, TooLarge, UsageError
from ocr_playground.imaging.completeness import check_complete
from ocr_playground.imaging.errors import InvalidParams
from ocr_playground.imaging.io import probe_size
from ocr_playground.inference.jobs import load_checkpoint, load_recognizer
from ocr_playground.jobs.routing import CHECKPOINT_PIPELINES
from ocr_playground.jobs.service import JobRequest
from ocr_playground.settings import Settings


def decode_base64(text: str) -> bytes:
    if text.startswith("data:"):
        _, _, text = text.partition(",")
    try:
        # validate=True refuses stray characters instead of silently skipping them.
        data = base64.b64decode("".join(text.split()), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise UsageError(f"The field 'image_base64' is not valid base64 ({exc}).") from None
    if not data:
        raise UsageError("The field 'image_base64' is empty.")
    return data


def confined(user_path: str, root: Path, field: str) -> Path:
    """``confine`` (PathOutsideRoot), with paths the OS cannot even look up named by their field."""
    try:
        return confine(user_path, root)
    except UnusablePath as exc:  # NUL bytes, names too long, loops
        raise UnusablePath(f"The field '{field}' is not a usable path: {exc}") from None


def read_data_file(user_path: str, settings: Settings) -> tuple[bytes, Path]:
    path = confined(user_path, settings.data_root, "image_path")
    if not path.exists():
        raise NotFound(f"There is no image at '{user_path}' under the data root.")
    if not path.is_file():
        raise UsageError(f"'{user_path}' is not a file.")
    size = path.stat().st_size
    if size > settings.max_body_bytes:
        raise TooLarge(f"'{user_path}' is {size} bytes, over the limit of {settings.max_body_bytes} bytes.")
    try:
        return path.read_bytes(), path
    except OSError as exc:
        raise UsageError(f"'{user_path}' cannot be read: {exc.strerror}.") from None


def checkpoint(user_path: str | None, settings: Settings, pipeline_id: str | None = None) -> Path | None:
    if user_path is None:
        return None
    if pipeline_id in CHECKPOINT_PIPELINES:  # resolved, refused if not a usable ONNX detector, loaded
        return load_checkpoint(settings.checkpoints_root, user_path)
    return confined(user_path, settings.checkpoints_root, "checkpoint_path")


def recognizer(user_path: str | None, settings: Settings) -> Path | None:
    """Resolved, refused if not a usable CTC recognizer, and loaded: before any job exists (only
    the ``inference`` pipeline gets here with one: ``validate_job`` refused the others)."""
    return None if user_path is None else load_recognizer(settings.checkpoints_root, user_path)


def key_for(
    pipeline_id: str, digest: str, params: object, checkpoint_path: str | None, recognizer_path: str | None
) -> str:
    try:
        return cache_key_from_digest(pipeline_id, digest, params, checkpoint_path, recognizer_path)
    except rfc8785.CanonicalizationError as exc:
        # e.g. NaN or an integer beyond 2**53: JSON the browser could not hash the same way.
        raise InvalidParams(f"The params cannot be canonicalised for the cache key: {exc}.") from None


def image_bytes(request: PipelineRequest, settings: Settings) -> tuple[bytes, Path | None]:
    """The image bytes and the data-root file they came from (None for an upload)."""
    if request.image_base64 is not None:
        return decode_base64(request.image_base64), None
    if request.image_path is not None:
        return read_data_file(request.image_path, settings)
    raise UsageError("Give the image as 'image_base64' or 'image_path'.")


def load_input(
    request: PipelineRequest, settings: Settings, source: tuple[bytes, Path | None] | None = None
) -> JobRequest:
    """The image bytes (``source`` when already read), their digest and the cache key."""
    data, file = source or image_bytes(request, settings)
    digest = image_digest(data)
    return JobRequest(
        pipeline_id=request.pipeline_id,
        params=request.params,
        cache_key=key_for(
            request.pipeline_id, digest, request.params, request.checkpoint_path, request.recognizer_path
        ),
        image=data,
        digest=digest,
        image_file=file,
        checkpoint_path=checkpoint(request.checkpoint_path, settings, request.pipeline_id),
        recognizer_path=recognizer(request.recognizer_path, settings),
        task_id=request.task_id,
    )


def inspect_image(data: bytes) -> tuple[int, int]:
    """Width and height from the header (pixel limit included) and a whole-file check: all that
    can be refused without decoding. Skipped on a cache hit, whose bytes were already accepted."""
    width, height = probe_size(data)
    check_complete(data)
    return width, height
