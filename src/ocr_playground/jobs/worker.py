"""The receive loop of a worker process: take a task, run it through the run table, report.

The executor preloads this module in the forkserver, so a replacement worker (after a cancel or a
crash) starts with numpy, OpenCV and the ops already imported.
"""

import signal
from collections.abc import Callable
from multiprocessing.connection import Connection

from ocr_playground.artifacts import DiskFull
from ocr_playground.imaging.errors import ImagingError
from ocr_playground.jobs.runners import Task, execute
from ocr_playground.orphans import die_with_parent


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
    die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C on the server stops it, not us first
    while True:
        try:
            task: Task = conn.recv()
        except (EOFError, OSError):
            return

        def report(op: str, fraction: float) -> None:
            conn.send(("progress", op, fraction))

        conn.send(outcome(task, report))
