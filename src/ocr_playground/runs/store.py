"""The run store: runs, their inputs and their items in the jobs' SQLite file (separate tables).

Every finished item is one committed row the moment it arrives, so a run killed at any point resumes
with exactly the items that were not finished; ``(run_id, name)`` is the key, so no item is ever
stored twice. Items also carry their detections with scores (and the text read, in a run with a
recognizer), so a run can be re-scored without the model. Sorting by a metric reads it out of the
item's JSON with SQLite's ``json_extract``; a run's aggregates are SQL sums of its items' counts.
"""

import json
import sqlite3
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from ocr_playground.inference.text_metrics import TEXT_FIELDS, TextCounts
from ocr_playground.runs.model import ACTIVE, Run, RunSpec, RunStatus
from ocr_playground.sqlite_store import SqliteStore

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    run_id      TEXT PRIMARY KEY,
    spec        TEXT NOT NULL,
    status      TEXT NOT NULL,
    total       INTEGER NOT NULL,
    error       TEXT,
    origin      TEXT NOT NULL,
    created_at  REAL NOT NULL,
    started_at  REAL,
    finished_at REAL
);
CREATE INDEX IF NOT EXISTS runs_created ON runs (created_at);
CREATE TABLE IF NOT EXISTS run_inputs (
    run_id  TEXT NOT NULL,
    seq     INTEGER NOT NULL,
    name    TEXT NOT NULL,
    path    TEXT NOT NULL,
    gt      TEXT,
    PRIMARY KEY (run_id, seq)
);
CREATE TABLE IF NOT EXISTS run_items (
    run_id      TEXT NOT NULL,
    name        TEXT NOT NULL,
    seq         INTEGER NOT NULL,
    status      TEXT NOT NULL,
    error       TEXT,
    cache_key   TEXT,
    width       INTEGER,
    height      INTEGER,
    detections  INTEGER,
    total_ms    REAL,
    timings     TEXT NOT NULL,
    boxes       TEXT,
    metrics     TEXT,
    text_metrics TEXT,
    reused      INTEGER NOT NULL DEFAULT 0,
    finished_at REAL NOT NULL,
    PRIMARY KEY (run_id, name)
);
CREATE INDEX IF NOT EXISTS run_items_key ON run_items (cache_key, status);
"""

# sort= values that are columns; a metric name sorts by that metric under the chosen protocol; a
# text metric name by the item's text metrics (the same under every protocol).
SORT_COLUMNS = {"name": "seq", "status": "status", "detections": "detections", "time": "total_ms"}
METRIC_FIELDS = ("precision", "recall", "hmean", "tp", "fp", "fn")
TEXT_SORTS = ("cer", "word_f1", "word_precision", "word_recall", "e2e_hmean")
SORT_KEYS = (*SORT_COLUMNS, *METRIC_FIELDS, *TEXT_SORTS)
# filter= values: which items a failure list shows (a metric filter reads the chosen protocol).
ITEM_FILTERS = {
    "failed": "status = 'failed'",
    "misses": "json_extract(metrics, '$.\"{protocol}\".fn') > 0",
    "false_detections": "json_extract(metrics, '$.\"{protocol}\".fp') > 0",
    "misread": "json_extract(text_metrics, '$.char_edits') > 0",
}
# Columns added after the first release: an older database gains them when it is opened.
ADDED_ITEM_COLUMNS = ("text_metrics",)


def text_path(name: str) -> str:
    """The JSON path of a text figure (a ``TEXT_FIELDS`` name) inside an item's text metrics."""
    return "$." + ".".join(TEXT_FIELDS[name])


@dataclass(frozen=True)
class Input:
    seq: int
    name: str
    path: str
    gt: str | None  # the image's ground-truth words as JSON, None when the run has no ground truth


def _json(value: Any) -> str | None:
    return None if value is None else json.dumps(value, separators=(",", ":"))


def item_from_row(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "name": row["name"],
        "status": row["status"],
        "error": row["error"],
        "cache_key": row["cache_key"],
        "width": row["width"],
        "height": row["height"],
        "detections": row["detections"],
        "timings": json.loads(row["timings"]),
        "metrics": None if row["metrics"] is None else json.loads(row["metrics"]),
        "text_metrics": None if row["text_metrics"] is None else json.loads(row["text_metrics"]),
        "reused": bool(row["reused"]),
    }


