"""Model profiles: how an image becomes the detector's input tensor, and the size it is resized to.

A profile comes from a JSON sidecar beside the model (``det.onnx`` -> ``det.json``); without one, a
built-in profile is chosen from the file name. A sidecar may name a built-in as ``base`` and
override only some fields::

    {"base": "ppocr-det", "limitSideLen": 1280}

Built-ins:

* ``ppocr-det`` (PP-OCR v3/v4 detectors, including the demo model): BGR input, mean/std
  (0.5, 0.5, 0.5), short side brought up to 736 px ("min" limit). This is what rapidocr_onnxruntime
  1.4.4 feeds the same model, so our boxes can be compared with its own detector box for box.
  PaddleOCR's training config uses ImageNet mean/std on BGR and a "max" limit of 960; put that in a
  sidecar if a model was exported with those conventions.
* ``dbnet`` (generic DBNet / DBNet++ exports, e.g. MMOCR, docTR): RGB, ImageNet mean/std, long side
  limited to 1024 px.

Sides are rounded to multiples of 32 (DBNet's feature pyramid downsamples by 32).

Whatever the limit type says, every profile caps what the model sees, because a detector's memory
grows with its input (PP-OCRv4 det needs about 700 MB at 2000×1500): at most ``maxPixels`` (3 MP,
a 4:3 photo 2000 px long), the long side at most ``maxSideLen`` (4000 px) and never enlarged more
than ``maxUpscale`` (8×). Memory follows the pixels, so the pixel cap is the one that bounds it; the
long side may pass 2000 because receipts are tall: a 600×1700 receipt brought up to 736 px wide is
2080 px long, the input RapidOCR gives the same model, and a 2000 px cap would shrink its text and
move every box. So a 35 MP scan is detected at 3 MP in about a second, and a 40000×1 strip gets a
32×4000 tensor instead of the 65 GB a 'min' limit would ask for. A sidecar may raise the caps for a
model that needs it.

A sidecar may also hold the model's own detection thresholds (a threshold sweep writes them there)::

    {"base": "ppocr-det", "detection": {"thresh": 0.3, "boxThresh": 0.55, "unclipRatio": 1.8}}

Detection uses them for every threshold a request leaves out.
"""

import contextlib
import json
import math
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Literal, TypeVar

import cv2
import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic.alias_generators import to_camel

from ocr_playground.imaging.errors import first_problem
from ocr_playground.inference.errors import InputTooLarge, InvalidProfile


class ThresholdDefaults(BaseModel):
    """Detection thresholds tuned for one model; each is used when a request does not set it."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid", frozen=True)

    thresh: float | None = Field(None, ge=0.0, le=1.0)
    box_thresh: float | None = Field(None, ge=0.0, le=1.0)
    unclip_ratio: float | None = Field(None, gt=0.0, le=10.0)


class ModelProfile(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid", frozen=True)

    name: str = Field(description="Built-in profile name, or the sidecar's file name.")
    limit_side_len: int = Field(960, ge=32, le=8192, description="Side length limit in pixels.")
    limit_type: Literal["max", "min"] = Field(
        "max",
        description="'max': shrink so the long side is at most limitSideLen (never enlarge). "
        "'min': enlarge so the short side is at least limitSideLen (never shrink).",
    )
    multiple: int = Field(32, ge=1, le=256, description="Both sides are rounded to a multiple of this.")
    max_side_len: int = Field(
        4000, ge=32, le=8192, description="Cap on the long side of the model input, whatever the limit type."
    )
    max_pixels: int = Field(
        3_000_000, ge=1024, le=64_000_000, description="Cap on the model input's pixels (height × width)."
    )
    max_upscale: float = Field(8.0, ge=1.0, le=64.0, description="An image is never enlarged more than this.")
    mean: tuple[float, float, float] = Field(description="Per-channel mean, on values scaled to [0, 1].")
    std: tuple[float, float, float] = Field(description="Per-channel standard deviation, same scale.")
    channel_order: Literal["RGB", "BGR"] = Field(description="Channel order the model was trained on.")
    source: str = Field("builtin", description="'builtin' or the sidecar path it was read from.")
    detection: ThresholdDefaults | None = Field(
        None, description="The model's own detection thresholds, used where a request sets none."
    )


IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)

BUILTIN_PROFILES: dict[str, ModelProfile] = {
    "ppocr-det": ModelProfile(
        name="ppocr-det",
        limit_side_len=736,
        limit_type="min",
        mean=(0.5, 0.5, 0.5),
        std=(0.5, 0.5, 0.5),
        channel_order="BGR",
    ),
    "dbnet": ModelProfile(
        name="dbnet",
        limit_side_len=1024,
        limit_type="max",
        mean=IMAGENET_MEAN,
        std=IMAGENET_STD,
        channel_order="RGB",
    ),
}


def sidecar_path(model_path: Path) -> Path:
    return model_path.with_suffix(".json")


def model_mtime(model_path: Path) -> float:
    """When the model last changed, counting its sidecar profile: the engine reloads on either."""
    side = sidecar_path(model_path)
    return max(model_path.stat().st_mtime, side.stat().st_mtime if side.is_file() else 0.0)


# When this code last changed what it makes of a model's output (the boxes it draws from a
# probability map, the text it reads from logits) enough to move a result. A result stored before
# then came from other code, so it is not reused, just as if the model file had changed since.
# Move it forward with any such change, to a time before the change lands (results made after it
# by the old code would pass for new ones, but a time still ahead of the clock would reuse nothing).
RESULTS_CHANGED_AT = 1796656620.0  # 2026-12-07 15:17 UTC: boxes grown and scored on whole map pixels


def last_change(models: Iterable[Path | None]) -> float:
    """When the newest of ``models``, or this code's reading of them, last changed (0.0 when no
    model is named): a result stored after this time was made with the models as they are now. A
    model that cannot be looked at (a built-in name, a file since removed) has nothing newer to
    prefer, so only the code's change counts for it."""
    latest = 0.0
    for model in models:
        if model is not None:
            latest = max(latest, RESULTS_CHANGED_AT)
            with contextlib.suppress(OSError):
                latest = max(latest, model_mtime(model))
    return latest


