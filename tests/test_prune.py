"""``ocr-playground prune`` on a real job database, real files and real telemetry rows."""

import os
import sqlite3
import time
from pathlib import Path

import pytest

from ocr_playground.cli import main
from ocr_playground.client_events import EventBatch, TelemetryStore
from ocr_playground.jobs.model import Job, JobStatus, new_job_id
from ocr_playground.jobs.store import JobStore

DAY = 86400.0


def touch(path: Path, age_s: float, data: bytes = b"png") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    then = time.time() - age_s
    os.utime(path, (then, then))
    return path


@pytest.fixture
def outputs(tmp_path: Path) -> dict:
    root = tmp_path / "outputs"
    store = JobStore(root / "jobs.sqlite3")
    now = time.time()

    def job(status: JobStatus, age_s: float, upload: str, with_result: bool) -> Job:
        job_id = new_job_id("preprocessing")
        result = root / "playground" / "preprocessing" / f"{job_id}.png"
        if with_result:
            touch(result, age_s)
        made = Job(
            job_id=job_id,
            pipeline_id="preprocessing",
            cache_key=f"preprocessing:{job_id}",
            input_path=str(touch(root / "uploads" / upload, age_s, b"jpeg")),
            params={"grayscale": True},
            output_path=str(result),
            status=status,
            result_path=str(result) if with_result else None,
            created_at=now - age_s,
            finished_at=None if status is JobStatus.running else now - age_s,
        )
        store.insert(made)
        return made

    jobs = {
        "old_done": job(JobStatus.completed, 10 * DAY, "a" * 64, True),
        "old_failed": job(JobStatus.failed, 9 * DAY, "b" * 64, False),
        "new_done": job(JobStatus.completed, 3600, "c" * 64, True),
        "old_running": job(JobStatus.running, 12 * DAY, "d" * 64, False),
    }
    files = {
        "stray_tmp": touch(root / "playground" / "preprocessing" / ".x.png.1234.tmp", 8 * DAY),
        "fresh_stray": touch(root / "playground" / "rembg" / "being-written.png", 60),
    }
    store.close()
    telemetry = TelemetryStore(root / "jobs.sqlite3")
    telemetry.record(EventBatch.model_validate({"events": [{"type": "queue_depth", "depth": 1}] * 3}))
    telemetry.close()
    with sqlite3.connect(root / "jobs.sqlite3") as conn:  # two of the three events are old
        conn.execute("UPDATE client_events SET received_at = ? WHERE id <= 2", (now - 30 * DAY,))
    return {"root": root, "jobs": jobs, "files": files}


def job_ids(root: Path) -> set[str]:
    with sqlite3.connect(root / "jobs.sqlite3") as conn:
        return {row[0] for row in conn.execute("SELECT job_id FROM jobs")}


def event_count(root: Path) -> int:
    with sqlite3.connect(root / "jobs.sqlite3") as conn:
        return conn.execute("SELECT COUNT(*) FROM client_events").fetchone()[0]


def test_a_dry_run_says_what_would_go_and_removes_nothing(outputs: dict, capsys) -> None:
    root = outputs["root"]
    kept_files = lambda: sorted(p for folder in ("playground", "uploads") for p in (root / folder).rglob("*"))  # noqa: E731
    before = kept_files()
    assert main(["prune", "--outputs-root", str(root), "--older-than", "7d", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "would remove 2 finished jobs, 4 files" in out and "2 telemetry events" in out
    assert kept_files() == before
    assert len(job_ids(root)) == 4 and event_count(root) == 3


def test_prune_removes_old_finished_jobs_their_files_and_unused_uploads_only(outputs: dict, capsys) -> None:
    root, jobs, files = outputs["root"], outputs["jobs"], outputs["files"]
    assert main(["prune", "--outputs-root", str(root), "--older-than", "7d", "-v"]) == 0
    out = capsys.readouterr().out
    assert "removed 2 finished jobs, 4 files" in out and f"job  {jobs['old_done'].job_id}" in out
    assert job_ids(root) == {jobs["new_done"].job_id, jobs["old_running"].job_id}
    assert event_count(root) == 1
    # Gone: the old result, the uploads only the pruned jobs used, the stray temp file.
    assert not Path(jobs["old_done"].result_path).exists()
    assert not Path(jobs["old_done"].input_path).exists() and not Path(jobs["old_failed"].input_path).exists()
    assert not files["stray_tmp"].exists()
    # Kept: the recent job's files, the running job's (old) upload, a file still being written.
    assert Path(jobs["new_done"].result_path).exists() and Path(jobs["new_done"].input_path).exists()
    assert Path(jobs["old_running"].input_path).exists()
    assert files["fresh_stray"].exists()
    # A second prune finds nothing more.
    assert main(["prune", "--outputs-root", str(root), "--older-than", "7d"]) == 0
    assert "removed 0 finished jobs, 0 files" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--older-than", "soon"], "--older-than must be a number and a unit"),
        (["--older-than", "7 days"], "--older-than must be a number and a unit"),
        (["--outputs-root", "/nonexistent/outputs"], "no job database at /nonexistent/outputs/jobs.sqlite3"),
    ],
)
def test_bad_input_exits_2_with_one_line(outputs: dict, capsys, argv: list[str], message: str) -> None:
    args = ["prune", "--outputs-root", str(outputs["root"]), *argv]
    assert main(args) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1
    assert len(job_ids(outputs["root"])) == 4  # nothing was touched