class RunStore(SqliteStore):
    schema = SCHEMA

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.add_columns("run_items", ADDED_ITEM_COLUMNS)

    def _execute(self, sql: str, args: tuple = ()) -> int:
        with self._lock:
            return self._conn.execute(sql, args).rowcount

    # --- runs --------------------------------------------------------------------------------------

    def create(self, run: Run, inputs: Sequence[Input]) -> None:
        """The run and its inputs in one transaction: a run never exists without its image list."""
        with self._lock:
            self._conn.execute("BEGIN")
            try:
                self._conn.execute(
                    "INSERT INTO runs (run_id, spec, status, total, error, origin, created_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (
                        run.run_id,
                        run.spec.model_dump_json(),
                        run.status.value,
                        run.total,
                        run.error,
                        run.origin,
                        run.created_at,
                    ),
                )
                self._conn.executemany(
                    "INSERT INTO run_inputs (run_id, seq, name, path, gt) VALUES (?, ?, ?, ?, ?)",
                    [(run.run_id, i.seq, i.name, i.path, i.gt) for i in inputs],
                )
                self._conn.execute("COMMIT")
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise

    def _run(self, row: sqlite3.Row | None) -> Run | None:
        if row is None:
            return None
        counts = self._one(
            "SELECT COUNT(*), COALESCE(SUM(status = 'failed'), 0) FROM run_items WHERE run_id = ?",
            (row["run_id"],),
        )
        return Run(
            run_id=row["run_id"],
            spec=RunSpec.model_validate_json(row["spec"]),
            status=RunStatus(row["status"]),
            total=row["total"],
            done=int(counts[0]),
            failed=int(counts[1]),
            error=row["error"],
            origin=row["origin"],
            created_at=row["created_at"],
            started_at=row["started_at"],
            finished_at=row["finished_at"],
        )

    def get(self, run_id: str) -> Run | None:
        return self._run(self._one("SELECT * FROM runs WHERE run_id = ?", (run_id,)))

    def status(self, run_id: str) -> RunStatus | None:
        row = self._one("SELECT status FROM runs WHERE run_id = ?", (run_id,))
        return None if row is None else RunStatus(row[0])

    def recent(self, limit: int, offset: int = 0) -> list[Run]:
        rows = self._all("SELECT * FROM runs ORDER BY created_at DESC LIMIT ? OFFSET ?", (limit, offset))
        return [run for run in map(self._run, rows) if run is not None]

    def count(self) -> int:
        return int(self._one("SELECT COUNT(*) FROM runs")[0])

    def _transition(self, run_id: str, sets: str, args: tuple, from_: Sequence[RunStatus]) -> bool:
        marks = ",".join("?" for _ in from_)
        return (
            self._execute(
                f"UPDATE runs SET {sets} WHERE run_id = ? AND status IN ({marks})",
                (*args, run_id, *(s.value for s in from_)),
            )
            == 1
        )

    def start(self, run_id: str) -> bool:
        """queued -> running (a resumed run keeps its first start time)."""
        return self._transition(
            run_id,
            "status = 'running', started_at = COALESCE(started_at, ?), error = NULL",
            (time.time(),),
            (RunStatus.queued,),
        )

    def finish(self, run_id: str, status: RunStatus, error: str | None = None) -> bool:
        return self._transition(
            run_id, "status = ?, error = ?, finished_at = ?", (status.value, error, time.time()), ACTIVE
        )

    def files_failed(self, run_id: str, error: str) -> bool:
        """A completed run whose files could not be written is failed, with why: resuming it
        (``reopen``) writes them again from its items."""
        return self._transition(run_id, "status = 'failed', error = ?", (error,), (RunStatus.completed,))

    def reopen(self, run_id: str) -> bool:
        """A failed, cancelled or interrupted run queued again, to finish its remaining images."""
        return self._transition(
            run_id,
            "status = 'queued', error = NULL, finished_at = NULL",
            (),
            (RunStatus.running, RunStatus.failed, RunStatus.cancelled),
        )

    def requeue(self, run_id: str) -> bool:
        return self._transition(run_id, "status = 'queued'", (), (RunStatus.running,))

    def interrupted(self, origin: str) -> list[str]:
        """Runs of this origin left queued or running (by a crash or a stop): oldest first."""
        rows = self._all(
            "SELECT run_id FROM runs WHERE origin = ? AND status IN ('queued', 'running') "
            "ORDER BY created_at",
            (origin,),
        )
        return [row[0] for row in rows]

    # --- inputs and items --------------------------------------------------------------------------

    def pending(self, run_id: str) -> list[Input]:
        """The run's inputs that have no item yet, in dataset order."""
        rows = self._all(
            "SELECT i.seq, i.name, i.path, i.gt FROM run_inputs i LEFT JOIN run_items t "
            "ON t.run_id = i.run_id AND t.name = i.name WHERE i.run_id = ? AND t.name IS NULL "
            "ORDER BY i.seq",
            (run_id,),
        )
        return [Input(row[0], row[1], row[2], row[3]) for row in rows]

    def ground_truths(self, run_id: str) -> list[str]:
        """Every image's ground truth (as JSON) in the run: what is decided for the whole set."""
        rows = self._all("SELECT gt FROM run_inputs WHERE run_id = ? AND gt IS NOT NULL", (run_id,))
        return [row["gt"] for row in rows]

    def input(self, run_id: str, name: str) -> Input | None:
        row = self._one(
            "SELECT seq, name, path, gt FROM run_inputs WHERE run_id = ? AND name = ?", (run_id, name)
        )
        return None if row is None else Input(row[0], row[1], row[2], row[3])

    def add_item(self, run_id: str, item: dict[str, Any]) -> bool:
        """Store one finished item; False when it was already stored (it is never stored twice)."""
        return (
            self._execute(
                "INSERT OR IGNORE INTO run_items (run_id, name, seq, status, error, cache_key, width, "
                "height, detections, total_ms, timings, boxes, metrics, text_metrics, reused, finished_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    run_id,
                    item["name"],
                    item["seq"],
                    item["status"],
                    item.get("error"),
                    item.get("cache_key"),
                    item.get("width"),
                    item.get("height"),
                    item.get("detections"),
                    item["timings"].get("total"),
                    _json(item["timings"]),
                    _json(item.get("boxes")),
                    _json(item.get("metrics")),
                    _json(item.get("text_metrics")),
                    int(item.get("reused", False)),
                    time.time(),
                ),
            )
            == 1
        )

    def reusable(self, cache_key: str, not_before: float) -> dict[str, Any] | None:
        """A completed item of any run with this cache key, from a run that started after
        ``not_before`` (the models' last change): its detections stand for this image under this
        spec. The run's start, not the item's end, is what counts: a run's workers load the model
        once, so an item finished after the file was replaced may still come from the old model.
        It names its run (``run_id``), so an answer taken from it can say where it came from."""
        row = self._one(
            "SELECT i.* FROM run_items i JOIN runs r ON r.run_id = i.run_id "
            "WHERE i.cache_key = ? AND i.status = 'completed' AND r.started_at > ? "
            "ORDER BY i.finished_at DESC LIMIT 1",
            (cache_key, not_before),
        )
        if row is None:
            return None
        return item_from_row(row) | {"run_id": row["run_id"], "boxes": json.loads(row["boxes"] or "[]")}

    def item(self, run_id: str, name: str) -> dict[str, Any] | None:
        row = self._one("SELECT * FROM run_items WHERE run_id = ? AND name = ?", (run_id, name))
        if row is None:
            return None
        return item_from_row(row) | {"boxes": json.loads(row["boxes"] or "[]")}

    def items(
        self,
        run_id: str,
        *,
        sort: str = "name",
        order: str = "asc",
        status: str | None = None,
        protocol: str = "icdar2015-iou",
        limit: int = 100,
        offset: int = 0,
        filter_: str | None = None,
    ) -> tuple[list[dict[str, Any]], int]:
        """A page of items and how many match. ``sort`` is one of ``SORT_KEYS`` and ``protocol`` a
        protocol (checked by the caller, so they can stand in the SQL as they are); ``filter_`` a
        key of ``ITEM_FILTERS``."""
        where, args = "run_id = ?", [run_id]
        if status is not None:
            where += " AND status = ?"
            args.append(status)
        if filter_ is not None:
            where += " AND " + ITEM_FILTERS[filter_].format(protocol=protocol)
        if sort in SORT_COLUMNS:
            key = SORT_COLUMNS[sort]
        elif sort in TEXT_SORTS:
            key = f"json_extract(text_metrics, '{text_path(sort)}')"
        else:
            key = f"json_extract(metrics, '$.\"{protocol}\".{sort}')"
        direction = "DESC" if order == "desc" else "ASC"
        # Items without the value (failed ones, no ground truth) go last either way.
        rows = self._all(
            f"SELECT * FROM run_items WHERE {where} ORDER BY ({key}) IS NULL, {key} {direction}, seq "
            "LIMIT ? OFFSET ?",
            (*args, limit, offset),
        )
        total = self._one(f"SELECT COUNT(*) FROM run_items WHERE {where}", tuple(args))
        return [item_from_row(row) for row in rows], int(total[0])

    def iter_items(self, run_id: str, chunk: int = 500) -> Iterator[list[sqlite3.Row]]:
        """Every item row in dataset order, a chunk at a time (memory stays flat on big runs)."""
        last = -1
        while True:
            rows = self._all(
                "SELECT * FROM run_items WHERE run_id = ? AND seq > ? ORDER BY seq LIMIT ?",
                (run_id, last, chunk),
            )
            if not rows:
                return
            yield rows
            last = rows[-1]["seq"]

    def metric_values(self, run_id: str, protocol: str, metric: str) -> list[float]:
        """One metric of every scored item under ``protocol`` (names checked by the caller)."""
        rows = self._all(
            f"SELECT json_extract(metrics, '$.\"{protocol}\".{metric}') FROM run_items "
            "WHERE run_id = ? AND metrics IS NOT NULL",
            (run_id,),
        )
        return [float(row[0]) for row in rows if row[0] is not None]

    def scored_inputs(self, run_id: str) -> list[Input]:
        """The inputs whose item completed with metrics (the images a sweep re-scores), in order."""
        rows = self._all(
            "SELECT i.seq, i.name, i.path, i.gt FROM run_inputs i JOIN run_items t "
            "ON t.run_id = i.run_id AND t.name = i.name WHERE i.run_id = ? AND t.status = 'completed' "
            "AND t.metrics IS NOT NULL AND i.gt IS NOT NULL ORDER BY i.seq",
            (run_id,),
        )
        return [Input(row[0], row[1], row[2], row[3]) for row in rows]

    def text_sums(self, run_id: str) -> TextCounts | None:
        """The text counts of the run's items summed (None when no item has text metrics)."""
        sums = ", ".join(
            f"SUM(json_extract(text_metrics, '{text_path(f.name)}'))" for f in fields(TextCounts)
        )
        row = self._one(
            f"SELECT COUNT(text_metrics), {sums} FROM run_items WHERE run_id = ? "
            "AND text_metrics IS NOT NULL",
            (run_id,),
        )
        if not row[0]:
            return None
        return TextCounts(*(int(v) for v in row[1:]))

    def metric_sums(self, run_id: str, protocol: str) -> tuple[float, float, int, int] | None:
        """Summed (tp, det - fp, gt, det) of the run's scored items under ``protocol``."""
        p = f'$."{protocol}".'
        row = self._one(
            f"SELECT COUNT(metrics), SUM(json_extract(metrics, '{p}tp')), "
            f"SUM(json_extract(metrics, '{p}det') - json_extract(metrics, '{p}fp')), "
            f"SUM(json_extract(metrics, '{p}gt')), SUM(json_extract(metrics, '{p}det')) "
            "FROM run_items WHERE run_id = ? AND metrics IS NOT NULL",
            (run_id,),
        )
        if not row[0]:
            return None
        return float(row[1]), float(row[2]), int(row[3]), int(row[4])
