"""The receive loop of a worker process: take a task, run it through the run table, report.

The executor preloads this module in the forkserver, so a replacement worker (after a cancel or a
crash) starts with numpy, OpenCV and the ops already imported.
"""

import contextlib
import ctypes
import os
import signal
from collections.abc import Callable
from multiprocessing.connection import Connection

from ocr_playground.artifacts import DiskFull
from ocr_playground.imaging.errors import ImagingError
from ocr_playground.jobs.runners import Task, execute


def _die_with_parent() -> None:
    """Ask Linux to kill this worker when its parent goes: a server killed with SIGKILL must not
    leave orphans writing into the outputs tree while its successor recovers the jobs."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGKILL)
    if os.getppid() == 1:  # the parent died before prctl took effect
        os._exit(1)


def outcome(task: Task, report: Callable[[str, float], None]) -> tuple:
    """Run one task: ``("done", timings, report)``, or ``("error", sentence)`` for bad input, a full disk
    or an out-of-memory, with an internal error named as such (a bug, reported with the job)."""
    try:
        return ("done", *execute(task, report))
    except (ImagingError, DiskFull) as exc:
        return ("error", str(exc))
    except MemoryError:
        return ("error", "The worker ran out of memory on this image.")
    except Exception as exc:  # a bug in an op: report it with the job rather than die silently
        return ("error", f"Internal error in the worker: {type(exc).__name__}: {exc}")


def main(conn: Connection) -> None:
    """Receive a task, stream ``("progress", op, fraction)``, end with ``outcome``'s message.
    Runs until the pipe closes."""
    _die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C on the server stops it, not us first
    while True:
        try:
            task: Task = conn.recv()
        except (EOFError, OSError):
            return

        def report(op: str, fraction: float) -> None:
            conn.send(("progress", op, fraction))

        conn.send(outcome(task, report))
