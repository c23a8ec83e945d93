"""The ``ocr-playground`` command. Each subcommand is a small function; bad input exits 2 with one line.

Subcommands are listed in ``COMMANDS`` as data, so a new area adds one entry rather than a branch.
"""

import argparse
import functools
import importlib
import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

from ocr_playground.cli.support import quiet_native_stderr, read_json_option, write_output
from ocr_playground.contract import contract_json
from ocr_playground.errors import Refusal
from ocr_playground.imaging.io import encode_png, read_image
from ocr_playground.imaging.pipeline import PIPELINES, run_steps, validate


def load_params(text: str | None) -> Any:
    return {} if text is None else read_json_option(text, "--params")


def print_timings(timings: dict[str, float], stream: Any = sys.stdout) -> None:
    width = max((len(name) for name in timings), default=5)
    for name, ms in timings.items():
        print(f"  {name:<{width}}  {ms:8.1f} ms", file=stream)
    print(f"  {'total':<{width}}  {sum(timings.values()):8.1f} ms", file=stream)


# --- run ---------------------------------------------------------------------------------------


def add_run_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("image", type=Path, help="input image (JPEG, PNG, WebP, TIFF or BMP)")
    parser.add_argument(
        "--pipeline",
        default="preprocessing",
        choices=sorted(PIPELINES),
        help="pipeline to run (default: preprocessing)",
    )
    parser.add_argument(
        "--params",
        metavar="JSON|@FILE",
        help='params as JSON, e.g. \'{"grayscale": true, "blur": {"kernelSize": 5}}\', or @params.json',
    )
    parser.add_argument("-o", "--output", type=Path, required=True, help="output PNG path")
    parser.add_argument("--timings", action="store_true", help="print per-op timings")
    parser.add_argument(
        "--report",
        type=Path,
        metavar="JSON",
        help="write what the ops found as JSON: "
        '{"ops": {"crop_document": {"quad": [[x, y] x4 TL, TR, BR, BL], "confidence": c}}}'
        " (quad null when no page was found)",
    )


def run(args: argparse.Namespace) -> None:
    # Validate params before decoding: a typo should not cost a 50 MP decode.
    steps = validate(args.pipeline, load_params(args.params))
    with quiet_native_stderr():
        image = read_image(args.image)
    result = run_steps(steps, image)
    write_output(args.output, encode_png(result.image))
    if args.report:
        write_output(args.report, json.dumps({"ops": result.reports}, indent=2).encode() + b"\n")
    for name, report in result.reports.items():
        if report.get("note"):
            print(f"{name}: {report['note']}", file=sys.stderr)
    if args.timings:
        print(f"{args.output}: {result.image.shape[1]}×{result.image.shape[0]}")
        print_timings(result.timings)


# --- pipelines ---------------------------------------------------------------------------------


def pipelines(_: argparse.Namespace) -> None:
    print(contract_json(), end="")


# --- demo: a generated receipt through the pipeline, no server ----------------------------------

DEMO_PARAMS = {
    "resize": {"maxSide": 1600},
    "crop_document": True,
    "grayscale": True,
    "autocontrast": {"cutoff": 1},
    "binarize": {"method": "adaptive", "blockSize": 31, "C": 12},
}


def add_demo_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--out-dir",
        type=Path,
        default=Path("outputs/demo"),
        help="where the sample and its result go (default: outputs/demo)",
    )


def demo(args: argparse.Namespace) -> None:
    from ocr_playground.imaging.io import decode_image
    from ocr_playground.imaging.synthetic import make_receipt

    receipt = make_receipt(seed=7, size=(2000, 1500))
    sample = args.out_dir / "sample-receipt.jpg"
    write_output(sample, receipt.jpeg)
    started = time.perf_counter()
    result = run_steps(validate("preprocessing", DEMO_PARAMS), decode_image(receipt.jpeg))
    out = args.out_dir / "sample-receipt.preprocessed.png"
    write_output(out, encode_png(result.image))
    print(f"sample:  {sample}\nresult:  {out}\nparams:  {json.dumps(DEMO_PARAMS)}")
    print_timings(result.timings)
    print(f"wall: {(time.perf_counter() - started) * 1000:.1f} ms (decode + ops)")


