"""ONNX Runtime sessions for DBNet-family detectors: loaded once, checked, warmed up, cached.

A detector takes one float tensor 1×3×H×W and returns a text probability map 1×1×H'×W' (or
1×H'×W'; a training export with several maps, e.g. probability/threshold/binary, has the
probability first). Anything else is refused with :class:`InvalidModel` before it is used.

Sessions are cached per (resolved path, modification time, size, sidecar modification time): a
model file replaced on disk is reloaded on the next request, and the old session is dropped.

Memory: a detector's working memory grows with its input (the profile caps the input, see
``profiles``), and a long-lived process must give it back after each image, or every large image
leaves hundreds of MB behind. So inferences run one at a time per process (``inference_slot``; one
run already uses every core), ONNX Runtime shrinks its arena at the end of each run, and the C
heap is trimmed when the slot is released.
"""

import contextlib
import ctypes
import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Generic, TypeVar

import numpy as np
import onnxruntime as ort

from ocr_playground.inference.errors import CheckpointNotFound, InferenceBusy, InvalidModel
from ocr_playground.inference.profiles import (
    ModelProfile,
    input_size,
    load_profile,
    sidecar_path,
    to_tensor,
    within_caps,
)

ort.set_default_logger_severity(3)  # ORT's warnings go to stderr unasked; errors still raise.

SLOT_WAIT_S = 30.0
_slots = threading.BoundedSemaphore(1)
# Hand the arena's chunks back at the end of every run instead of keeping the largest run's worth:
# what a long-lived process that serves many callers (the API, the CLI) wants. A worker process
# that runs one model image after image keeps its arena (KEEP_ARENA): it is bounded by the largest
# input the profile's caps allow, and re-allocating it every run made a one-thread DBNet run about
# 1.5× slower.
RUN_OPTIONS = ort.RunOptions()
RUN_OPTIONS.add_run_config_entry("memory.enable_memory_arena_shrinkage", "cpu:0")
KEEP_ARENA = ort.RunOptions()


def _libc_trim() -> None:
    """Return the C heap's free pages to the OS (glibc only; elsewhere a no-op)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


@contextlib.contextmanager
def inference_slot(wait_s: float = SLOT_WAIT_S) -> Iterator[None]:
    """Hold this process's one inference slot: decode, preprocess and run the model inside it, so
    at most one image's worth of detection memory exists at a time; it is trimmed on release."""
    if not _slots.acquire(timeout=wait_s):
        raise InferenceBusy(
            f"Other detections kept the server busy for {wait_s:g} s; retry in a few seconds."
        )
    try:
        yield
    finally:
        _slots.release()
        _libc_trim()


def default_threads() -> int:
    # One inference uses every core it is given; more threads than cores only adds contention.
    return max(1, min(4, os.cpu_count() or 1))


@dataclass(frozen=True)
class Detector:
    path: Path
    session: ort.InferenceSession
    input_name: str
    profile: ModelProfile
    fixed_size: tuple[int, int] | None  # (h, w) when the graph's input has static spatial dims
    load_ms: float
    key: tuple = field(repr=False)
    run_options: ort.RunOptions = field(default=RUN_OPTIONS, repr=False)

    def tensor_size(self, height: int, width: int) -> tuple[int, int]:
        return self.fixed_size or input_size(height, width, self.profile)

    def probability_map(self, image: np.ndarray) -> tuple[np.ndarray, dict[str, float]]:
        """The H'×W' probability map for an RGB(A) uint8 image, and where the time went (ms)."""
        t0 = time.perf_counter()
        tensor = to_tensor(image, self.tensor_size(*image.shape[:2]), self.profile)
        t1 = time.perf_counter()
        out = self.session.run(None, {self.input_name: tensor}, self.run_options)[0]
        t2 = time.perf_counter()
        return _probability_plane(out, self.path), {
            "preprocess_ms": (t1 - t0) * 1e3,
            "inference_ms": (t2 - t1) * 1e3,
        }


def _probability_plane(out: np.ndarray, path: Path) -> np.ndarray:
    if out.ndim == 4 and out.shape[0] == 1:
        return out[0, 0]
    if out.ndim == 3 and out.shape[0] == 1:
        return out[0]
    raise InvalidModel(
        f"The model {path.name} returned an output of shape {list(out.shape)}, not a 1×1×H×W probability map."
    )


def _dim_is(dim: object, value: int) -> bool:
    """A symbolic or unknown dimension (str/None) accepts any value."""
    return not isinstance(dim, int) or dim == value


def _check_signature(session: ort.InferenceSession, path: Path) -> tuple[str, tuple[int, int] | None]:
    inputs, outputs = session.get_inputs(), session.get_outputs()
    if len(inputs) != 1:
        raise InvalidModel(
            f"The model {path.name} takes {len(inputs)} inputs; a text detector takes "
            "one image tensor 1×3×H×W."
        )
    spec = inputs[0]
    shape = list(spec.shape)
    is_image = len(shape) == 4 and _dim_is(shape[0], 1) and _dim_is(shape[1], 3)
    if spec.type != "tensor(float)" or not is_image:
        raise InvalidModel(
            f"The model {path.name} takes input '{spec.name}' of type {spec.type} and shape "
            f"{shape}, not an image tensor (float, 1×3×H×W)."
        )
    out_shape = list(outputs[0].shape)
    if len(out_shape) not in (3, 4) or (
        len(out_shape) == 4 and isinstance(out_shape[1], int) and out_shape[1] < 1
    ):
        raise InvalidModel(
            f"The model {path.name} has an output of shape {out_shape}, not a probability map 1×1×H×W."
        )
    fixed = (shape[2], shape[3]) if isinstance(shape[2], int) and isinstance(shape[3], int) else None
    return spec.name, fixed


