"""One daemon thread that takes ids from a queue and works on each in turn, until stopped: the
run service's run loop and the sweep service's share it."""

import logging
import queue
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)


class Background:
    def __init__(self, name: str, work: Callable[[str], object]) -> None:
        self.name, self.work = name, work
        self.stopping = threading.Event()  # also tells the work in progress to stop
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name=self.name, daemon=True)
        self._thread.start()

    def put(self, some_id: str) -> None:
        self._queue.put(some_id)

    def stop(self, timeout_s: float = 30) -> None:
        self.stopping.set()
        self._queue.put(None)
        if self._thread is not None:
            self._thread.join(timeout=timeout_s)

    def _loop(self) -> None:
        while (some_id := self._queue.get()) is not None and not self.stopping.is_set():
            try:
                self.work(some_id)
            except Exception:  # keep the loop alive; the work itself recorded its failure
                log.exception("%s: %s failed", self.name, some_id)
