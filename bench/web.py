"""The browser workers on a 2048×1536 photo in headless Chromium, next to OpenCV.js in the same page;
then the phone-photo cases.

Run: ``uv run python bench/web.py`` (``--runs N`` for more samples; ``--part workers|phone``; needs
``npm ci`` in web/). Our time is the kernels' time measured inside the worker; the round trip
(cache key, posting, transfer back) is printed beside it. The peer is OpenCV.js (npm
``@techstark/opencv-js``, served from web/node_modules, no CDN) on the page's main thread, on the
same RGBA pixels.
Targets: autocontrast ≤ 15 ms, blur(5) ≤ 30 ms, full chain without background removal
≤ 60 ms, background removal ≤ 150 ms, memo hit ≤ 2 ms, no op slower than OpenCV.js by > 1.5×.

Phone photos (bench/phone.py): a 4032×3024 JPEG opened as the Studio does (decoded and scaled
to its 1/2 proxy in a worker), each op's preview time on the proxy; then the Studio itself against
a live server: open → first preview, repaints per second in a scripted slider drag (target ≥ 20,
on the 2 MP receipt and the phone photo), the longest main-thread task in the drag (target
≤ 50 ms), and the same drag with "Run on server" on as the peer.
"""

import argparse
import functools
import subprocess
import sys
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from ocr_playground.imaging.io import encode_png  # noqa: E402
from ocr_playground.imaging.synthetic import make_receipt  # noqa: E402

import phone  # noqa: E402
from browser import chromium_page  # noqa: E402

WEB = ROOT / "web"
OPENCV_JS = WEB / "node_modules" / "@techstark" / "opencv-js" / "dist" / "opencv.js"
TARGETS = {"autocontrast": 15.0, "blur k=5": 30.0, "chain": 60.0, "background_removal": 150.0}
PEER_RATIO = 1.5


def photo_png() -> bytes:
    return encode_png(make_receipt(seed=7, size=(2048, 1536)).image)


class Handler(SimpleHTTPRequestHandler):
    """web/dist, plus /opencv.js from node_modules and /photo.png and /phone.jpg made in memory."""

    photo: bytes = b""
    phone: bytes = b""

    def do_GET(self) -> None:
        if self.path.startswith("/photo.png"):
            self._send(self.photo, "image/png")
        elif self.path.startswith("/phone.jpg"):
            self._send(self.phone, "image/jpeg")
        elif self.path.startswith("/opencv.js"):
            self._send(OPENCV_JS.read_bytes(), "text/javascript")
        else:
            super().do_GET()

    def _send(self, body: bytes, kind: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--results", type=Path, help="also write the table as Markdown here")
    parser.add_argument("--only", default="", help="run only the cases whose name starts with this")
    parser.add_argument("--part", choices=["all", "workers", "phone"], default="all")
    parser.add_argument("--drag-s", type=float, default=4.0, help="length of each scripted drag")
    parser.add_argument(
        "--gap-ms",
        type=float,
        default=50,
        help="pause between requests, as a slider's debounce makes (0: back to back; default 50)",
    )
    args = parser.parse_args()
    if not OPENCV_JS.exists():
        sys.exit("OpenCV.js is missing: run `npm ci` in web/")
    if not (WEB / "dist" / "bench.html").exists():
        subprocess.run(["npm", "run", "build"], cwd=WEB, check=True)

    Handler.photo = photo_png()
    Handler.phone = make_receipt(seed=7, size=phone.PHONE).jpeg
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(WEB / "dist")))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    timing = {"runs": args.runs, "warmup": args.warmup, "gapMs": args.gap_ms}
    lines: list[str] = []
    try:
        with chromium_page() as page:
            page.goto(f"{base}/bench.html")
            page.wait_for_function("() => typeof window.runBench === 'function'")
            if args.part in ("all", "workers"):
                report = page.evaluate("(o) => window.runBench(o)", {**timing, "only": args.only})
                lines += table(report)
            if args.part in ("all", "phone"):
                lines += ["", *proxy_table(page.evaluate("(o) => window.runProxyBench(o)", timing))]
    finally:
        server.shutdown()
    if args.part in ("all", "phone"):
        lines += ["", *phone.table(phone.run(seconds=args.drag_s))]

    print("\n".join(lines))
    if args.results:
        args.results.write_text("\n".join(lines) + "\n")


def proxy_table(report: dict) -> list[str]:
    lines = [
        f"Phone photo {report['width']}×{report['height']}: decoded and scaled to its "
        f"{report['proxyWidth']}×{report['proxyHeight']} proxy (1/{report['factor']}) in the decode worker "
        f"and opened in the pool in {report['openMs']:.0f} ms (median of 3). Each op on the proxy, its "
        "pixel params scaled:",
        "",
        "| case (on the proxy) | worker ms | round trip ms |",
        "|---|---:|---:|",
    ]
    lines += [f"| {r['name']} | {r['workerMs']:.1f} | {r['roundTripMs']:.1f} |" for r in report["rows"]]
    return lines


def verdict_of(row: dict) -> str:
    notes = []
    for name, target in TARGETS.items():
        if row["name"].startswith(name) and "full size" not in row["name"]:
            notes.append(f"target ≤ {target:g} ms: {'ok' if row['workerMs'] <= target else 'MISSED'}")
    if row["opencvMs"]:
        ratio = row["workerMs"] / row["opencvMs"]
        notes.append(f"{ratio:.2f}× OpenCV.js: {'ok' if ratio <= PEER_RATIO else 'MISSED'}")
    return "; ".join(notes)


def table(report: dict) -> list[str]:
    lines = [
        f"Image {report['width']}×{report['height']}, {report['poolSize']} worker, "
        f"{report['gapMs']:g} ms between requests, median of the runs; {report['userAgent']}",
        "",
        "| case | worker ms | round trip ms | OpenCV.js ms | verdict |",
        "|---|---:|---:|---:|---|",
    ]
    for row in report["rows"]:
        peer = f"{row['opencvMs']:.1f}" if row["opencvMs"] is not None else "—"
        times = f"{row['workerMs']:.1f} | {row['roundTripMs']:.1f} | {peer}"
        lines.append(f"| {row['name']} | {times} | {verdict_of(row)} |")
    memo = report["memoHitMs"]
    memo_ok = "ok" if memo <= 2 else "MISSED"
    lines.append(f"| memo hit (blur k=5 again) | — | {memo:.2f} | — | target ≤ 2 ms: {memo_ok} |")
    chain = next((r for r in report["rows"] if r["name"].startswith("chain:")), None)
    if chain:
        per_op = ", ".join(f"{k} {v:.1f}" for k, v in chain["perOp"].items())
        lines += ["", f"Per op inside the chain (ms): {per_op}"]
    return lines


if __name__ == "__main__":
    main()
