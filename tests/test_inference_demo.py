"""The demo model (PP-OCRv4 det from the ``demo`` extra) on generated receipts with known word boxes."""

import numpy as np
import pytest

from ocr_playground.imaging import synthetic
from ocr_playground.imaging.io import decode_image
from ocr_playground.inference.catalog import DEMO_CHECKPOINT, resolve_local_checkpoint
from ocr_playground.inference.engine import DetectorCache
from ocr_playground.inference.evaluation import Word, evaluate
from ocr_playground.inference.service import InferenceParams, MapCache, detect_array, detect_bytes

from strict import require_module

require_module("rapidocr_onnxruntime", "the demo extra carries the model (uv sync --extra demo)")

RECEIPTS = 20
TARGET = 0.85


@pytest.mark.slow
def test_demo_model_reaches_the_hmean_target_on_generated_receipts() -> None:
    detector = DetectorCache().get(resolve_local_checkpoint(DEMO_CHECKPOINT))
    lines = InferenceParams()
    words = InferenceParams.model_validate({"detection": {"granularity": "word"}})
    cache = MapCache(capacity=2)
    gt: dict[str, list[Word]] = {}
    pred: dict[str, dict[str, list[Word]]] = {"line": {}, "word": {}}
    for seed in range(RECEIPTS):
        receipt = synthetic.make_receipt(seed, size=(1000, 1500))
        gt[str(seed)] = [Word(points=np.asarray(w.quad, np.float64), text=w.text) for w in receipt.words]
        # Through the JPEG bytes, as an upload arrives; the second call reuses the cached map.
        for name, params in (("line", lines), ("word", words)):
            result = detect_bytes(receipt.jpeg, detector, params, cache)
            pred[name][str(seed)] = [Word(points=d.points, score=d.score) for d in result.detections]
    figures = {}
    for name in ("line", "word"):
        protocols = {p.protocol: p for p in evaluate(gt, pred[name]).protocols}
        figures[name] = protocols["icdar2015-iou"]
        ic15, deteval = protocols["icdar2015-iou"], protocols["deteval"]
        print(
            f"\ndemo model, {RECEIPTS} receipts, granularity {name}: ICDAR 2015 IoU P={ic15.precision:.4f} "
            f"R={ic15.recall:.4f} H-mean={ic15.hmean:.4f}; DetEval H-mean={deteval.hmean:.4f}"
        )
    assert figures["word"].gt_care > 10 * RECEIPTS  # the receipts really have words
    # PP-OCR finds text lines; the receipts' ground truth boxes words, so the target is on word boxes.
    assert figures["word"].hmean >= TARGET, f"ICDAR 2015 H-mean {figures['word'].hmean:.4f} < {TARGET}"


def test_a_16_bit_scan_gives_the_detections_of_its_8_bit_twin() -> None:
    import cv2

    detector = DetectorCache().get(resolve_local_checkpoint(DEMO_CHECKPOINT))
    receipt = synthetic.make_receipt(3, size=(800, 1100))
    gray = cv2.imdecode(np.frombuffer(receipt.jpeg, np.uint8), cv2.IMREAD_GRAYSCALE)
    eight = cv2.imencode(".png", gray)[1].tobytes()
    sixteen = cv2.imencode(".png", gray.astype(np.uint16) * 257)[1].tobytes()
    want = detect_bytes(eight, detector, InferenceParams()).detections
    got = detect_bytes(sixteen, detector, InferenceParams()).detections
    assert len(want) > 10
    assert [d.points.tolist() for d in got] == [d.points.tolist() for d in want]


@pytest.mark.parametrize("box_thresh", [0.5, 0.8])
@pytest.mark.parametrize("size", [(1000, 1500), (560, 1900)])
def test_the_demo_model_draws_rapidocrs_own_boxes_corner_for_corner(
    size: tuple[int, int], box_thresh: float
) -> None:
    """The same model and thresholds (RapidOCR's defaults, and a box threshold that keeps only
    some regions, so a score off by a little keeps or drops a box) give PaddleOCR's
    post-processing, as RapidOCR ships it, box for box and to the pixel: the recognizer then reads
    the same crops. The tall receipt's
    model input is over 2000 px long (560 px brought up to 736), as RapidOCR's is."""
    from rapidocr_onnxruntime import RapidOCR

    theirs = RapidOCR().text_det
    theirs.postprocess_op.box_thresh = box_thresh
    detector = DetectorCache().get(resolve_local_checkpoint(DEMO_CHECKPOINT))
    detection = {"boxThresh": box_thresh, "unclipRatio": 1.6, "dilate": True}
    params = InferenceParams.model_validate({"detection": detection})
    rgb = decode_image(synthetic.make_receipt(11, size=size).jpeg)
    ours = detect_array(rgb, detector, params).detections
    boxes, _ = theirs(rgb[:, :, ::-1].copy())  # rapidocr takes BGR, as cv2 reads

    def corners(points: np.ndarray) -> tuple:
        return tuple(sorted(map(tuple, np.round(points).astype(int).tolist())))

    assert len(ours) > 5
    assert sorted(corners(d.points) for d in ours) == sorted(corners(b) for b in boxes)
