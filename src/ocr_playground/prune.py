"""``ocr-playground prune``: forget what the server no longer needs, so a long-running playground
does not fill its disk.

Removed, when older than ``--older-than``: finished jobs (completed, failed, cancelled) and their
rows; then every file under ``outputs/playground`` and ``outputs/uploads`` that no remaining job
names (results of pruned jobs, uploads nobody needs, temp files of interrupted writes); and client
telemetry events. Queued and running jobs, and the files they name, are never touched.

Rows go before files: a crash in between leaves unreferenced files for the next prune, never a
completed job whose result is gone. A result pruned while the server runs is simply recomputed the
next time the same params ask for it (the cache looks for a completed job, which is gone too).
"""

import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from ocr_playground.artifacts import DB_NAME, PLAYGROUND, UPLOADS
from ocr_playground.client_events import TelemetryStore
from ocr_playground.errors import UsageError
from ocr_playground.jobs.store import JobStore

UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
AGE = re.compile(r"^(\d+(?:\.\d+)?)([smhd])$")
SWEPT_FOLDERS = (PLAYGROUND, UPLOADS)


def parse_age(text: str) -> float:
    """``30m``, ``12h``, ``7d`` (or seconds with ``s``) as seconds."""
    match = AGE.match(text.strip())
    if not match:
        raise UsageError(
            f"--older-than must be a number and a unit (s, m, h or d), like 12h or 7d, got {text!r}"
        )
    return float(match.group(1)) * UNITS[match.group(2)]


@dataclass
class PruneReport:
    jobs: list[str] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    bytes: int = 0
    events: int = 0

    def summary(self, dry_run: bool) -> str:
        verb = "would remove" if dry_run else "removed"
        megabytes = self.bytes / (1024 * 1024)
        files = f"{len(self.files)} files ({megabytes:.1f} MB)"
        return f"{verb} {len(self.jobs)} finished jobs, {files}, {self.events} telemetry events"


def prune(
    outputs_root: Path, older_than_s: float, dry_run: bool = False, now: float | None = None
) -> PruneReport:
    """Prune ``outputs_root`` (the server's ``--outputs-root``); see the module docstring. Each
    store forgets its own rows; this function only says when and sweeps the files."""
    outputs_root = outputs_root.resolve()
    db_path = outputs_root / DB_NAME
    if not db_path.is_file():
        raise UsageError(f"no job database at {db_path}: is --outputs-root the server's?")
    cutoff = (time.time() if now is None else now) - older_than_s
    report = PruneReport()
    jobs, telemetry = JobStore(db_path), TelemetryStore(db_path)
    try:
        report.jobs = jobs.finished_before(cutoff)
        report.events = telemetry.count_before(cutoff)
        if not dry_run:
            jobs.delete_finished_before(cutoff)
            telemetry.delete_before(cutoff)
        named = jobs.files_named(except_finished_before=cutoff)
    finally:
        jobs.close()
        telemetry.close()
    for path, size in _unnamed_old_files(outputs_root, named, cutoff):
        report.files.append(path)
        report.bytes += size
        if not dry_run:
            path.unlink(missing_ok=True)
    return report


def _unnamed_old_files(outputs_root: Path, named: set[Path], cutoff: float) -> list[tuple[Path, int]]:
    """(path, size) of the files under the swept folders that are older and that no job names."""
    found = []
    for folder in SWEPT_FOLDERS:
        for path in sorted((outputs_root / folder).rglob("*")):
            if not path.is_file() or path.is_symlink():
                continue
            st = path.stat()
            if st.st_mtime < cutoff and path.resolve() not in named:
                found.append((path, st.st_size))
    return found
