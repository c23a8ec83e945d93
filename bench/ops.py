"""Each op on a 2000×1500 receipt photo next to the bare library call doing the same work.

Run: ``uv run --group bench python bench/ops.py`` (add ``--repeat N`` for more samples).
Targets: op overhead ≤ 1.2× the bare call; background_removal ≤ 100 ms;
autocontrast + blur(5) + grayscale together ≤ 40 ms.
"""

import argparse
from collections.abc import Callable

import cv2
import numpy as np
from PIL import Image, ImageFilter, ImageOps

from ocr_playground.imaging.io import decode_image
from ocr_playground.imaging.pipeline import run_pipeline
from ocr_playground.imaging.registry import OPS
from ocr_playground.imaging.synthetic import make_receipt

from timing import interleaved_medians, median_ms, verdict

try:
    import pyvips
except (ImportError, OSError):  # pyvips is optional: the bench group installs it with its binary
    pyvips = None

OVERHEAD_TARGET = 1.2


def _vips(image: np.ndarray) -> "pyvips.Image":
    return pyvips.Image.new_from_array(image, interpretation="srgb")


def gray_of(image: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)


def peers(image: np.ndarray) -> dict[str, dict[str, Callable[[], object]]]:
    """op name -> {peer name: a call doing the same work}. The first peer is the ratio's reference."""
    pil = Image.fromarray(image)
    gray = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
    long_side = max(image.shape[:2])
    size = (1024, round(image.shape[0] * 1024 / long_side))
    table: dict[str, dict[str, Callable[[], object]]] = {
        "resize": {
            "cv2.resize AREA": lambda: cv2.resize(image, size, interpolation=cv2.INTER_AREA),
            "PIL.resize BOX": lambda: pil.resize(size, Image.Resampling.BOX),
        },
        "grayscale": {
            "cv2.cvtColor ×2": lambda: cv2.cvtColor(gray_of(image), cv2.COLOR_GRAY2RGB),
            "PIL convert L→RGB": lambda: pil.convert("L").convert("RGB"),
        },
        "autocontrast": {"PIL autocontrast": lambda: ImageOps.autocontrast(pil)},
        "blur": {
            "cv2.GaussianBlur 5": lambda: cv2.GaussianBlur(image, (5, 5), 0),
            "PIL GaussianBlur r1.1": lambda: pil.filter(ImageFilter.GaussianBlur(1.1)),
        },
        "binarize": {
            "cv2 gray+otsu+rgb": lambda: cv2.cvtColor(
                cv2.threshold(
                    cv2.cvtColor(image, cv2.COLOR_RGB2GRAY), 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU
                )[1],
                cv2.COLOR_GRAY2RGB,
            ),
            "cv2 otsu on gray only": lambda: cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU),
        },
    }
    if pyvips is not None:
        table["resize"]["pyvips resize"] = lambda: _vips(image).resize(1024 / long_side).numpy()
        table["grayscale"]["pyvips colourspace"] = lambda: _vips(image).colourspace("b-w").numpy()
        table["blur"]["pyvips gaussblur"] = lambda: _vips(image).gaussblur(1.1).numpy()
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()

    image = decode_image(make_receipt(seed=3, size=(2000, 1500)).jpeg)
    print(
        f"image 2000×1500, median of {args.repeat} runs, cv2 threads {cv2.getNumThreads()}, "
        f"pyvips {'yes' if pyvips else 'not installed'}\n"
    )
    print(f"{'op':<20} {'ours ms':>8}  {'peer':<24} {'peer ms':>8} {'ratio':>6}")
    ratios = []
    table = peers(image)
    for name, op in OPS.items():
        params = op.params()
        contenders = {"ours": lambda op=op, params=params: op.apply(image, params)}
        contenders.update(table.get(name, {}))
        medians = interleaved_medians(contenders, args.repeat)
        ours = medians.pop("ours")
        if not medians:
            print(f"{name:<20} {ours:8.1f}  {'(no bare peer)':<24}")
        for index, (peer, theirs) in enumerate(medians.items()):
            ratio = ours / theirs
            if index == 0:
                ratios.append((name, ratio))
            shown = f"{name:<20} {ours:8.1f}" if index == 0 else " " * 29
            print(f"{shown}  {peer:<24} {theirs:8.1f} {ratio:6.2f}")

    print()
    for name, ratio in ratios:
        goal = f"(target ≤ {OVERHEAD_TARGET}×) {verdict(ratio, OVERHEAD_TARGET)}"
        print(f"overhead {name:<14} {ratio:5.2f}× {goal}")
    chains = {
        "autocontrast+blur(5)+grayscale": ({"grayscale": True, "autocontrast": True, "blur": True}, 40.0),
        "background_removal": ({"background_removal": True}, 100.0),
        "default chain (every op on)": (dict.fromkeys(OPS, True), None),
    }
    for label, (params, target) in chains.items():
        ms = median_ms(lambda p=params: run_pipeline("preprocessing", image, p), args.repeat)
        goal = f"(target ≤ {target:.0f} ms) {verdict(ms, target)}" if target else ""
        print(f"{label:<32} {ms:7.1f} ms {goal}")


if __name__ == "__main__":
    main()
