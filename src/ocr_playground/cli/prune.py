"""``ocr-playground prune``: its options and its output (the work is ``ocr_playground.prune``)."""

import argparse
from pathlib import Path

from ocr_playground.prune import parse_age, prune


def add_prune_arguments(parser: argparse.ArgumentParser) -> None:
    from ocr_playground.settings import Settings

    parser.add_argument(
        "--outputs-root",
        type=Path,
        default=Settings().outputs_root,
        help="the server's outputs folder, holding jobs.sqlite3 (default: OCRP_OUTPUTS_ROOT or outputs)",
    )
    parser.add_argument(
        "--older-than",
        default="7d",
        metavar="AGE",
        help="prune what finished before this long ago: 30m, 12h, 7d ... (default: 7d)",
    )
    parser.add_argument("--dry-run", action="store_true", help="only say what would be removed")
    parser.add_argument("-v", "--verbose", action="store_true", help="list the jobs and files")


def prune_handler(args: argparse.Namespace) -> None:
    report = prune(args.outputs_root, parse_age(args.older_than), dry_run=args.dry_run)
    if args.verbose:
        for job_id in report.jobs:
            print(f"job  {job_id}")
        for path in report.files:
            print(f"file {path}")
    print(report.summary(args.dry_run))
