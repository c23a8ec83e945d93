"""What both engines share: the work handed to them and the watchdog that fails a stuck run."""

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from ocr_playground.runs.errors import RunStalled
from ocr_playground.runs.worker import ItemTask, ItemWorker, WorkerSpec

Sink = Callable[[dict[str, Any]], None]  # called with each finished item, in the calling thread
ShouldStop = Callable[[], bool]

CHUNK = 4  # items per task handed to a worker: enough to overlap reading with the model


class Worker(Protocol):
    def process(self, tasks: list[ItemTask]) -> list[dict[str, Any]]: ...


@dataclass(frozen=True)
class EngineWork:
    spec: WorkerSpec | Any
    tasks: list[ItemTask]
    workers: int
    stall_s: float
    # What each worker process builds from ``spec`` once: a run's items by default; a threshold
    # sweep hands its own (a top-level class, so it crosses into the processes by name).
    make_worker: Callable[[Any], Worker] = ItemWorker


class Engine(Protocol):
    def run(self, work: EngineWork, sink: Sink, should_stop: ShouldStop) -> None:
        """Compute every task, handing each item to ``sink``; return early when ``should_stop()``;
        raise RunStalled when no item finishes for ``work.stall_s`` seconds."""


def cores() -> int:
    """The CPUs this process may use (a container's limit, not the host's count)."""
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)


def local_workers(wanted: int | None) -> tuple[int, int]:
    """(worker processes, ONNX Runtime threads each) so that workers × threads = cores: by default
    one single-threaded worker per core, which keeps every core busy through decode and post-processing
    as well as the model."""
    workers = wanted or cores()
    return workers, max(1, cores() // workers)


def chunks(tasks: list[ItemTask], size: int = CHUNK) -> list[list[ItemTask]]:
    return [tasks[i : i + size] for i in range(0, len(tasks), size)]


class Watchdog:
    """Fails a run that makes no progress: no item finished for ``limit_s`` seconds."""

    def __init__(self, limit_s: float, engine: str, hint: str) -> None:
        self.limit_s, self.engine, self.hint = limit_s, engine, hint
        self.last = time.monotonic()

    def progressed(self) -> None:
        self.last = time.monotonic()

    def check(self) -> None:
        if time.monotonic() - self.last > self.limit_s:
            raise RunStalled(
                f"The {self.engine} engine finished no image for {self.limit_s:g} s, so the run was "
                f"stopped; {self.hint}"
            )
