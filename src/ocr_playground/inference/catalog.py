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
from ocr_playground.datasets import is_utf8
from ocr_playground.inference.errors import (
    CheckpointNotFound,
    CheckpointNotLoadable,
    InferenceError,
)
from ocr_playground.inference.profiles import ModelProfile, load_profile

BUILTIN_PREFIX = "builtin:"
DEMO_CHECKPOINT = "builtin:ppocrv4-det"
DEMO_RECOGNIZER = "builtin:ppocrv4-rec"
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


def _bundled(file_name: str) -> Callable[[], Path | None]:
    """A locator for one of the models inside the demo extra's rapidocr_onnxruntime wheel."""

    def locate() -> Path | None:
        spec = importlib.util.find_spec("rapidocr_onnxruntime")
        if spec is None or not spec.submodule_search_locations:
            return None
        path = Path(next(iter(spec.submodule_search_locations))) / "models" / file_name
        return path if path.is_file() else None

    return locate


BuiltinTable = dict[str, tuple[str, Callable[[], Path | None]]]  # name -> (display name, locator)

BUILTINS: BuiltinTable = {
    DEMO_CHECKPOINT: (
        "PP-OCRv4 detection (demo, rapidocr_onnxruntime)",
        _bundled("ch_PP-OCRv4_det_infer.onnx"),
    ),
}
# Recognizers and angle classifiers are looked up in their own tables: a recognizer's name given as
# a checkpoint (or the reverse) is refused by name, not run as the wrong kind of model.
BUILTIN_RECOGNIZERS: BuiltinTable = {
    DEMO_RECOGNIZER: (
        "PP-OCRv4 recognition (demo, rapidocr_onnxruntime)",
        _bundled("ch_PP-OCRv4_rec_infer.onnx"),
    ),
}
BUILTIN_CLASSIFIERS: BuiltinTable = {
    "builtin:ppocr-cls": ("PP-OCR angle classifier (demo)", _bundled("ch_ppocr_mobile_v2.0_cls_infer.onnx")),
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
    """Built-ins first, then every checkpoint under the root (symlinks leaving the root and names
    that are not valid UTF-8 skipped, as the image listing skips them)."""
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
        if not is_utf8(rel):  # no request could name it, and the answer could not carry it
            continue
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


def _builtin(name: str, table: BuiltinTable) -> Path:
    found = table.get(name)
    path = found[1]() if found else None
    if path is None:
        known = ", ".join(table)
        hint = " (install the demo extra: uv sync --extra demo)" if found else f" (known: {known})"
        raise CheckpointNotFound(f"The built-in model '{name}' is not available{hint}.")
    return path


def _onnx_only(path: Path, shown: str, what: str) -> Path:
    suffix = path.suffix.lower()
    if suffix in TRAINING_SUFFIXES:
        raise CheckpointNotLoadable(
            f"The {what} '{shown}' is a training checkpoint ({suffix}), "
            f"which is never unpickled; {EXPORT_HINT}."
        )
    if suffix != ".onnx":
        raise CheckpointNotLoadable(f"The {what} '{shown}' is not an .onnx model; {EXPORT_HINT}.")
    return path


def _resolve(root: Path, user_path: str, table: BuiltinTable, what: str) -> Path:
    if user_path.startswith(BUILTIN_PREFIX):
        return _builtin(user_path, table)
    return _onnx_only(confine(root, user_path, what, "checkpoints root"), user_path, what)


def _resolve_local(user_path: str, table: BuiltinTable, what: str) -> Path:
    if user_path.startswith(BUILTIN_PREFIX):
        return _builtin(user_path, table)
    path = _onnx_only(Path(user_path), user_path, what)
    if not path.is_file():
        raise CheckpointNotFound(f"The {what} '{user_path}' does not exist.")
    return path


def resolve_checkpoint(root: Path, checkpoint_path: str) -> Path:
    """The ONNX file a ``checkpoint_path`` names under ``root``; refuses anything needing unpickling."""
    return _resolve(root, checkpoint_path, BUILTINS, "checkpoint")


def resolve_local_checkpoint(checkpoint: str) -> Path:
    """The command line's rule: a built-in, or any local .onnx file (the user owns the machine)."""
    return _resolve_local(checkpoint, BUILTINS, "checkpoint")


def resolve_recognizer(root: Path, recognizer_path: str) -> Path:
    """The ONNX recognizer a ``recognizer_path`` names: a built-in, or a file under ``root``."""
    return _resolve(root, recognizer_path, BUILTIN_RECOGNIZERS, "recognizer")


def resolve_local_recognizer(recognizer: str) -> Path:
    """The command line's rule for ``--recognizer``: a built-in, or any local .onnx file."""
    return _resolve_local(recognizer, BUILTIN_RECOGNIZERS, "recognizer")


def resolve_classifier(model_path: Path, classifier: str) -> Path:
    """A recognizer profile's ``classifier``: a built-in name, or an .onnx path beside the model."""
    if classifier.startswith(BUILTIN_PREFIX):
        return _builtin(classifier, BUILTIN_CLASSIFIERS)
    path = _onnx_only(model_path.parent / classifier, classifier, "angle classifier")
    if not path.is_file():
        raise CheckpointNotFound(
            f"The angle classifier '{classifier}' beside {model_path.name} does not exist."
        )
    return path


class RecognizerEntry(BaseModel):
    recognizer_path: str = Field(description="What to send as recognizer_path.")
    display_name: str
    size_bytes: int
    modified: datetime


def list_recognizers(root: Path) -> list[RecognizerEntry]:
    """Built-in recognizers, then the .onnx files under the root whose name says ``rec`` (PaddleOCR
    names them ``*_rec_infer.onnx``); any other file can still be sent as a recognizer_path."""
    entries = []
    for virtual, (name, locate) in BUILTIN_RECOGNIZERS.items():
        if (path := locate()) is not None:
            entries.append(_recognizer_entry(path, virtual, name))
    if root.is_dir():
        real_root = root.resolve()
        for path in sorted(root.rglob("*.onnx"))[:MAX_ENTRIES]:
            rel = path.relative_to(root).as_posix()
            usable = is_utf8(rel) and path.is_file() and path.resolve().is_relative_to(real_root)
            if "rec" in path.name.lower() and usable:  # unusable names are skipped as for checkpoints
                entries.append(_recognizer_entry(path, rel, rel))
    return entries


def _recognizer_entry(path: Path, recognizer_path: str, display_name: str) -> RecognizerEntry:
    st = path.stat()
    return RecognizerEntry(
        recognizer_path=recognizer_path,
        display_name=display_name,
        size_bytes=st.st_size,
        modified=datetime.fromtimestamp(st.st_mtime, UTC),
    )
