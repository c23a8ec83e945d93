"""``ocr-playground detect`` and ``ocr-playground evaluate``: argparse setup and the commands.

``ocr_playground.cli`` wires the ``*_arguments`` + handler pairs into its ``COMMANDS`` table. Bad
input prints one line on stderr and exits with status 2, whichever ``main`` runs the handler.
"""

import argparse
import json
import statistics
import time
from pathlib import Path

from pydantic import ValidationError
from tqdm import tqdm

from ocr_playground.artifacts import NotARegularFile, check_target
from ocr_playground.cli_support import quiet_native_stderr, read_json_option, write_output
from ocr_playground.imaging.errors import ImagingError, first_problem
from ocr_playground.imaging.formats import IMAGE_SUFFIXES
from ocr_playground.inference.annotations import read_annotations, receipt_json
from ocr_playground.inference.catalog import DEMO_CHECKPOINT, resolve_local_checkpoint
from ocr_playground.inference.engine import default_cache
from ocr_playground.inference.errors import InferenceError
from ocr_playground.inference.evaluation import evaluate
from ocr_playground.inference.service import InferenceParams, check_ops, detect_array


class CommandError(InferenceError):
    """Bad command-line input that is not about a model or an annotation file."""


def _load_params(text: str | None) -> InferenceParams:
    if text is None:
        return InferenceParams()
    try:
        params = InferenceParams.model_validate(read_json_option(text, "--params"))
    except ValidationError as exc:
        where, message = first_problem(exc)
        raise CommandError(f"--params: invalid field '{where}': {message}") from None
    check_ops(params.ops())  # before the first image: a typo should not wait for a model load
    return params


def collect_images(inputs: list[Path]) -> dict[str, Path]:
    """Image name (as written to the JSON) -> file. Folders are searched recursively."""
    found: dict[str, Path] = {}
    for item in inputs:
        if item.is_dir():
            files = sorted(p for p in item.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file())
            pairs = [(p.relative_to(item).as_posix(), p) for p in files]
        elif item.is_file():
            pairs = [(item.name, item)]
        else:
            raise CommandError(f"'{item}' is neither an image file nor a folder")
        for name, path in pairs:
            # Two inputs can hold the same relative name: the later one is named by its full path.
            found[name if name not in found else path.as_posix()] = path
    if not found:
        raise CommandError("no images found (looked for " + ", ".join(IMAGE_SUFFIXES) + ")")
    return found


# --- detect ------------------------------------------------------------------------------------


def add_detect_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("inputs", nargs="+", type=Path, metavar="IMAGE_OR_DIR", help="images or folders")
    parser.add_argument(
        "--checkpoint",
        required=True,
        help=f"an .onnx detector (DBNet family), or {DEMO_CHECKPOINT} with the demo extra",
    )
    parser.add_argument(
        "--params",
        metavar="JSON|@FILE",
        help="preprocessing ops and thresholds, as in the preview API, e.g. "
        '\'{"grayscale": true, "detection": {"boxThresh": 0.5}}\'',
    )
    parser.add_argument("-o", "--output", type=Path, required=True, help="predictions JSON to write")


def detect(args: argparse.Namespace) -> None:
    from ocr_playground.imaging.io import read_image

    params = _load_params(args.params)
    try:  # before the first image: a bad output should not wait for the whole run
        check_target(args.output)
    except NotARegularFile as exc:
        raise CommandError(f"output {exc}") from None
    images = collect_images(args.inputs)
    detector = default_cache().get(resolve_local_checkpoint(args.checkpoint))
    predictions: dict[str, list] = {}
    latencies = []
    for name, path in tqdm(images.items(), unit="image", desc="detect", disable=None):
        try:
            with quiet_native_stderr():
                image = read_image(path)
        except ImagingError as exc:
            raise CommandError(f"{path}: {exc}") from None
        started = time.perf_counter()
        result = detect_array(image, detector, params)
        latencies.append((time.perf_counter() - started) * 1e3)
        predictions[name] = [(d.points, d.score) for d in result.detections]
    data = json.dumps(receipt_json(predictions), indent=1).encode()
    write_output(args.output, data)
    words = sum(len(v) for v in predictions.values())
    print(
        f"{len(predictions)} images, {words} words -> {args.output} "
        f"(median {statistics.median(latencies):.0f} ms per image)"
    )


# --- evaluate ----------------------------------------------------------------------------------


def add_evaluate_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--gt",
        type=Path,
        required=True,
        help="ground truth: receipt JSON, an ICDAR 2015 .txt, or a folder of them",
    )
    parser.add_argument("--pred", type=Path, required=True, help="predictions, in either format")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")


def evaluate_command(args: argparse.Namespace) -> None:
    result = evaluate(read_annotations(args.gt), read_annotations(args.pred))
    if args.json:
        print(result.model_dump_json(indent=2))
        return
    print(f"{result.images} images")
    print(f"{'protocol':<15} {'precision':>9} {'recall':>7} {'hmean':>7} {'gt':>6} {'det':>6}")
    for p in result.protocols:
        print(
            f"{p.protocol:<15} {p.precision:9.4f} {p.recall:7.4f} {p.hmean:7.4f} "
            f"{p.gt_care:6d} {p.det_care:6d}"
        )


# --- wiring ------------------------------------------------------------------------------------

detect_handler = detect
evaluate_handler = evaluate_command
