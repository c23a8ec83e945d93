"""Client telemetry: the SPA's events, stored in SQLite, summarised, and pruned.

Client events arrive in batches from the SPA's worker pool. Each has a ``type`` that picks its
model; the payload is kept as JSON so the summary can grow without a migration. The server's own
figures (Prometheus) are ``server_metrics``.
"""

import json
import math
import statistics
import time
from collections import Counter, defaultdict
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ocr_playground.jobs.routing import Backend
from ocr_playground.sqlite_store import SqliteStore

# --- client events ---------------------------------------------------------------------------------


class _Event(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ts: float | None = Field(None, ge=0, description="Client clock, milliseconds since the epoch.")
    task_id: str | None = Field(None, max_length=200)


class WorkerEvent(_Event):
    type: Literal["worker"]
    event: Literal["spawn", "ready", "busy", "idle", "terminate", "crash", "error", "downgrade"]
    worker_id: str | int | None = None
    detail: str | None = Field(None, max_length=500)


class DurationEvent(_Event):
    type: Literal["duration"]
    op: str = Field(min_length=1, max_length=100, description="Op name, or 'total' for a whole run.")
    ms: float = Field(ge=0, le=3_600_000)
    backend: str | None = Field(None, max_length=50)


class QueueDepthEvent(_Event):
    type: Literal["queue_depth"]
    depth: int = Field(ge=0, le=1_000_000)


class CacheEvent(_Event):
    type: Literal["cache"]
    hit: bool
    layer: str | None = Field(None, max_length=50, description="memo, idb, server, ...")


class RoutingEvent(_Event):
    type: Literal["routing"]
    routed_backend: Backend
    reason: str | None = Field(None, max_length=500)


ClientEvent = Annotated[
    WorkerEvent | DurationEvent | QueueDepthEvent | CacheEvent | RoutingEvent, Field(discriminator="type")
]


class EventBatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    session_id: str | None = Field(None, max_length=200)
    events: list[ClientEvent] = Field(min_length=1, max_length=1000)


SCHEMA = """
CREATE TABLE IF NOT EXISTS client_events (
    id          INTEGER PRIMARY KEY,
    received_at REAL NOT NULL,
    type        TEXT NOT NULL,
    session_id  TEXT,
    payload     TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS client_events_time ON client_events (received_at);
"""


def _percentile(sorted_values: list[float], q: float) -> float:
    """Nearest-rank percentile of an already sorted list."""
    rank = max(1, math.ceil(q * len(sorted_values)))
    return sorted_values[rank - 1]


def _rate(numerator: int, denominator: int) -> float | None:
    return None if denominator == 0 else numerator / denominator


class TelemetryStore(SqliteStore):
    schema = SCHEMA

    def record(self, batch: EventBatch) -> int:
        now = time.time()
        rows = [(now, e.type, batch.session_id, e.model_dump_json(exclude_none=True)) for e in batch.events]
        with self.writing() as conn:
            conn.execute("BEGIN")
            conn.executemany(
                "INSERT INTO client_events (received_at, type, session_id, payload) VALUES (?, ?, ?, ?)", rows
            )
            conn.execute("COMMIT")
        return len(rows)

    def count_before(self, cutoff: float) -> int:
        """Events received before ``cutoff`` (seconds since the epoch)."""
        return self._one("SELECT COUNT(*) FROM client_events WHERE received_at < ?", (cutoff,))[0]

    def delete_before(self, cutoff: float) -> int:
        """Forget the events received before ``cutoff``; how many went."""
        with self.writing() as conn:
            return conn.execute("DELETE FROM client_events WHERE received_at < ?", (cutoff,)).rowcount

    def summary(self, hours: float) -> dict[str, Any]:
        since = time.time() - hours * 3600
        with self._lock:
            rows = self._conn.execute(
                "SELECT received_at, type, payload FROM client_events WHERE received_at >= ? ORDER BY id",
                (since,),
            ).fetchall()
        counts: Counter[str] = Counter()
        durations: dict[str, list[float]] = defaultdict(list)
        depth_by_minute: dict[int, list[int]] = defaultdict(list)
        cache = Counter[str]()
        routing = Counter[str]()
        workers = Counter[str]()
        for received_at, kind, payload in rows:
            counts[kind] += 1
            event = json.loads(payload)
            if kind == "duration":
                durations[event["op"]].append(event["ms"])
            elif kind == "queue_depth":
                # Bucket by the client's clock when it sent one, else by arrival.
                t = event.get("ts", received_at * 1000) / 1000
                depth_by_minute[int(t // 60) * 60].append(event["depth"])
            elif kind == "cache":
                cache["hit" if event["hit"] else "miss"] += 1
            elif kind == "routing":
                routing[event["routed_backend"]] += 1
            elif kind == "worker":
                workers[event["event"]] += 1
        by_op = {}
        for op, values in sorted(durations.items()):
            values.sort()
            by_op[op] = {
                "count": len(values),
                "mean_ms": statistics.fmean(values),
                "p50_ms": _percentile(values, 0.5),
                "p95_ms": _percentile(values, 0.95),
                "max_ms": values[-1],
            }
        routed_total = sum(routing.values())
        return {
            "hours": hours,
            "events": sum(counts.values()),
            "counts": dict(counts),
            "durations": by_op,
            "queue_depth": [
                {"minute": minute, "mean": statistics.fmean(d), "max": max(d), "samples": len(d)}
                for minute, d in sorted(depth_by_minute.items())
            ],
            "memo_hit_rate": _rate(cache["hit"], cache["hit"] + cache["miss"]),
            "routing": dict(routing),
            "fallback_rate": _rate(routed_total - routing["client-workers"], routed_total),
            "workers": dict(workers),
        }
