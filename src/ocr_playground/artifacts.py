"""Where artifacts live, how they are written (never half), and which paths a user may name."""

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO


class PathOutsideRoot(ValueError):
    """A user-supplied path leaves the root it must stay under (after resolving symlinks)."""


def confine(user_path: str | Path, root: Path) -> Path:
    """Resolve ``user_path`` (relative to ``root`` unless absolute) and insist it stays in ``root``."""
    root = Path(root).resolve()
    candidate = Path(user_path)
    if not candidate.is_absolute():
        candidate = root / candidate
    resolved = candidate.resolve()
    if not resolved.is_relative_to(root):
        raise PathOutsideRoot(f"The path '{user_path}' is outside the allowed root '{root}'.")
    return resolved


@contextlib.contextmanager
def atomic_open(path: str | Path) -> Iterator[IO[bytes]]:
    """A binary file to stream into; it appears at ``path`` whole, fsynced, when the block ends
    without an exception, and not at all otherwise (the temp file beside it is removed)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_bytes(path: str | Path, data: bytes) -> Path:
    """Write to a temp file beside ``path``, fsync, then rename: readers see all or nothing."""
    with atomic_open(path) as f:
        f.write(data)
    return Path(path)


# The outputs layout: the job database, job results by pipeline, uploads by content digest, and
# each run's files under runs/{run_id}/.
DB_NAME = "jobs.sqlite3"
PLAYGROUND = "playground"
UPLOADS = "uploads"
RUNS = "runs"


def playground_path(outputs_root: Path, pipeline_id: str, job_id: str) -> Path:
    return Path(outputs_root) / PLAYGROUND / pipeline_id / f"{job_id}.png"


def run_folder(outputs_root: Path, run_id: str) -> Path:
    return Path(outputs_root) / RUNS / run_id
