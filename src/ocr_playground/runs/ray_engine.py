"""The ``ray`` engine: Ray Data batch inference over the run's image list.

The file list becomes a dataset; ``map_batches`` runs ``ItemPredictor``, a callable class that
holds one ``ItemWorker`` (so one ONNX session) per actor, on an actor pool (``compute=``). The
items come back to the driver, which stores them as they arrive, exactly as the local engine's do.

With ``OCRP_RAY_ADDRESS`` set, the run joins that cluster (``ray.init(address=...)``); otherwise a
local Ray is started in this process on first use, with a modest object store and no dashboard,
and kept for later runs. Sizing matters on a small machine: an actor pool that reserves every CPU
leaves none for Ray Data's own tasks and the run never finishes. The pool has one actor per CPU (as
the local engine has one process per core), but together they ask for half a CPU less than the
cluster has, so a task always fits beside them; a watchdog fails a run that makes no progress anyway.
"""

import json
import logging
import os
import queue
import threading
from dataclasses import replace
from typing import Any

from ocr_playground.runs.engine import CHUNK, EngineWork, ShouldStop, Sink, Watchdog
from ocr_playground.runs.worker import ItemTask, ItemWorker, WorkerSpec

OBJECT_STORE_BYTES = 256 * 1024 * 1024  # a local Ray's object store: rows here are small
POLL_S = 0.2
_init_lock = threading.Lock()


class ItemPredictor:
    """The callable class of ``map_batches``: built once per actor, called with a batch of rows."""

    def __init__(self, spec: WorkerSpec) -> None:
        self.worker = ItemWorker(spec)

    def __call__(self, batch: dict[str, Any]) -> dict[str, list]:
        tasks = [
            ItemTask(seq=int(seq), name=str(name), path=str(path), gt=None if gt == "" else str(gt))
            for seq, name, path, gt in zip(
                batch["seq"], batch["name"], batch["path"], batch["gt"], strict=True
            )
        ]
        return {"record": [json.dumps(r) for r in self.worker.process(tasks)]}


def _no_uv_environment() -> None:
    """Under ``uv run`` (as ``make test`` and ``uv run ocr-playground`` start us), Ray by default
    copies the project to each new worker and has it run ``uv run`` there, which builds a fresh
    virtual environment per session (minutes, and downloads). A local Ray's workers run on this
    machine with this interpreter and these packages, so that is switched off; the flag is read when
    Ray is imported, so the imported constant is set too."""
    os.environ["RAY_ENABLE_UV_RUN_RUNTIME_ENV"] = "0"
    from ray._private import ray_constants

    ray_constants.RAY_ENABLE_UV_RUN_RUNTIME_ENV = False


def ensure_ray(address: str | None) -> float:
    """Connect to the cluster at ``address``, or start a local Ray once; the seconds it took."""
    import time

    import ray

    with _init_lock:
        if ray.is_initialized():
            return 0.0
        t0 = time.perf_counter()
        options: dict[str, Any] = {
            "include_dashboard": False,
            "log_to_driver": False,
            "configure_logging": False,
        }
        if address:
            ray.init(address=address, **options)
        else:
            _no_uv_environment()
            ray.init(num_cpus=os.cpu_count() or 1, object_store_memory=OBJECT_STORE_BYTES, **options)
        from ray.data import DataContext

        DataContext.get_current().enable_progress_bars = False
        for logger in ("ray", "ray.data"):  # Ray Data logs every execution at INFO
            logging.getLogger(logger).setLevel(logging.WARNING)
        return time.perf_counter() - t0


def shutdown_ray() -> None:
    import ray

    with _init_lock:
        if ray.is_initialized():
            ray.shutdown()


def pool_size(cluster_cpus: float, wanted: int | None) -> tuple[int, float]:
    """(actors, CPUs each): one single-threaded actor per CPU unless told otherwise, together
    leaving half a CPU free for Ray Data's own tasks."""
    actors = max(1, wanted or int(cluster_cpus))
    return actors, round(min(1.0, max(0.1, (cluster_cpus - 0.5) / actors)), 2)


class RayEngine:
    name = "ray"

    def __init__(self, address: str | None = None) -> None:
        self.address = address
        self.startup_s = 0.0

    def run(self, work: EngineWork, sink: Sink, should_stop: ShouldStop) -> None:
        import ray
        import ray.data
        from ray.data import ActorPoolStrategy

        self.startup_s = ensure_ray(self.address)
        actors, cpus = pool_size(ray.cluster_resources().get("CPU", 1), work.workers)
        spec = replace(work.spec, threads=max(1, round(cpus)))
        rows = [{"seq": t.seq, "name": t.name, "path": t.path, "gt": t.gt or ""} for t in work.tasks]
        dataset = ray.data.from_items(
            rows, override_num_blocks=max(1, min(len(rows) // CHUNK, 64))
        ).map_batches(
            ItemPredictor,
            fn_constructor_kwargs={"spec": spec},
            batch_size=CHUNK,
            batch_format="default",
            compute=ActorPoolStrategy(size=actors),
            num_cpus=cpus,
        )
        results: queue.Queue[Any] = queue.Queue(maxsize=64)
        stop = threading.Event()
        consumer = threading.Thread(
            target=_consume, args=(dataset, results, stop), name="ocrp-ray-consumer", daemon=True
        )
        consumer.start()
        hint = "check that the Ray cluster has a CPU free beside the actors (OCRP_RAY_ADDRESS, --workers)."
        watchdog = Watchdog(work.stall_s, self.name, hint)
        try:
            while True:
                if should_stop():
                    return
                try:
                    message = results.get(timeout=POLL_S)
                except queue.Empty:
                    watchdog.check()
                    continue
                if message is None:
                    return
                if isinstance(message, BaseException):
                    raise message
                sink(json.loads(message))
                watchdog.progressed()
        finally:
            stop.set()  # the consumer stops at its next row and drops the dataset's iterator


def _put(results: "queue.Queue[Any]", message: Any, stop: threading.Event) -> bool:
    """Hand a message to the driver; False once the driver has stopped listening."""
    while not stop.is_set():
        try:
            results.put(message, timeout=POLL_S)
            return True
        except queue.Full:
            continue
    return False


def _consume(dataset: Any, results: "queue.Queue[Any]", stop: threading.Event) -> None:
    try:
        for row in dataset.iter_rows():
            if not _put(results, row["record"], stop):
                return
        _put(results, None, stop)
    except BaseException as exc:  # handed to the driver thread, which raises it
        _put(results, exc, stop)
