"""The page finder on real photos with hand-labelled corners, next to the classic OpenCV recipe.

Run: ``uv run python bench/real.py [FOLDER]`` (default ``../shared/real/corners`` beside the
checkout; FOLDER holds ``images/`` and ``gt.json`` with TL, TR, BR, BL corners per image).

Per method, in the same run: the share of images with every corner within 2 % of the image diagonal
(corners matched in their cyclic order, the best rotation of the four), the mean Jaccard index of
the found quad against the true one (SmartDoc's measure, 0 when nothing is found), the mask IoU of
background_removal's alpha (≥ 128) against the true quad (ours only), and the time per image with
the photo scaled to a 2048 px long side (find only, median of a few runs).
Targets: ≥ 90 % within 2 %, mean Jaccard ≥ 0.95, ≤ 40 ms per image on the server.
"""

import argparse
import json
import statistics
from pathlib import Path

import cv2
import numpy as np

from ocr_playground.imaging.io import decode_image
from ocr_playground.imaging.ops.background_removal import page_mask
from ocr_playground.imaging.page.finder import clockwise_from_top_left, find_page

from timing import median_ms, verdict

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT.parent / "shared" / "real" / "corners"
BENCH_SIDE = 2048


def opencv_recipe(rgb: np.ndarray) -> np.ndarray | None:
    """Canny + contours + approxPolyDP at 500 px: the first 4-point approximation among the five
    largest contours, as in the usual document-scanner tutorial."""
    scale = 500 / max(rgb.shape[:2])
    small = cv2.resize(rgb, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    gray = cv2.GaussianBlur(cv2.cvtColor(small, cv2.COLOR_RGB2GRAY), (5, 5), 0)
    edges = cv2.Canny(gray, 75, 200)
    contours, _ = cv2.findContours(edges, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
    for c in sorted(contours, key=cv2.contourArea, reverse=True)[:5]:
        approx = cv2.approxPolyDP(c, 0.02 * cv2.arcLength(c, True), True)
        if len(approx) == 4:
            q = approx.reshape(4, 2).astype(np.float64)
            return clockwise_from_top_left((q + 0.5) / scale - 0.5)
    return None


def polygon_mask(quad: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    mask = np.zeros(shape, np.uint8)
    cv2.fillPoly(mask, [np.round(quad * 16).astype(np.int32)], 1, shift=4)
    return mask.astype(bool)


def iou(a: np.ndarray, b: np.ndarray) -> float:
    return float((a & b).sum() / max(1, (a | b).sum()))


def corner_error(found: np.ndarray | None, truth: np.ndarray, diagonal: float) -> float:
    if found is None:
        return float("inf")
    found = np.asarray(found, np.float64)
    return min(float(np.hypot(*(np.roll(found, k, 0) - truth).T).max()) for k in range(4)) / diagonal


def scaled(rgb: np.ndarray, side: int) -> np.ndarray:
    f = side / max(rgb.shape[:2])
    return cv2.resize(rgb, None, fx=f, fy=f, interpolation=cv2.INTER_LINEAR if f > 1 else cv2.INTER_AREA)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per image and method")
    args = parser.parse_args()
    truth = json.loads((args.folder / "gt.json").read_text())["images"]
    rows = {"ours": [], "opencv": []}
    mask_ious, times = [], {"ours": [], "opencv": []}
    for name in sorted(truth):
        rgb = decode_image((args.folder / "images" / name).read_bytes())
        gt = np.array(truth[name]["corners"], np.float64)
        diagonal = float(np.hypot(*rgb.shape[:2]))
        gt_mask = polygon_mask(gt, rgb.shape[:2])
        found = {"ours": find_page(rgb).quad, "opencv": opencv_recipe(rgb)}
        line = [f"{name:32s}"]
        for method, quad in found.items():
            err = corner_error(quad, gt, diagonal)
            shape = rgb.shape[:2]
            jac = 0.0 if quad is None else iou(polygon_mask(np.asarray(quad, np.float64), shape), gt_mask)
            rows[method].append((err, jac))
            line.append(f"{method} {err * 100:6.2f}% J {jac:.3f}")
        mask_ious.append(iou(page_mask(rgb) >= 128, gt_mask))
        line.append(f"mask IoU {mask_ious[-1]:.3f}")
        big = scaled(rgb, BENCH_SIDE)
        times["ours"].append(median_ms(lambda big=big: find_page(big), args.repeat, 1))
        times["opencv"].append(median_ms(lambda big=big: opencv_recipe(big), args.repeat, 1))
        print("  ".join(line))
    print()
    for method, results in rows.items():
        within = float(np.mean([e <= 0.02 for e, _ in results]))
        jaccard = float(np.mean([j for _, j in results]))
        ms = statistics.median(times[method])
        print(
            f"{method:7s} corners within 2 %: {within:.0%} (target ≥ 90 %)  mean Jaccard {jaccard:.3f}"
            f" (target ≥ 0.95)  time at {BENCH_SIDE} px: median {ms:.1f} ms {verdict(ms, 40.0)},"
            f" worst {max(times[method]):.1f} ms"
        )
    print(f"ours    mask IoU median {statistics.median(mask_ious):.3f}, worst {min(mask_ious):.3f}")


if __name__ == "__main__":
    main()
