"""Runs at dataset scale, in one process run: our local engine against a plain loop over
rapidocr_onnxruntime's own TextDetector (same model, same images), the Ray engine's wall time
against the local one's (with and without Ray's start-up), and peak RSS of the run's process and
its workers over a long run.

    .venv/bin/python bench/runs.py [--real ../shared/real] [--synthetic 200] [--rss-images 2000]

Targets: local images/s ≥ 1.5 × the rapidocr loop; Ray wall time without Ray's start-up (a run on a
Ray that is already up, as a cluster is; the first run on a fresh local Ray is shown too) ≤ 1.3 × local;
RSS growth (end against the first tenth of the run) ≤ 100 MB.
"""

import argparse
import os
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

import cv2

from inference import rapidocr_detector
from ocr_playground.datasets import walk_images
from ocr_playground.imaging.synthetic import make_receipt
from ocr_playground.inference.catalog import DEMO_CHECKPOINT, resolve_local_checkpoint
from ocr_playground.inference.postprocess import DetectionParams
from ocr_playground.inference.profiles import load_profile
from ocr_playground.runs.engine import cores
from ocr_playground.runs.model import RunSpec
from ocr_playground.runs.service import RunService
from ocr_playground.settings import Settings

from timing import verdict

ROOT = Path(__file__).resolve().parent.parent
SPEED_TARGET, RAY_TARGET, RSS_TARGET_MB = 1.5, 1.3, 100.0


def rapidocr_loop(folder: Path) -> tuple[int, float]:
    """The peer: read each file with OpenCV and call rapidocr's detector on it, one after another,
    its session using every core. Returns (images, seconds)."""
    model = resolve_local_checkpoint(DEMO_CHECKPOINT)
    detector = rapidocr_detector(model, DetectionParams(), load_profile(model), cores())
    files = list(walk_images(folder))
    detector(cv2.imread(str(files[0])))  # warm-up, as our workers warm up their session
    started = time.perf_counter()
    for path in files:
        detector(cv2.imread(str(path)))
    return len(files), time.perf_counter() - started


def our_run(
    folder: Path, outputs: Path, engine: str, checkpoint: str = DEMO_CHECKPOINT
) -> tuple[int, float, float]:
    """A run over ``folder`` (nothing reused); (images, wall seconds, Ray start-up seconds)."""
    service = RunService(Settings(outputs_root=outputs), origin="cli")
    spec = RunSpec(dataset=str(folder), checkpoint_path=checkpoint, engine=engine, reuse=False)
    started = time.perf_counter()
    run = service.create(spec)
    finished = service.execute(run.run_id)
    wall = time.perf_counter() - started
    startup = getattr(service.last_engine, "startup_s", 0.0)
    service.store.close()
    assert finished.status.value == "completed" and finished.failed == 0, finished
    return finished.done, wall, startup


def generated(folder: Path, count: int, size: tuple[int, int] = (1000, 1400)) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for seed in range(count):
        (folder / f"r{seed:04d}.jpg").write_bytes(make_receipt(seed, size).jpeg)
    return folder


def rss_mb(pid: int) -> float:
    """Resident memory of ``pid`` and all its descendants."""
    total, stack = 0.0, [pid]
    while stack:
        current = stack.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            total += (
                int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS"))) / 1024
            )
            for task in Path(f"/proc/{current}/task").iterdir():
                stack += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, StopIteration, ValueError):
            continue
    return total


def rss_over_run(folder: Path, outputs: Path, checkpoint: str) -> tuple[float, float, int]:
    """Peak RSS (MB) over the first tenth of a run and over the whole run, and the images."""
    service = RunService(Settings(outputs_root=outputs), origin="cli")
    run = service.create(RunSpec(dataset=str(folder), checkpoint_path=checkpoint, reuse=False))
    peaks = {"early": 0.0, "all": 0.0}
    progress = {"done": 0}
    stop = threading.Event()

    def sample() -> None:
        while not stop.wait(0.2):
            value = rss_mb(os.getpid())
            peaks["all"] = max(peaks["all"], value)
            if progress["done"] <= run.total // 10:
                peaks["early"] = max(peaks["early"], value)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    finished = service.execute(run.run_id, lambda r, _item: progress.update(done=r.done))
    stop.set()
    sampler.join()
    service.store.close()
    return peaks["early"], peaks["all"], finished.done


