"""DB post-processing on synthetic probability maps whose text regions are known exactly."""

import cv2
import numpy as np
import pytest
from shapely.geometry import Polygon

from ocr_playground.inference.postprocess import DetectionParams, boxes_from_map, order_clockwise, unclip


def kernel(quad: np.ndarray, ratio: float = 1.5) -> np.ndarray:
    """The quad shrunk by the distance d that unclipping with ``ratio`` grows back:
    d = area(kernel) · ratio / perimeter(kernel), solved by bisection."""
    poly = Polygon(quad)
    lo, hi = 0.0, poly.area / poly.length
    for _ in range(40):
        d = (lo + hi) / 2
        k = poly.buffer(-d, join_style="mitre")
        lo, hi = (d, hi) if k.area * ratio / k.length > d else (lo, d)
    return np.asarray(poly.buffer(-lo, join_style="mitre").exterior.coords)[:-1]


def kernel_map(shape: tuple[int, int], quads: list[np.ndarray], value: float = 0.9) -> np.ndarray:
    """A probability map holding the DB kernel of each quad, at ``value`` on a 0.02 background."""
    prob = np.full(shape, 0.02, np.float32)
    for quad in quads:
        cv2.fillPoly(prob, [np.round(kernel(quad)).astype(np.int32)], value)
    return prob


def iou(a: np.ndarray, b: np.ndarray) -> float:
    pa, pb = Polygon(a), Polygon(b)
    return pa.intersection(pb).area / pa.union(pb).area


def best_iou(found: list, quad: np.ndarray) -> float:
    return max(iou(d.points, quad) for d in found)


RECTS = [
    np.array([[40, 30], [260, 30], [260, 70], [40, 70]], float),
    np.array([[300, 120], [420, 120], [420, 150], [300, 150]], float),
    np.array([[60, 200], [120, 200], [120, 240], [60, 240]], float),
]


def rotated(cx: float, cy: float, w: float, h: float, angle: float) -> np.ndarray:
    return cv2.boxPoints(((cx, cy), (w, h), angle)).astype(float)


def test_rectangles_come_back() -> None:
    found = boxes_from_map(kernel_map((300, 480), RECTS), DetectionParams(), (480, 300))
    assert len(found) == len(RECTS)
    for quad in RECTS:
        assert best_iou(found, quad) > 0.85
    for d in found:
        assert d.score == pytest.approx(0.9, abs=0.02)


@pytest.mark.parametrize("angle", [15.0, 30.0, -40.0, 60.0])
def test_rotated_quads_come_back(angle: float) -> None:
    quads = [rotated(150, 120, 200, 36, angle), rotated(330, 220, 120, 30, angle)]
    found = boxes_from_map(kernel_map((320, 480), quads), DetectionParams(), (480, 320))
    assert len(found) == 2
    for quad in quads:
        assert best_iou(found, quad) > 0.85


def test_points_map_back_to_the_original_image() -> None:
    # The map is a quarter of the image in each direction: boxes must be scaled by 4.
    prob = kernel_map((300, 480), RECTS)
    found = boxes_from_map(prob, DetectionParams(), (1920, 1200))
    for quad in RECTS:
        assert best_iou(found, quad * 4) > 0.85


def test_polygon_mode_follows_a_curved_region() -> None:
    prob = np.full((300, 400), 0.02, np.float32)
    arc = cv2.ellipse2Poly((200, 260), (150, 150), 0, 200, 340, 5)
    cv2.polylines(prob, [arc], False, 0.9, thickness=24)
    # A box around an arc is mostly background: only a low box threshold keeps it.
    boxes = boxes_from_map(prob, DetectionParams(mode="box", boxThresh=0.2), (400, 300))
    # The stroke is drawn at full width (not as a kernel), so expand it only a little.
    polys = boxes_from_map(prob, DetectionParams(mode="polygon", unclipRatio=0.5), (400, 300))
    assert len(boxes) == len(polys) == 1
    assert len(polys[0].points) > 4
    inside = np.zeros_like(prob, np.uint8)
    cv2.fillPoly(inside, [np.round(polys[0].points).astype(np.int32)], 1)
    ink = prob > 0.5
    assert inside[ink].mean() > 0.97  # the polygon covers the stroke...
    assert inside.sum() < 1.8 * ink.sum()  # ...and hugs it
    assert Polygon(polys[0].points).area < 0.5 * Polygon(boxes[0].points).area  # the box does not


def test_box_threshold_drops_faint_regions() -> None:
    prob = np.maximum(kernel_map((300, 480), RECTS[:1], 0.9), kernel_map((300, 480), RECTS[1:2], 0.5))
    found = boxes_from_map(prob, DetectionParams(boxThresh=0.6), (480, 300))
    assert len(found) == 1 and best_iou(found, RECTS[0]) > 0.85
    assert len(boxes_from_map(prob, DetectionParams(boxThresh=0.4), (480, 300))) == 2


def test_pixel_threshold_decides_what_is_text() -> None:
    prob = kernel_map((300, 480), RECTS, value=0.25)
    assert boxes_from_map(prob, DetectionParams(boxThresh=0.1), (480, 300)) == []
    assert len(boxes_from_map(prob, DetectionParams(thresh=0.2, boxThresh=0.1), (480, 300))) == 3


def test_unclip_ratio_grows_boxes() -> None:
    prob = kernel_map((300, 480), RECTS[:1])
    small = boxes_from_map(prob, DetectionParams(unclipRatio=1.0), (480, 300))[0]
    large = boxes_from_map(prob, DetectionParams(unclipRatio=2.5), (480, 300))[0]
    assert Polygon(large.points).area > 1.3 * Polygon(small.points).area


def test_tiny_specks_and_candidate_limit() -> None:
    prob = np.full((200, 200), 0.0, np.float32)
    prob[10:12, 10:12] = 1.0  # 2×2 speck: under minSize
    for i in range(5):
        prob[40 + 30 * i : 55 + 30 * i, 20 : 60 + 20 * i] = 1.0
    assert len(boxes_from_map(prob, DetectionParams(), (200, 200))) == 5
    kept = boxes_from_map(prob, DetectionParams(maxCandidates=2), (200, 200))
    widths = sorted(np.ptp(d.points[:, 0]) for d in kept)
    assert len(kept) == 2 and widths[0] > 100  # the two largest regions were the ones examined


def test_params_use_camel_case_and_refuse_unknown_fields() -> None:
    p = DetectionParams.model_validate({"boxThresh": 0.7, "unclipRatio": 2.0, "maxCandidates": 10})
    assert (p.box_thresh, p.unclip_ratio, p.max_candidates) == (0.7, 2.0, 10)
    with pytest.raises(ValueError):
        DetectionParams.model_validate({"box_threshold": 0.7})
    with pytest.raises(ValueError):
        DetectionParams.model_validate({"thresh": 1.5})
    schema = DetectionParams.model_json_schema(by_alias=True)
    assert all(schema["properties"][k].get("description") for k in ("thresh", "boxThresh", "unclipRatio"))


def test_unclip_and_ordering_helpers() -> None:
    square = np.array([[0, 0], [10, 0], [10, 10], [0, 10]], float)
    grown = unclip(square, 1.5)
    assert len(grown) == 1 and Polygon(grown[0]).area > 100
    shuffled = square[[2, 0, 3, 1]]
    assert order_clockwise(shuffled).tolist() == square.tolist()
