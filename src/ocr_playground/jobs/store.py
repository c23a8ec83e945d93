"""The SQLite job store: the record of truth for every job, so a restart loses nothing.

One connection guarded by a lock: the API threads, the executor's slot threads and the event loop
all write here, and SQLite in WAL mode with one writer at a time is plenty for a playground.
State changes are conditional updates (``WHERE status IN ...``), so a late message from a killed
worker can never move a cancelled job back to completed.
"""

import json
import sqlite3
import time
from collections.abc import Iterable
from pathlib import Path

from ocr_playground.jobs.model import ACTIVE, MAX_ATTEMPTS, TERMINAL, Job, JobStatus
from ocr_playground.sqlite_store import SqliteStore

SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    job_id          TEXT PRIMARY KEY,
    pipeline_id     TEXT NOT NULL,
    cache_key       TEXT NOT NULL,
    input_path      TEXT NOT NULL,
    params          TEXT NOT NULL,
    output_path     TEXT NOT NULL,
    checkpoint_path TEXT,
    task_id         TEXT,
    status          TEXT NOT NULL,
    progress        REAL NOT NULL DEFAULT 0,
    result_path     TEXT,
    error           TEXT,
    attempts        INTEGER NOT NULL DEFAULT 0,
    created_at      REAL NOT NULL,
    started_at      REAL,
    finished_at     REAL,
    report          TEXT,
    recognizer_path TEXT
);
CREATE INDEX IF NOT EXISTS jobs_cache_key ON jobs (cache_key, status);
CREATE INDEX IF NOT EXISTS jobs_status ON jobs (status, created_at);
"""

COLUMNS = (
    "job_id",
    "pipeline_id",
    "cache_key",
    "input_path",
    "params",
    "output_path",
    "checkpoint_path",
    "task_id",
    "status",
    "progress",
    "result_path",
    "error",
    "attempts",
    "created_at",
    "started_at",
    "finished_at",
    "report",
    "recognizer_path",
)
# Columns added after the first release (see ``add_columns``).
ADDED_COLUMNS = ("report", "recognizer_path")


def placeholders(values: Iterable[object]) -> str:
    return ",".join("?" for _ in values)


class JobStore(SqliteStore):
    schema = SCHEMA

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.add_columns("jobs", ADDED_COLUMNS)

    @staticmethod
    def _job(row: sqlite3.Row | None) -> Job | None:
        if row is None:
            return None
        values = dict(row)
        values["params"] = json.loads(values["params"])
        values["report"] = None if values.get("report") is None else json.loads(values["report"])
        values["status"] = JobStatus(values["status"])
        return Job(**values)

    def _execute(self, sql: str, args: tuple = ()) -> None:
        with self.writing() as conn:
            conn.execute(sql, args)

    def insert(self, job: Job) -> None:
        row = {name: getattr(job, name) for name in COLUMNS}
        row["params"] = json.dumps(job.params)
        row["report"] = None if job.report is None else json.dumps(job.report)
        row["status"] = job.status.value
        self._execute(
            f"INSERT INTO jobs ({','.join(COLUMNS)}) VALUES ({placeholders(COLUMNS)})",
            tuple(row[name] for name in COLUMNS),
        )

    def get(self, job_id: str) -> Job | None:
        return self._job(self._one("SELECT * FROM jobs WHERE job_id = ?", (job_id,)))

    def by_cache_key(self, cache_key: str, statuses: tuple[JobStatus, ...]) -> list[Job]:
        """Jobs with this key in these states, newest first."""
        rows = self._all(
            f"SELECT * FROM jobs WHERE cache_key = ? AND status IN ({placeholders(statuses)}) "
            "ORDER BY created_at DESC",
            (cache_key, *statuses),
        )
        return [job for job in map(self._job, rows) if job is not None]

    def count(self, statuses: tuple[JobStatus, ...] = ACTIVE) -> int:
        sql = f"SELECT COUNT(*) FROM jobs WHERE status IN ({placeholders(statuses)})"
        return int(self._one(sql, statuses)[0])

    def _transition(self, job_id: str, sets: str, args: tuple, from_: tuple[JobStatus, ...]) -> Job | None:
        """Apply ``sets`` only when the job is in one of ``from_``; the updated job, else None."""
        with self.writing() as conn:
            cur = conn.execute(
                f"UPDATE jobs SET {sets} WHERE job_id = ? AND status IN ({placeholders(from_)})",
                (*args, job_id, *from_),
            )
            if cur.rowcount != 1:
                return None
            row = conn.execute("SELECT * FROM jobs WHERE job_id = ?", (job_id,)).fetchone()
        return self._job(row)

    def start(self, job_id: str) -> Job | None:
        """queued -> running, counting the attempt; None when the job is no longer queued."""
        return self._transition(
            job_id,
            "status = 'running', attempts = attempts + 1, started_at = ?, progress = 0",
            (time.time(),),
            (JobStatus.queued,),
        )

    def progress(self, job_id: str, progress: float) -> Job | None:
        return self._transition(job_id, "progress = ?", (progress,), (JobStatus.running,))

    def complete(self, job_id: str, result_path: str, report: dict | None = None) -> Job | None:
        return self._transition(
            job_id,
            "status = 'completed', progress = 1, result_path = ?, error = NULL, finished_at = ?, report = ?",
            (result_path, time.time(), None if report is None else json.dumps(report)),
            (JobStatus.running,),
        )

    def fail(self, job_id: str, error: str, from_: tuple[JobStatus, ...] = ACTIVE) -> Job | None:
        return self._transition(
            job_id, "status = 'failed', error = ?, finished_at = ?", (error, time.time()), from_
        )

    def cancel(self, job_id: str) -> Job | None:
        return self._transition(
            job_id,
            "status = 'cancelled', error = ?, finished_at = ?",
            ("Cancelled by a client.", time.time()),
            ACTIVE,
        )

    def requeue(self, job_id: str, reason: str, refund: bool = False) -> Job | None:
        """running -> queued after an interruption; the reason is kept until the job finishes.
        ``refund`` gives the attempt back (an orderly shutdown is not the job's fault)."""
        attempts = "attempts - 1" if refund else "attempts"
        return self._transition(
            job_id,
            f"status = 'queued', progress = 0, error = ?, attempts = {attempts}",
            (reason,),
            (JobStatus.running,),
        )

    def recover(self) -> list[str]:
        """After a restart: jobs left running were interrupted. Requeue them unless they have
        used up their attempts; return every queued job id, oldest first."""
        running = self._all("SELECT job_id, attempts FROM jobs WHERE status = 'running'")
        for job_id, attempts in running:
            if attempts >= MAX_ATTEMPTS:
                self.fail(
                    job_id,
                    f"The job was interrupted {attempts} times (worker or server crash); giving up.",
                    (JobStatus.running,),
                )
            else:
                self.requeue(job_id, "The server stopped while the job was running; it was requeued.")
        rows = self._all("SELECT job_id FROM jobs WHERE status = 'queued' ORDER BY created_at")
        return [row[0] for row in rows]

    def average_duration(self, limit: int = 50) -> float | None:
        """Mean wall time of the last completed jobs, for the Retry-After estimate (jobs made from
        a run item ran nothing, so they do not count)."""
        row = self._one(
            "SELECT AVG(finished_at - started_at) FROM (SELECT finished_at, started_at FROM jobs "
            "WHERE status = 'completed' AND json_extract(report, '$.reused_from') IS NULL "
            "ORDER BY finished_at DESC LIMIT ?)",
            (limit,),
        )
        return None if row[0] is None else float(row[0])

    # Finished (completed, failed, cancelled) before a cutoff: what ``prune`` forgets.
    _FINISHED_BEFORE = f"status IN ({placeholders(TERMINAL)}) AND COALESCE(finished_at, created_at) < ?"

    def finished_before(self, cutoff: float) -> list[str]:
        """The ids of the jobs that finished before ``cutoff`` (seconds since the epoch)."""
        terminal = tuple(status.value for status in TERMINAL)
        rows = self._all(f"SELECT job_id FROM jobs WHERE {self._FINISHED_BEFORE}", (*terminal, cutoff))
        return [row[0] for row in rows]

    def delete_finished_before(self, cutoff: float) -> None:
        """Forget the jobs that finished before ``cutoff``; queued and running ones are never touched."""
        terminal = tuple(status.value for status in TERMINAL)
        self._execute(f"DELETE FROM jobs WHERE {self._FINISHED_BEFORE}", (*terminal, cutoff))

    def files_named(self, except_finished_before: float) -> set[Path]:
        """Every file a job names (its input, output and result), leaving out the jobs that finished
        before ``except_finished_before`` (those a prune forgets)."""
        terminal = tuple(status.value for status in TERMINAL)
        rows = self._all(
            f"SELECT input_path, output_path, result_path FROM jobs WHERE NOT ({self._FINISHED_BEFORE})",
            (*terminal, except_finished_before),
        )
        return {Path(path).resolve() for row in rows for path in row if path}

    def recent(self, limit: int, offset: int = 0) -> list[Job]:
        """The newest jobs first (the SPA's Jobs page starts from these, then follows the WebSocket);
        ``offset`` skips that many, for the next page."""
        rows = self._all(
            "SELECT * FROM jobs ORDER BY created_at DESC, job_id LIMIT ? OFFSET ?", (limit, offset)
        )
        return [job for job in map(self._job, rows) if job is not None]
