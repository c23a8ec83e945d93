"""Receipt-like test images made on the spot: a light paper quadrilateral with dark text lines on a
darker table, encoded as JPEG or PNG. Small and deterministic per seed."""

import base64
import functools

import cv2
import numpy as np

from ocr_playground.imaging.synthetic import SyntheticReceipt, make_receipt


def receipt(width: int = 640, height: int = 480, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    image = np.empty((height, width, 3), np.uint8)
    image[:] = (70 + rng.integers(0, 40), 60, 50)
    margin_x, margin_y = width // 5, height // 10
    paper = np.array(
        [
            [margin_x, margin_y],
            [width - margin_x, margin_y + 8],
            [width - margin_x - 10, height - margin_y],
            [margin_x + 6, height - margin_y - 4],
        ]
    )
    cv2.fillConvexPoly(image, paper, (235, 232, 225))
    line_gap = max(12, height // 24)
    for i, y in enumerate(range(margin_y + line_gap, height - margin_y - line_gap, line_gap)):
        length = int((width - 2 * margin_x) * (0.4 + 0.5 * ((i * 7 + seed) % 5) / 5))
        start, end = (margin_x + 20, y), (margin_x + 20 + length - 40, y)
        cv2.line(image, start, end, (30, 30, 30), max(1, line_gap // 5))
    return image


def jpeg(image: np.ndarray, quality: int = 90) -> bytes:
    bgr = cv2.cvtColor(image, cv2.COLOR_RGB2BGR)
    return cv2.imencode(".jpg", bgr, [cv2.IMWRITE_JPEG_QUALITY, quality])[1].tobytes()


def png(image: np.ndarray) -> bytes:
    return cv2.imencode(".png", cv2.cvtColor(image, cv2.COLOR_RGB2BGR))[1].tobytes()


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def decodes(data: bytes) -> bool:
    """True when the bytes are a whole image OpenCV can decode."""
    array = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED)
    return array is not None and array.size > 0


# Params that keep a worker busy for seconds from a small upload: upscale to 50 MP, then the costly
# ops (about 3.7 s on an idle 2-core machine), so a test can still catch the job running.
def slow_params(variant: int = 0) -> dict:
    return {
        "resize": {"maxSide": 8192},
        "crop_document": True,
        "background_removal": True,
        "blur": {"kernelSize": 31, "sigma": 20 + variant},
        "binarize": {"method": "adaptive", "blockSize": 255},
    }


# The accuracy suites' photos (background_removal and crop_document score the same 30): made once
# per test session, whichever suite asks first.
ACCURACY_SIZES = [(1600, 1200), (2000, 1500), (1200, 1600), (3000, 2200), (1024, 768), (1500, 2000)]
ACCURACY_SEEDS = range(30)


@functools.cache
def accuracy_receipt(seed: int) -> SyntheticReceipt:
    return make_receipt(seed, ACCURACY_SIZES[seed % len(ACCURACY_SIZES)])


def text_lines(receipt: SyntheticReceipt) -> list[tuple[str, np.ndarray]]:
    """The receipt's text as printed runs: consecutive words on one baseline, a space apart, joined
    into one (text, quad) line; a right-aligned price far from its item stays a run of its own."""
    runs: list[tuple[str, np.ndarray]] = []
    for word in receipt.words:
        quad = np.asarray(word.quad, np.float64)
        height = float(np.linalg.norm(quad[3] - quad[0]))
        if runs:
            text, last = runs[-1]
            near = np.linalg.norm(quad[0] - last[1]) < 1.2 * height  # the next word, a space away
            alike = abs(np.linalg.norm(last[3] - last[0]) - height) < 0.6 * height
            if near and alike:
                runs[-1] = (f"{text} {word.text}", np.array([last[0], quad[1], quad[2], last[3]]))
                continue
        runs.append((word.text, quad))
    return runs