def tiny_detector(path: Path) -> str:
    sys.path.insert(0, str(ROOT / "tests"))
    from onnx_models import dark_text_detector

    return str(dark_text_detector(path))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--real", type=Path, default=ROOT.parent / "shared" / "real")
    parser.add_argument("--synthetic", type=int, default=200)
    parser.add_argument("--rss-images", type=int, default=2000)
    parser.add_argument("--no-ray", action="store_true")
    args = parser.parse_args()
    print(
        f"machine: {cores()} cores; local engine: {cores()} workers × 1 ONNX thread; "
        f"peer: 1 loop × {cores()} threads"
    )
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        sets = {
            "sroie (real)": args.real / "sroie" / "images",
            f"{args.synthetic} generated": generated(work / "gen", args.synthetic),
        }
        ray_started = False
        for label, folder in sets.items():
            n, peer_s = rapidocr_loop(folder)
            n_ours, ours_s, _ = our_run(folder, work / "out", "local")
            ratio = (n_ours / ours_s) / (n / peer_s)
            print(f"\n[{label}] {n} images")
            print(f"  rapidocr loop   {n / peer_s:6.2f} images/s  ({peer_s:.1f} s)")
            print(
                f"  ours, local     {n_ours / ours_s:6.2f} images/s  ({ours_s:.1f} s, workers started inside)"
            )
            print(f"  ratio ours/peer {ratio:.2f} (target ≥ {SPEED_TARGET}) {verdict(SPEED_TARGET, ratio)}")
            if args.no_ray:
                continue
            # Ray's start-up is what the first run on a fresh local Ray pays beyond a later run:
            # starting the cluster (ray.init) and its first worker processes. A cluster that is
            # already up (OCRP_RAY_ADDRESS) pays neither, so the target is on a run with Ray up; each
            # run still starts its own actor pool (Ray Data makes one per run) and loads the model.
            if not ray_started:
                _, cold_s, startup = our_run(folder, work / "out", "ray")
                print(f"  ray, first run  {cold_s:6.1f} s with Ray's start-up (ray.init {startup:.1f} s)")
                ray_started = True
            _, ray_s, _ = our_run(folder, work / "out", "ray")
            print(f"  ray, Ray up     {ray_s:6.1f} s (the run's actor pool started inside)")
            ratio_ray = ray_s / ours_s
            print(
                f"  ratio ray/local without Ray's start-up {ratio_ray:.2f} (target ≤ {RAY_TARGET}) "
                f"{verdict(ratio_ray, RAY_TARGET)}"
            )
        if not args.no_ray:
            from ocr_playground.runs.ray_engine import shutdown_ray

            shutdown_ray()
        # Flat memory: a long run of small images with a tiny detector (the store, the sink and the
        # files are what could grow; the model's own memory is the same for every image).
        big = work / "many"
        big.mkdir()
        source = generated(work / "few", 100, size=(640, 480))
        for i in range(args.rss_images):
            shutil.copyfile(source / f"r{i % 100:04d}.jpg", big / f"i{i:05d}.jpg")
        early, peak, n = rss_over_run(big, work / "out", tiny_detector(work / "tiny.onnx"))
        growth = peak - early
        print(
            f"\n[RSS] {n} images: peak {early:.0f} MB over the first tenth, {peak:.0f} MB overall "
            f"(run process and workers): growth {growth:.0f} MB (target ≤ {RSS_TARGET_MB:g}) "
            f"{verdict(growth, RSS_TARGET_MB)}"
        )


if __name__ == "__main__":
    main()
