"""The page finder on real photos with hand-labelled corners, next to the classic OpenCV recipe.

Run: ``uv run python bench/real.py [FOLDER]`` (default ``../shared/real/corners`` beside the
checkout; FOLDER holds ``images/`` and ``gt.json`` with TL, TR, BR, BL corners per image).

Per method, in the same run: the share of images with every corner within 2 % of the image diagonal
(corners matched in their cyclic order, the best rotation of the four), the mean Jaccard index of
the found quad against the true one (SmartDoc's measure, 0 when nothing is found), the mask IoU of
background_removal's alpha (≥ 128) against the true quad (ours only), and the time per image with
the photo scaled to a 2048 px long side (find only; per image the median of a few runs, and the best
of them, which is what a quiet machine gives when others load it) on the server and, with
``--browser``, in headless Chromium (the finder's WebAssembly SIMD form as the workers run it,
copying the image into WebAssembly memory included; it needs ``npm ci`` and a built web/dist).
Targets: ≥ 90 % within 2 %, mean Jaccard ≥ 0.95, ≤ 40 ms per image on the server, ≤ 60 ms in the
browser.
"""

import argparse
import functools
import json
import statistics
import sys
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import cv2
import numpy as np

from ocr_playground.imaging.io import decode_image, encode_png
from ocr_playground.imaging.ops.background_removal import page_mask
from ocr_playground.imaging.page.finder import clockwise_from_top_left, find_page

from timing import sample_ms, verdict

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT.parent / "shared" / "real" / "corners"
BENCH_SIDE = 2048
WEB_DIST = ROOT / "web" / "dist"


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


def browser_times(photos: dict[str, np.ndarray], repeat: int) -> dict[str, dict]:
    """name -> {"ms", "quad"} from the finder in headless Chromium, on the same 2048 px pixels."""
    sys.path.insert(0, str(ROOT / "tests"))
    from browser import chromium_page

    pngs = {f"/real/{name}.png": encode_png(image) for name, image in photos.items()}

    class Handler(SimpleHTTPRequestHandler):
        def do_GET(self) -> None:
            body = pngs.get(self.path)
            if body is None:
                return super().do_GET()
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(WEB_DIST)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with chromium_page() as page:
            page.goto(f"http://127.0.0.1:{server.server_address[1]}/bench.html")
            page.wait_for_function("() => typeof window.timePageFinder === 'function'")
            rows = page.evaluate("([urls, runs]) => window.timePageFinder(urls, runs)", [list(pngs), repeat])
    finally:
        server.shutdown()
    return {row["url"].removeprefix("/real/").removesuffix(".png"): row for row in rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per image and method")
    parser.add_argument("--browser", action="store_true", help="also time the finder in headless Chromium")
    args = parser.parse_args()
    if args.browser and not (WEB_DIST / "bench.html").exists():
        sys.exit("web/dist is not built: run `make web` (or `npm run build` in web/)")
    big_photos: dict[str, np.ndarray] = {}
    truth = json.loads((args.folder / "gt.json").read_text())["images"]
    rows = {"ours": [], "opencv": []}
    mask_ious, times, best = [], {"ours": [], "opencv": []}, {"ours": [], "opencv": []}
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
        big = big_photos[name] = scaled(rgb, BENCH_SIDE)
        # Interleaved per image, so a burst of load from elsewhere hits both methods alike.
        for method, fn in (
            ("ours", lambda big=big: find_page(big)),
            ("opencv", lambda big=big: opencv_recipe(big)),
        ):
            runs = sample_ms(fn, args.repeat, 1)
            times[method].append(statistics.median(runs))
            best[method].append(min(runs))
        print("  ".join(line))
    print()
    for method, results in rows.items():
        within = float(np.mean([e <= 0.02 for e, _ in results]))
        jaccard = float(np.mean([j for _, j in results]))
        ms = statistics.median(times[method])
        print(
            f"{method:7s} corners within 2 %: {within:.0%} (target ≥ 90 %)  mean Jaccard {jaccard:.3f}"
            f" (target ≥ 0.95)  time at {BENCH_SIDE} px: median {ms:.1f} ms {verdict(ms, 40.0)},"
            f" worst {max(times[method]):.1f} ms; best of {args.repeat} per image: median"
            f" {statistics.median(best[method]):.1f} ms"
        )
    print(f"ours    mask IoU median {statistics.median(mask_ious):.3f}, worst {min(mask_ious):.3f}")
    if args.browser:
        browser = browser_times(big_photos, args.repeat)
        ms = [row["ms"] for row in browser.values()]
        best_ms = [row["bestMs"] for row in browser.values()]
        # The same pixels through the TypeScript twin: its corners must be the server's (±1 px).
        worst = max(
            float(np.abs(np.array(row["quad"]) - find_page(big_photos[name]).quad).max())
            if row["quad"] is not None
            else 0.0
            for name, row in browser.items()
        )
        middle = statistics.median(ms)
        print(
            f"browser time at {BENCH_SIDE} px: median {middle:.1f} ms {verdict(middle, 60.0)},"
            f" worst {max(ms):.1f} ms; best of {args.repeat} per image: median"
            f" {statistics.median(best_ms):.1f} ms; corners vs the server's: worst {worst:.2f} px"
        )


if __name__ == "__main__":
    main()