def _check_fixed_size(fixed: tuple[int, int] | None, profile: ModelProfile, path: Path) -> None:
    if fixed is not None and not within_caps(*fixed, profile):
        raise InvalidModel(
            f"The model {path.name} has a fixed input of {fixed[1]}×{fixed[0]}, over its profile's caps "
            f"({profile.max_side_len} px long side, {profile.max_pixels / 1e6:g} MP); raise "
            "maxSideLen/maxPixels in its sidecar profile."
        )


def _file_key(path: Path) -> tuple:
    try:
        st = path.stat()
    except FileNotFoundError as exc:
        raise CheckpointNotFound(f"The checkpoint {path.name} does not exist.") from exc
    side = sidecar_path(path)
    side_mtime = side.stat().st_mtime_ns if side.is_file() else None
    return (str(path), st.st_mtime_ns, st.st_size, side_mtime)


def new_session(path: Path, threads: int) -> ort.InferenceSession:
    """A CPU session on ``threads`` cores, fully optimised; a file ORT cannot load is InvalidModel."""
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    opts.log_severity_level = 3
    # ORT's pool threads busy-wait between kernels by default. The server runs sessions in several
    # worker processes on few cores, so a spinning thread steals the core another one needs: on a
    # loaded 2-core machine, sleeping instead made a recognizer batch about twice as fast.
    opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
    try:
        return ort.InferenceSession(str(path), sess_options=opts, providers=["CPUExecutionProvider"])
    except Exception as exc:  # ORT raises its own Fail/InvalidGraph/InvalidProtobuf types
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InvalidModel(f"The file {path.name} is not a loadable ONNX model ({first[:200]}).") from exc


M = TypeVar("M")


class ModelCache(Generic[M]):
    """Loaded models by file identity (path, size, modification times of the model and its sidecar).
    Thread-safe; a load happens once even under concurrency. Subclasses say how to load one."""

    def __init__(self, threads: int | None = None, capacity: int = 4, keep_arena: bool = False) -> None:
        self.threads = threads or default_threads()
        self.capacity = capacity
        self.run_options = KEEP_ARENA if keep_arena else RUN_OPTIONS
        self._lock = threading.Lock()
        self._models: dict[str, M] = {}  # by resolved path; insertion order = LRU order
        self._keys: dict[str, tuple] = {}
        self.loads = 0  # how many sessions were built (tests watch the cache through this)

    def get(self, path: Path) -> M:
        resolved = path.resolve()
        key = _file_key(resolved)
        name = str(resolved)
        # Loading under the lock: two requests for a new model build one session, not two, and a
        # load takes well under a second for the models this serves.
        with self._lock:
            cached = self._models.pop(name, None)
            if cached is None or self._keys.get(name) != key:
                cached = self._load(resolved, key)
                self.loads += 1
            self._models[name] = cached
            self._keys[name] = key
            while len(self._models) > self.capacity:
                oldest = next(iter(self._models))
                self._models.pop(oldest)
                self._keys.pop(oldest, None)
            return cached

    def _load(self, path: Path, key: tuple) -> M:
        raise NotImplementedError


class DetectorCache(ModelCache[Detector]):
    """Loaded detectors, checked and warmed up."""

    def _load(self, path: Path, key: tuple) -> Detector:
        profile = load_profile(path)
        t0 = time.perf_counter()
        session = new_session(path, self.threads)
        input_name, fixed = _check_signature(session, path)
        _check_fixed_size(fixed, profile, path)
        detector = Detector(
            path=path,
            session=session,
            input_name=input_name,
            profile=profile,
            fixed_size=fixed,
            load_ms=0.0,
            key=key,
            run_options=self.run_options,
        )
        self._warm_up(detector)
        return replace(detector, load_ms=(time.perf_counter() - t0) * 1e3)

    @staticmethod
    def _warm_up(detector: Detector) -> None:
        """One small run: allocates ORT's buffers and proves the graph runs end to end."""
        h, w = detector.fixed_size or (256, 256)
        try:
            detector.probability_map(np.full((h, w, 3), 255, np.uint8))
        except InvalidModel:
            raise
        except Exception as exc:
            raise InvalidModel(
                f"The model {detector.path.name} fails on a 1×3×{h}×{w} image ({str(exc).strip()[:200]})."
            ) from exc


def process_wide(factory: Callable[[], M]) -> Callable[[], M]:
    """A function returning the one object ``factory`` makes, made on first use (thread-safe)."""
    lock = threading.Lock()
    made: list[M] = []

    def get() -> M:
        with lock:
            if not made:
                made.append(factory())
            return made[0]

    return get


# The process-wide detector cache shared by the API and the CLI.
default_cache = process_wide(DetectorCache)
