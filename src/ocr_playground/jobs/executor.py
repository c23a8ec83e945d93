"""A local process pool with a time limit per job and real cancellation.

Each slot is a thread that owns one worker process and a pipe to it. The thread takes a job id from
the shared queue, asks the service for the task, sends it and then watches the pipe, the process
and the clock. Cancelling or timing out a running job kills its process (the op cannot be
interrupted any other way) and starts a fresh one in the slot; a process that dies on its own is
reported as a crash, and the service decides whether to try again.

Worker processes come from a forkserver, never from fork(): the server has threads (uvicorn,
SQLite, these slots), and forking a threaded process copies locks in whatever state they were in.
"""

import logging
import multiprocessing as mp
import queue
import threading
import time
from multiprocessing.connection import Connection, wait
from typing import Protocol

from ocr_playground.jobs.runners import Task

log = logging.getLogger(__name__)

POLL_S = 0.05  # how often a slot looks at its cancel flag while a job runs
_CONTEXT = mp.get_context("forkserver")
_CONTEXT.set_forkserver_preload(["ocr_playground.jobs.worker"])


class PoolEvents(Protocol):
    """What the pool tells its owner. Called from slot threads."""

    def claim(self, job_id: str) -> Task | None: ...
    def progress(self, job_id: str, op: str, fraction: float) -> None: ...
    def completed(
        self, job_id: str, timings: dict[str, float], seconds: float, report: dict | None = None
    ) -> None: ...
    def failed(self, job_id: str, reason: str) -> None: ...
    def crashed(self, job_id: str, reason: str) -> None: ...
    def cancelled(self, job_id: str) -> None: ...
    def interrupted(self, job_id: str) -> None: ...


class _Slot:
    def __init__(self, index: int) -> None:
        self.index = index
        self.process: mp.process.BaseProcess | None = None
        self.conn: Connection | None = None
        self.job_id: str | None = None
        self.cancel = threading.Event()

    def spawn(self) -> None:
        from ocr_playground.jobs import worker

        parent, child = _CONTEXT.Pipe()
        process = _CONTEXT.Process(
            target=worker.main, args=(child,), name=f"ocrp-worker-{self.index}", daemon=True
        )
        process.start()
        child.close()
        self.process, self.conn = process, parent

    def ensure(self) -> tuple[mp.process.BaseProcess, Connection]:
        if self.process is None or self.conn is None or not self.process.is_alive():
            self.stop()
            self.spawn()
        assert self.process is not None and self.conn is not None
        return self.process, self.conn

    def stop(self) -> None:
        if self.process is not None:
            if self.process.is_alive():
                self.process.kill()
            self.process.join(timeout=5)
        if self.conn is not None:
            self.conn.close()
        self.process = self.conn = None


class ProcessPool:
    def __init__(self, workers: int, timeout_s: float, events: PoolEvents) -> None:
        self._events = events
        self._timeout_s = timeout_s
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._slots = [_Slot(i) for i in range(workers)]
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()

    @property
    def size(self) -> int:
        return len(self._slots)

    def start(self) -> None:
        for slot in self._slots:
            slot.spawn()
            thread = threading.Thread(
                target=self._serve, args=(slot,), name=f"ocrp-slot-{slot.index}", daemon=True
            )
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        """Stop the slots; a job still running is handed back as interrupted (not cancelled)."""
        self._stopping.set()
        for _ in self._threads:
            self._queue.put(None)
        for slot in self._slots:
            slot.cancel.set()
        for thread in self._threads:
            thread.join(timeout=10)
        for slot in self._slots:
            slot.stop()
        self._threads.clear()

    def pids(self) -> list[int | None]:
        """Each slot's worker process id (None while it is being replaced)."""
        return [slot.process.pid if slot.process is not None else None for slot in self._slots]

    def submit(self, job_id: str) -> None:
        self._queue.put(job_id)

    def waiting(self) -> int:
        """Jobs handed to the pool that no slot has taken yet (read without a lock or a query)."""
        return self._queue.qsize()

    def cancel(self, job_id: str) -> bool:
        """Kill the job's process if it is running; False when no slot is running it."""
        with self._lock:
            for slot in self._slots:
                if slot.job_id == job_id:
                    slot.cancel.set()
                    return True
        return False

    def _serve(self, slot: _Slot) -> None:
        while True:
            job_id = self._queue.get()
            if job_id is None or self._stopping.is_set():
                return
            # The slot owns the id before the claim, so a cancel arriving between the claim and
            # the start still finds the job here.
            with self._lock:
                slot.job_id = job_id
                slot.cancel.clear()
            try:
                task = self._events.claim(job_id)
                if task is not None:
                    self._run(slot, task)
            except Exception:  # keep the slot alive whatever the owner's callbacks do
                log.exception("slot %d failed on job %s", slot.index, job_id)
            finally:
                with self._lock:
                    slot.job_id = None

    def _run(self, slot: _Slot, task: Task) -> None:
        if slot.cancel.is_set() and not self._stopping.is_set():
            self._events.cancelled(task.job_id)  # cancelled before it reached a worker
            return
        process, conn = slot.ensure()
        self._watch(slot, process, conn, task, time.monotonic())

    def _replace(self, slot: _Slot) -> None:
        slot.stop()
        slot.spawn()

    def _watch(
        self, slot: _Slot, process: mp.process.BaseProcess, conn: Connection, task: Task, started: float
    ) -> None:
        events, job_id = self._events, task.job_id
        try:
            conn.send(task)
        except OSError as exc:
            self._replace(slot)
            events.crashed(job_id, f"The worker process could not take the job: {exc}.")
            return
        deadline = started + self._timeout_s
        while True:
            if slot.cancel.is_set():
                if self._stopping.is_set():
                    slot.stop()
                    events.interrupted(job_id)
                    return
                self._replace(slot)
                events.cancelled(job_id)
                return
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self._replace(slot)
                events.failed(
                    job_id,
                    f"The job ran over the time limit of {self._timeout_s:g} s and its worker was stopped.",
                )
                return
            ready = wait([conn, process.sentinel], timeout=min(remaining, POLL_S))
            if conn in ready:
                try:
                    message = conn.recv()
                except (EOFError, OSError):
                    message = None
                if message is None:
                    pass  # the pipe closed: fall through to the crash report below
                elif message[0] == "progress":
                    events.progress(job_id, message[1], message[2])
                    continue
                elif message[0] == "done":
                    events.completed(job_id, message[1], time.monotonic() - started, message[2])
                    return
                else:
                    events.failed(job_id, message[1])
                    return
            elif process.sentinel not in ready:
                continue
            process.join(timeout=1)
            code = process.exitcode
            self._replace(slot)
            events.crashed(job_id, f"The worker process died while running the job (exit code {code}).")
            return
