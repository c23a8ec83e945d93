"""Fan-out of job state changes to subscribers (WebSocket connections, ``wait`` callers).

Publishers are slot threads and request handlers; subscribers live on the event loop. Each
subscription owns an asyncio queue and the set of job ids it follows, and a message crosses into
the loop with ``call_soon_threadsafe``, so a publisher never blocks on a slow client.
"""

import asyncio
import contextlib
import threading
from typing import Any

MAX_BACKLOG = 10_000  # messages held for one subscriber before it counts as gone


class Subscription:
    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(MAX_BACKLOG)
        self.job_ids: set[str] = set()

    def deliver(self, message: dict[str, Any]) -> None:
        def put() -> None:
            with contextlib.suppress(asyncio.QueueFull):
                self.queue.put_nowait(message)

        with contextlib.suppress(RuntimeError):  # the loop closed under us: nobody is listening
            self.loop.call_soon_threadsafe(put)


class EventBus:
    def __init__(self) -> None:
        self._subscriptions: set[Subscription] = set()
        self._lock = threading.Lock()

    def subscribe(self) -> Subscription:
        """A new subscription on the running loop (call from a coroutine)."""
        subscription = Subscription(asyncio.get_running_loop())
        with self._lock:
            self._subscriptions.add(subscription)
        return subscription

    def follow(self, subscription: Subscription, job_ids: list[str]) -> None:
        with self._lock:
            subscription.job_ids.update(job_ids)

    def unfollow(self, subscription: Subscription, job_ids: list[str]) -> None:
        with self._lock:
            subscription.job_ids.difference_update(job_ids)

    def close(self, subscription: Subscription) -> None:
        with self._lock:
            self._subscriptions.discard(subscription)

    def publish(self, message: dict[str, Any]) -> None:
        """Send one job's or run's state (a dict with ``job_id`` or ``run_id``) to everyone
        following that id."""
        job_id = message["job_id"] if "job_id" in message else message["run_id"]
        with self._lock:
            targets = [s for s in self._subscriptions if job_id in s.job_ids]
        for subscription in targets:
            subscription.deliver(message)
