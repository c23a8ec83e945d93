"""The checkpoint catalog: what can be picked under the checkpoints root, and resolving a pick.

* ``.onnx`` files are listed with size, date and profile, ready to use.
* ``.ckpt`` / ``.pt`` / ``.pth`` training checkpoints are listed but not loadable: reading them means
  unpickling, which runs arbitrary code, so they are never opened. The entry says how to export.
* With the ``demo`` extra installed, rapidocr_onnxruntime's PP-OCRv4 detector is listed as
  ``builtin:ppocrv4-det``: a stable virtual path, independent of where site-packages lives.

Every ``checkpoint_path`` is relative to the checkpoints root (an absolute path is accepted when it
lies under it) and must resolve, after symlinks, inside the root.
"""

import importlib.util
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from ocr_playground import artifacts
from ocr_playground.inference.errors import (
    CheckpointNotFound,
    CheckpointNotLoadable,
    InferenceError,
)
from ocr_playground.inference.profiles import ModelProfile, load_profile

BUILTIN_PREFIX = "builtin:"
DEMO_CHECKPOINT = "builtin:ppocrv4-det"
TRAINING_SUFFIXES = (".ckpt", ".pt", ".pth")
MAX_ENTRIES = 2000  # a root pointed at a huge tree still answers quickly

EXPORT_HINT = (
    "export it to ONNX first, e.g. with torch.onnx.export(model.eval(), torch.randn(1, 3, 960, 960), "
    "'det.onnx', input_names=['x'], output_names=['maps'], dynamic_axes={'x': {2: 'h', 3: 'w'}}) "
    "or paddle2onnx for a PaddleOCR model, and put the .onnx file under the checkpoints root"
)


class CheckpointEntry(BaseModel):
    checkpoint_path: str = Field(description="What to send as checkpoint_path.")
    display_name: str
    format: Literal["onnx", "training"]
    status: Literal["ready", "not_loadable"]
    reason: str | None = Field(None, description="Why the checkpoint cannot be used, when it cannot.")
    size_bytes: int
    modified: datetime
    profile: ModelProfile | None = None


def _demo_model() -> Path | None:
    spec = importlib.util.find_spec("rapidocr_onnxruntime")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "models" / "ch_PP-OCRv4_det_infer.onnx"
    return path if path.is_file() else None


BUILTINS: dict[str, tuple[str, Callable[[], Path | None]]] = {
    DEMO_CHECKPOINT: ("PP-OCRv4 detection (demo, rapidocr_onnxruntime)", _demo_model),
}


def _entry(path: Path, checkpoint_path: str, display_name: str) -> CheckpointEntry:
    st = path.stat()
    base = {
        "checkpoint_path": checkpoint_path,
        "display_name": display_name,
        "size_bytes": st.st_size,
        "modified": datetime.fromtimestamp(st.st_mtime, UTC),
    }
    if path.suffix.lower() != ".onnx":
        return CheckpointEntry(
            **base,
            format="training",
            status="not_loadable",
            reason=f"Training checkpoints are never unpickled; {EXPORT_HINT}.",
        )
    try:
        return CheckpointEntry(**base, format="onnx", status="ready", profile=load_profile(path))
    except InferenceError as exc:
        return CheckpointEntry(**base, format="onnx", status="not_loadable", reason=str(exc))


def list_checkpoints(root: Path) -> list[CheckpointEntry]:
    """Built-ins first, then every checkpoint under the root (symlinks leaving the root skipped)."""
    entries = []
    for virtual, (name, locate) in BUILTINS.items():
        if (path := locate()) is not None:
            entries.append(_entry(path, virtual, name))
    if not root.is_dir():
        return entries
    real_root = root.resolve()
    found = []
    for path in sorted(root.rglob("*")):
        if len(found) >= MAX_ENTRIES:
            break
        if path.suffix.lower() not in (".onnx", *TRAINING_SUFFIXES) or not path.is_file():
            continue
        if not path.resolve().is_relative_to(real_root):
            continue
        rel = path.relative_to(root).as_posix()
        found.append(_entry(path, rel, rel))
    return entries + found


def confine(root: Path, user_path: str, what: str, root_name: str) -> Path:
    """``user_path`` (relative to ``root``, or absolute) resolved, refused unless it stays inside."""
    if not user_path or "\x00" in user_path:
        raise CheckpointNotFound(f"The {what} path is empty or malformed.")
    try:
        resolved = artifacts.confine(user_path, root)
    except artifacts.UnusablePath as exc:
        raise InferenceError(f"The {what} path is not usable: {exc}") from None
    except artifacts.PathOutsideRoot:
        raise artifacts.PathOutsideRoot(
            f"The {what} path '{user_path}' resolves outside the {root_name}."
        ) from None
    if not resolved.is_file():
        raise CheckpointNotFound(f"The {what} '{user_path}' does not exist under the {root_name}.")
    return resolved


def _builtin(checkpoint_path: str) -> Path:
    found = BUILTINS.get(checkpoint_path)
    path = found[1]() if found else None
    if path is None:
        known = ", ".join(BUILTINS)
        hint = " (install the demo extra: uv sync --extra demo)" if found else f" (known: {known})"
        raise CheckpointNotFound(f"The built-in checkpoint '{checkpoint_path}' is not available{hint}.")
    return path


def _onnx_only(path: Path, shown: str) -> Path:
    suffix = path.suffix.lower()
    if suffix in TRAINING_SUFFIXES:
        raise CheckpointNotLoadable(
            f"The checkpoint '{shown}' is a training checkpoint ({suffix}), "
            f"which is never unpickled; {EXPORT_HINT}."
        )
    if suffix != ".onnx":
        raise CheckpointNotLoadable(f"The checkpoint '{shown}' is not an .onnx model; {EXPORT_HINT}.")
    return path


def resolve_checkpoint(root: Path, checkpoint_path: str) -> Path:
    """The ONNX file a ``checkpoint_path`` names under ``root``; refuses anything needing unpickling."""
    if checkpoint_path.startswith(BUILTIN_PREFIX):
        return _builtin(checkpoint_path)
    return _onnx_only(confine(root, checkpoint_path, "checkpoint", "checkpoints root"), checkpoint_path)


def resolve_local_checkpoint(checkpoint: str) -> Path:
    """The command line's rule: a built-in, or any local .onnx file (the user owns the machine)."""
    if checkpoint.startswith(BUILTIN_PREFIX):
        return _builtin(checkpoint)
    path = _onnx_only(Path(checkpoint), checkpoint)
    if not path.is_file():
        raise CheckpointNotFound(f"The checkpoint '{checkpoint}' does not exist.")
    return path
