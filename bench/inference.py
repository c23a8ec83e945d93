"""Text detection: our engine next to rapidocr_onnxruntime's own TextDetector, same model, same images.

Both run the demo model (PP-OCRv4 det) with the same preprocessing (short side ≥ 736, BGR, mean/std
0.5) and the same DB thresholds, on the same number of threads, interleaved image by image so both
see the same machine load. Reported: p50 latency per image (decoded RGB in, boxes out), the ratio
ours / rapidocr (target ≤ 1.0), whether both find the same boxes (one-to-one at IoU ≥ 0.8, and how
many are the same to the pixel), and
H-mean of each against the receipts' word boxes (ICDAR 2015 IoU; PP-OCR finds lines, so our
word granularity is shown too, untimed).

Run: ``uv run --extra demo python bench/inference.py`` (``--images N``, ``--repeat N``, ``--threads N``).
"""

import argparse
import statistics
import time
from collections import Counter
from pathlib import Path

import cv2
import numpy as np
from shapely.geometry import Polygon

from ocr_playground.imaging.io import decode_image
from ocr_playground.imaging.synthetic import make_receipt
from ocr_playground.inference.catalog import DEMO_CHECKPOINT, resolve_local_checkpoint
from ocr_playground.inference.engine import DetectorCache
from ocr_playground.inference.evaluation import Word, evaluate
from ocr_playground.inference.postprocess import DetectionParams
from ocr_playground.inference.profiles import ModelProfile
from ocr_playground.inference.service import InferenceParams, detect_array

from timing import percentile, verdict

RATIO_TARGET = 1.0
SIZE = (1000, 1500)  # width, height of a phone-photo receipt crop


def rapidocr_detector(model: Path, params: DetectionParams, profile: ModelProfile, threads: int):
    from rapidocr_onnxruntime.ch_ppocr_det import TextDetector

    return TextDetector(
        {
            "model_path": str(model),
            "use_cuda": False,
            "use_dml": False,
            "intra_op_num_threads": threads,
            "inter_op_num_threads": 1,
            # The same preprocessing as ours: read from our profile, not written out twice.
            "limit_side_len": profile.limit_side_len,
            "limit_type": profile.limit_type,
            "mean": list(profile.mean),
            "std": list(profile.std),
            "thresh": params.thresh,
            "box_thresh": params.box_thresh,
            "unclip_ratio": params.unclip_ratio,
            "max_candidates": params.max_candidates,
            "use_dilation": params.dilate,
            "score_mode": "fast",
        }
    )


def same_boxes(ours: list[np.ndarray], theirs: list[np.ndarray], min_iou: float = 0.8) -> tuple[int, float]:
    """Greedy one-to-one matching by IoU: (matched pairs, mean IoU of the pairs)."""
    a = [Polygon(p) for p in ours]
    b = [Polygon(p) for p in theirs]
    used: set[int] = set()
    ious = []
    for pa in a:
        best, best_j = 0.0, -1
        for j, pb in enumerate(b):
            if j in used or not pa.intersects(pb):
                continue
            iou = pa.intersection(pb).area / pa.union(pb).area
            if iou > best:
                best, best_j = iou, j
        if best >= min_iou:
            used.add(best_j)
            ious.append(best)
    return len(ious), (statistics.fmean(ious) if ious else 0.0)


