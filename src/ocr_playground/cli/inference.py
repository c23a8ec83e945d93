"""``ocr-playground detect`` and ``ocr-playground evaluate``: argparse setup and the commands.

``ocr_playground.cli`` wires the ``*_arguments`` + handler pairs into its ``COMMANDS`` table. Bad
input prints one line on stderr and exits with status 2, whichever ``main`` runs the handler.
"""

import argparse
import csv
import io
import json
import statistics
import time
from pathlib import Path

from pydantic import ValidationError
from tqdm import tqdm

from ocr_playground.artifacts import NotARegularFile, check_target
from ocr_playground.cli.support import quiet_native_stderr, read_json_option, write_output
from ocr_playground.datasets import walk_images
from ocr_playground.errors import UsageError
from ocr_playground.imaging.errors import ImagingError, first_problem
from ocr_playground.imaging.formats import IMAGE_SUFFIXES
from ocr_playground.inference.annotations import read_annotations, receipt_json
from ocr_playground.inference.catalog import (
    DEMO_CHECKPOINT,
    DEMO_RECOGNIZER,
    resolve_local_checkpoint,
    resolve_local_recognizer,
)
from ocr_playground.inference.engine import default_cache
from ocr_playground.inference.evaluation import evaluate, evaluate_image
from ocr_playground.inference.jobs import detections_json
from ocr_playground.inference.names import image_key, predictions_by_key
from ocr_playground.inference.recognition import default_recognizers
from ocr_playground.inference.service import InferenceParams, check_ops, detect_array
from ocr_playground.inference.text_metrics import TextMetrics, evaluate_text, has_text


def _load_params(text: str | None) -> InferenceParams:
    if text is None:
        return InferenceParams()
    try:
        params = InferenceParams.model_validate(read_json_option(text, "--params"))
    except ValidationError as exc:
        where, message = first_problem(exc)
        raise UsageError(f"--params: invalid field '{where}': {message}") from None
    check_ops(params.ops())  # before the first image: a typo should not wait for a model load
    return params


def collect_images(inputs: list[Path]) -> dict[str, Path]:
    """Image name (as written to the JSON) -> file. Folders are searched recursively."""
    found: dict[str, Path] = {}
    for item in inputs:
        if item.is_dir():
            pairs = [(p.relative_to(item).as_posix(), p) for p in walk_images(item)]
        elif item.is_file():
            pairs = [(item.name, item)]
        else:
            raise UsageError(f"'{item}' is neither an image file nor a folder")
        for name, path in pairs:
            # Two inputs can hold the same relative name: the later one is named by its full path.
            found[name if name not in found else path.as_posix()] = path
    if not found:
        raise UsageError("no images found (looked for " + ", ".join(IMAGE_SUFFIXES) + ")")
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
    parser.add_argument(
        "--recognizer",
        metavar="REC",
        help=f"also read the text of each detection with this recognizer: {DEMO_RECOGNIZER} (demo extra) "
        "or a CTC .onnx model; each word then carries 'text' and 'textScore'",
    )
    parser.add_argument("-o", "--output", type=Path, required=True, help="predictions JSON to write")