def guess_builtin(model_path: Path) -> ModelProfile:
    """PaddleOCR exports are named ``*_det_infer.onnx`` / ``*PP-OCR*``; anything else is a DBNet."""
    name = model_path.name.lower()
    if "ppocr" in name or "pp-ocr" in name or name.endswith("_det_infer.onnx"):
        return BUILTIN_PROFILES["ppocr-det"]
    return BUILTIN_PROFILES["dbnet"]


def load_profile(model_path: Path) -> ModelProfile:
    """The sidecar's profile when there is one, else a built-in chosen from the file name."""
    return read_sidecar(model_path, BUILTIN_PROFILES, guess_builtin(model_path))


P = TypeVar("P", bound=BaseModel)


def read_sidecar(model_path: Path, builtins: Mapping[str, P], default: P) -> P:
    """A model's profile: ``default`` without a sidecar; with one, its fields over its ``base``
    (a name in ``builtins``, else ``default``). Profiles have ``name`` and ``source`` fields."""
    sidecar = sidecar_path(model_path)
    if not sidecar.is_file():
        return default
    try:
        raw = json.loads(sidecar.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidProfile(f"The profile sidecar {sidecar.name} is not readable JSON: {exc}.") from exc
    if not isinstance(raw, dict):
        raise InvalidProfile(f"The profile sidecar {sidecar.name} must hold a JSON object.")
    base_name = raw.pop("base", None)
    if base_name is None:
        base = default
    elif base_name in builtins:
        base = builtins[base_name]
    else:
        known = ", ".join(sorted(builtins))
        raise InvalidProfile(
            f"The profile sidecar {sidecar.name} names an unknown base '{base_name}' (known: {known})."
        )
    merged = (
        base.model_dump(by_alias=True) | raw | {"name": raw.get("name", sidecar.name), "source": sidecar.name}
    )
    try:
        return type(default).model_validate(merged)
    except ValidationError as exc:
        where, message = first_problem(exc, "profile")
        raise InvalidProfile(
            f"The profile sidecar {sidecar.name} has an invalid field '{where}': {message}."
        ) from exc


def within_caps(height: int, width: int, profile: ModelProfile) -> bool:
    return max(height, width) <= profile.max_side_len and height * width <= profile.max_pixels


def input_size(height: int, width: int, profile: ModelProfile) -> tuple[int, int]:
    """The (height, width) the detector sees: limited as the profile says, then held under the
    profile's caps (see the module docstring), rounded to its multiple."""
    if profile.limit_type == "max":
        ratio = min(1.0, profile.limit_side_len / max(height, width))
    else:
        ratio = max(1.0, profile.limit_side_len / min(height, width))
    ratio = min(
        ratio,
        profile.max_upscale,
        profile.max_side_len / max(height, width),
        math.sqrt(profile.max_pixels / (height * width)),
    )
    m = profile.multiple
    # Truncate, then round half to even: PP-OCR's own rule, so sizes match its exports exactly.
    size = [max(m, round(int(side * ratio) / m) * m) for side in (height, width)]
    # Rounding up to the multiple can pass a cap by a few pixels: take the long side down a step.
    while not within_caps(*size, profile) and max(size) > m:
        size[size.index(max(size))] -= m
    return size[0], size[1]


def to_tensor(image: np.ndarray, size: tuple[int, int], profile: ModelProfile) -> np.ndarray:
    """RGB(A) uint8 H×W×C -> float32 1×3×h×w, resized, channel-ordered and normalised. A size
    over the profile's caps is refused before anything is allocated."""
    h, w = size
    if not within_caps(h, w, profile):
        raise InputTooLarge(
            f"The model input would be {w}×{h}, over the profile's caps ({profile.max_side_len} px "
            f"long side, {profile.max_pixels / 1e6:g} MP); raise maxSideLen/maxPixels in the "
            "model's sidecar profile if it needs more."
        )
    rgb = image[:, :, :3] if image.ndim == 3 else np.repeat(image[:, :, None], 3, axis=2)
    resized = rgb if rgb.shape[:2] == (h, w) else cv2.resize(rgb, (w, h), interpolation=cv2.INTER_LINEAR)
    if profile.channel_order == "BGR":
        resized = resized[:, :, ::-1]
    # (x/255 - mean)/std folded into one multiply-add, done once per plane on contiguous memory.
    mean = np.asarray(profile.mean, dtype=np.float32)
    std = np.asarray(profile.std, dtype=np.float32)
    scale = 1.0 / (255.0 * std)
    offset = mean / std
    planes = np.empty((1, 3, h, w), dtype=np.float32)
    for c in range(3):
        np.multiply(resized[:, :, c], scale[c], out=planes[0, c], dtype=np.float32)
        planes[0, c] -= offset[c]
    return planes
