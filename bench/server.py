"""The server on loopback, next to thumbor 7.8 doing the same chain on the same image.

Run: ``uv run python bench/server.py`` (first run creates thumbor's venv under bench/.thumbor-venv
with ``python -m venv`` + ``pip install thumbor==7.8.*``; needs the package index once).

Measured on a 2000×1500 synthetic receipt JPEG:
- preview latency p50/p95 (the routing answer: header probe, hash, decision),
- cache-hit latency (preview of a result the server already holds), by image_path and by base64,
- fallback latency (wait: true) and throughput for resize to 1000 px → grayscale → blur(5),
  against thumbor's ``/unsafe/1000x0/filters:grayscale():blur(2,1.1):format(png)`` (file loader,
  no storage, no result storage, PNG compression 1 like ours; and with its default JPEG output),
- 200 concurrent requests: every answer must be 2xx or 429.
Targets: cache hit ≤ 5 ms p50; fallback p50 ≤ half of thumbor's; 200 concurrent ok.
"""

import argparse
import asyncio
import base64
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from ocr_playground.imaging.synthetic import make_receipt

from timing import percentile, verdict

HERE = Path(__file__).resolve().parent
THUMBOR_VENV = HERE / ".thumbor-venv"
THUMBOR_SPEC = "thumbor==7.8.*"
CHAIN = {"resize": {"maxSide": 1000}, "grayscale": True, "blur": {"kernelSize": 5, "sigma": 1.1}}
THUMBOR_PNG = "/unsafe/1000x0/filters:grayscale():blur(2,1.1):format(png)/receipt.jpg"
THUMBOR_JPEG = "/unsafe/1000x0/filters:grayscale():blur(2,1.1)/receipt.jpg"  # its own default output


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_up(url: str, process: subprocess.Popen, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{what} exited with status {process.returncode}")
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise SystemExit(f"{what} did not come up within {timeout:.0f} s")


@contextmanager
def running(command: list[str], url: str, what: str, cwd: Path) -> Iterator[None]:
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_up(url, process, what)
        yield
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def ensure_thumbor() -> Path:
    binary = THUMBOR_VENV / "bin" / "thumbor"
    if not binary.exists():
        print(f"creating {THUMBOR_VENV} with {THUMBOR_SPEC} ...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(THUMBOR_VENV)], check=True)
        subprocess.run([str(THUMBOR_VENV / "bin" / "pip"), "install", "-q", THUMBOR_SPEC], check=True)
    return binary


def thumbor_conf(folder: Path, data_root: Path) -> Path:
    conf = folder / "thumbor.conf"
    conf.write_text(
        "LOADER = 'thumbor.loaders.file_loader'\n"
        f"FILE_LOADER_ROOT_PATH = {str(data_root)!r}\n"
        "STORAGE = 'thumbor.storages.no_storage'\n"
        "RESULT_STORAGE = None\n"
        "ENGINE = 'thumbor.engines.pil'\n"
        "ALLOW_UNSAFE_URL = True\n"
        "PNG_COMPRESSION_LEVEL = 1\n"
    )
    return conf


def timed(fn: Callable[[], httpx.Response], n: int, check: Callable[[httpx.Response], bool]) -> list[float]:
    times = []
    for _ in range(n):
        started = time.perf_counter()
        response = fn()
        times.append((time.perf_counter() - started) * 1000)
        if not check(response):
            raise SystemExit(f"unexpected answer {response.status_code}: {response.text[:300]}")
    return times


def server_ms(response: httpx.Response) -> float:
    """The server's own time for a request, from its Server-Timing header."""
    return float(response.headers["server-timing"].split("dur=")[1])


def timed_with_server(
    fn: Callable[[], httpx.Response], n: int, check: Callable[[httpx.Response], bool]
) -> tuple[list[float], list[float]]:
    """Client-side wall times and the server's share of each."""
    wall: list[float] = []
    inside: list[float] = []
    for _ in range(n):
        started = time.perf_counter()
        response = fn()
        wall.append((time.perf_counter() - started) * 1000)
        if not check(response):
            raise SystemExit(f"unexpected answer {response.status_code}: {response.text[:300]}")
        inside.append(server_ms(response))
    return wall, inside


def timed_pairs(
    ours: Callable[[], httpx.Response],
    theirs: Callable[[], httpx.Response],
    n: int,
    ours_ok: Callable[[httpx.Response], bool],
    theirs_ok: Callable[[httpx.Response], bool],
) -> tuple[list[float], list[float]]:
    """Alternate the two, so both see the same moments of a shared machine's load."""
    a: list[float] = []
    b: list[float] = []
    for _ in range(n):
        a += timed(ours, 1, ours_ok)
        b += timed(theirs, 1, theirs_ok)
    return a, b


Request = Callable[[httpx.AsyncClient], Awaitable[httpx.Response]]


async def concurrent(requests: list[Request], limit: int | None = None) -> tuple[float, list[int]]:
    """Run the requests with at most ``limit`` in flight (all at once by default); the wall time
    and each answer's status (-1 for a transport error)."""
    limit = limit or len(requests)
    gate = asyncio.Semaphore(limit)
    limits = httpx.Limits(max_connections=limit, max_keepalive_connections=limit)
    async with httpx.AsyncClient(limits=limits, timeout=300) as client:

        async def one(make: Request) -> httpx.Response:
            async with gate:
                return await make(client)

        started = time.perf_counter()
        responses = await asyncio.gather(*(one(make) for make in requests), return_exceptions=True)
        elapsed = time.perf_counter() - started
    codes = [r.status_code if isinstance(r, httpx.Response) else -1 for r in responses]
    return elapsed, codes


def row(name: str, ours: float, theirs: float | None = None, unit: str = "ms") -> str:
    """One table line; the ratio says how many times better ours is (lower ms, higher req/s)."""
    ratio = ""
    if theirs:
        ratio = f"{(ours / theirs if unit == 'req/s' else theirs / ours):.2f}×"
    other = f"{theirs:.1f}" if theirs else ""
    return f"| {name:<46} | {ours:9.1f} | {other:>9} | {ratio:>7} | {unit:<5} |"


def counts(codes: list[int]) -> dict[int, int]:
    out: dict[int, int] = {}
    for code in sorted(codes):
        out[code] = out.get(code, 0) + 1
    return out


def op_means(base: str) -> dict[str, float]:
    """Mean ms per step inside the server's workers, from its Prometheus histogram."""
    sums: dict[str, float] = {}
    numbers: dict[str, float] = {}
    for line in httpx.get(f"{base}/metrics").text.splitlines():
        for suffix, into in (("_sum", sums), ("_count", numbers)):
            if line.startswith(f"ocrp_op_duration_seconds{suffix}{{"):
                op = line.split('op="')[1].split('"')[0]
                into[op] = float(line.rsplit(" ", 1)[1])
    return {op: 1000 * sums[op] / numbers[op] for op in sums if numbers.get(op)}


def measure(ours: str, theirs: str, image_b64: str, repeat: int, concurrency: int) -> dict:
    http = httpx.Client(timeout=120)
    counter = iter(range(10**9))

    def chain() -> dict:  # distinct cache keys, identical work: sigma moves in the 7th decimal
        return {**CHAIN, "blur": {"kernelSize": 5, "sigma": 1.1 + next(counter) * 1e-7}}

    def body(**extra: object) -> dict:
        return {"pipeline_id": "preprocessing", "image_path": "receipt.jpg", "params": chain(), **extra}

    def fallback() -> httpx.Response:
        return http.post(f"{ours}/api/pipelines/fallback", json=body(wait=True))

    ok = lambda r: r.status_code == 200  # noqa: E731
    done = lambda r: ok(r) and r.json()["status"] == "completed"  # noqa: E731
    hit = lambda r: ok(r) and r.json()["routed_backend"] == "server-cache"  # noqa: E731
    client = lambda r: ok(r) and r.json()["routed_backend"] == "client-workers"  # noqa: E731
    timed(fallback, 3, done)
    timed(lambda: http.get(theirs + THUMBOR_PNG), 3, ok)
    out: dict = {}
    out["fallback"], out["thumbor_png"] = timed_pairs(
        fallback, lambda: http.get(theirs + THUMBOR_PNG), repeat, done, ok
    )
    out["fallback_2"], out["thumbor_jpeg"] = timed_pairs(
        fallback, lambda: http.get(theirs + THUMBOR_JPEG), repeat, done, ok
    )
    preview = {"pipeline_id": "preprocessing", "image_base64": image_b64}
    out["preview"] = timed(
        lambda: http.post(f"{ours}/api/pipelines/preview", json={**preview, "params": chain()}),
        repeat,
        client,
    )
    cached = {"pipeline_id": "preprocessing", "params": CHAIN}
    http.post(f"{ours}/api/pipelines/fallback", json={**cached, "image_path": "receipt.jpg", "wait": True})
    out["hit_path"], out["hit_path_server"] = timed_with_server(
        lambda: http.post(f"{ours}/api/pipelines/preview", json={**cached, "image_path": "receipt.jpg"}),
        repeat,
        hit,
    )
    out["hit_b64"] = timed(
        lambda: http.post(f"{ours}/api/pipelines/preview", json={**cached, "image_base64": image_b64}),
        repeat,
        hit,
    )
    out["ops"] = op_means(ours)

    n = max(repeat, 4 * concurrency)
    ours_jobs = [body(wait=True) for _ in range(n)]
    out["tp_ours"] = asyncio.run(
        concurrent(
            [lambda c, j=j: c.post(f"{ours}/api/pipelines/fallback", json=j) for j in ours_jobs], concurrency
        )
    )
    out["tp_theirs"] = asyncio.run(concurrent([lambda c: c.get(theirs + THUMBOR_PNG)] * n, concurrency))
    out["n"] = n
    bursts = [body() for _ in range(200)], [body() for _ in range(200)]
    out["burst_fallback"] = asyncio.run(
        concurrent([lambda c, j=j: c.post(f"{ours}/api/pipelines/fallback", json=j) for j in bursts[0]])
    )
    out["burst_preview"] = asyncio.run(
        concurrent([lambda c, j=j: c.post(f"{ours}/api/pipelines/preview", json=j) for j in bursts[1]])
    )
    http.close()
    return out


def report(m: dict, concurrency: int) -> None:
    p50, p95 = (lambda v: percentile(v, 50)), (lambda v: percentile(v, 95))
    print(f"| {'figure':<46} | {'ours':>9} | {'thumbor':>9} | {'ratio':>7} | unit  |")
    print(f"|{'-' * 48}|{'-' * 10}:|{'-' * 10}:|{'-' * 8}:|-------|")
    print(row("preview, routing answer (base64 upload) p50", p50(m["preview"])))
    print(row("preview, routing answer (base64 upload) p95", p95(m["preview"])))
    print(row("cache hit, preview by image_path p50", p50(m["hit_path"])))
    print(row("cache hit, preview by image_path p95", p95(m["hit_path"])))
    print(row("cache hit by image_path, server's share p50", p50(m["hit_path_server"])))
    print(row("cache hit, preview by image_base64 p50", p50(m["hit_b64"])))
    print(row("fallback wait / thumbor PNG, p50", p50(m["fallback"]), p50(m["thumbor_png"])))
    print(row("fallback wait / thumbor PNG, p95", p95(m["fallback"]), p95(m["thumbor_png"])))
    print(row("fallback wait / thumbor default JPEG out, p50", p50(m["fallback_2"]), p50(m["thumbor_jpeg"])))
    tp_ours, tp_theirs = m["n"] / m["tp_ours"][0], m["n"] / m["tp_theirs"][0]
    print(row(f"fallback throughput, {concurrency} in flight", tp_ours, tp_theirs, "req/s"))
    print()
    print("inside the workers (mean ms): " + ", ".join(f"{op} {ms:.1f}" for op, ms in m["ops"].items()))
    bad = [c for c in m["tp_ours"][1] + m["tp_theirs"][1] if c != 200]
    print(f"throughput runs: {m['n']} requests each; answers other than 200: {bad or 'none'}")
    burst = m["burst_fallback"][1] + m["burst_preview"][1]
    print(
        f"200 concurrent fallbacks: {m['burst_fallback'][0]:.2f} s, answers {counts(m['burst_fallback'][1])}"
    )
    print(f"200 concurrent previews:  {m['burst_preview'][0]:.2f} s, answers {counts(m['burst_preview'][1])}")
    print()
    hit, ratio = p50(m["hit_path"]), p50(m["fallback"]) / p50(m["thumbor_png"])
    print(f"target cache hit <= 5 ms p50: {hit:.1f} ms: {verdict(hit, 5)}")
    print(f"target fallback p50 <= 0.5 x thumbor (PNG): {ratio:.2f} x: {verdict(ratio, 0.5)}")
    wrong = [c for c in burst if not (200 <= c < 300 or c == 429)]
    print(f"target 200 concurrent, only 2xx or 429: {'ok' if not wrong else f'MISSED {counts(wrong)}'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=60, help="sequential samples per figure")
    parser.add_argument("--workers", type=int, default=2, help="server worker processes")
    parser.add_argument("--concurrency", type=int, default=8, help="in-flight requests for throughput")
    args = parser.parse_args()

    thumbor = ensure_thumbor()
    work = Path(tempfile.mkdtemp(prefix="ocrp-bench-"))
    data = work / "data"
    data.mkdir()
    jpeg = make_receipt(seed=11, size=(2000, 1500)).jpeg
    (data / "receipt.jpg").write_bytes(jpeg)
    ours_port, thumbor_port = free_port(), free_port()
    ours, theirs = f"http://127.0.0.1:{ours_port}", f"http://127.0.0.1:{thumbor_port}"
    serve = [sys.executable, "-m", "ocr_playground", "serve", "--port", str(ours_port), "--data-root", "data"]
    serve += ["--outputs-root", "outputs", "--workers", str(args.workers), "--log-level", "warning"]
    thumbor_cmd = [str(thumbor), "-p", str(thumbor_port), "-c", str(thumbor_conf(work, data)), "-l", "error"]
    print(
        f"image: 2000×1500 receipt JPEG, {len(jpeg) / 1024:.0f} KiB; server workers: {args.workers}; "
        f"cpus: {os.cpu_count()}; load average: {os.getloadavg()[0]:.1f}; repeat: {args.repeat}\n",
        flush=True,
    )
    with (
        running(serve, f"{ours}/api/health", "ocr-playground serve", work),
        running(thumbor_cmd, f"{theirs}/healthcheck", "thumbor", work),
    ):
        measured = measure(ours, theirs, base64.b64encode(jpeg).decode(), args.repeat, args.concurrency)
    report(measured, args.concurrency)


if __name__ == "__main__":
    main()
