"""Threshold sweeps of finished runs, as jobs: stored beside the runs, run one at a time in a
background thread on the local engine, their progress published on the run's id; and the best
thresholds saved as a model's defaults.

A sweep is ``sweep-{12 hex}`` in the table ``run_sweeps`` (SQLite, the runs' file). Its counts are
written once, when it finishes; a sweep a stop or a crash interrupted is marked failed when the
service starts again (it is cheap to start anew, and half-summed counts would be wrong).
"""

import dataclasses
import json
import logging
import secrets
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from ocr_playground.artifacts import atomic_write_bytes
from ocr_playground.inference.catalog import BUILTIN_PREFIX
from ocr_playground.inference.errors import InferenceError
from ocr_playground.inference.evaluation import PROTOCOLS
from ocr_playground.inference.profiles import ThresholdDefaults, load_profile, sidecar_path
from ocr_playground.runs.background import Background
from ocr_playground.runs.engine import EngineWork, local_workers
from ocr_playground.runs.errors import RunError
from ocr_playground.runs.local import LocalEngine
from ocr_playground.runs.model import Run
from ocr_playground.runs.plan import resolve_model
from ocr_playground.runs.store import Input
from ocr_playground.runs.sweep import Grid, SweepSpec, SweepWorker, summarize
from ocr_playground.runs.worker import ItemTask
from ocr_playground.sqlite_store import SqliteStore

log = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS run_sweeps (
    sweep_id    TEXT PRIMARY KEY,
    run_id      TEXT NOT NULL,
    status      TEXT NOT NULL,
    grid        TEXT NOT NULL,
    total       INTEGER NOT NULL,
    done        INTEGER NOT NULL DEFAULT 0,
    failed      INTEGER NOT NULL DEFAULT 0,
    model_calls INTEGER NOT NULL DEFAULT 0,
    counts      TEXT,
    error       TEXT,
    created_at  REAL NOT NULL,
    finished_at REAL
);
CREATE INDEX IF NOT EXISTS run_sweeps_run ON run_sweeps (run_id, created_at);
"""
ACTIVE = ("queued", "running")
PUBLISH_EVERY_S = 0.25
SweepListener = Callable[[dict[str, Any]], None]


class SweepConflict(RunError):
    status_code = 409


class ReadOnlyModel(RunError):
    status_code = 409


class SweepStore(SqliteStore):
    schema = SCHEMA

    def add(self, sweep_id: str, run_id: str, grid: dict[str, Any], total: int) -> None:
        with self._lock:
            self._conn.execute(
                "INSERT INTO run_sweeps (sweep_id, run_id, status, grid, total, created_at) "
                "VALUES (?, ?, 'queued', ?, ?, ?)",
                (sweep_id, run_id, json.dumps(grid), total, time.time()),
            )

    def update(self, sweep_id: str, **fields: Any) -> None:
        """Set some of status, done, failed, model_calls, counts, error, finished_at."""
        if "counts" in fields:
            fields["counts"] = json.dumps(fields["counts"])
        sets = ", ".join(f"{name} = ?" for name in fields)
        with self._lock:
            self._conn.execute(
                f"UPDATE run_sweeps SET {sets} WHERE sweep_id = ?", (*fields.values(), sweep_id)
            )

    def _row(self, sql: str, args: tuple) -> dict[str, Any] | None:
        with self._lock:
            row = self._conn.execute(sql, args).fetchone()
        if row is None:
            return None
        out = dict(row)
        out["grid"] = json.loads(row["grid"])
        out["counts"] = None if row["counts"] is None else json.loads(row["counts"])
        return out

    def get(self, sweep_id: str) -> dict[str, Any] | None:
        return self._row("SELECT * FROM run_sweeps WHERE sweep_id = ?", (sweep_id,))

    def latest(self, run_id: str) -> dict[str, Any] | None:
        return self._row(
            "SELECT * FROM run_sweeps WHERE run_id = ? ORDER BY created_at DESC, rowid DESC LIMIT 1",
            (run_id,),
        )

    def interrupt_unfinished(self) -> None:
        with self._lock:
            self._conn.execute(
                "UPDATE run_sweeps SET status = 'failed', finished_at = ?, error = 'The sweep was "
                "interrupted (the server stopped); start it again.' WHERE status IN ('queued', 'running')",
                (time.time(),),
            )


def view(sweep: dict[str, Any], protocol: str = "icdar2015-iou") -> dict[str, Any]:
    """A sweep as the API gives it: each point's P/R/H under ``protocol`` (and under every protocol
    in ``protocols``), and the best point per protocol."""
    grid = Grid.model_validate(sweep["grid"])
    rows, best = summarize(grid.points(), None if sweep["counts"] is None else np.asarray(sweep["counts"]))
    points = [row | row["protocols"].get(protocol, {}) for row in rows]
    keys = ("sweep_id", "run_id", "status", "total", "done", "failed", "model_calls", "error")
    return {key: sweep[key] for key in keys} | {
        "protocol": protocol,
        "grid": grid.model_dump(by_alias=True),
        "points": points,
        "best": best,
        "created_at": sweep["created_at"],
        "finished_at": sweep["finished_at"],
    }


def progress(sweep: dict[str, Any]) -> dict[str, Any]:
    return {k: sweep[k] for k in ("sweep_id", "status", "done", "failed", "total", "error")}


class SweepService:
    """Sweeps of one run service's runs (the same store file, roots and event bus)."""

    def __init__(self, runs: Any) -> None:
        self.runs = runs
        self.store = SweepStore(runs.settings.db_path)
        self._background = Background("ocrp-sweeps", self.execute)
        self._stopping = self._background.stopping

    def start(self) -> None:
        self.store.interrupt_unfinished()
        self._background.start()

    def stop(self) -> None:
        self._background.stop()
        self.store.close()

    # --- requests ----------------------------------------------------------------------------------

    def _sweepable(self, run: Run) -> list[Input]:
        if run.spec.gt is None:
            raise RunError(f"Run '{run.run_id}' has no ground truth, so there is nothing to sweep against.")
        if run.spec.pipeline_id != "inference" or run.spec.checkpoint_path is None:
            raise RunError(f"Run '{run.run_id}' ran no detector, so it has no thresholds to sweep.")
        if not run.finished:
            raise RunError(f"Run '{run.run_id}' is still {run.status.value}; sweep it once it has finished.")
        current = self.store.latest(run.run_id)
        if current is not None and current["status"] in ACTIVE:
            raise SweepConflict(f"Run '{run.run_id}' already has a sweep going ({current['sweep_id']}).")
        inputs = self.runs.store.scored_inputs(run.run_id)
        if not inputs:
            raise RunError(f"Run '{run.run_id}' has no scored image to sweep.")
        return inputs

    def create(self, run_id: str, grid: Grid | None = None) -> dict[str, Any]:
        run = self.runs.get(run_id)
        inputs = self._sweepable(run)
        self._model(run)  # the checkpoint is still there and loads
        sweep_id = f"sweep-{secrets.token_hex(6)}"
        self.store.add(sweep_id, run_id, (grid or Grid()).model_dump(by_alias=True), len(inputs))
        sweep = self.store.get(sweep_id)
        assert sweep is not None
        self._publish(run, sweep)
        return sweep

    def submit(self, run_id: str, grid: Grid | None = None) -> dict[str, Any]:
        sweep = self.create(run_id, grid)
        self._background.put(sweep["sweep_id"])
        return sweep

    def latest(self, run_id: str) -> dict[str, Any] | None:
        self.runs.get(run_id)
        return self.store.latest(run_id)

    def _model(self, run: Run) -> Path:
        """The run's model file. A server's run names it under the checkpoints root, also when the
        command line sweeps it; the server never loads a model from outside that root."""
        roots = self.runs.roots
        if run.origin == "server" and not roots.confined:
            roots = dataclasses.replace(roots, confined=True)
        model = resolve_model(run.spec, roots)
        assert model is not None  # sweeps and defaults are refused for runs without a detector
        return model

    # --- running -----------------------------------------------------------------------------------

    def _publish(self, run: Run, sweep: dict[str, Any]) -> None:
        if self.runs.bus is not None:
            self.runs.bus.publish(run.state() | {"sweep": progress(sweep)})

    def execute(self, sweep_id: str, on_image: SweepListener | None = None) -> dict[str, Any]:
        """Run a queued sweep to the end in this thread; the sweep as it finished."""
        sweep = self.store.get(sweep_id)
        assert sweep is not None and sweep["status"] == "queued", sweep
        run = self.runs.get(sweep["run_id"])
        self.store.update(sweep_id, status="running")
        sweep["status"] = "running"
        self._publish(run, sweep)
        points = Grid.model_validate(sweep["grid"]).points()
        sums = np.zeros((len(points), len(PROTOCOLS), 4))
        state = {"last": 0.0}

        def sink(record: dict[str, Any]) -> None:
            nonlocal sums
            sweep["done"] += 1
            if record["status"] == "completed":
                sums += np.asarray(record["counts"])
                sweep["model_calls"] += record["model_calls"]
            else:
                sweep["failed"] += 1
            if on_image is not None:
                on_image(sweep)
            if time.monotonic() - state["last"] >= PUBLISH_EVERY_S:
                state["last"] = time.monotonic()
                self.store.update(sweep_id, done=sweep["done"], failed=sweep["failed"])
                self._publish(run, sweep)

        try:
            model = self._model(run)
            tasks = [ItemTask(i.seq, i.name, i.path, i.gt) for i in self.runs.store.scored_inputs(run.run_id)]
            workers, threads = local_workers(run.spec.workers)
            spec = SweepSpec(run.spec.pipeline_id, run.spec.params, str(model), points, threads)
            work = EngineWork(spec, tasks, workers, self.runs.settings.run_stall_s, SweepWorker)
            LocalEngine().run(work, sink, self._stopping.is_set)
            status, error = "completed", None
            if self._stopping.is_set():
                status, error = "failed", "The server stopped during the sweep."
        except (RunError, InferenceError) as exc:
            status, error = "failed", str(exc)
        except Exception as exc:
            log.exception("sweep %s", sweep_id)
            status, error = "failed", f"Internal error: {type(exc).__name__}: {exc}"
        self.store.update(
            sweep_id,
            status=status,
            error=error,
            done=sweep["done"],
            failed=sweep["failed"],
            model_calls=sweep["model_calls"],
            counts=sums.tolist() if status == "completed" else None,
            finished_at=time.time(),
        )
        final = self.store.get(sweep_id)
        assert final is not None
        self._publish(run, final)
        return final

    # --- saving the best thresholds ----------------------------------------------------------------

    def save_defaults(self, run_id: str, values: ThresholdDefaults) -> dict[str, Any]:
        """Write ``values`` as the detection defaults of the run's model, into its ``.json``
        sidecar (atomically, keeping the sidecar's other fields); refused for a built-in model."""
        run = self.runs.get(run_id)
        checkpoint = run.spec.checkpoint_path
        if checkpoint is None:
            raise RunError(f"Run '{run_id}' ran no detector, so there is no model to save thresholds for.")
        if checkpoint.startswith(BUILTIN_PREFIX):
            raise ReadOnlyModel(
                f"The built-in model '{checkpoint}' belongs to an installed package, so its defaults "
                "cannot be changed; copy the .onnx file under the checkpoints root and sweep a run of "
                "the copy."
            )
        model = self._model(run)
        return write_threshold_defaults(model, values) | {"checkpoint_path": checkpoint}


def write_threshold_defaults(model: Path, values: ThresholdDefaults) -> dict[str, Any]:
    """Set thresholds in the sidecar's ``detection`` object (its other thresholds and the other
    fields kept: thresholds tuned one sweep at a time add up); the file is replaced whole."""
    sidecar = sidecar_path(model)
    raw: dict[str, Any] = {}
    earlier: dict[str, Any] = {}
    if sidecar.is_file():
        saved = load_profile(model).detection  # a broken sidecar is refused, never overwritten
        raw = json.loads(sidecar.read_text(encoding="utf-8"))
        # As parsed, so a threshold spelled box_thresh there is not written twice under two names.
        earlier = {} if saved is None else saved.model_dump(by_alias=True, exclude_none=True)
    given = values.model_dump(by_alias=True, exclude_none=True)
    if not given:
        raise RunError("Give at least one of thresh, boxThresh and unclipRatio to save.")
    detection = earlier | given
    raw["detection"] = detection
    atomic_write_bytes(sidecar, (json.dumps(raw, indent=2) + "\n").encode())
    load_profile(model)  # what was written reads back
    return {"sidecar": sidecar.name, "detection": detection}
