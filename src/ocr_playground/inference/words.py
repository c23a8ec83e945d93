"""Word boxes from line boxes: split each detection at the gaps in its ink and tighten to the ink.

DB detectors trained on line-level labels (PP-OCR among them) return one box per text line, and
their boxes carry the padding ``unclipRatio`` adds. Word-level ground truth (ICDAR 2015, receipt
competitions) boxes each word tightly. With ``granularity: "word"`` each detected box is rectified
to an upright strip of the image, its ink found (Otsu inside the strip), split where the blank gap
between ink columns is wider than ``wordGap`` × the ink's height, and each piece tightened to its
ink. The pieces are mapped back through the same transform, so rotated and keystoned lines work.
"""

import cv2
import numpy as np

from ocr_playground.inference.postprocess import Detection

MIN_STRIP = 4  # strips thinner than this many pixels carry no usable ink profile


def _runs(flags: np.ndarray) -> list[tuple[int, int]]:
    """Inclusive (start, end) of each run of True."""
    padded = np.concatenate([[False], flags, [False]])
    edges = np.flatnonzero(padded[1:] != padded[:-1])
    return [(int(a), int(b) - 1) for a, b in zip(edges[::2], edges[1::2], strict=True)]


def ink_mask(strip: np.ndarray) -> np.ndarray:
    """Ink mask of an upright grey strip: Otsu, with ink taken as the darker class unless it is
    the majority."""
    _, dark = cv2.threshold(strip, 0, 1, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    if dark.mean() > 0.5:  # light text on a dark ground
        dark = 1 - dark
    return dark.astype(bool)


def word_columns(ink: np.ndarray, word_gap: float) -> list[tuple[int, int]]:
    """Inclusive column ranges of the words in an upright strip's ink mask: runs of ink columns,
    joined across blank gaps no wider than ``word_gap`` × the ink's height."""
    # A column is ink when a few pixels of it are: JPEG noise leaves isolated specks.
    min_pixels = max(1, round(0.04 * ink.shape[0]))
    columns = _runs(ink.sum(axis=0) >= min_pixels)
    rows = _runs(ink.sum(axis=1) >= 1)
    if not columns or not rows:
        return []
    ink_height = max(b - a + 1 for a, b in rows)
    words: list[list[int]] = []
    for start, end in columns:
        if words and start - words[-1][1] - 1 <= word_gap * ink_height:
            words[-1][1] = end
        else:
            words.append([start, end])
    return [(a, b) for a, b in words]


def split_words(gray: np.ndarray, detection: Detection, word_gap: float) -> list[Detection]:
    quad = detection.points
    if len(quad) != 4:
        return [detection]
    tl, tr, br, bl = quad
    width = round(float(max(np.linalg.norm(tr - tl), np.linalg.norm(br - bl))))
    height = round(float(max(np.linalg.norm(bl - tl), np.linalg.norm(br - tr))))
    if height < MIN_STRIP or width < MIN_STRIP or height > width:  # vertical text: keep as found
        return [detection]
    upright = np.array([[0, 0], [width, 0], [width, height], [0, height]], np.float32)
    to_strip = cv2.getPerspectiveTransform(quad.astype(np.float32), upright)
    strip = cv2.warpPerspective(
        gray, to_strip, (width, height), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    )
    ink = ink_mask(strip)
    words = word_columns(ink, word_gap)
    if not words:
        return [detection]
    from_strip = np.linalg.inv(to_strip)
    out = []
    for x0, x1 in words:
        ys = np.flatnonzero(ink[:, x0 : x1 + 1].any(axis=1))
        if x1 - x0 + 1 < 2 or len(ys) < 2:
            continue
        # Pixel edges, not centres: a box that holds every ink pixel whole.
        top, bottom = ys[0], ys[-1] + 1
        corners = np.array([[x0, top], [x1 + 1, top], [x1 + 1, bottom], [x0, bottom]], np.float64)
        mapped = cv2.perspectiveTransform(corners.reshape(1, -1, 2), from_strip)[0]
        out.append(Detection(points=mapped, score=detection.score))
    return out or [detection]


def word_boxes(image: np.ndarray, detections: list[Detection], word_gap: float) -> list[Detection]:
    """Every detection split into tight word boxes (``image``: RGB(A) or grey, original size)."""
    gray = image if image.ndim == 2 else cv2.cvtColor(image[:, :, :3], cv2.COLOR_RGB2GRAY)
    return [word for d in detections for word in split_words(gray, d, word_gap)]
