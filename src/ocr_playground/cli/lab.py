"""``ocr-playground runs compare|sweep|import``: the Evaluation Lab on the command line, on the
same store as the server (``OCRP_OUTPUTS_ROOT``)."""

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from tqdm import tqdm

from ocr_playground.cli.support import positive, read_json_option, write_output
from ocr_playground.errors import UsageError
from ocr_playground.imaging.errors import first_problem
from ocr_playground.inference.evaluation import PROTOCOLS
from ocr_playground.inference.profiles import ThresholdDefaults
from ocr_playground.runs.compare import RESAMPLES, compare_runs
from ocr_playground.runs.errors import RunError
from ocr_playground.runs.measures import METRICS
from ocr_playground.runs.model import RunSpec
from ocr_playground.runs.report import comparison_csv, comparison_html
from ocr_playground.runs.sweep import Grid
from ocr_playground.runs.sweeps import SweepService, view

PROTOCOL_CHOICES = list(PROTOCOLS)


def add_lab_actions(sub: Any) -> None:
    compare = sub.add_parser("compare", help="is run B better than run A? (paired bootstrap over images)")
    compare.add_argument("a", help="run A, the baseline")
    compare.add_argument("b", help="run B, the change")
    compare.add_argument("--protocol", default="icdar2015-iou", choices=PROTOCOL_CHOICES)
    compare.add_argument(
        "--metric",
        default="hmean",
        choices=list(METRICS),
        help="what decides the verdict and the images fixed and broke: hmean (detection, default), "
        "or word_f1, cer, e2e_hmean ... for runs that read text (--recognizer)",
    )
    compare.add_argument("--resamples", type=int, default=RESAMPLES, help=f"default: {RESAMPLES}")
    compare.add_argument("--json", action="store_true", help="print the comparison as the API gives it")
    compare.add_argument("--html", type=Path, metavar="FILE", help="also write a self-contained HTML report")
    compare.add_argument("--csv", type=Path, metavar="FILE", help="also write the per-image scores as CSV")
    compare.add_argument("--list", type=positive, default=10, metavar="N", help="fixed/broke images to print")

    sweep = sub.add_parser(
        "sweep", help="score a grid of thresholds on a finished run (model once per image)"
    )
    sweep.add_argument("run_id")
    sweep.add_argument(
        "--grid",
        metavar="JSON|@FILE",
        help='values to try, e.g. \'{"thresh": [0.2, 0.3], "boxThresh": [0.5, 0.6, 0.7], '
        '"unclipRatio": [1.5]}\' '
        "(default: 3 × 5 × 4 = 60 points)",
    )
    sweep.add_argument("--protocol", default="icdar2015-iou", choices=PROTOCOL_CHOICES, help="for the table")
    sweep.add_argument("--json", action="store_true", help="print the sweep as the API gives it")
    sweep.add_argument(
        "--save-defaults",
        action="store_true",
        help="write the best point under --protocol into the model's .json sidecar",
    )

    imported = sub.add_parser("import", help="a run from a predictions file (no model runs)")
    imported.add_argument("dataset", help="the images the predictions are about (a folder)")
    imported.add_argument(
        "predictions", help="competition JSON, or a CSV filename,polygons ('x1 y1 x2 y2 ...|...')"
    )
    imported.add_argument("--gt", help="ground truth to score against")
    imported.add_argument("--name", help="a name to find the run by")


def _pct(x: float | None) -> str:
    return "     —" if x is None else f"{100 * x:6.2f}"


def _signed(x: float | None) -> str:
    return "—" if x is None else f"{100 * x:+.2f}"


def compare(service: Any, args: argparse.Namespace) -> None:
    result = compare_runs(
        service.store,
        service.get(args.a),
        service.get(args.b),
        args.protocol,
        args.resamples,
        metric=args.metric,
    )
    if args.html:
        write_output(args.html, comparison_html(service.store, result).encode())
    if args.csv:
        write_output(args.csv, comparison_csv(result).encode())
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(
        f"A {args.a}  B {args.b}  ({result['metric']}, {result['protocol']}, {result['images']} images, "
        f"{result['resamples']} resamples)"
    )
    if result["shared"]["note"]:
        print(result["shared"]["note"])
    print(f"{'':<15} {'A':>7} {'B':>7} {'B - A':>8}  95 % interval")
    for m in result["delta"]:
        lo, hi = result["ci95"][m]
        print(f"{m:<15} {_pct(result['a'][m])} {_pct(result['b'][m])} {_signed(result['delta'][m]):>8}  "
              f"[{_signed(lo)}, {_signed(hi)}]")  # fmt: skip
    print(result["verdict"])
    scores = {p["name"]: p for p in result["per_image"]}
    for label in ("fixed", "broke"):
        names = result[label]
        print(f"{label}: {len(names)} images")
        for name in names[: max(0, args.list)]:
            print(f"  {name:<40} {_pct(scores[name]['a'])} -> {_pct(scores[name]['b'])}")


def sweep(service: Any, args: argparse.Namespace) -> None:
    sweeps = SweepService(service)
    grid = None
    if args.grid is not None:
        try:
            grid = Grid.model_validate(read_json_option(args.grid, "--grid"))
        except ValidationError as exc:
            where, message = first_problem(exc, "grid")
            raise UsageError(f"--grid: field '{where}': {message}") from None
    created = sweeps.create(args.run_id, grid)
    points = len(Grid.model_validate(created["grid"]).points())
    print(f"{created['sweep_id']}: {points} points over {created['total']} images", file=sys.stderr)
    bar = tqdm(total=created["total"], unit="image", desc=created["sweep_id"], disable=None)
    finished = sweeps.execute(created["sweep_id"], lambda s: bar.update(1))
    bar.close()
    result = view(finished, args.protocol)
    if finished["status"] != "completed":
        raise RunError(f"sweep '{finished['sweep_id']}' failed: {finished['error']}")
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"{'thresh':>6} {'boxThr':>6} {'unclip':>6}  {'P':>6} {'R':>6} {'H':>6}   ({args.protocol})")
        for p in result["points"]:
            print(f"{p['thresh']:6.2f} {p['boxThresh']:6.2f} {p['unclipRatio']:6.2f}  "
                  f"{_pct(p['precision'])} {_pct(p['recall'])} {_pct(p['hmean'])}")  # fmt: skip
        for protocol, best in result["best"].items():
            print(f"best ({protocol}): thresh {best['thresh']}, boxThresh {best['boxThresh']}, "
                  f"unclipRatio {best['unclipRatio']}: H-mean {_pct(best['hmean']).strip()}")  # fmt: skip
        print(f"model calls: {finished['model_calls']} for {finished['total']} images and {points} points")
    if args.save_defaults:
        best = result["best"][args.protocol]
        values = ThresholdDefaults(
            thresh=best["thresh"], box_thresh=best["boxThresh"], unclip_ratio=best["unclipRatio"]
        )
        saved = sweeps.save_defaults(args.run_id, values)
        print(f"saved {json.dumps(saved['detection'])} into {saved['sidecar']}", file=sys.stderr)


def import_run(service: Any, args: argparse.Namespace) -> RunSpec:
    return RunSpec(dataset=args.dataset, predictions=args.predictions, gt=args.gt, name=args.name)
