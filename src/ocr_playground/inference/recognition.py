"""Text recognition: the text of each detected line, from a CTC recognizer on ONNX Runtime.

For an image and its detections (quadrilaterals in that image's pixels), :func:`read_lines`

1. cuts each line out upright (:mod:`crops`), optionally turning the ones the angle classifier finds
   upside down;
2. resizes each to the profile's height keeping its aspect, and groups lines of similar aspect into
   batches (sorted by aspect and cut every ``batchSize`` lines, as PaddleOCR does, so padding to the
   widest in a batch wastes little);
3. runs the recognizer per batch and decodes it greedily with the model's own character set
   (:mod:`ctc`), then restores word spaces from the ink (:mod:`spacing`).

It returns one :class:`TextLine` (text, confidence) per detection, in the detections' order.
A recognizer takes a float tensor N×3×H×W (H fixed by the profile, W free) and returns per-step
class probabilities N×T×C; anything else is refused with :class:`InvalidModel`.
"""

import math
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

import cv2
import numpy as np
import onnxruntime as ort

from ocr_playground.inference.catalog import resolve_classifier
from ocr_playground.inference.crops import crop_line
from ocr_playground.inference.ctc import DecodedLine, charset_from_lines, charset_from_metadata, greedy_decode
from ocr_playground.inference.engine import RUN_OPTIONS, ModelCache, new_session, process_wide
from ocr_playground.inference.errors import CheckpointNotFound, InvalidModel, InvalidProfile
from ocr_playground.inference.postprocess import order_clockwise
from ocr_playground.inference.recognizer_profile import (
    RecognitionParams,
    RecognizerProfile,
    load_recognizer_profile,
)
from ocr_playground.inference.spacing import gap_centres, spaced_text

CLASSIFIER_BATCH = 6


@dataclass(frozen=True)
class TextLine:
    text: str
    score: float


def _normalise(images: list[np.ndarray], width: int, mean, std, bgr: bool) -> np.ndarray:
    """H×w×3 uint8 RGB images (w ≤ ``width``) -> N×3×H×width float32, padded on the right with 0."""
    h = images[0].shape[0]
    batch = np.zeros((len(images), 3, h, width), np.float32)
    mean32, std32 = np.asarray(mean, np.float32), np.asarray(std, np.float32)
    for i, img in enumerate(images):
        chans = img[:, :, ::-1] if bgr else img
        w = img.shape[1]
        # (x / 255 - mean) / std in this order, as PaddleOCR computes it: the recognizer's choice
        # between two close readings can turn on the last bit.
        for c in range(3):
            plane = batch[i, c, :, :w]
            np.divide(chans[:, :, c], np.float32(255.0), out=plane, dtype=np.float32)
            plane -= mean32[c]
            plane /= std32[c]
    return batch


def _aspect(image: np.ndarray) -> float:
    return image.shape[1] / max(image.shape[0], 1)


@dataclass(frozen=True)
class AngleClassifier:
    """PaddleOCR's 0°/180° line classifier (input N×3×48×192, output N×2 for 0° and 180°)."""

    session: ort.InferenceSession
    input_name: str
    size: tuple[int, int]
    threshold: float
    run_options: ort.RunOptions = field(default=RUN_OPTIONS, repr=False)

    def upside_down(self, crops: list[np.ndarray]) -> list[bool]:
        h, w = self.size
        ratios = [_aspect(c) for c in crops]
        turned = [False] * len(crops)
        for batch in _batches(ratios, CLASSIFIER_BATCH):
            lines = [
                cv2.resize(crops[i], (min(w, math.ceil(h * ratios[i])), h), interpolation=cv2.INTER_LINEAR)
                for i in batch
            ]
            tensor = _normalise(lines, w, (0.5,) * 3, (0.5,) * 3, True)
            out = self.session.run(None, {self.input_name: tensor}, self.run_options)
            probs = np.asarray(out[0]).reshape(len(batch), -1)
            for i, p in zip(batch, probs, strict=True):
                turned[i] = bool(p[1] >= self.threshold and p[1] > p[0])
        return turned


