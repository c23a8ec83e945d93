"""Named pipelines and how they run.

``preprocessing`` takes ``params`` keyed by op: ``true`` (on, defaults), an object (on, with these
params), ``false``/absent (off), and for background removal ``"client"``/``"server"`` — a routing
hint that also means on, with defaults. ``rembg`` is background removal alone with its params at the
top level. Params are validated in full before any pixel is touched, and the ops always run in the
pipeline's fixed order, whatever order the JSON had.
"""

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import cv2
import numpy as np
import rfc8785
from pydantic import ValidationError

from ocr_playground.imaging.errors import InvalidParams, UnknownPipeline, first_problem
from ocr_playground.imaging.ops.base import Op, OpParams
from ocr_playground.imaging.registry import OPS, canonical_name

ROUTING_HINTS = ("client", "server")
HINTED_OP = "background_removal"

ProgressCallback = Callable[[str, float], None]


@dataclass(frozen=True)
class Pipeline:
    id: str
    ops: tuple[str, ...]
    description: str
    # "by_op": params keyed by op name; "flat": params of the single op at the top level.
    params_style: Literal["by_op", "flat"] = "by_op"


PIPELINES: dict[str, Pipeline] = {
    p.id: p
    for p in (
        Pipeline(
            "preprocessing",
            (
                "resize",
                "crop_document",
                "background_removal",
                "grayscale",
                "autocontrast",
                "blur",
                "binarize",
            ),
            "Receipt preprocessing: each op switched on or off, run in this fixed order.",
        ),
        Pipeline(
            "rembg",
            ("background_removal",),
            "Background removal alone; its params sit at the top level.",
            params_style="flat",
        ),
    )
}


@dataclass(frozen=True)
class Step:
    op: Op
    params: OpParams


@dataclass
class PipelineResult:
    image: np.ndarray
    timings: dict[str, float] = field(default_factory=dict)  # op name -> milliseconds, in run order
    # op name -> what it found (crop_document and background_removal: the page's quad and confidence,
    # in the pixels of the pipeline's input image)
    reports: dict[str, dict] = field(default_factory=dict)


def get_pipeline(pipeline_id: str) -> Pipeline:
    try:
        return PIPELINES[pipeline_id]
    except KeyError:
        known = ", ".join(PIPELINES)
        raise UnknownPipeline(f"Unknown pipeline '{pipeline_id}'; known pipelines: {known}.") from None


def _refusal(op_name: str, exc: ValidationError) -> InvalidParams:
    where, message = first_problem(exc)
    first = exc.errors()[0]
    value = f" (got {first['input']!r})" if "input" in first and first["type"] != "missing" else ""
    more = f"; {exc.error_count() - 1} more problem(s)" if exc.error_count() > 1 else ""
    message = message.removeprefix("Value error, ")
    return InvalidParams(
        f"Invalid params for op '{op_name}': field '{where}': {message}{value}{more}.", op_name, where
    )


def _json_numbers(value: Mapping[str, Any]) -> dict[str, Any]:
    """JSON has one number type: ``5.0`` is ``5`` (the browser cannot tell them apart, and RFC 8785
    hashes both as ``5``), so a whole float becomes an int before the strict check below."""
    return {k: int(v) if isinstance(v, float) and v.is_integer() else v for k, v in value.items()}


def _validate_op(op: Op, value: Any) -> OpParams | None:
    """Turn one op's JSON value into its params model, or None when the op is off."""
    if value is None or value is False:
        return None
    if value is True or (op.name == HINTED_OP and value in ROUTING_HINTS):
        value = {}
    if not isinstance(value, Mapping):
        hint = ', "client" or "server"' if op.name == HINTED_OP else ""
        raise InvalidParams(
            f"Op '{op.name}' takes true, false{hint} or an object of params, got {value!r}.", op.name
        )
    try:
        # Strict and by JSON name only: exactly what the browser's validation (the same JSON Schema,
        # web/src/contract) accepts, so both engines refuse the same params and name the same field.
        return op.params.model_validate(_json_numbers(value), strict=True, by_alias=True, by_name=False)
    except ValidationError as exc:
        raise _refusal(op.name, exc) from None


def _is_hint(value: Any) -> bool:
    return isinstance(value, str) and value in ROUTING_HINTS


def _same(first: Any, second: Any) -> bool:
    """Equal as JSON (RFC 8785, as the browser compares them): ``true`` is not ``1``, ``1.0`` is."""
    try:
        return rfc8785.dumps(first) == rfc8785.dumps(second)
    except rfc8785.CanonicalizationError:  # NaN, or an integer past 2**53: no JSON twin to compare
        return first == second


