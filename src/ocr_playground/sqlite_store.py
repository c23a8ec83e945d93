"""The SQLite plumbing shared by the job store and the telemetry store.

A database that cannot be written must not look healthy: opening it proves a write transaction can
start (else StoreUnavailable, and the server refuses to start with that sentence); every write
goes through ``writing``, which turns an SQLite fault into StoreUnavailable (503, or 507 when the
disk is full) and remembers it; ``problem`` tells the health check, without touching the database,
whether the last write failed or the file was deleted or replaced under the server.
"""

import contextlib
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

from ocr_playground.errors import Refusal


class StoreUnavailable(Refusal, RuntimeError):
    """The database cannot be opened or written; the message is a sentence for people."""

    retry_after = 30

    def __init__(self, message: str, full: bool = False) -> None:
        super().__init__(message)
        self.status_code = 507 if full else 503


def connect(path: Path) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=30)
    conn.execute("PRAGMA journal_mode=WAL")
    # NORMAL in WAL mode survives a process crash (only an OS crash can lose the last commits).
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.row_factory = sqlite3.Row
    return conn


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_dev, st.st_ino


class SqliteStore:
    """One connection shared by the server's threads behind a lock, in autocommit mode (explicit
    BEGIN/COMMIT where several statements must land together); ``schema`` is applied on open."""

    schema: str = ""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self.last_error: str | None = None
        try:
            self._conn = connect(self.path)
            self._conn.executescript(self.schema)
            self._conn.execute("BEGIN IMMEDIATE")  # proves a write can start (read-only file, lock)
            self._conn.execute("ROLLBACK")
        except (sqlite3.Error, OSError) as exc:
            raise StoreUnavailable(
                f"The database '{self.path}' cannot be opened for writing ({exc}); check that its "
                "folder is writable and the file is an SQLite database (move it aside to start afresh).",
                full="full" in str(exc),
            ) from None
        self._identity = _identity(self.path)

    # Rows are fetched while the lock is held: the connection is shared by the server's threads.
    def _one(self, sql: str, args: tuple = ()) -> sqlite3.Row | None:
        with self._lock:
            return self._conn.execute(sql, args).fetchone()

    def _all(self, sql: str, args: tuple = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._conn.execute(sql, args).fetchall()

    def add_columns(self, table: str, columns: tuple[str, ...]) -> None:
        """Columns added to ``table`` after its first release, as TEXT: a database made before them
        gains them when it is opened (NULL in old rows, which had nothing there)."""
        with self.writing() as conn:
            # Look and add in one write transaction: a second process opening the same old file at
            # the same time waits for it, then finds the columns there.
            conn.execute("BEGIN IMMEDIATE")
            have = {row["name"] for row in conn.execute(f"PRAGMA table_info({table})")}
            for column in columns:
                if column not in have:
                    conn.execute(f"ALTER TABLE {table} ADD COLUMN {column} TEXT")
            conn.execute("COMMIT")

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def problem(self) -> str | None:
        """Why writes fail or will be lost (a sentence), or None; reads no row, takes no lock."""
        now = _identity(self.path)
        if now is None:
            return f"The database file '{self.path}' was deleted while the server runs; restart it."
        if now != self._identity:
            return f"The database file '{self.path}' was replaced while the server runs; restart it."
        return self.last_error

    @contextlib.contextmanager
    def writing(self) -> Iterator[sqlite3.Connection]:
        """The connection, under the lock, for statements that write."""
        with self._lock:
            problem = self.problem() if self.last_error is None else None
            if problem is not None:  # a deleted file takes writes that vanish: refuse them
                raise StoreUnavailable(f"{problem} Nothing was changed.")
            try:
                yield self._conn
            except sqlite3.Error as exc:
                if self._conn.in_transaction:
                    with contextlib.suppress(sqlite3.Error):
                        self._conn.execute("ROLLBACK")
                self.last_error = f"A write to the database '{self.path}' failed ({exc})."
                raise StoreUnavailable(
                    f"{self.last_error} Nothing was changed; check the disk and the file's permissions.",
                    full="full" in str(exc),
                ) from None
            self.last_error = None
