"""``ocr-playground batch`` (a run in the foreground, with a progress bar) and ``ocr-playground runs
list|show|items|cancel`` (the Lab's ``compare|sweep|import`` are in ``cli/lab.py``). Both use the store
under the outputs root (``OCRP_OUTPUTS_ROOT``), the same one a server uses, so the server's Runs
page lists runs made here and the other way round."""

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from tqdm import tqdm

from ocr_playground.cli import lab as lab_cli
from ocr_playground.cli.inference import print_protocols, print_text_metrics
from ocr_playground.cli.support import positive, read_json_option, write_output
from ocr_playground.errors import UsageError
from ocr_playground.inference.catalog import BUILTIN_PREFIX, DEMO_RECOGNIZER
from ocr_playground.inference.evaluation import PROTOCOLS
from ocr_playground.inference.text_metrics import TextMetrics
from ocr_playground.runs.errors import RunError
from ocr_playground.runs.model import ENGINES, RUN_PIPELINES, Run, RunSpec, RunStatus
from ocr_playground.runs.report import items_csv
from ocr_playground.runs.store import ITEM_FILTERS, SORT_KEYS
from ocr_playground.settings import Settings


def _service(origin: str = "cli") -> Any:
    from ocr_playground.runs.service import RunService

    return RunService(Settings(), origin=origin)


# --- batch -------------------------------------------------------------------------------------


def add_batch_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "dataset",
        nargs="?",
        help="a folder of images (searched recursively), as a path or relative to OCRP_DATA_ROOT",
    )
    parser.add_argument("--pipeline", default="inference", choices=RUN_PIPELINES, help="default: inference")
    parser.add_argument(
        "--params",
        metavar="JSON|@FILE",
        help="ops and thresholds as in the Studios, e.g. "
        '\'{"grayscale": true, "detection": {"boxThresh": 0.5}}\'',
    )
    parser.add_argument("--checkpoint", help="an .onnx detector, or builtin:ppocrv4-det with the demo extra")
    parser.add_argument(
        "--recognizer",
        metavar="REC",
        help=f"also read each detection's text: {DEMO_RECOGNIZER} (demo extra) or a CTC .onnx model; "
        "with --gt that has text, each image gets CER, word F1 and end-to-end scores",
    )
    parser.add_argument(
        "--gt", help="ground truth: receipt JSON, word-list JSON, or an ICDAR 2015 / SROIE file or folder"
    )
    parser.add_argument("--engine", default="local", choices=ENGINES, help="default: local")
    parser.add_argument("--workers", type=int, help="worker processes (local) or actors (ray)")
    parser.add_argument("--name", help="a name to find the run by")
    parser.add_argument("--save-images", action="store_true", help="also write each item's image")
    parser.add_argument(
        "--no-reuse", action="store_true", help="compute every image, even one an earlier run computed"
    )
    parser.add_argument("--resume", metavar="RUN_ID", help="finish an interrupted, failed or cancelled run")


def _model(path: str | None) -> str | None:
    """A model named on the command line as an absolute path (a built-in as named). The name is
    part of the items' cache keys, so a relative one would make the same name in another folder,
    or under the server's checkpoints root, pass for this file."""
    if not path or path.startswith(BUILTIN_PREFIX):
        return path
    return os.path.abspath(path)


def _spec(args: argparse.Namespace) -> RunSpec:
    if args.dataset is None:
        raise UsageError("give a DATASET folder, or --resume RUN_ID")
    params = {} if args.params is None else read_json_option(args.params, "--params")
    if not isinstance(params, dict):
        raise UsageError("--params must be a JSON object")
    if args.workers is not None and not 1 <= args.workers <= 64:
        raise UsageError("--workers must be between 1 and 64")
    return RunSpec(
        dataset=args.dataset,
        pipeline_id=args.pipeline,
        params=params,
        checkpoint_path=_model(args.checkpoint),
        recognizer_path=_model(args.recognizer),
        gt=args.gt,
        engine=args.engine,
        save_images=args.save_images,
        reuse=not args.no_reuse,
        name=args.name,
        workers=args.workers,
    )


def _print_metrics(summary: dict[str, Any]) -> None:
    if summary["metrics"]:
        rows = [
            (p, m["precision"], m["recall"], m["hmean"], m["gt"], m["det"])
            for p, m in summary["metrics"].items()
        ]
        print_protocols(rows)
    if summary.get("text_metrics"):
        print_text_metrics(TextMetrics.model_validate(summary["text_metrics"]))


def _print_summary(summary: dict[str, Any]) -> None:
    print(
        f"{summary['run_id']}: {summary['status']}, {summary['done']}/{summary['total']} images, "
        f"{summary['failed']} failed" + (f" ({summary['error']})" if summary["error"] else "")
    )
    _print_metrics(summary)
    for key, path in summary["files"].items():
        print(f"{key + ':':<13}{path}")


