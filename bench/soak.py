"""Soak: a mixed stream of good and bad requests against ``ocr-playground serve`` on loopback.

Run: ``uv run python bench/soak.py [--seconds 180] [--clients 4] [--real ../shared/real]``

The server runs as a real process (``serve`` on 127.0.0.1, its own worker pool); the stream is
drawn with a fixed seed from the kinds below, bounded by --seconds and --max-requests, and
includes the hostile inputs of the hardening work: a 600-byte JPEG whose header claims
7000×7000 and a 40000×1 strip sent to inference, a 16-bit scan, truncated files, hostile strings,
JSON nested 100,000 deep, path escapes. It prints the answers by status and kind (target: no 5xx),
latency p50/p95, and the resident memory of the server and of its workers sampled every 0.2 s:
at start (after one warm-up request of each kind, so the model sessions are loaded), peak and
final (after the queue drained). Targets: peak under 1.5 GB, final within 150 MB of the start.
"""

import argparse
import asyncio
import base64
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path

import cv2
import httpx
import numpy as np

from ocr_playground.imaging.synthetic import make_receipt
from server import free_port, wait_up

HERE = Path(__file__).resolve().parent
MB = 1024 * 1024
DEMO = "builtin:ppocrv4-det"
Request = tuple[str, str, object]  # method, path, JSON body (or raw bytes)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def liar_jpeg(width: int, height: int) -> bytes:
    data = bytearray(cv2.imencode(".jpg", np.full((8, 8, 3), 200, np.uint8))[1].tobytes())
    sof = data.find(b"\xff\xc0")
    data[sof + 5 : sof + 9] = height.to_bytes(2, "big") + width.to_bytes(2, "big")
    return bytes(data)


def png(array: np.ndarray) -> bytes:
    return cv2.imencode(".png", array)[1].tobytes()


