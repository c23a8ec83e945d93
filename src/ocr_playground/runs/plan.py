"""A spec checked and turned into work before anything runs: the dataset's images in order, each
with its ground truth, and the model files (the detector, and the recognizer of a run that reads
text). Every refusal is one sentence (a 4xx, or exit 2)."""

import importlib.util
import json
from dataclasses import dataclass
from pathlib import Path

import rfc8785

from ocr_playground import artifacts
from ocr_playground.cachekey import cache_key_from_digest
from ocr_playground.datasets import walk_images
from ocr_playground.imaging.formats import IMAGE_SUFFIXES
from ocr_playground.imaging.pipeline import validate
from ocr_playground.inference import catalog
from ocr_playground.inference.annotations import read_annotations
from ocr_playground.inference.engine import default_cache
from ocr_playground.inference.errors import InferenceError
from ocr_playground.inference.evaluation import Word
from ocr_playground.inference.names import found_key, image_key
from ocr_playground.inference.recognition import default_recognizers
from ocr_playground.runs.errors import RunError
from ocr_playground.runs.model import RunSpec
from ocr_playground.runs.store import Input

MAX_IMAGES = 200_000  # one run's image list lives in the store and in memory while it is planned


@dataclass(frozen=True)
class Roots:
    """Where names are looked up. The server confines every path to its root; the command line
    takes local paths as they are (the user owns the machine) and falls back to the data root."""

    data_root: Path
    checkpoints_root: Path
    confined: bool = True


@dataclass(frozen=True)
class Plan:
    inputs: list[Input]
    model_path: Path | None
    recognizer_path: Path | None
    scored: int  # images the ground truth covers


def ray_available() -> bool:
    return importlib.util.find_spec("ray") is not None and importlib.util.find_spec("ray.data") is not None


def _path(user_path: str, roots: Roots, what: str) -> Path:
    if "\x00" in user_path or not user_path:
        raise RunError(f"The {what} path is empty or malformed.")
    try:
        if not roots.confined:
            local = Path(user_path)
            path = local if local.exists() or local.is_absolute() else roots.data_root / local
        else:
            path = artifacts.confine(user_path, roots.data_root)
        path.exists()  # a name too long for the file system fails here, not later
    except artifacts.PathOutsideRoot:
        raise artifacts.PathOutsideRoot(f"The {what} '{user_path}' resolves outside the data root.") from None
    except (ValueError, OSError, RuntimeError) as exc:
        raise RunError(f"The {what} '{user_path}' is not a usable path ({exc}).") from None
    return path


def _images(spec: RunSpec, roots: Roots) -> list[tuple[str, Path]]:
    """(name, file) per image: names are relative to the folder, or to the data root for a list."""
    if isinstance(spec.dataset, str):
        folder = _path(spec.dataset, roots, "dataset")
        if not folder.is_dir():
            raise RunError(
                f"The dataset '{spec.dataset}' is not a folder (give a folder or a list of images)."
            )
        found = []
        for path in walk_images(folder):
            if len(found) == MAX_IMAGES:
                raise RunError(f"The dataset '{spec.dataset}' holds more than {MAX_IMAGES} images; split it.")
            found.append((path.relative_to(folder).as_posix(), path.resolve()))
        if not found:
            suffixes = ", ".join(IMAGE_SUFFIXES)
            raise RunError(f"The dataset '{spec.dataset}' holds no images (looked for {suffixes}).")
        return found
    if not spec.dataset:
        raise RunError("The dataset list is empty; name at least one image.")
    if len(spec.dataset) > MAX_IMAGES:
        raise RunError(f"The dataset lists more than {MAX_IMAGES} images; split it.")
    found, seen = [], set()
    base = roots.data_root.resolve()
    for user_path in spec.dataset:
        path = _path(user_path, roots, "image")
        if path.suffix.lower() not in IMAGE_SUFFIXES or not path.is_file():
            raise RunError(f"The dataset names '{user_path}', which is not an image file.")
        real = path.resolve()
        name = real.relative_to(base).as_posix() if real.is_relative_to(base) else user_path
        if name not in seen:
            seen.add(name)
            found.append((name, real))
    return found


def words_json(words: list[Word]) -> str:
    return json.dumps(
        [{"points": w.points.tolist(), "text": w.text, "dont_care": w.dont_care} for w in words],
        separators=(",", ":"),
    )


