"""A threshold sweep against separate runs, in one process run, on the real scans: the default
60-point sweep of a run on ``sroie`` (the model once per image, then post-processing and scoring per
point) against one run per grid point (the model on every image each time).

    .venv/bin/python bench/sweep.py [--real ../shared/real] [--separate 6] [--checkpoint builtin:ppocrv4-det]

Target: the sweep takes ≤ 0.1 × the time of the 60 separate runs. ``--separate K`` times K of the
60 runs (spread over the grid) and gives the 60-run time as 60 × their mean (every run calls the
model on every image; the thresholds only change post-processing); ``--separate 60`` times all 60.
Model calls are counted in every worker process by the tests' counter (``tests/model_calls``), and
each separate run's metrics are checked against the sweep's point with the same thresholds.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from ocr_playground.inference.catalog import DEMO_CHECKPOINT
from ocr_playground.runs.engine import cores
from ocr_playground.runs.model import RunSpec
from ocr_playground.runs.service import RunService
from ocr_playground.runs.sweep import Grid
from ocr_playground.runs.sweeps import SweepService, view
from ocr_playground.settings import Settings

from timing import verdict

ROOT = Path(__file__).resolve().parent.parent
TARGET = 0.1
COUNTER = ROOT / "tests" / "model_calls"


def model_calls(path: Path) -> int:
    """Calls the counter saw, without the engine's 256×256 warm-up runs."""
    lines = path.read_text().splitlines() if path.exists() else []
    return sum(not line.startswith("256x256 ") for line in lines)


def run_once(service: RunService, spec: RunSpec) -> tuple[str, float, dict]:
    started = time.perf_counter()
    run = service.create(spec)
    finished = service.execute(run.run_id)
    seconds = time.perf_counter() - started
    assert finished.status.value == "completed" and finished.failed == 0, finished
    return run.run_id, seconds, service.metrics(finished) or {}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--real", type=Path, default=ROOT.parent / "shared" / "real")
    parser.add_argument("--checkpoint", default=DEMO_CHECKPOINT)
    parser.add_argument("--separate", type=int, default=6, help="separate runs to time (1-60)")
    args = parser.parse_args()
    sroie = args.real / "sroie"
    with tempfile.TemporaryDirectory() as tmp:
        calls = Path(tmp) / "calls"
        # Set before the first worker process starts: every process of the engines inherits it.
        os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(COUNTER), os.environ.get("PYTHONPATH")]))
        os.environ["OCRP_TEST_MODEL_CALLS"] = str(calls)
        service = RunService(Settings(outputs_root=Path(tmp) / "out", data_root=args.real), origin="cli")
        base = {
            "dataset": str(sroie / "images"),
            "gt": str(sroie / "gt.json"),
            "checkpoint_path": args.checkpoint,
        }
        base |= {"reuse": False}
        grid = Grid()
        points = grid.points()
        workers = f"{cores()} workers × 1 ONNX thread"
        print(f"machine: {cores()} cores; local engine, {workers}; {len(points)}-point grid")

        run_id, run_s, _ = run_once(service, RunSpec(**base))
        images = service.get(run_id).total
        run_calls = model_calls(calls)
        print(f"baseline run: {images} images in {run_s:.1f} s, {run_calls} model calls")

        sweeps = SweepService(service)
        started = time.perf_counter()
        sweep = sweeps.execute(sweeps.create(run_id, grid)["sweep_id"])
        sweep_s = time.perf_counter() - started
        sweep_calls = model_calls(calls) - run_calls
        assert sweep["status"] == "completed", sweep
        result = view(sweep)
        print(f"sweep: {len(points)} points in {sweep_s:.1f} s, {sweep_calls} model calls counted "
              f"({sweep['model_calls']} reported) for {images} images")  # fmt: skip

        k = max(1, min(len(points), args.separate))
        chosen = sorted({round(i) for i in np.linspace(0, len(points) - 1, k)})
        separate_s, agree = [], 0
        before = model_calls(calls)
        for i in chosen:
            point = points[i]
            spec = RunSpec(**base, params={"detection": dict(point)})
            _, seconds, metrics = run_once(service, spec)
            separate_s.append(seconds)
            swept = result["points"][i]["protocols"]
            same = all(
                abs(metrics[p][f] - swept[p][f]) < 1e-12
                for p in swept
                for f in ("precision", "recall", "hmean")
            )
            agree += same
            at = ", ".join(f"{k} {v}" for k, v in point.items())
            print(f"  run at {at}: {seconds:.1f} s, metrics {'=' if same else '≠'} the sweep's point")
        separate_calls = model_calls(calls) - before
        mean = statistics.mean(separate_s)
        sixty = mean * len(points) if k < len(points) else sum(separate_s)
        how = f"60 × the mean of {k} timed runs" if k < len(points) else "all 60 timed"
        print(f"separate runs: {k} timed, mean {mean:.1f} s, median {statistics.median(separate_s):.1f} s; "
              f"{separate_calls} model calls for {k} runs ({separate_calls // k} per run)")  # fmt: skip
        print(f"60 separate runs: {sixty:.0f} s ({how}); model calls {images * len(points)}")
        ratio = sweep_s / sixty
        print(f"ratio sweep / 60 runs: {ratio:.3f} (target ≤ {TARGET}) {verdict(ratio, TARGET)}")
        with_run = (sweep_s + run_s) / sixty
        print(f"ratio (baseline run + sweep) / 60 runs: {with_run:.3f}")
        print(f"separate runs agreeing with the sweep's points: {agree}/{k}")
        best = result["best"]["icdar2015-iou"]
        print(f"best (icdar2015-iou): thresh {best['thresh']}, boxThresh {best['boxThresh']}, "
              f"unclipRatio {best['unclipRatio']}: H-mean {best['hmean']:.4f}")  # fmt: skip
        sweeps.store.close()
        service.store.close()


if __name__ == "__main__":
    sys.exit(main())
