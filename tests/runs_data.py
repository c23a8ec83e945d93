"""A dataset for the run tests: generated receipts with their words (and their text) as ground
truth, a tiny detector and a tiny recognizer under the checkpoints root, and a corrupt image when
asked."""

import json
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from ocr_playground.imaging.synthetic import make_receipt
from ocr_playground.settings import Settings

from onnx_models import bar_reader, dark_text_detector

SIZE = (480, 360)
# Word granularity and a small unclip: the tiny detector's blobs then match the generated words.
PARAMS = {"grayscale": True, "detection": {"unclipRatio": 0.5, "boxThresh": 0.5}}
CHECKPOINT = "tiny.onnx"
RECOGNIZER = "bars_rec.onnx"  # reads every dark stretch of a line as 'a'


@dataclass(frozen=True)
class Workspace:
    root: Path
    settings: Settings
    names: list[str]

    @property
    def dataset(self) -> Path:
        return self.settings.data_root / "receipts" / "images"

    @property
    def gt(self) -> Path:
        return self.settings.data_root / "receipts" / "gt.json"

    @property
    def model(self) -> Path:
        return self.settings.checkpoints_root / CHECKPOINT

    @property
    def recognizer(self) -> Path:
        return self.settings.checkpoints_root / RECOGNIZER


def make_workspace(
    root: Path, count: int = 6, corrupt: bool = False, size: tuple[int, int] = SIZE
) -> Workspace:
    settings = Settings(
        data_root=root / "data",
        outputs_root=root / "outputs",
        checkpoints_root=root / "checkpoints",
        web_dist=root / "no-web",
        workers=1,
    )
    images = settings.data_root / "receipts" / "images"
    (images / "more").mkdir(parents=True)
    gt: dict = {"images": {}}
    names = []
    for seed in range(count):
        receipt = make_receipt(seed, size)
        name = f"r{seed:03d}.jpg" if seed % 3 else f"more/r{seed:03d}.jpg"
        (images / name).write_bytes(receipt.jpeg)
        names.append(name)
        words = {f"{i:04d}": {"points": w.quad.tolist(), "text": w.text} for i, w in enumerate(receipt.words)}
        gt["images"][Path(name).name] = {"words": words}
    if corrupt:
        (images / "broken.jpg").write_bytes(make_receipt(99, size).jpeg[:600])
        names.append("broken.jpg")
    settings.data_root.joinpath("receipts", "gt.json").write_text(json.dumps(gt))
    dark_text_detector(settings.checkpoints_root / CHECKPOINT)
    bar_reader(settings.checkpoints_root / RECOGNIZER)
    return Workspace(root=root, settings=settings, names=sorted(names))


# On PYTHONPATH, a sitecustomize there logs every model call of the server's processes to a file
# (the warm-up's 256×256 call is not one of a run's images).
COUNTER = str(Path(__file__).parent / "model_calls")


def model_calls(path: Path) -> int:
    lines = path.read_text().splitlines() if path.exists() else []
    return sum(not line.startswith("256x256 ") for line in lines)


FINISHED = ("completed", "failed", "cancelled")


def wait_run(base: str, run_id: str, timeout: float = 180) -> dict:
    """The run as the API gives it once it has finished (a state, polled), failing after ``timeout``."""
    deadline = time.monotonic() + timeout
    while (run := httpx.get(f"{base}/api/runs/{run_id}").json())["status"] not in FINISHED:
        assert time.monotonic() < deadline, run
        time.sleep(0.1)
    return run