@dataclass(frozen=True)
class Command:
    """A subcommand. ``handler`` and ``arguments`` are ``"module:function"`` names, imported only
    when that subcommand runs, so ``ocr-playground run`` never pays for FastAPI, Hydra or ONNX."""

    help: str
    handler: str
    arguments: str | None = None


COMMANDS: dict[str, Command] = {
    "run": Command(
        "run a pipeline on one image and write a PNG", f"{__name__}:run", f"{__name__}:add_run_arguments"
    ),
    "pipelines": Command(
        "print the pipelines, each op's params schema and the client limits as JSON (the contract "
        "the browser's workers are built from)",
        f"{__name__}:pipelines",
    ),
    "demo": Command(
        "generate a sample receipt and preprocess it, printing per-op timings (no server)",
        f"{__name__}:demo",
        f"{__name__}:add_demo_arguments",
    ),
    "serve": Command(
        "serve the playground (SPA, API and /docs) with uvicorn",
        "ocr_playground.cli.serve:serve",
        "ocr_playground.cli.serve:add_serve_arguments",
    ),
    "detect": Command(
        "detect text with an ONNX checkpoint and write receipt-competition JSON",
        "ocr_playground.cli.inference:detect_handler",
        "ocr_playground.cli.inference:add_detect_arguments",
    ),
    "evaluate": Command(
        "score predictions against ground truth (ICDAR 2015 IoU and DetEval)",
        "ocr_playground.cli.inference:evaluate_handler",
        "ocr_playground.cli.inference:add_evaluate_arguments",
    ),
    "batch": Command(
        "run a pipeline (and detector) over a dataset, with metrics against ground truth",
        "ocr_playground.cli.runs:batch_handler",
        "ocr_playground.cli.runs:add_batch_arguments",
    ),
    "runs": Command(
        "list, show, page through, compare, sweep, import or cancel runs",
        "ocr_playground.cli.runs:runs_handler",
        "ocr_playground.cli.runs:add_runs_arguments",
    ),
    "prune": Command(
        "remove finished jobs, their files, unused uploads and telemetry older than --older-than",
        "ocr_playground.cli.prune:prune_handler",
        "ocr_playground.cli.prune:add_prune_arguments",
    ),
    "commands": Command(
        "build, show and parse training/evaluation command lines from the command-builder schemas",
        "ocr_playground.cli.commands:run",
        "ocr_playground.cli.commands:add_arguments",
    ),
}


def _load(target: str) -> Callable[..., None]:
    module, _, name = target.partition(":")
    return getattr(importlib.import_module(module), name)


def _one_line_errors(handler: Callable[[argparse.Namespace], None]) -> Callable[[argparse.Namespace], None]:
    """Bad input from any subcommand: one line on stderr and exit status 2, never a traceback."""

    @functools.wraps(handler)
    def run(args: argparse.Namespace) -> None:
        try:
            handler(args)
        except Refusal as exc:
            print(f"ocr-playground {args.command}: error: {exc}", file=sys.stderr)
            raise SystemExit(2) from None
        except RecursionError:  # JSON (params, values, ground truth) nested past Python's limit
            print(f"ocr-playground {args.command}: error: the input is nested too deeply", file=sys.stderr)
            raise SystemExit(2) from None

    return run


class OneLineParser(argparse.ArgumentParser):
    """A usage error is one line, as every other error of the command line (``--help`` still shows
    the usage); its subcommands' parsers are of this class too."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The full parser, or (``only``) one whose sole fully-built subcommand is ``only``."""
    parser = OneLineParser(
        prog="ocr-playground",
        description="Image-pipeline playground for OCR engineers: run the preprocessing pipeline, "
        "serve the playground, detect text, build training commands.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, command in COMMANDS.items():
        subparser = sub.add_parser(name, help=command.help, description=command.help)
        if only in (None, name):
            if command.arguments is not None:
                _load(command.arguments)(subparser)
            subparser.set_defaults(handler=_one_line_errors(_load(command.handler)))
    return parser


def _chosen(argv: list[str]) -> str | None:
    return next((arg for arg in argv if not arg.startswith("-")), None)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = build_parser(only=_chosen(argv) or "").parse_args(argv)
    try:
        args.handler(args)
    except SystemExit as exc:  # a one-line error (see _one_line_errors)
        return int(exc.code or 0)
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
