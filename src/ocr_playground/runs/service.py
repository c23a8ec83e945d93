"""The run service: accepts runs, runs them one at a time in a background thread, resumes them after
a restart, cancels them, and tells subscribers how far each has got.

The store is the record of truth: an item is committed the moment it is finished, so a run
interrupted at any point (SIGKILL, a stop, a crash) resumes with exactly the images that have no
item yet. Before handing images to an engine, each one's cache key is computed and an item of an
earlier run with the same key is reused (its detections, and their text, re-scored against this
run's ground truth), unless the run saves images or the checkpoint or recognizer changed since.
Failing that, the Studios' result under the key (a finished single-image job, which the server
looks up for the run: ``StudioLookup``) is reused the same way.
"""

import contextlib
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import rfc8785

from ocr_playground.artifacts import run_folder
from ocr_playground.cachekey import cache_key_from_digest, image_digest
from ocr_playground.errors import Refusal
from ocr_playground.inference.errors import InferenceError
from ocr_playground.inference.evaluation import PROTOCOLS, result_from_counts
from ocr_playground.inference.profiles import last_change
from ocr_playground.jobs.bus import EventBus
from ocr_playground.runs.background import Background
from ocr_playground.runs.engine import Engine, EngineWork, local_workers
from ocr_playground.runs.errors import RunAlreadyDone, RunNotFound
from ocr_playground.runs.files import IMAGES, write_files
from ocr_playground.runs.model import Run, RunSpec, RunStatus, new_run_id
from ocr_playground.runs.plan import Roots, plan_run, predictions_path, resolve_model, resolve_recognizer
from ocr_playground.runs.store import Input, RunStore
from ocr_playground.runs.worker import ItemTask, WorkerSpec, failed, has_text, score, score_text
from ocr_playground.settings import Settings

log = logging.getLogger(__name__)

PUBLISH_EVERY_S = 0.25  # progress messages per run: at most four a second
ItemListener = Callable[[Run, dict[str, Any]], None]
# A finished single-image result for a cache key, made after a time (the models' last change), as
# an item without seq and name (status, cache_key, width, height, detections, timings, boxes); None
# when there is none. The server passes the jobs' one in: a run need not know how jobs are stored.
StudioLookup = Callable[[str, float], dict[str, Any] | None]


def public_path(path: str | Path) -> str:
    with contextlib.suppress(ValueError):
        return str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    return str(path)


def make_engine(spec: RunSpec, settings: Settings, roots: Roots) -> Engine:
    imported = predictions_path(spec, roots)
    if imported is not None:
        from ocr_playground.runs.importer import PredictionsEngine

        return PredictionsEngine(imported)
    if spec.engine == "ray":
        from ocr_playground.runs.ray_engine import RayEngine

        return RayEngine(settings.ray_address)
    from ocr_playground.runs.local import LocalEngine

    return LocalEngine()


