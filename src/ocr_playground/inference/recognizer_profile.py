"""Recognizer profiles (how a line image becomes the recognizer's input) and recognition params.

A profile comes from a JSON sidecar beside the model (``rec.onnx`` -> ``rec.json``), like a
detector's; without one the built-in ``ppocr-rec`` applies. A sidecar may name it as ``base`` and
override some fields::

    {"base": "ppocr-rec", "imageHeight": 32, "charactersFile": "en_dict.txt"}

``ppocr-rec`` is what PaddleOCR's PP-OCRv3/v4 recognizers (and rapidocr_onnxruntime 1.4.4, for the
bundled one) use: BGR, mean/std 0.5, lines resized to 48 px high keeping their aspect, padded on
the right to at least 320 px, the dictionary in the model's metadata, and PaddleOCR's 0°/180° angle
classifier for upside-down lines.
"""

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic.alias_generators import to_camel

from ocr_playground.inference.profiles import read_sidecar

CAMEL = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid", frozen=True)
BUNDLED_CLASSIFIER = "builtin:ppocr-cls"


class RecognizerProfile(BaseModel):
    model_config = CAMEL

    name: str = Field(description="Built-in profile name, or the sidecar's file name.")
    image_height: int = Field(48, ge=8, le=256, description="Lines are resized to this height (pixels).")
    min_width: int = Field(
        320,
        ge=8,
        le=4096,
        description="Narrower lines are padded on the right to this width (the training layout).",
    )
    max_width: int = Field(
        2400, ge=16, le=16384, description="Wider lines are squeezed to this width (bounds the cost)."
    )
    batch_size: int = Field(
        6,
        ge=1,
        le=256,
        description="Lines per recognizer run, grouped by aspect (PaddleOCR's rec_batch_num).",
    )
    mean: tuple[float, float, float] = Field((0.5, 0.5, 0.5), description="Per-channel mean, on [0, 1].")
    std: tuple[float, float, float] = Field((0.5, 0.5, 0.5), description="Per-channel std, same scale.")
    channel_order: Literal["RGB", "BGR"] = Field("BGR", description="Channel order the model was trained on.")
    characters_file: str | None = Field(
        None,
        description="The dictionary, one character per line, beside the model; by default it is read "
        "from the model's ONNX metadata ('character').",
    )
    classifier: str | None = Field(
        BUNDLED_CLASSIFIER,
        description="The 0°/180° angle classifier used when params ask for it: a built-in name or an "
        ".onnx path beside the model; null for none.",
    )
    classifier_size: tuple[int, int] = Field((48, 192), description="The classifier's input (height, width).")
    classifier_threshold: float = Field(
        0.9,
        ge=0.0,
        le=1.0,
        description="A line is turned when the classifier says 180° at least this surely.",
    )
    source: str = Field("builtin", description="'builtin' or the sidecar path it was read from.")

    @model_validator(mode="after")
    def _widths(self) -> "RecognizerProfile":
        if self.min_width > self.max_width:
            raise ValueError("minWidth must not exceed maxWidth")
        return self


BUILTIN_REC_PROFILES: dict[str, RecognizerProfile] = {"ppocr-rec": RecognizerProfile(name="ppocr-rec")}


def load_recognizer_profile(model_path: Path) -> RecognizerProfile:
    return read_sidecar(model_path, BUILTIN_REC_PROFILES, BUILTIN_REC_PROFILES["ppocr-rec"])


class RecognitionParams(BaseModel):
    """``params.recognition`` of an inference request (used when a recognizer is chosen)."""

    model_config = CAMEL

    angle_classifier: bool = Field(
        False,
        description="Run the recognizer's angle classifier first and turn lines it finds upside down "
        "(photos taken the wrong way round). Costs a little time per line.",
    )
    word_spacing: bool = Field(
        True,
        description="Put a space wherever the line image shows a word-sized blank gap the recognizer "
        "read no space in (PP-OCR models often drop the spaces of Latin text).",
    )
    word_gap: float = Field(
        0.3,
        gt=0.0,
        le=5.0,
        description="With wordSpacing: a blank gap wider than this × the ink height is a space. Lower "
        "it for tight print, raise it for wide letter spacing.",
    )
    min_score: float = Field(
        0.5,
        ge=0.0,
        le=1.0,
        description="A line read with a lower confidence gets empty text (its textScore is kept): "
        "what the recognizer cannot read is usually not text at all.",
    )
