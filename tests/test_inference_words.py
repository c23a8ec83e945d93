"""Splitting line boxes into tight word boxes, on drawn text whose ink boxes are known."""

import cv2
import numpy as np
from shapely.geometry import Polygon

from ocr_playground.inference.postprocess import Detection
from ocr_playground.inference.words import word_boxes

WORDS = ["TOTAL", "12.50", "EUR"]


def drawn_line(angle: float = 0.0) -> tuple[np.ndarray, list[np.ndarray], np.ndarray]:
    """A page with one line of three words: (image, each word's ink quad, a padded line quad)."""
    image = np.full((400, 700, 3), 240, np.uint8)
    x, ink_quads = 80, []
    for word in WORDS:
        canvas = np.zeros((400, 700), np.uint8)
        cv2.putText(canvas, word, (x, 200), cv2.FONT_HERSHEY_SIMPLEX, 1.5, 255, 3)
        ys, xs = np.nonzero(canvas)
        ink_quads.append(
            np.array(
                [
                    [xs.min(), ys.min()],
                    [xs.max() + 1, ys.min()],
                    [xs.max() + 1, ys.max() + 1],
                    [xs.min(), ys.max() + 1],
                ],
                float,
            )
        )
        image[canvas > 0] = 25
        x = xs.max() + 40  # a word gap of about 40 px for 35 px tall ink
    line = np.array([[60, 150], [x - 20, 150], [x - 20, 222], [60, 222]], float)  # padded, like DB boxes
    if angle:
        rot = cv2.getRotationMatrix2D((350, 200), angle, 1.0)
        image = cv2.warpAffine(image, rot, (700, 400), borderValue=(240, 240, 240))
        ink_quads = [cv2.transform(q.reshape(1, -1, 2), rot)[0] for q in ink_quads]
        line = cv2.transform(line.reshape(1, -1, 2), rot)[0]
    return image, ink_quads, line


def iou(a: np.ndarray, b: np.ndarray) -> float:
    pa, pb = Polygon(a), Polygon(b)
    return pa.intersection(pb).area / pa.union(pb).area


def test_a_line_box_becomes_tight_word_boxes() -> None:
    image, words, line = drawn_line()
    found = word_boxes(image, [Detection(points=line, score=0.8)], word_gap=0.3)
    assert len(found) == 3 and all(d.score == 0.8 for d in found)
    for box, word in zip(sorted(found, key=lambda d: d.points[:, 0].min()), words, strict=True):
        assert iou(box.points, word) > 0.9


def test_rotated_lines_split_too() -> None:
    image, words, line = drawn_line(angle=-20.0)
    found = word_boxes(image, [Detection(points=line, score=0.8)], word_gap=0.3)
    assert len(found) == 3
    for word in words:
        assert max(iou(d.points, word) for d in found) > 0.8


def test_a_wide_gap_setting_keeps_the_line_whole() -> None:
    image, _, line = drawn_line()
    found = word_boxes(image, [Detection(points=line, score=0.8)], word_gap=3.0)
    assert len(found) == 1
    assert Polygon(found[0].points).area < Polygon(line).area  # still tightened to the ink