def _ground_truth(spec: RunSpec, roots: Roots, names: list[str]) -> list[str | None]:
    """Each image's ground truth as JSON (None: the ground truth does not name it)."""
    if spec.gt is None:
        return [None] * len(names)
    if spec.pipeline_id != "inference":
        raise RunError("Ground truth scores detections; it needs the 'inference' pipeline.")
    try:
        annotations = read_annotations(_path(spec.gt, roots, "ground truth"))
    except InferenceError as exc:
        raise RunError(f"The ground truth cannot be used: {exc}") from None
    by_key = {image_key(name): words for name, words in annotations.items()}
    out: list[str | None] = []
    for name in names:
        # 'sub/a.jpg' is found as 'sub/a', then as 'a' (flat ground truth for a nested dataset).
        key = found_key(by_key, name)
        out.append(None if key is None else words_json(by_key[key]))
    if all(gt is None for gt in out):
        example = next(iter(annotations), "nothing")
        raise RunError(
            f"The ground truth '{spec.gt}' names none of the {len(names)} images of the dataset "
            f"(it names e.g. '{example}'; the dataset has e.g. '{names[0]}')."
        )
    return out


def predictions_path(spec: RunSpec, roots: Roots) -> Path | None:
    """The predictions file a run imports (None for a run with a model)."""
    return None if spec.predictions is None else _path(spec.predictions, roots, "predictions")


def _check_import(spec: RunSpec) -> None:
    if spec.checkpoint_path is not None:
        raise RunError("Give a checkpoint_path or predictions, not both.")
    if spec.recognizer_path is not None:
        raise RunError("A run from predictions runs no recognizer; the text in the file, if any, is scored.")
    if spec.pipeline_id != "inference":
        raise RunError("A run from predictions scores detections; it needs the 'inference' pipeline.")
    if spec.params:
        raise RunError("A run from predictions runs no model or ops, so it takes no params.")
    if spec.engine != "local":
        raise RunError("A run from predictions is read in the server; it takes no engine.")


def _check_key(spec: RunSpec) -> None:
    try:
        cache_key_from_digest(
            spec.pipeline_id, "0" * 64, spec.params, spec.checkpoint_path, spec.recognizer_path
        )
    except rfc8785.CanonicalizationError as exc:
        raise RunError(f"The params cannot be canonicalised for the cache key: {exc}.") from None


def resolve_model(spec: RunSpec, roots: Roots) -> Path | None:
    if spec.predictions is not None:
        _check_import(spec)
        return None
    if spec.pipeline_id == "preprocessing":
        if spec.checkpoint_path is not None:
            raise RunError("The 'preprocessing' pipeline takes no checkpoint_path; use 'inference'.")
        if spec.recognizer_path is not None:
            raise RunError(
                "The 'preprocessing' pipeline detects no text to read; a recognizer_path needs 'inference'."
            )
        _check_key(spec)
        validate("preprocessing", spec.params)
        return None
    from ocr_playground.inference.jobs import parse_params

    parse_params(spec.params)
    if spec.checkpoint_path is None:
        raise RunError("The inference pipeline needs a checkpoint_path (see GET /api/inference/checkpoints).")
    _check_key(spec)
    if roots.confined:
        model = catalog.resolve_checkpoint(roots.checkpoints_root, spec.checkpoint_path)
    else:
        model = catalog.resolve_local_checkpoint(spec.checkpoint_path)
    default_cache().get(model)  # a file that is not a usable detector is refused now, not per item
    return model


def resolve_recognizer(spec: RunSpec, roots: Roots) -> Path | None:
    """The recognizer of a run that reads text (None for one that does not), loaded now so that a
    file that is not a CTC recognizer is refused before any item runs. Call after ``resolve_model``,
    which refuses a recognizer beside the wrong pipeline or predictions."""
    if spec.recognizer_path is None:
        return None
    if roots.confined:
        path = catalog.resolve_recognizer(roots.checkpoints_root, spec.recognizer_path)
    else:
        path = catalog.resolve_local_recognizer(spec.recognizer_path)
    default_recognizers().get(path)
    return path


def plan_run(spec: RunSpec, roots: Roots) -> Plan:
    """Check everything a run needs and list its work; raises RunError (or the imaging/inference
    error naming the problem) before any item runs."""
    if spec.engine == "ray" and not ray_available():
        raise RunError(
            "The 'ray' engine needs Ray Data, which is not installed; install the ray extra "
            "(uv sync --extra ray, or pip install 'ocr-playground[ray]')."
        )
    model = resolve_model(spec, roots)
    recognizer = resolve_recognizer(spec, roots)
    images = _images(spec, roots)
    gts = _ground_truth(spec, roots, [name for name, _ in images])
    imported = predictions_path(spec, roots)
    if imported is not None:
        from ocr_playground.runs.importer import check_predictions

        check_predictions(imported, str(spec.predictions), [name for name, _ in images])
    inputs = [
        Input(seq=i, name=name, path=str(path), gt=gt)
        for i, ((name, path), gt) in enumerate(zip(images, gts, strict=True))
    ]
    return Plan(
        inputs=inputs, model_path=model, recognizer_path=recognizer, scored=sum(gt is not None for gt in gts)
    )
