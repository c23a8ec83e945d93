"""A full disk and a failing job database: clear answers (507/503 with a sentence), no zombie job
holding a queue slot, a server that refuses to start on a database it cannot write, and a health
check that says so. Faults are injected where the OS would raise them (ENOSPC from fsync, SQLite's
read-only mode) or made for real (a garbage database file, a deleted one)."""

import errno
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from ocr_playground.api.app import create_app
from ocr_playground.artifacts import DiskFull, atomic_write_bytes
from ocr_playground.jobs.runners import Task
from ocr_playground.jobs.worker import outcome
from ocr_playground.settings import Settings
from ocr_playground.sqlite_store import StoreUnavailable

from jobs_api import wait_done
from live_server import live_server
from receipts import b64, jpeg, receipt


def no_space(*_: object) -> None:
    raise OSError(errno.ENOSPC, "No space left on device")


def settings_for(root: Path, **overrides: object) -> Settings:
    return Settings(data_root=root / "data", outputs_root=root / "outputs", workers=1, **overrides)


def fallback(base: str, seed: int) -> httpx.Response:
    body = {"pipeline_id": "preprocessing", "image_base64": b64(jpeg(receipt(160, 120, seed=seed)))}
    return httpx.post(f"{base}/api/pipelines/fallback", json={**body, "params": {"grayscale": True}})


def test_a_full_disk_is_disk_full_for_every_writer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "fsync", no_space)
    with pytest.raises(DiskFull, match="The disk is full"):
        atomic_write_bytes(tmp_path / "x.png", b"12345")
    assert list(tmp_path.iterdir()) == []  # no temp file left behind


def test_a_result_that_cannot_be_written_fails_its_job_with_the_disk_full_sentence(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "in.jpg"
    source.write_bytes(jpeg(receipt(64, 48)))
    task = Task("preprocessing-000000000001", "preprocessing", str(source), {}, str(tmp_path / "out.png"))
    monkeypatch.setattr(os, "fsync", no_space)
    kind, message = outcome(task, lambda *_: None)
    assert kind == "error" and message.startswith("The disk is full")


def test_a_failed_upload_write_is_507_and_leaves_no_job_holding_the_queue(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with live_server(settings_for(tmp_path, queue_limit=1)) as base:
        with monkeypatch.context() as patched:
            patched.setattr(os, "fsync", no_space)
            refused = fallback(base, seed=1)
        assert refused.status_code == 507, refused.text
        assert refused.json()["detail"].startswith("The disk is full")
        assert httpx.get(f"{base}/api/pipelines/jobs").json() == []
        accepted = fallback(base, seed=1)  # the one slot is free: no zombie row holds it
        assert accepted.status_code == 202, accepted.text
        assert wait_done(base, accepted.json()["job_id"])["status"] == "completed"


def test_a_database_that_is_not_sqlite_refuses_the_start_with_a_sentence(tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    settings.db_path.parent.mkdir(parents=True)
    settings.db_path.write_bytes(b"this is not a database, it only has its name" * 100)
    with pytest.raises(StoreUnavailable, match="cannot be opened for writing"):
        create_app(settings)
    done = subprocess.run(
        [sys.executable, "-m", "ocr_playground", "serve", "--outputs-root", str(settings.outputs_root)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "cannot be opened for writing" in lines[0], done.stderr


def test_a_database_deleted_at_run_time_is_degraded_health_and_503(tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    with live_server(settings) as base:
        assert httpx.get(f"{base}/api/health").json()["status"] == "ok"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{settings.db_path}{suffix}").unlink(missing_ok=True)
        health = httpx.get(f"{base}/api/health")
        assert health.status_code == 503 and health.json()["status"] == "degraded"
        assert "was deleted" in health.json()["detail"]
        refused = fallback(base, seed=2)
        assert refused.status_code == 503 and "was deleted" in refused.json()["detail"], refused.text


def test_a_read_only_database_at_run_time_is_503_then_degraded_health(tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    app = create_app(settings)
    with live_server(settings, app) as base:
        # SQLite's own read-only mode: writes fail with SQLITE_READONLY, as on a read-only file.
        app.state.jobs.store._conn.execute("PRAGMA query_only = ON")
        refused = fallback(base, seed=3)
        assert refused.status_code == 503, refused.text
        assert "readonly" in refused.json()["detail"] and "Nothing was changed" in refused.json()["detail"]
        health = httpx.get(f"{base}/api/health")
        assert health.status_code == 503 and "failed" in health.json()["detail"]
        app.state.jobs.store._conn.execute("PRAGMA query_only = OFF")
        assert fallback(base, seed=3).status_code == 202
        assert httpx.get(f"{base}/api/health").json()["status"] == "ok"
