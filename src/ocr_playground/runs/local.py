"""The ``local`` engine: worker processes on this machine, a bounded number of items in flight.

Each worker process builds one ``ItemWorker`` when it starts (one ONNX session per process, with
ONNX Runtime threads chosen so that workers × threads = cores) and is handed a few items at a time.
Processes come from a forkserver, as the jobs' do: the server has threads, and fork() would copy
their locks in whatever state they were in. A worker that dies (a crash in native code, the
out-of-memory killer) breaks the pool; the items it may have held are tried again alone in a new
pool, and an item that kills a worker by itself fails with a sentence.
"""

import multiprocessing as mp
import signal
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from ocr_playground.orphans import die_with_parent
from ocr_playground.runs.engine import EngineWork, ShouldStop, Sink, Watchdog, Worker, chunks
from ocr_playground.runs.worker import ItemTask, failed

_CONTEXT = mp.get_context("forkserver")
POLL_S = 0.2
_worker: Worker | None = None


def _start_worker(make_worker: Callable[[Any], Worker], spec: Any) -> None:
    global _worker
    die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the run from the parent, in order
    _worker = make_worker(spec)


def _process(tasks: list[ItemTask]) -> list[dict]:
    assert _worker is not None
    return _worker.process(tasks)


def _kill(pool: ProcessPoolExecutor) -> None:
    """Stop a pool now: running items are abandoned (their rows were never written)."""
    for process in list(getattr(pool, "_processes", {}).values()):
        if process.is_alive():
            process.kill()
    pool.shutdown(wait=True, cancel_futures=True)


class LocalEngine:
    name = "local"

    def run(self, work: EngineWork, sink: Sink, should_stop: ShouldStop) -> None:
        watchdog = Watchdog(work.stall_s, self.name, "an image may be too large for this machine.")
        pending = chunks(work.tasks)
        while pending:
            broken = self._run_pool(work, pending, sink, should_stop, watchdog, work.workers)
            if broken is None or should_stop():
                return
            suspects, pending = broken
            # One of the batches in flight killed its worker. Each of their items runs again alone
            # in a pool of one, so the culprit is known exactly and fails; the others are computed.
            for task in (task for batch in suspects for task in batch):
                if self._run_pool(work, [[task]], sink, should_stop, watchdog, 1) is not None:
                    sink(failed(task, "The worker process died on this image (a crash or out of memory)."))
                if should_stop():
                    return

    def _run_pool(
        self,
        work: EngineWork,
        batches: list[list[ItemTask]],
        sink: Sink,
        should_stop: ShouldStop,
        watchdog: Watchdog,
        workers: int,
    ) -> tuple[list[list[ItemTask]], list[list[ItemTask]]] | None:
        """Run ``batches`` in a new pool. None when all are done or the run was stopped; when the
        pool broke, (the batches in flight then, the batches not started yet)."""
        pool = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=_CONTEXT,
            initializer=_start_worker,
            initargs=(work.make_worker, work.spec),
        )
        in_flight: dict[Future, list[ItemTask]] = {}
        queue = list(reversed(batches))
        limit = 2 * workers  # bounded: each worker has its next batch waiting, no more
        try:
            while queue or in_flight:
                if should_stop():
                    _kill(pool)
                    return None
                while queue and len(in_flight) < limit:
                    batch = queue.pop()
                    in_flight[pool.submit(_process, batch)] = batch
                done, _ = wait(in_flight, timeout=POLL_S, return_when=FIRST_COMPLETED)
                for future in done:
                    batch = in_flight.pop(future)
                    try:
                        records = future.result()
                    except BrokenProcessPool:
                        _kill(pool)
                        return [batch, *in_flight.values()], list(reversed(queue))
                    for record in records:
                        sink(record)
                    watchdog.progressed()
                if not done:
                    watchdog.check()
        except BaseException:
            _kill(pool)
            raise
        pool.shutdown(wait=True)
        return None