def _combine(name: str, first: Any, second: Any) -> Any:
    """One op given under its name and under an alias. The contract's own client does this: its
    params carry ``"rembg": "client"`` and it adds ``background_removal = "server"`` to fall back.
    A routing hint joins any setting that switches the op on ("server" wins as the hint, and
    ``server_hint`` sees it under either key); two settings that are not hints must agree."""
    if _is_hint(first) and _is_hint(second):
        return "server" if "server" in (first, second) else "client"
    if _is_hint(first) or _is_hint(second):
        setting = second if _is_hint(first) else first
        if setting is None or setting is False:
            raise InvalidParams(
                f"Op '{name}' is switched off under one name and on under its alias; give it once.", name
            )
        return setting
    if not _same(first, second):
        raise InvalidParams(
            f"Op '{name}' is given twice with different settings (once under an alias); give it once.", name
        )
    return first


def _by_op(pipeline: Pipeline, params: Mapping[str, Any]) -> dict[str, Any]:
    """Params keyed by canonical op name; unknown names and conflicting aliases refused."""
    chosen: dict[str, Any] = {}
    for key, value in params.items():
        name = canonical_name(key)
        if name is None or name not in pipeline.ops:
            raise InvalidParams(
                f"Unknown op '{key}' for pipeline '{pipeline.id}'; its ops are: {', '.join(pipeline.ops)}.",
                key,
            )
        chosen[name] = _combine(name, chosen[name], value) if name in chosen else value
    return chosen


def validate(pipeline_id: str, params: Any) -> list[Step]:
    """The steps that will run, in order; raises before any work when anything is off."""
    pipeline = get_pipeline(pipeline_id)
    if params is None:
        params = {}
    if not isinstance(params, Mapping):
        raise InvalidParams(f"Params for pipeline '{pipeline_id}' must be a JSON object, got {params!r}.")
    values = {pipeline.ops[0]: dict(params)} if pipeline.params_style == "flat" else _by_op(pipeline, params)
    steps = []
    for name in pipeline.ops:
        op_params = _validate_op(OPS[name], values.get(name))
        if op_params is not None:
            steps.append(Step(OPS[name], op_params))
    return steps


def _to_input(step: Step, before: np.ndarray, after: np.ndarray, report: dict | None) -> np.ndarray | None:
    """The 3×3 map from the step's output pixels back to its input's, for the ops that move
    pixels: resize (a scale, pixel centres kept) and crop_document (the page's homography)."""
    if step.op.name == "resize":
        sx, sy = before.shape[1] / after.shape[1], before.shape[0] / after.shape[0]
        return np.array([[sx, 0, 0.5 * sx - 0.5], [0, sy, 0.5 * sy - 0.5], [0, 0, 1]])
    if step.op.name == "crop_document" and report and report.get("quad"):
        h, w = after.shape[:2]
        rect = np.float32([[0, 0], [w - 1, 0], [w - 1, h - 1], [0, h - 1]])
        return cv2.getPerspectiveTransform(rect, np.float32(report["quad"])).astype(np.float64)
    return None


def _in_input_pixels(report: dict, to_input: np.ndarray) -> dict:
    """The report with its quad mapped through ``to_input`` (rounded to 0.01 px)."""
    if not report.get("quad"):
        return report
    points = cv2.perspectiveTransform(np.array([report["quad"]], np.float64), to_input)[0]
    return {**report, "quad": [[round(float(x), 2), round(float(y), 2)] for x, y in points]}


def run_steps(
    steps: list[Step], image: np.ndarray, on_progress: ProgressCallback | None = None
) -> PipelineResult:
    """Run the steps in order. Reports name positions in the pipeline's input image: a quad found
    after resize or crop_document is mapped back through them."""
    result = PipelineResult(image=image)
    to_input = np.eye(3)
    for index, step in enumerate(steps, start=1):
        started = time.perf_counter()
        before = result.image
        result.image, report = step.op.run(before, step.params)
        if report is not None:
            result.reports[step.op.name] = _in_input_pixels(report, to_input)
        moved = _to_input(step, before, result.image, report)
        if moved is not None:
            to_input = to_input @ moved
        result.timings[step.op.name] = (time.perf_counter() - started) * 1000
        if on_progress is not None:
            on_progress(step.op.name, index / len(steps))
    return result


def run_pipeline(
    pipeline_id: str, image: np.ndarray, params: Any, on_progress: ProgressCallback | None = None
) -> PipelineResult:
    """Validate ``params`` for the pipeline, then run its ops in order on ``image``."""
    return run_steps(validate(pipeline_id, params), image, on_progress)


def server_hint(params: Any) -> bool:
    """True when the params ask for background removal on the server."""
    if not isinstance(params, Mapping):
        return False
    return any(canonical_name(key) == HINTED_OP and value == "server" for key, value in params.items())


def describe_pipelines() -> dict[str, Any]:
    """Pipelines and each op's params as JSON Schema — what the SPA builds its controls from."""
    return {
        "pipelines": [
            {"id": p.id, "description": p.description, "ops": list(p.ops), "params_style": p.params_style}
            for p in PIPELINES.values()
        ],
        "ops": {
            op.name: {
                "summary": op.summary,
                "aliases": list(op.aliases),
                "routing_hints": list(ROUTING_HINTS) if op.name == HINTED_OP else [],
                "params_schema": op.json_schema(),
            }
            for op in OPS.values()
        },
    }