def detect(args: argparse.Namespace) -> None:
    from ocr_playground.imaging.io import read_image

    params = _load_params(args.params)
    try:  # before the first image: a bad output should not wait for the whole run
        check_target(args.output)
    except NotARegularFile as exc:
        raise UsageError(f"output {exc}") from None
    images = collect_images(args.inputs)
    detector = default_cache().get(resolve_local_checkpoint(args.checkpoint))
    recognizer = (
        None
        if args.recognizer is None
        else default_recognizers().get(resolve_local_recognizer(args.recognizer))
    )
    predictions: dict[str, list] = {}
    latencies = []
    for name, path in tqdm(images.items(), unit="image", desc="detect", disable=None):
        try:
            with quiet_native_stderr():
                image = read_image(path)
        except ImagingError as exc:
            raise UsageError(f"{path}: {exc}") from None
        started = time.perf_counter()
        result = detect_array(image, detector, params, recognizer)
        latencies.append((time.perf_counter() - started) * 1e3)
        predictions[name] = detections_json(result)
    write_output(args.output, json.dumps(receipt_json(predictions), indent=1).encode())
    words = sum(len(v) for v in predictions.values())
    read = " (with text)" if recognizer is not None else ""
    print(
        f"{len(predictions)} images, {words} words{read} -> {args.output} "
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
    parser.add_argument(
        "--per-image",
        type=Path,
        metavar="FILE",
        help="also write each image's scores (precision, recall, hmean, tp, fp, fn per protocol) "
        "to FILE: .csv or .json",
    )
    parser.add_argument(
        "--case-insensitive",
        action="store_true",
        help="compare text without regard to case (text metrics: CER, words, end to end)",
    )


def per_image_rows(gt: dict, pred: dict) -> list[dict]:
    """One row per ground-truth image: its name and, per protocol, the scores of that image alone."""
    gt_by_key = {image_key(k): (k, v) for k, v in gt.items()}
    pred_by_key = predictions_by_key(gt, pred)
    rows = []
    for key, (name, words) in gt_by_key.items():
        row: dict = {"name": name}
        for protocol, s in evaluate_image(words, pred_by_key.get(key, [])).items():
            row |= {f"{protocol}.{field}": value for field, value in s.model_dump().items()}
        rows.append(row)
    return rows


def _write_per_image(path: Path, rows: list[dict]) -> None:
    suffix = path.suffix.lower()
    if suffix == ".json":
        write_output(path, json.dumps({"images": rows}, indent=1).encode())
    elif suffix == ".csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=list(rows[0]) if rows else ["name"], lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        write_output(path, out.getvalue().encode())
    else:
        raise UsageError(f"--per-image '{path}' must end in .csv or .json")


def print_protocols(rows: list[tuple[str, float, float, float, int, int]]) -> None:
    """The metrics table: one line per protocol (precision, recall, H-mean, words, detections)."""
    print(f"{'protocol':<15} {'precision':>9} {'recall':>7} {'hmean':>7} {'gt':>6} {'det':>6}")
    for protocol, precision, recall, hmean, gt, det in rows:
        print(f"{protocol:<15} {precision:9.4f} {recall:7.4f} {hmean:7.4f} {gt:6d} {det:6d}")


def evaluate_command(args: argparse.Namespace) -> None:
    gt, pred = read_annotations(args.gt), read_annotations(args.pred)
    result = evaluate(gt, pred)
    text = evaluate_text(gt, pred, not args.case_insensitive) if has_text(gt) and has_text(pred) else None
    if args.per_image is not None:
        _write_per_image(args.per_image, per_image_rows(gt, pred))
    if args.json:
        body = result.model_dump() | {"text": None if text is None else text.model_dump()}
        print(json.dumps(body, indent=2))
        return
    print(f"{result.images} images")
    print_protocols(
        [(p.protocol, p.precision, p.recall, p.hmean, p.gt_care, p.det_care) for p in result.protocols]
    )
    if text is not None:
        print_text_metrics(text.total)


def print_text_metrics(m: TextMetrics) -> None:
    case = "case-sensitive" if m.case_sensitive else "case-insensitive"
    cer = "n/a (no line matched)" if m.cer is None else f"{m.cer:.4f}"
    w, e = m.words, m.end_to_end
    print(f"text ({case}):")
    print(f"  CER over matched lines  {cer}", end="")
    print(f"  ({m.char_edits} edits, {m.gt_chars} chars, {m.lines_matched} lines)")
    print(f"  words (bag of words)    P {w.precision:.4f}  R {w.recall:.4f}  F1 {w.f1:.4f}", end="")
    print(f"  ({w.correct} right of {w.read} read, {w.gt} expected)")
    print(f"  end to end (IC15)       P {e.precision:.4f}  R {e.recall:.4f}  H {e.hmean:.4f}", end="")
    print(f"  ({e.correct} right of {e.det} read, {e.gt} expected)")


# --- wiring ------------------------------------------------------------------------------------

detect_handler = detect
evaluate_handler = evaluate_command