class RunService:
    def __init__(
        self,
        settings: Settings,
        bus: EventBus | None = None,
        origin: str = "server",
        studio: StudioLookup | None = None,
    ) -> None:
        self.settings = settings
        self.studio = studio
        self.outputs_root = settings.outputs_root.resolve()
        self.store = RunStore(settings.db_path)
        self.bus = bus
        self.origin = origin
        self.roots = Roots(settings.data_root, settings.checkpoints_root, confined=origin == "server")
        self._background = Background("ocrp-runs", self.execute)
        self._stopping = self._background.stopping
        self.last_engine: Engine | None = None

    # --- life cycle (the server) -------------------------------------------------------------------

    def start(self) -> None:
        """Queue again the runs a crash or a stop left unfinished, then start the run loop."""
        for run_id in self.store.interrupted(self.origin):
            self.store.requeue(run_id)
            self._background.put(run_id)
        self._background.start()

    def stop(self) -> None:
        self._background.stop()
        self.store.close()

    # --- requests ----------------------------------------------------------------------------------

    def get(self, run_id: str) -> Run:
        run = self.store.get(run_id)
        if run is None:
            raise RunNotFound(run_id)
        return run

    def create(self, spec: RunSpec) -> Run:
        """Check the spec and list the dataset (refusing with a sentence), then store the run."""
        plan = plan_run(spec, self.roots)
        run = Run(run_id=new_run_id(), spec=spec, total=len(plan.inputs), origin=self.origin)  # type: ignore[arg-type]
        self.store.create(run, plan.inputs)
        self._publish(run)
        return run

    def submit(self, spec: RunSpec) -> Run:
        run = self.create(spec)
        self._background.put(run.run_id)
        return run

    def cancel(self, run_id: str) -> Run:
        run = self.get(run_id)
        if not self.store.finish(run_id, RunStatus.cancelled, "Cancelled by a client."):
            raise RunAlreadyDone(
                f"Run '{run_id}' is already {self.get(run_id).status.value}; there is nothing to cancel."
            )
        run = self.get(run_id)
        self._publish(run)
        if run.started_at is None:  # never started: nothing will write its files otherwise
            self._write_files(run)
        return run

    # --- reading -----------------------------------------------------------------------------------

    def metrics(self, run: Run) -> dict[str, Any] | None:
        if run.spec.gt is None:
            return None
        out = {}
        for protocol in PROTOCOLS:
            sums = self.store.metric_sums(run.run_id, protocol)
            matched_gt, matched_det, gt, det = sums or (0.0, 0.0, 0, 0)
            r = result_from_counts(protocol, matched_gt, matched_det, gt, det)
            out[protocol] = {
                "precision": r.precision,
                "recall": r.recall,
                "hmean": r.hmean,
                "gt": gt,
                "det": det,
            }
        return out

    def text_metrics(self, run: Run) -> dict[str, Any] | None:
        """The run's text metrics from its items' summed counts (None when no item has any: no
        recognizer, or no text in the ground truth)."""
        counts = self.store.text_sums(run.run_id)
        return None if counts is None else counts.metrics().model_dump()

    def files(self, run: Run) -> dict[str, str]:
        folder = run_folder(self.outputs_root, run.run_id)
        names = {
            "items": "items.parquet",
            "predictions": "predictions.json",
            "metrics": "metrics.json",
            "images": IMAGES,
        }
        return {key: public_path(folder / name) for key, name in names.items() if (folder / name).exists()}

    def summary(self, run: Run) -> dict[str, Any]:
        return {
            "run_id": run.run_id,
            "name": run.name,
            "status": run.status.value,
            "spec": run.spec.model_dump(),
            "engine": run.spec.engine,
            "total": run.total,
            "done": run.done,
            "failed": run.failed,
            "error": run.error,
            "created_at": run.created_at,
            "started_at": run.started_at,
            "finished_at": run.finished_at,
            "metrics": self.metrics(run),
            "text_metrics": self.text_metrics(run),
            "files": self.files(run),
        }

    # --- running -----------------------------------------------------------------------------------

    def _publish(self, run: Run) -> None:
        if self.bus is not None:
            self.bus.publish(run.state())

    def _write_files(self, run: Run) -> None:
        folder = run_folder(self.outputs_root, run.run_id)
        write_files(self.store, run.run_id, folder, self.summary(run))

    def execute(self, run_id: str, on_item: ItemListener | None = None) -> Run:
        """Run (or resume) ``run_id`` to the end in this thread; the run as it finished."""
        if not self.store.start(run_id):
            return self.get(run_id)  # cancelled while it waited, or already being run
        run = self.get(run_id)
        self._publish(run)
        state = {"last": 0.0}

        def should_stop() -> bool:
            return self._stopping.is_set() or self.store.status(run_id) is not RunStatus.running

        def sink(item: dict[str, Any]) -> None:
            if not self.store.add_item(run_id, item):
                return
            run.done += 1
            run.failed += item["status"] == "failed"
            if on_item is not None:
                on_item(run, item)
            now = time.monotonic()
            if now - state["last"] >= PUBLISH_EVERY_S:
                state["last"] = now
                self._publish(run)

        try:
            model = resolve_model(run.spec, self.roots)
            recognizer = resolve_recognizer(run.spec, self.roots)
            # Text is scored when the run has text (read, or in imported predictions) and its ground
            # truth holds text somewhere: then on every image, as `evaluate` scores a set.
            text_truth = bool(run.spec.recognizer_path or run.spec.predictions) and any(
                has_text(gt) for gt in self.store.ground_truths(run_id)
            )
            tasks = self._reuse(run, self.store.pending(run_id), [model, recognizer], sink, text_truth)
            if tasks and not should_stop():
                engine = make_engine(run.spec, self.settings, self.roots)
                self.last_engine = engine
                # Ray sizes its own actor pool (0: as many as the cluster has room for).
                workers, threads = local_workers(run.spec.workers)
                if run.spec.engine == "ray":
                    workers = run.spec.workers or 0
                work = EngineWork(
                    spec=self._worker_spec(run, model, recognizer, threads, text_truth),
                    tasks=tasks,
                    workers=workers,
                    stall_s=self.settings.run_stall_s,
                )
                engine.run(work, sink, should_stop)
        except Refusal as exc:
            self.store.finish(run_id, RunStatus.failed, str(exc))
        except Exception as exc:
            log.exception("run %s", run_id)
            self.store.finish(run_id, RunStatus.failed, f"Internal error: {type(exc).__name__}: {exc}")
        if self._stopping.is_set() and self.store.status(run_id) is RunStatus.running:
            self.store.requeue(run_id)  # an orderly stop: the next start resumes it
            return self.get(run_id)
        self.store.finish(run_id, RunStatus.completed)  # no-op unless it is still running
        try:
            self._write_files(self.get(run_id))
        except Exception as exc:  # every item is in the store: a resume writes the files again
            log.exception("run %s: files", run_id)
            detail = str(exc) if isinstance(exc, Refusal) else f"{type(exc).__name__}: {exc}"
            self.store.files_failed(run_id, f"The run's files could not be written: {detail}")
        run = self.get(run_id)
        self._publish(run)
        return run

    def _worker_spec(
        self, run: Run, model: Path | None, recognizer: Path | None, threads: int, text_truth: bool
    ) -> WorkerSpec:
        images = run_folder(self.outputs_root, run.run_id) / IMAGES if run.spec.save_images else None
        return WorkerSpec(
            pipeline_id=run.spec.pipeline_id,
            params=run.spec.params,
            checkpoint_path=run.spec.checkpoint_path,
            model_path=None if model is None else str(model),
            images_dir=None if images is None else str(images),
            threads=threads,
            recognizer_path=run.spec.recognizer_path,
            recognizer_file=None if recognizer is None else str(recognizer),
            text_truth=text_truth,
        )

    def _reuse(
        self,
        run: Run,
        pending: list[Input],
        models: list[Path | None],
        sink: Callable[[dict[str, Any]], None],
        text_truth: bool,
    ) -> list[ItemTask]:
        """Items an earlier run (or, failing that, a Studio's job) already computed under the same
        cache key, after the last change of any of ``models``, are taken from it; the rest are
        returned as tasks for the engine."""
        tasks = [ItemTask(seq=i.seq, name=i.name, path=i.path, gt=i.gt) for i in pending]
        spec = run.spec
        if spec.save_images or not spec.reuse or spec.predictions is not None:
            return tasks
        not_before = last_change(models)
        left = []
        for task in tasks:
            try:
                digest = image_digest(Path(task.path).read_bytes())
                key = cache_key_from_digest(
                    spec.pipeline_id, digest, spec.params, spec.checkpoint_path, spec.recognizer_path
                )
            except (OSError, rfc8785.CanonicalizationError):
                left.append(task)  # the engine reports the unreadable file as this item's failure
                continue
            found = self.store.reusable(key, not_before) or self._studio_result(spec, key, not_before)
            if found is None:
                left.append(task)
                continue
            found.pop("run_id", None)
            boxes = found.pop("boxes") or []
            try:
                metrics = score(task.gt, boxes)
                text_metrics = score_text(task.gt, boxes) if text_truth else None
            except InferenceError as exc:  # too large to score: the item fails, saying why
                sink(failed(task, str(exc)) | {"cache_key": key})
                continue
            sink(found | {"seq": task.seq, "name": task.name, "boxes": boxes, "metrics": metrics,
                          "text_metrics": text_metrics, "reused": True})  # fmt: skip
        return left

    def _studio_result(self, spec: RunSpec, key: str, not_before: float) -> dict[str, Any] | None:
        """The Studios' detections under ``key`` (an inference job's), when the server gave a lookup.
        Preprocessing is left out: its jobs keep a PNG, and its runs keep none unless asked."""
        if self.studio is None or spec.pipeline_id != "inference":
            return None
        return self.studio(key, not_before)