@dataclass(frozen=True)
class Recognizer:
    path: Path
    session: ort.InferenceSession
    input_name: str
    profile: RecognizerProfile
    charset: list[str] = field(repr=False)
    classifier: AngleClassifier | str  # or why there is none (an error only when asked for)
    load_ms: float
    key: tuple = field(repr=False)
    run_options: ort.RunOptions = field(default=RUN_OPTIONS, repr=False)

    def probabilities(self, batch: np.ndarray) -> np.ndarray:
        out = np.asarray(self.session.run(None, {self.input_name: batch}, self.run_options)[0])
        if out.ndim != 3 or out.shape[0] != batch.shape[0] or out.shape[2] != len(self.charset):
            raise InvalidModel(
                f"The recognizer {self.path.name} returned shape {list(out.shape)} for a batch of "
                f"{batch.shape[0]}; expected batch×steps×{len(self.charset)}."
            )
        return out


def read_lines(
    image: np.ndarray,
    quads: list[np.ndarray],
    recognizer: Recognizer,
    params: RecognitionParams | None = None,
    timings: dict[str, float] | None = None,
) -> list[TextLine]:
    """The text of each quadrilateral (4×2, ``image`` pixels; a longer polygon is read through its
    minimum-area rectangle) of an RGB(A) or grey uint8 image."""
    params = params or RecognitionParams()
    timings = {} if timings is None else timings
    t0 = time.perf_counter()
    rgb = image[:, :, :3] if image.ndim == 3 else cv2.cvtColor(image, cv2.COLOR_GRAY2RGB)
    # Corners on whole pixels, as PaddleOCR's detector hands them to its recognizer (which was
    # trained on such crops): the same boxes then give the same crops, and the same text.
    crops = [crop_line(rgb, np.round(_quadrilateral(q))) for q in quads]
    timings["crop_ms"] = (time.perf_counter() - t0) * 1e3
    if params.angle_classifier and crops:
        if isinstance(recognizer.classifier, str):
            raise InvalidModel(recognizer.classifier)
        t0 = time.perf_counter()
        flips = recognizer.classifier.upside_down(crops)
        crops = [cv2.rotate(c, cv2.ROTATE_180) if f else c for c, f in zip(crops, flips, strict=True)]
        timings["classify_ms"] = (time.perf_counter() - t0) * 1e3
    t0 = time.perf_counter()
    lines = _recognise(crops, recognizer, params)
    timings["recognize_ms"] = (time.perf_counter() - t0) * 1e3
    return lines


def _quadrilateral(points: np.ndarray) -> np.ndarray:
    """A detection's corners; a polygon (curved text) is read through its minimum-area rectangle."""
    pts = np.asarray(points, np.float64)
    if len(pts) == 4:
        return pts
    return order_clockwise(cv2.boxPoints(cv2.minAreaRect(pts.astype(np.float32))).astype(np.float64))


def _batches(ratios: list[float], size: int) -> list[list[int]]:
    """Indices sorted by aspect (width / height) and cut into consecutive batches of ``size``: lines
    of similar width share a batch, so padding them to the widest wastes little. This is PaddleOCR's
    grouping, kept exactly (same sort, same cut): the recognizer's reading of a line can depend on
    its batch (padding width, and the last bits of the arithmetic), so the same grouping gives the
    same text as PaddleOCR's own tools."""
    order = np.argsort(np.asarray(ratios, np.float64)).tolist()
    return [order[i : i + size] for i in range(0, len(order), size)]


def _recognise(crops: list[np.ndarray], recognizer: Recognizer, params: RecognitionParams) -> list[TextLine]:
    profile = recognizer.profile
    height = profile.image_height
    ratios = [_aspect(c) for c in crops]
    out: list[TextLine] = [TextLine("", 0.0)] * len(crops)
    for batch in _batches(ratios, profile.batch_size):
        # PaddleOCR's layout, to the pixel: the batch is int(height × its widest aspect) wide, at
        # least the profile's minimum (narrower lines are padded: the model was trained that way),
        # each line ceil(height × its aspect), the widest squeezed into the batch when they differ.
        widest = max(profile.min_width / height, *(ratios[i] for i in batch))
        width = max(1, min(profile.max_width, int(height * widest)))
        lines = [
            cv2.resize(
                crops[i], (min(width, math.ceil(height * ratios[i])), height), interpolation=cv2.INTER_LINEAR
            )
            for i in batch
        ]
        tensor = _normalise(lines, width, profile.mean, profile.std, profile.channel_order == "BGR")
        probs = recognizer.probabilities(tensor)
        step_px = width / probs.shape[1]
        for i, line, decoded in zip(batch, lines, greedy_decode(probs, recognizer.charset), strict=True):
            out[i] = _line(decoded, line, step_px, params)
    return out


