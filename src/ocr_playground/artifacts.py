"""Where artifacts live, how they are written (never half), and which paths a user may name."""

import errno
import os
import tempfile
from pathlib import Path

_FULL = (errno.ENOSPC, errno.EDQUOT)


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


class DiskFull(OSError):
    """A write failed for want of space (ENOSPC or a quota). Its text is a sentence for people:
    the API answers 507 with it, a job fails with it, the CLI prints it."""

    def __init__(self, path: Path, size: int) -> None:
        super().__init__(
            errno.ENOSPC,
            f"The disk is full: {size} bytes could not be written to '{path}'. Free some space "
            "(e.g. `ocr-playground prune`) and try again.",
        )

    def __str__(self) -> str:
        return str(self.strerror)


def atomic_write_bytes(path: str | Path, data: bytes) -> Path:
    """Write to a temp file beside ``path``, fsync, then rename: readers see all or nothing. A
    full disk is raised as DiskFull, whoever writes (API, worker, CLI, runs)."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise DiskFull(path, len(data)) if exc.errno in _FULL else exc from None
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError) and exc.errno in _FULL:
            raise DiskFull(path, len(data)) from None
        raise
    return path


# The outputs layout: the job database, job results by pipeline, uploads by content digest.
DB_NAME = "jobs.sqlite3"
PLAYGROUND = "playground"
UPLOADS = "uploads"


def playground_path(outputs_root: Path, pipeline_id: str, job_id: str) -> Path:
    return Path(outputs_root) / PLAYGROUND / pipeline_id / f"{job_id}.png"