def to_the_pixel(ours: list[np.ndarray], theirs: list[np.ndarray]) -> int:
    """How many of our boxes are one of theirs once both are rounded to whole pixels (corners in
    any order, each of theirs used once)."""

    def corners(points: np.ndarray) -> tuple:
        return tuple(sorted(map(tuple, np.round(points).astype(int).tolist())))

    return sum((Counter(map(corners, ours)) & Counter(map(corners, theirs))).values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per image and engine")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()

    model = resolve_local_checkpoint(DEMO_CHECKPOINT)
    params = DetectionParams()
    ours = DetectorCache(threads=args.threads).get(model)
    theirs = rapidocr_detector(model, params, ours.profile, args.threads)
    request = InferenceParams(detection=params)

    receipts = [make_receipt(seed, size=SIZE) for seed in range(args.images)]
    images = [decode_image(r.jpeg) for r in receipts]
    bgr = [cv2.cvtColor(im, cv2.COLOR_RGB2BGR) for im in images]  # rapidocr takes BGR, as cv2 reads
    for _ in range(2):  # warm both sessions at the benchmark size
        detect_array(images[0], ours, request)
        theirs(bgr[0])

    t_ours, t_theirs, found_ours, found_theirs, found_words = [], [], [], [], []
    words = InferenceParams.model_validate({"detection": {"granularity": "word"}})
    for rgb, bgr_image in zip(images, bgr, strict=True):
        for _ in range(args.repeat):  # interleaved: both engines see the same machine load
            start = time.perf_counter()
            mine = detect_array(rgb, ours, request)
            t_ours.append((time.perf_counter() - start) * 1e3)
            start = time.perf_counter()
            boxes, _ = theirs(bgr_image)
            t_theirs.append((time.perf_counter() - start) * 1e3)
        found_ours.append([d.points for d in mine.detections])
        found_theirs.append([np.asarray(b, np.float64) for b in boxes])
        found_words.append([d.points for d in detect_array(rgb, ours, words).detections])  # untimed

    matched = [same_boxes(a, b) for a, b in zip(found_ours, found_theirs, strict=True)]
    n_ours, n_theirs = sum(map(len, found_ours)), sum(map(len, found_theirs))
    n_matched = sum(m for m, _ in matched)
    mean_iou = statistics.fmean(iou for m, iou in matched if m) if n_matched else 0.0
    n_pixel = sum(to_the_pixel(a, b) for a, b in zip(found_ours, found_theirs, strict=True))

    gt = {
        str(i): [Word(points=np.asarray(w.quad, np.float64), text=w.text) for w in r.words]
        for i, r in enumerate(receipts)
    }

    def hmean(found: list[list[np.ndarray]]) -> float:
        pred = {str(i): [Word(points=p) for p in boxes] for i, boxes in enumerate(found)}
        return evaluate(gt, pred).protocols[0].hmean

    p50_ours, p50_theirs = percentile(t_ours, 50), percentile(t_theirs, 50)
    ratio = p50_ours / p50_theirs
    print(
        f"{args.images} receipts {SIZE[0]}×{SIZE[1]}, {args.repeat} runs each, {args.threads} threads, "
        f"model {model.name}"
    )
    print(f"{'engine':<28} {'p50 ms':>8} {'p90 ms':>8} {'boxes':>6} {'H-mean (IC15)':>14}")
    print(
        f"{'ocr-playground':<28} {p50_ours:8.1f} {percentile(t_ours, 90):8.1f} {n_ours:6d} "
        f"{hmean(found_ours):14.4f}"
    )
    print(
        f"{'rapidocr TextDetector':<28} {p50_theirs:8.1f} {percentile(t_theirs, 90):8.1f} {n_theirs:6d} "
        f"{hmean(found_theirs):14.4f}"
    )
    print(
        f"{'ocr-playground, word boxes':<28} {'':>8} {'':>8} {sum(map(len, found_words)):6d} "
        f"{hmean(found_words):14.4f}"
    )
    print(f"ratio ours/rapidocr p50: {ratio:.3f} (target ≤ {RATIO_TARGET}) {verdict(ratio, RATIO_TARGET)}")
    same = n_matched == n_ours == n_theirs
    print(
        f"same boxes: {'yes' if same else 'NO'} — {n_matched} of {n_ours}/{n_theirs} matched one-to-one at "
        f"IoU ≥ 0.8, mean IoU {mean_iou:.3f}; {n_pixel} the same to the pixel"
    )


if __name__ == "__main__":
    main()