def _line(
    decoded: DecodedLine, line_image: np.ndarray, step_px: float, params: RecognitionParams
) -> TextLine:
    text = decoded.text
    if decoded.score < params.min_score:
        return TextLine(text="", score=decoded.score)
    if params.word_spacing and len(text) > 1:
        gray = cv2.cvtColor(line_image, cv2.COLOR_RGB2GRAY)
        text = spaced_text(decoded, gap_centres(gray, params.word_gap), step_px)
    return TextLine(text=" ".join(text.split()), score=decoded.score)


# --- loading -------------------------------------------------------------------------------------


def _input_name(session: ort.InferenceSession, path: Path, what: str) -> str:
    inputs = session.get_inputs()
    shape = list(inputs[0].shape) if len(inputs) == 1 else []
    if (
        len(inputs) != 1
        or inputs[0].type != "tensor(float)"
        or len(shape) != 4
        or shape[1] not in (3, "?", None)
    ):
        raise InvalidModel(
            f"The {what} {path.name} takes {len(inputs)} input(s) {shape}; expected one float image "
            "batch N×3×H×W."
        )
    return inputs[0].name


def _classes(session: ort.InferenceSession, path: Path) -> int:
    shape = list(session.get_outputs()[0].shape)
    if len(shape) != 3 or not isinstance(shape[2], int):
        raise InvalidModel(
            f"The model {path.name} has an output of shape {shape}, not per-step class "
            "probabilities N×T×C: it is not a CTC text recognizer."
        )
    return shape[2]


def _charset(session: ort.InferenceSession, path: Path, profile: RecognizerProfile) -> list[str]:
    classes = _classes(session, path)
    if profile.characters_file is None:
        return charset_from_metadata(session.get_modelmeta().custom_metadata_map, classes, path.name)
    dictionary = path.parent / profile.characters_file
    try:
        lines = dictionary.read_text(encoding="utf-8").split("\n")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidProfile(
            f"The characters file {profile.characters_file} of {path.name} is unreadable: {exc}."
        ) from exc
    return charset_from_lines([ln.rstrip("\r") for ln in lines if ln.rstrip("\r")], classes, dictionary.name)


class RecognizerCache(ModelCache[Recognizer]):
    """Loaded recognizers (with their angle classifier, when the profile names one), warmed up."""

    def _load(self, path: Path, key: tuple) -> Recognizer:
        profile = load_recognizer_profile(path)
        t0 = time.perf_counter()
        session = new_session(path, self.threads)
        input_name = _input_name(session, path, "recognizer")
        charset = _charset(session, path, profile)
        classifier: AngleClassifier | str = f"The recognizer {path.name} has no angle classifier."
        if profile.classifier is not None:
            try:
                classifier = self._classifier(path, profile)
            except CheckpointNotFound as exc:  # only an error when a request asks for it
                classifier = f"The angle classifier of {path.name} is not available: {exc}"
        recognizer = Recognizer(
            path, session, input_name, profile, charset, classifier, 0.0, key, self.run_options
        )
        _warm_up(recognizer)
        return replace(recognizer, load_ms=(time.perf_counter() - t0) * 1e3)

    def _classifier(self, path: Path, profile: RecognizerProfile) -> AngleClassifier:
        cls_path = resolve_classifier(path, profile.classifier or "")
        session = new_session(cls_path, self.threads)
        return AngleClassifier(
            session=session,
            input_name=_input_name(session, cls_path, "angle classifier"),
            size=profile.classifier_size,
            threshold=profile.classifier_threshold,
            run_options=self.run_options,
        )


def _warm_up(recognizer: Recognizer) -> None:
    """One blank line through the model: allocates ORT's buffers and proves the graph runs."""
    line = np.full((recognizer.profile.image_height, recognizer.profile.min_width, 3), 255, np.uint8)
    try:
        read_lines(
            line,
            [np.array([[0, 0], [line.shape[1], 0], [line.shape[1], line.shape[0]], [0, line.shape[0]]])],
            recognizer,
        )
    except InvalidModel:
        raise
    except Exception as exc:
        raise InvalidModel(
            f"The recognizer {recognizer.path.name} fails on a blank line ({str(exc).strip()[:200]})."
        ) from exc


# The process-wide recognizer cache shared by the API and the CLI.
default_recognizers = process_wide(RecognizerCache)
