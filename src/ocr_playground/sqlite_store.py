"""The SQLite plumbing shared by the job store and the telemetry store."""

import sqlite3
import threading
from pathlib import Path


def connect(path: Path) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=30)
    conn.execute("PRAGMA journal_mode=WAL")
    # NORMAL in WAL mode survives a process crash (only an OS crash can lose the last commits).
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.row_factory = sqlite3.Row
    return conn


class SqliteStore:
    """One connection shared by the server's threads behind a lock, in autocommit mode (explicit
    BEGIN/COMMIT where several statements must land together); ``schema`` is applied on open."""

    schema: str = ""

    def __init__(self, path: Path) -> None:
        self._conn = connect(path)
        self._lock = threading.Lock()
        with self._lock:
            self._conn.executescript(self.schema)

    def close(self) -> None:
        with self._lock:
            self._conn.close()
