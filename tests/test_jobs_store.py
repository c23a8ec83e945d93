"""The SQLite job store: conditional transitions and what a restart does with unfinished jobs."""

from pathlib import Path

import pytest

from ocr_playground.jobs.model import MAX_ATTEMPTS, Job, JobStatus, new_job_id
from ocr_playground.jobs.store import JobStore


def make_job(store: JobStore, key: str = "preprocessing:0000000000000000") -> Job:
    job_id = new_job_id("preprocessing")
    job = Job(
        job_id=job_id,
        pipeline_id="preprocessing",
        cache_key=key,
        input_path="/in",
        params={"blur": {"kernelSize": 5}},
        output_path=f"/out/{job_id}.png",
        task_id="t1",
    )
    store.insert(job)
    return job


def test_job_ids_are_pipeline_and_twelve_hex() -> None:
    prefix, tail = new_job_id("rembg").rsplit("-", 1)
    assert prefix == "rembg" and len(tail) == 12 and int(tail, 16) >= 0 and tail == tail.lower()


def test_a_job_round_trips_and_moves_only_along_allowed_transitions(tmp_path: Path) -> None:
    store = JobStore(tmp_path / "jobs.sqlite3")
    job = make_job(store)
    assert store.get(job.job_id) == job
    assert store.complete(job.job_id, "/out/x.png") is None  # not running yet
    running = store.start(job.job_id)
    assert running is not None and running.status is JobStatus.running and running.attempts == 1
    assert store.start(job.job_id) is None  # taken once only
    assert store.progress(job.job_id, 0.5).progress == 0.5
    assert store.cancel(job.job_id).status is JobStatus.cancelled
    # A worker's late "done" cannot bring a cancelled job back.
    assert store.complete(job.job_id, "/out/x.png") is None
    assert store.get(job.job_id).status is JobStatus.cancelled


def test_the_store_survives_a_reopen_in_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "jobs.sqlite3"
    store = JobStore(path)
    job = make_job(store)
    store.close()
    reopened = JobStore(path)
    assert reopened.get(job.job_id).params == {"blur": {"kernelSize": 5}}
    assert reopened._conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_recover_requeues_interrupted_jobs_and_gives_up_after_max_attempts(tmp_path: Path) -> None:
    store = JobStore(tmp_path / "jobs.sqlite3")
    queued, interrupted, doomed = make_job(store), make_job(store), make_job(store)
    store.start(interrupted.job_id)
    store.start(doomed.job_id)
    for _ in range(MAX_ATTEMPTS - 1):  # crashed and requeued twice already
        store.requeue(doomed.job_id, "crash")
        store.start(doomed.job_id)
    assert set(store.recover()) == {queued.job_id, interrupted.job_id}
    assert store.get(interrupted.job_id).status is JobStatus.queued
    assert "requeued" in store.get(interrupted.job_id).error
    failed = store.get(doomed.job_id)
    assert failed.status is JobStatus.failed and f"{MAX_ATTEMPTS} times" in failed.error


def test_by_cache_key_finds_in_flight_and_finished_jobs(tmp_path: Path) -> None:
    store = JobStore(tmp_path / "jobs.sqlite3")
    job = make_job(store, key="rembg:1111111111111111")
    assert [j.job_id for j in store.by_cache_key(job.cache_key, (JobStatus.queued,))] == [job.job_id]
    store.start(job.job_id)
    store.complete(job.job_id, "/out/r.png")
    assert store.by_cache_key(job.cache_key, (JobStatus.queued, JobStatus.running)) == []
    assert store.by_cache_key(job.cache_key, (JobStatus.completed,))[0].result_path == "/out/r.png"


@pytest.mark.parametrize("schema", ["before reports", "before text"])
def test_a_database_without_the_later_columns_gains_them(tmp_path, schema: str) -> None:
    import sqlite3

    from ocr_playground.jobs.store import JobStore

    path = tmp_path / "old.sqlite"
    conn = sqlite3.connect(path)
    conn.executescript(SCHEMA_BEFORE_REPORTS if schema == "before reports" else SCHEMA_BEFORE_TEXT)
    conn.execute(
        "INSERT INTO jobs (job_id, pipeline_id, cache_key, input_path, params, output_path, status,"
        " created_at) VALUES"
        " ('preprocessing-aaaaaaaaaaaa', 'preprocessing', 'k', '/in', '{}', '/out', 'completed', 1.0)"
    )
    conn.commit()
    conn.close()
    store = JobStore(path)
    old_job = store.get("preprocessing-aaaaaaaaaaaa")
    assert old_job is not None and old_job.report is None and old_job.recognizer_path is None
    reading = Job(
        job_id="inference-bbbbbbbbbbbb", pipeline_id="inference", cache_key="k2", input_path="/in",
        params={}, output_path="/out", checkpoint_path="/m/det.onnx", recognizer_path="/m/rec.onnx",
    )  # fmt: skip
    store.insert(reading)
    assert store.get(reading.job_id).recognizer_path == "/m/rec.onnx"
    store.close()
    assert JobStore(path).get(reading.job_id).recognizer_path == "/m/rec.onnx"  # opened again: no change


SCHEMA_BEFORE_REPORTS = """
CREATE TABLE jobs (
    job_id TEXT PRIMARY KEY, pipeline_id TEXT NOT NULL, cache_key TEXT NOT NULL, input_path TEXT NOT NULL,
    params TEXT NOT NULL, output_path TEXT NOT NULL, checkpoint_path TEXT, task_id TEXT, status TEXT NOT NULL,
    progress REAL NOT NULL DEFAULT 0, result_path TEXT, error TEXT, attempts INTEGER NOT NULL DEFAULT 0,
    created_at REAL NOT NULL, started_at REAL, finished_at REAL
);
"""
SCHEMA_BEFORE_TEXT = SCHEMA_BEFORE_REPORTS.replace("finished_at REAL", "finished_at REAL, report TEXT")


def test_a_job_made_from_a_run_item_does_not_count_in_the_mean_duration(tmp_path: Path) -> None:
    # It ran nothing: whatever its times say, they are not what a job costs.
    store = JobStore(tmp_path / "jobs.sqlite3")
    job = make_job(store, "inference:1")
    store.start(job.job_id)
    store.complete(job.job_id, "/out/x.png")
    ran = store.get(job.job_id)
    adopted = Job(
        job_id=new_job_id("inference"),
        pipeline_id="inference",
        cache_key="inference:2",
        input_path="/in",
        params={},
        output_path="/out/y.png",
        status=JobStatus.completed,
        result_path="/out/y.png",
        started_at=ran.finished_at - 100,  # counted, it would move the mean by 50 s
        finished_at=ran.finished_at,
        report={"reused_from": "run-0123456789ab/a.jpg"},
    )
    store.insert(adopted)
    assert store.average_duration() == pytest.approx(ran.finished_at - ran.started_at)
