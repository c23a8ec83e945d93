"""A real uvicorn server on a loopback port, for tests that must cross a real socket."""

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import uvicorn
from fastapi import FastAPI

from ocr_playground.api.app import create_app
from ocr_playground.api.protocol import guarded_http
from ocr_playground.settings import Settings


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def live_server(settings: Settings, app: FastAPI | None = None) -> Iterator[str]:
    """Serve ``app`` (by default ``create_app(settings)``) on 127.0.0.1 in a thread; yield its base URL."""
    port = free_port()
    app = app or create_app(settings)
    http = guarded_http(settings.header_timeout_s)  # the protocol `serve` runs
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", http=http)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/api/health", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.05)
    else:
        raise RuntimeError("the test server did not come up within 20 s")
    try:
        yield base
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@contextmanager
def server_process(root: Path, port: int, env: dict[str, str] | None = None) -> Iterator[subprocess.Popen]:
    """``ocr-playground serve`` in its own process, as a user would run it (``data``, ``outputs``
    and ``checkpoints`` under ``root``); ``env`` is added to this process's environment."""
    command = [
        sys.executable,
        "-m",
        "ocr_playground",
        "serve",
        "--port",
        str(port),
        "--data-root",
        "data",
        "--outputs-root",
        "outputs",
        "--checkpoints-root",
        "checkpoints",
        "--workers",
        "2",
        "--log-level",
        "warning",
    ]
    process = subprocess.Popen(
        command,
        cwd=root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, **(env or {})},
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx.get(f"{base}/api/health", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"server did not start: {process.stderr.read().decode()[-2000:]}")
        time.sleep(0.1)
    try:
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=20)


def descendants(pid: int) -> set[int]:
    """The processes ``pid`` started, and theirs, as /proc says now (Linux)."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # it ended while we looked
            continue
        parents[int(stat.parent.name)] = int(fields[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def alive(pids: set[int]) -> set[int]:
    """Those of ``pids`` that still run (a zombie waiting for its parent counts as gone)."""
    out = set()
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            out.add(pid)
    return out
