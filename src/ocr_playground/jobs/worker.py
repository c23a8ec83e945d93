"""What runs inside a worker process: the task, the run-function table, and the receive loop.

The executor preloads this module in the forkserver, so a replacement worker (after a cancel or a
crash) starts with numpy, OpenCV and the ops already imported.
"""

import contextlib
import ctypes
import os
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from ocr_playground.artifacts import atomic_write_bytes
from ocr_playground.imaging.errors import ImagingError
from ocr_playground.imaging.io import PNG_FAST_COMPRESSION, decode_image, encode_png
from ocr_playground.imaging.pipeline import PIPELINES, run_pipeline


@dataclass(frozen=True)
class Task:
    job_id: str
    pipeline_id: str
    input_path: str
    params: Any
    output_path: str
    checkpoint_path: str | None = None


Progress = Callable[[str, float], None]
# A run function reads the task's input, writes its PNG atomically to ``task.output_path`` and
# returns per-step timings in milliseconds. It raises ImagingError for bad input.
RunFunction = Callable[[Task, Progress], dict[str, float]]


def encode_result(image: np.ndarray) -> bytes:
    """PNG bytes of a result. An RGB image whose channels are equal (after grayscale or binarize,
    the usual OCR chain) is written as a one-channel PNG: every decoder gives back the same RGB
    pixels, and encoding a third of the data takes half the time and makes a smaller file."""
    if image.ndim == 3 and image.shape[2] == 3:
        red = image[:, :, 0]
        if np.array_equal(red, image[:, :, 1]) and np.array_equal(red, image[:, :, 2]):
            params = [cv2.IMWRITE_PNG_COMPRESSION, PNG_FAST_COMPRESSION]
            ok, buffer = cv2.imencode(".png", np.ascontiguousarray(red), params)
            if ok:
                return buffer.tobytes()
    return encode_png(image)


def run_image_pipeline(task: Task, on_progress: Progress) -> dict[str, float]:
    started = time.perf_counter()
    image = decode_image(Path(task.input_path).read_bytes())
    timings = {"decode": (time.perf_counter() - started) * 1000}
    result = run_pipeline(task.pipeline_id, image, task.params, on_progress)
    timings.update(result.timings)
    started = time.perf_counter()
    atomic_write_bytes(task.output_path, encode_result(result.image))
    timings["encode"] = (time.perf_counter() - started) * 1000
    return timings


# pipeline id -> run function. The inference pipeline adds its own entry here.
RUNNERS: dict[str, RunFunction] = {pipeline_id: run_image_pipeline for pipeline_id in PIPELINES}


def _die_with_parent() -> None:
    """Ask Linux to kill this worker when its parent goes: a server killed with SIGKILL must not
    leave orphans writing into the outputs tree while its successor recovers the jobs."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGKILL)
    if os.getppid() == 1:  # the parent died before prctl took effect
        os._exit(1)


def execute(task: Task, on_progress: Progress) -> dict[str, float]:
    runner = RUNNERS.get(task.pipeline_id)
    if runner is None:
        raise ImagingError(f"The server has no runner for pipeline '{task.pipeline_id}'.")
    return runner(task, on_progress)


def main(conn: Connection) -> None:
    """Receive a task, stream ``("progress", op, fraction)``, end with ``("done", timings)`` or
    ``("error", message)``. Runs until the pipe closes."""
    _die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C on the server stops it, not us first
    while True:
        try:
            task: Task = conn.recv()
        except (EOFError, OSError):
            return

        def report(op: str, fraction: float) -> None:
            conn.send(("progress", op, fraction))

        try:
            conn.send(("done", execute(task, report)))
        except ImagingError as exc:
            conn.send(("error", str(exc)))
        except MemoryError:
            conn.send(("error", "The worker ran out of memory on this image."))
        except Exception as exc:  # a bug in an op: report it with the job rather than die silently
            conn.send(("error", f"Internal error in the worker: {type(exc).__name__}: {exc}"))
