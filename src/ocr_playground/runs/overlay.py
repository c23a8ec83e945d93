"""One item as the Lab shows it: its detections and ground truth, each marked by how it fared, and
the same marks drawn onto the image (for thumbnails and the HTML report).

Colours are the Okabe-Ito palette, which reads for the common forms of colour blindness; the SPA's
legend uses the same six, so a thumbnail and the viewer agree.
"""

from typing import Any

import cv2
import numpy as np

from ocr_playground.artifacts import NotARegularFile, read_regular_file
from ocr_playground.imaging.io import decode_image, encode_jpeg
from ocr_playground.inference.evaluation import image_marks
from ocr_playground.inference.text_metrics import paired_truth
from ocr_playground.runs.errors import ImageGone, ItemNotFound
from ocr_playground.runs.store import RunStore
from ocr_playground.runs.worker import MAX_FILE_BYTES, detection_words, parse_words

# mark -> RGB. Ground truth: matched, missed, don't care; detections: true, false, ignored.
COLOURS = {
    ("gt", "tp"): (0, 158, 115),  # bluish green
    ("gt", "fn"): (213, 94, 0),  # vermillion: a missed word
    ("gt", "dont_care"): (153, 153, 153),  # grey
    ("det", "tp"): (0, 114, 178),  # blue
    ("det", "fp"): (204, 121, 167),  # reddish purple: a false detection
    ("det", "ignored"): (86, 180, 233),  # sky blue
}


def marked_item(store: RunStore, run_id: str, name: str, protocol: str) -> dict[str, Any]:
    """The item plus ``detections`` (``{points, score, match: tp|fp|ignored}``, and in a run that
    reads text ``text``, ``textScore`` and ``gt_text``: the ground-truth line the text metrics
    compare it with, or null) and ``ground_truth`` (``{points, text, match: tp|fn|dont_care}``);
    marks only with ground truth."""
    item = store.item(run_id, name)
    if item is None:
        raise ItemNotFound(f"Run '{run_id}' has no finished item named '{name}'.")
    entry = store.input(run_id, name)
    boxes = item.pop("boxes") or []
    gt = [] if entry is None or entry.gt is None else parse_words(entry.gt)
    detections = [
        {"points": b["points"], "score": b["score"]}
        | ({"text": b["text"], "textScore": b.get("textScore")} if "text" in b else {})
        for b in boxes
    ]
    ground_truth = [{"points": w.points.tolist(), "text": w.text} for w in gt]
    if gt and any("text" in b for b in boxes):
        for d, truth in zip(detections, paired_truth(gt, detection_words(boxes)), strict=True):
            d["gt_text"] = truth
    if entry is not None and entry.gt is not None:
        det_marks, gt_marks = image_marks(gt, detection_words(boxes), protocol)
        for d, mark in zip(detections, det_marks, strict=True):
            d["match"] = mark
        for g, mark in zip(ground_truth, gt_marks, strict=True):
            g["match"] = mark
    return item | {"protocol": protocol, "detections": detections, "ground_truth": ground_truth}


def draw_marks(image: np.ndarray, item: dict[str, Any], scale: float = 1.0) -> np.ndarray:
    """``image`` (RGB, already scaled by ``scale``) with the item's marked polygons drawn: ground
    truth first, detections over it."""
    canvas = np.ascontiguousarray(image[:, :, :3]).copy()
    thickness = max(1, round(max(canvas.shape[:2]) / 400))
    for kind, key in (("gt", "ground_truth"), ("det", "detections")):
        for shape in item[key]:
            colour = COLOURS.get((kind, shape.get("match", "tp" if kind == "det" else "dont_care")))
            pts = np.round(np.asarray(shape["points"], np.float64) * scale).astype(np.int32).reshape(-1, 1, 2)
            cv2.polylines(canvas, [pts], True, colour, thickness, cv2.LINE_AA)
    return canvas


def source_image(store: RunStore, run_id: str, name: str) -> tuple[str, bytes]:
    """The path and bytes of the file the run read for ``name`` (its input list). Read whole, not
    streamed from the path: a file deleted after this check could otherwise fail mid-answer. The
    bound is the one the run read its files under: a larger file was never one of its images."""
    entry = store.input(run_id, name)
    if entry is None:
        raise ItemNotFound(f"Run '{run_id}' has no image named '{name}'.")
    try:
        return entry.path, read_regular_file(entry.path, MAX_FILE_BYTES)
    except NotARegularFile as exc:
        said = f"The image '{name}' that run '{run_id}' read is no longer on disk as it was: {exc}"
        raise ImageGone(said) from None


def thumbnail(
    store: RunStore, run_id: str, name: str, max_side: int, item: dict[str, Any] | None = None
) -> bytes:
    """The item's image as a JPEG whose long side is at most ``max_side`` (never enlarged), with
    ``item``'s marks drawn when given. The file is the one the run read (its input list)."""
    _, data = source_image(store, run_id, name)
    image = decode_image(data)  # a file changed since the run into a non-image is an ImagingError (4xx)
    height, width = image.shape[:2]
    scale = min(1.0, max_side / max(height, width))
    if scale < 1.0:
        size = (max(1, round(width * scale)), max(1, round(height * scale)))
        image = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
    if item is not None:
        image = draw_marks(image, item, scale)
    return encode_jpeg(image, quality=85)