def batch(args: argparse.Namespace) -> None:
    service = _service()
    if args.resume:
        run = service.get(args.resume)
        if run.status is RunStatus.completed:
            raise UsageError(f"run '{run.run_id}' is already completed; there is nothing to resume")
        service.store.reopen(run.run_id)
    else:
        run = service.create(_spec(args))
    _foreground(service, run)


def _foreground(service: Any, run: Run) -> None:
    """Run (or resume) ``run`` here with a progress bar, then print its summary."""
    print(f"{run.run_id}: {run.total} images, engine {run.spec.engine}", file=sys.stderr)
    bar = tqdm(total=run.total, initial=run.done, unit="image", desc=run.run_id, disable=None)

    def on_item(current: Run, _item: dict[str, Any]) -> None:
        bar.update(1)
        if current.failed:
            bar.set_postfix(failed=current.failed, refresh=False)

    try:
        finished = service.execute(run.run_id, on_item)
    except KeyboardInterrupt:
        bar.close()
        print(f"interrupted; finish it with: ocr-playground batch --resume {run.run_id}", file=sys.stderr)
        raise
    finally:
        if run.spec.engine == "ray":
            from ocr_playground.runs.ray_engine import shutdown_ray

            shutdown_ray()
    bar.close()
    summary = service.summary(finished)
    _print_summary(summary)
    if finished.status is RunStatus.failed:
        raise RunError(f"run '{finished.run_id}' failed: {finished.error}")


# --- runs list | show | items | cancel ----------------------------------------------------------


def add_runs_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    listing = sub.add_parser("list", help="the newest runs first")
    listing.add_argument("--limit", type=positive, default=20)
    show = sub.add_parser("show", help="one run: state, metrics and files")
    show.add_argument("run_id")
    show.add_argument("--json", action="store_true", help="print the run as the API gives it")
    items = sub.add_parser("items", help="a run's items, sorted and filtered")
    items.add_argument("run_id")
    items.add_argument("--sort", default="name", choices=SORT_KEYS)
    items.add_argument("--order", default="asc", choices=["asc", "desc"])
    items.add_argument("--status", choices=["completed", "failed"])
    items.add_argument("--protocol", default="icdar2015-iou", choices=list(PROTOCOLS))
    items.add_argument("--limit", type=positive, default=50)
    items.add_argument("--json", action="store_true", help="print the items as JSON")
    items.add_argument(
        "--filter",
        choices=list(ITEM_FILTERS),
        help="only failed items, misses, false detections, or lines read wrong (misread)",
    )
    items.add_argument("--csv", type=Path, metavar="FILE", help="write every matching item as CSV")
    cancel = sub.add_parser("cancel", help="cancel a queued or running run (finished items are kept)")
    cancel.add_argument("run_id")
    lab_cli.add_lab_actions(sub)


def runs(args: argparse.Namespace) -> None:
    service = _service()
    if args.action == "list":
        for run in service.store.recent(args.limit):
            hmean = ""
            metrics = service.metrics(run)
            if metrics:
                hmean = f"  hmean {metrics['icdar2015-iou']['hmean']:.4f}"
            name = f"  {run.name}" if run.name else ""
            counts = f"{run.done:>6}/{run.total:<6}"
            print(f"{run.run_id}  {run.status.value:<9} {counts} {run.spec.engine:<5}{hmean}{name}")
    elif args.action == "show":
        summary = service.summary(service.get(args.run_id))
        print(json.dumps(summary, indent=2)) if args.json else _print_summary(summary)
    elif args.action == "items":
        service.get(args.run_id)
        query = {"sort": args.sort, "order": args.order, "status": args.status, "protocol": args.protocol,
                 "filter_": args.filter}  # fmt: skip
        if args.csv:
            everything, _ = service.store.items(args.run_id, limit=-1, **query)
            write_output(args.csv, items_csv(everything).encode())
        page, total = service.store.items(args.run_id, limit=args.limit, **query)
        if args.json:
            print(json.dumps({"items": page, "total": total}, indent=2))
            return
        for item in page:
            m = (item["metrics"] or {}).get(args.protocol)
            scores = f"P {m['precision']:.3f} R {m['recall']:.3f} H {m['hmean']:.3f}" if m else ""
            if item["text_metrics"]:
                scores += text_scores(item["text_metrics"])
            note = item["error"] or scores
            print(f"{item['name']:<40} {item['status']:<9} {item['detections'] or 0:>4} det  {note}")
        print(f"({len(page)} of {total})")
    elif args.action == "compare":
        lab_cli.compare(service, args)
    elif args.action == "sweep":
        lab_cli.sweep(service, args)
    elif args.action == "import":
        _foreground(service, service.create(lab_cli.import_run(service, args)))
    else:
        run = service.cancel(args.run_id)
        print(f"{run.run_id}: {run.status.value} ({run.done}/{run.total} images finished)")


def text_scores(text: dict[str, Any]) -> str:
    cer = "n/a" if text["cer"] is None else f"{text['cer']:.3f}"
    return f"  CER {cer} word F1 {text['words']['f1']:.3f}"


batch_handler = batch
runs_handler = runs
