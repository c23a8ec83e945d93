"""Bad-input errors of the inference package. Each message is one sentence naming the culprit.

Each declares its HTTP status (``status_code``, see ``ocr_playground.errors``); the CLI exits 2.
A checkpoint path outside its root is ``artifacts.PathOutsideRoot``, as for every other root.
"""

from ocr_playground.errors import Refusal


class InferenceError(Refusal, ValueError):
    """Base of every bad-input error raised by ``ocr_playground.inference``."""

    status_code = 422


class CheckpointNotFound(InferenceError):
    status_code = 404


class CheckpointNotLoadable(InferenceError):
    """A training checkpoint (.ckpt/.pt/.pth) or any non-ONNX file: never unpickled."""

    status_code = 415


class InvalidModel(InferenceError):
    """An ONNX file that does not load, or is not a DBNet-style detector (image in, map out)."""


class InvalidProfile(InferenceError):
    """A ``<model>.json`` sidecar that is not valid JSON or not a valid profile."""


class InvalidAnnotations(InferenceError):
    """Ground truth or predictions that cannot be read (evaluation inputs)."""


class GeometryNotInvertible(InferenceError):
    """A preprocessing op that moves pixels in a way detections cannot be mapped back through."""


class EvaluationTooLong(InferenceError):
    """Scoring passed the deadline a synchronous caller gave it: the set is too large to score
    within one request."""

    status_code = 413


class InputTooLarge(InferenceError):
    """The model input would pass the profile's caps (a fixed-size graph larger than them)."""

    status_code = 413


class InferenceBusy(InferenceError):
    """Every inference slot of this process stayed busy for the whole wait."""

    status_code = 429
    retry_after = 5
