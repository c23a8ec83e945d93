"""Where artifacts live, how they are written (never half), and which paths a user may name."""

import contextlib
import errno
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from ocr_playground.errors import Refusal

_FULL = (errno.ENOSPC, errno.EDQUOT)


class PathOutsideRoot(Refusal, ValueError):
    """A user-supplied path leaves the root it must stay under (after resolving symlinks): the data
    root, the checkpoints root, a run's folder."""

    status_code = 403


class UnusablePath(Refusal, ValueError):
    """A user-supplied path the OS cannot even look up: a symlink loop, a NUL byte, a name over
    255 bytes, a lone surrogate. Callers answer it as bad input (422 / exit 2)."""


def shown(text: str | Path) -> str:
    """``text`` safe to print or put in JSON (a lone surrogate becomes a \\udXXX escape)."""
    return str(text).encode("utf-8", "backslashreplace").decode("utf-8")


def confine(user_path: str | Path, root: Path) -> Path:
    """Resolve ``user_path`` (relative to ``root`` unless absolute) and insist it stays in ``root``
    (PathOutsideRoot) and can be looked up at all (UnusablePath); it need not exist."""
    root = Path(root).resolve()
    candidate = Path(user_path)
    if not candidate.is_absolute():
        candidate = root / candidate
    try:
        resolved = candidate.resolve()  # a loop: RuntimeError before Python 3.13, OSError after
        os.lstat(resolved)
    except (FileNotFoundError, NotADirectoryError):
        pass
    except (RuntimeError, OSError, ValueError) as exc:
        reason = "a symbolic link loop" if isinstance(exc, RuntimeError) else getattr(exc, "strerror", None)
        raise UnusablePath(f"The path '{shown(user_path)}' cannot be used ({reason or exc}).") from None
    if not resolved.is_relative_to(root):
        raise PathOutsideRoot(f"The path '{shown(user_path)}' is outside the allowed root '{root}'.")
    return resolved


class NotARegularFile(Refusal, ValueError):
    """A path names a device, FIFO, socket, symlink or folder where a regular file is needed, or a
    file that cannot be read. A Refusal, so a caller that does not say more answers it (422 / exit
    2) with the sentence, which names the path."""


_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISLNK, "a symbolic link"),
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def _kind(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def check_target(path: Path) -> None:
    """A write may create ``path`` or replace a regular file there, nothing else: renaming over a
    device node, a FIFO or a symlink would destroy it (as root, even /dev/full)."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return
    except OSError as exc:  # a name too long, a loop, a component that is a file
        raise NotARegularFile(f"'{path}' cannot be used: {exc.strerror}.") from None
    if not stat.S_ISREG(mode):
        raise NotARegularFile(f"'{path}' is {_kind(mode)}; an output must be a regular file or a new path.")


def read_regular_file(path: str | Path, max_bytes: int) -> bytes:
    """The bytes of a regular file of at most ``max_bytes``. A FIFO, a device or a folder is
    refused without blocking or reading (opened non-blocking, judged by fstat before anything
    wraps the descriptor: ``os.fdopen`` raises on a folder), a larger file without reading it. The
    descriptor is closed on every path, refusals included."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except FileNotFoundError:
        raise NotARegularFile(f"There is no file at '{path}'.") from None
    except OSError as exc:
        raise NotARegularFile(f"'{path}' cannot be read: {exc.strerror}.") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise NotARegularFile(f"'{path}' is {_kind(info.st_mode)}, not a file to read.")
        if info.st_size > max_bytes:
            raise NotARegularFile(f"'{path}' is {info.st_size} bytes, over the limit of {max_bytes} bytes.")
        with os.fdopen(fd, "rb", closefd=False) as f:
            data = f.read(max_bytes + 1)
    except OSError as exc:
        raise NotARegularFile(f"'{path}' cannot be read: {exc.strerror}.") from None
    finally:
        os.close(fd)
    if len(data) > max_bytes:  # it grew while we read
        raise NotARegularFile(f"'{path}' is over the limit of {max_bytes} bytes.")
    return data


class DiskFull(Refusal, OSError):
    """A write failed for want of space (ENOSPC or a quota). Its text is a sentence for people:
    the API answers 507 with it, a job fails with it, the CLI prints it."""

    status_code = 507

    def __init__(self, path: Path, size: int | None = None) -> None:
        what = "the file" if size is None else f"{size} bytes"
        super().__init__(
            errno.ENOSPC,
            f"The disk is full: {what} could not be written to '{path}'. Free some space "
            "(e.g. `ocr-playground prune`) and try again.",
        )

    def __str__(self) -> str:
        return str(self.strerror)


@contextlib.contextmanager
def atomic_open(path: str | Path) -> Iterator[IO[bytes]]:
    """A binary file to stream into; it appears at ``path`` whole, fsynced, when the block ends
    without an exception, and not at all otherwise (the temp file beside it is removed). A full
    disk is raised as DiskFull, whoever writes (API, worker, CLI, runs); a target that is not a
    regular file is refused (NotARegularFile) before anything is written."""
    path = Path(path)
    check_target(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise DiskFull(path) if exc.errno in _FULL else exc from None
    try:
        with os.fdopen(fd, "wb") as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError) and exc.errno in _FULL:
            raise DiskFull(path) from None
        raise


def atomic_write_bytes(path: str | Path, data: bytes) -> Path:
    """Write ``data`` through ``atomic_open``: readers see all of it or nothing."""
    try:
        with atomic_open(path) as f:
            f.write(data)
    except DiskFull:
        raise DiskFull(Path(path), len(data)) from None
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
