"""The Lab's first look without data of one's own: a small dataset of generated receipts with their
words as ground truth, written by ``serve --demo`` (``make run``) under the data root as
``demo-receipts/images/*.jpg`` and ``demo-receipts/gt.json`` (the receipt competition's format), so
the Evaluation page can offer to run it in the first minute."""

import json
from pathlib import Path

from ocr_playground.artifacts import atomic_write_bytes
from ocr_playground.imaging.synthetic import make_receipt

DEMO_FOLDER = "demo-receipts"
DEMO_IMAGES = 12
# Sizes as phones and scanners give them, several orientations; the seeds are not the samples'.
SIZES = [(1200, 900), (900, 1200), (1600, 1200), (1000, 750), (1280, 960), (960, 1280)]
FIRST_SEED = 100


def write_demo_dataset(data_root: Path, count: int = DEMO_IMAGES) -> Path | None:
    """Write the demo dataset unless its folder exists (a user's edits are never overwritten);
    the folder written, or None."""
    folder = Path(data_root) / DEMO_FOLDER
    if folder.exists():
        return None
    images: dict[str, dict] = {}
    for i in range(count):
        receipt = make_receipt(FIRST_SEED + i, SIZES[i % len(SIZES)])
        name = f"receipt-{i:02d}.jpg"
        atomic_write_bytes(folder / "images" / name, receipt.jpeg)
        words = enumerate(receipt.words)
        images[name] = {
            "words": {f"{n:04d}": {"points": w.quad.round(1).tolist(), "text": w.text} for n, w in words}
        }
    # Written last: a folder with gt.json is a whole dataset.
    atomic_write_bytes(folder / "gt.json", json.dumps({"images": images}).encode())
    return folder