def kinds(real: list[Path], rng: random.Random) -> dict[str, tuple[float, Callable[[], Request]]]:
    """Request kind -> (weight, a function drawing one request of that kind)."""
    small = make_receipt(1, size=(600, 800)).jpeg
    big = make_receipt(2, size=(1500, 2000)).jpeg
    photos = [p.read_bytes() for p in real[:8]] or [big]
    gray = cv2.imdecode(np.frombuffer(big, np.uint8), cv2.IMREAD_GRAYSCALE)
    sixteen = png(gray.astype(np.uint16) * 257)
    strip = png(np.full((1, 40_000), 230, np.uint8))
    deep = "[" * 100_000 + "]" * 100_000

    def preview(image: bytes, params: dict) -> Request:
        return (
            "POST",
            "/api/pipelines/preview",
            {"pipeline_id": "preprocessing", "image_base64": b64(image), "params": params},
        )

    def fallback() -> Request:  # new params now and then, so jobs run as well as cache hits
        params = {"resize": {"maxSide": rng.choice([800, 900, 1000, 1100])}, "grayscale": True}
        if rng.random() < 0.5:
            params["blur"] = {"kernelSize": rng.choice([3, 5, 7])}
        body = {
            "pipeline_id": "preprocessing",
            "image_base64": b64(rng.choice([big, *photos])),
            "params": params,
        }
        return "POST", "/api/pipelines/fallback", body

    def detect(image: bytes, vary: bool = False) -> Request:
        # With ops drawn at random, most photos miss the probability-map cache: the model runs.
        ops = rng.choice(
            [{}, {"grayscale": True}, {"autocontrast": {"cutoff": 1}}, {"blur": {"kernelSize": 3}}]
        )
        body = {"image_base64": b64(image), "checkpoint_path": DEMO, "params": ops if vary else {}}
        return "POST", "/api/inference/preview", body

    def inference_job() -> Request:
        body = {
            "pipeline_id": "inference",
            "image_base64": b64(rng.choice(photos)),
            "checkpoint_path": DEMO,
            "params": {"detection": {"thresh": rng.choice([0.3, 0.35])}},
        }
        return "POST", "/api/pipelines/fallback", body

    return {
        "preview small": (3, lambda: preview(small, {"grayscale": True})),
        "fallback": (3, fallback),
        "detect photo": (2, lambda: detect(rng.choice(photos), vary=True)),
        "inference job": (1, inference_job),
        "detect 16-bit scan": (1, lambda: detect(sixteen)),
        "detect 40000x1 strip": (1, lambda: detect(strip)),
        "detect liar header": (1, lambda: detect(liar_jpeg(7000, 7000))),
        "preview liar header": (1, lambda: preview(liar_jpeg(7000, 7000), {"grayscale": True})),
        "truncated jpeg": (1, lambda: preview(big[: len(big) // 2] + b"\xff\xd9", {"grayscale": True})),
        "bad params": (1, lambda: preview(small, {"blur": {"kernelSize": 4}})),
        "hostile strings": (
            1,
            lambda: ("POST", "/api/pipelines/preview", {"pipeline_id": "\ud800", "task_id": "t" * 300}),
        ),
        "deep json": (1, lambda: ("POST", "/api/pipelines/preview", deep.encode())),
        "path escape": (
            1,
            lambda: (
                "POST",
                "/api/pipelines/preview",
                {"pipeline_id": "preprocessing", "image_path": "../../etc/passwd"},
            ),
        ),
        "images list": (1, lambda: ("GET", "/api/images", None)),
        "health": (1, lambda: ("GET", "/api/health", None)),
    }


# --- memory ------------------------------------------------------------------------------------


def rss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (FileNotFoundError, ProcessLookupError):
        return 0


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return found + [g for c in found for g in children(c)]


class MemoryWatch(threading.Thread):
    """Samples the server's RSS and the sum of its descendants' (workers, forkserver)."""

    def __init__(self, pid: int, every_s: float = 0.2) -> None:
        super().__init__(daemon=True)
        self.pid, self.every_s = pid, every_s
        self.stop = threading.Event()
        self.peak = {"server": 0, "workers": 0, "total": 0}

    def sample(self) -> dict[str, int]:
        server = rss(self.pid)
        workers = sum(rss(c) for c in children(self.pid))
        return {"server": server, "workers": workers, "total": server + workers}

    def run(self) -> None:
        while not self.stop.is_set():
            for key, value in self.sample().items():
                self.peak[key] = max(self.peak[key], value)
            time.sleep(self.every_s)


# --- traffic -----------------------------------------------------------------------------------


async def send(client: httpx.AsyncClient, request: Request) -> int:
    method, path, body = request
    if isinstance(body, bytes):
        response = await client.request(
            method, path, content=body, headers={"content-type": "application/json"}
        )
    elif body is None:
        response = await client.request(method, path)
    else:
        payload = json.dumps(body)  # ASCII escapes, so a lone surrogate travels as the browser sends it
        response = await client.request(
            method, path, content=payload, headers={"content-type": "application/json"}
        )
    return response.status_code


async def soak(base: str, table: dict, rng: random.Random, seconds: float, clients: int, limit: int) -> dict:
    names = list(table)
    weights = [table[n][0] for n in names]
    statuses: Counter = Counter()
    by_kind: dict[str, Counter] = defaultdict(Counter)
    latencies: dict[str, list[float]] = defaultdict(list)
    deadline = time.monotonic() + seconds
    sent = 0

    async def client_loop(client: httpx.AsyncClient) -> None:
        nonlocal sent
        while time.monotonic() < deadline and sent < limit:
            sent += 1
            kind = rng.choices(names, weights)[0]
            started = time.perf_counter()
            try:
                code = await send(client, table[kind][1]())
            except httpx.HTTPError as exc:
                code = f"error {type(exc).__name__}"
            latencies[kind].append((time.perf_counter() - started) * 1000)
            statuses[code] += 1
            by_kind[kind][code] += 1

    async with httpx.AsyncClient(base_url=base, timeout=300) as client:
        await asyncio.gather(*(client_loop(client) for _ in range(clients)))
    return {"statuses": statuses, "by_kind": by_kind, "latencies": latencies}


def drain(base: str, timeout_s: float = 300) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        jobs = httpx.get(f"{base}/api/pipelines/jobs?limit=500", timeout=30).json()
        if not any(j["status"] in ("queued", "running") for j in jobs):
            return
        time.sleep(1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=180)
    parser.add_argument("--max-requests", type=int, default=20_000)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--env", action="append", default=[], metavar="NAME=VALUE", help="for the server")
    parser.add_argument("--real", type=Path, default=HERE.parent.parent / "shared" / "real")
    args = parser.parse_args()
    real = sorted((args.real / "sroie" / "images").glob("*.jpg")) + sorted(
        (args.real / "corners" / "images").glob("*.jpg")
    )
    rng = random.Random(11)
    table = kinds(real, rng)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as tmp:
        command = [
            sys.executable, "-m", "ocr_playground", "serve",
            "--port", str(port), "--workers", str(args.workers),
            "--data-root", f"{tmp}/data", "--outputs-root", f"{tmp}/outputs", "--log-level", "warning",
        ]  # fmt: skip
        env = {**os.environ, "OCRP_QUEUE_LIMIT": "16", **dict(v.split("=", 1) for v in args.env)}
        server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_up(f"{base}/api/health", server, "the server")
            watch = MemoryWatch(server.pid)
            cold = watch.sample()
            asyncio.run(soak(base, table, random.Random(1), 1e9, 1, len(table)))  # one of each, roughly
            drain(base)
            start = watch.sample()
            watch.start()
            began = time.monotonic()
            result = asyncio.run(soak(base, table, rng, args.seconds, args.clients, args.max_requests))
            elapsed = time.monotonic() - began
            drain(base)
            time.sleep(2)
            final = watch.sample()
            watch.stop.set()
            watch.join()
            alive = server.poll() is None
        finally:
            server.terminate()
            server.wait(timeout=30)
    report(result, elapsed, cold, start, watch.peak, final, alive, args)


def report(
    result: dict, elapsed: float, cold: dict, start: dict, peak: dict, final: dict, alive: bool, args
) -> None:
    statuses, by_kind, latencies = result["statuses"], result["by_kind"], result["latencies"]
    total = sum(statuses.values())
    print(f"soak: {total} requests in {elapsed:.0f} s, {args.clients} clients, {args.workers} worker(s)")
    print("answers by status: " + ", ".join(f"{code}: {n}" for code, n in sorted(statuses.items(), key=str)))
    every = [ms for values in latencies.values() for ms in values]
    print(f"latency all: p50 {statistics.median(every):.0f} ms, p95 {np.percentile(every, 95):.0f} ms")
    print(f"{'kind':<22} {'n':>5} {'p50 ms':>8} {'p95 ms':>8}  statuses")
    for kind in sorted(by_kind):
        values = latencies[kind]
        codes = ", ".join(f"{c}: {n}" for c, n in sorted(by_kind[kind].items(), key=str))
        p50, p95 = statistics.median(values), np.percentile(values, 95)
        print(f"{kind:<22} {len(values):>5} {p50:>8.0f} {p95:>8.0f}  {codes}")
    print(f"{'RSS MB':<10} {'cold':>8} {'start':>8} {'peak':>8} {'final':>8}")
    for key in ("server", "workers", "total"):
        figures = " ".join(f"{stage[key] / MB:>8.0f}" for stage in (cold, start, peak, final))
        print(f"{key:<10} {figures}")
    five = sum(n for code, n in statuses.items() if isinstance(code, int) and code >= 500)
    errors = sum(n for code, n in statuses.items() if not isinstance(code, int))
    growth = (final["total"] - start["total"]) / MB
    print(
        f"verdict: 5xx {five}, transport errors {errors}, server alive {alive}; "
        f"peak total {peak['total'] / MB:.0f} MB (target < 1536); "
        f"final - start {growth:+.0f} MB (target <= 150)"
    )


if __name__ == "__main__":
    main()
