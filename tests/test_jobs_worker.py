"""What a worker process runs, called directly (no pool): the run table and the PNG it writes."""

from pathlib import Path

import cv2
import numpy as np

from ocr_playground.imaging.io import decode_image
from ocr_playground.jobs.runners import RUNNERS, Task, encode_result, execute

from receipts import jpeg, receipt


def test_a_gray_valued_rgb_result_is_written_as_one_channel_and_decodes_the_same() -> None:
    gray = np.random.default_rng(0).integers(0, 256, (40, 50), dtype=np.uint8)
    rgb = np.dstack([gray, gray, gray])
    data = encode_result(rgb)
    assert cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED).ndim == 2
    assert np.array_equal(decode_image(data), rgb)
    colour = np.random.default_rng(1).integers(0, 256, (40, 50, 3), dtype=np.uint8)
    assert np.array_equal(decode_image(encode_result(colour)), colour)


def test_every_image_pipeline_has_a_runner_and_progress_is_reported(tmp_path: Path) -> None:
    assert {"preprocessing"} <= RUNNERS.keys()
    source = tmp_path / "in.jpg"
    source.write_bytes(jpeg(receipt(320, 240)))
    output = tmp_path / "playground" / "preprocessing" / "job.png"
    task = Task(
        "preprocessing-000000000000",
        "preprocessing",
        str(source),
        {"resize": {"maxSide": 160}, "grayscale": True},
        str(output),
    )
    seen: list[tuple[str, float]] = []
    timings, report = execute(task, lambda op, fraction: seen.append((op, fraction)))
    assert report is None  # neither op reports anything
    assert seen == [("resize", 0.5), ("grayscale", 1.0)]
    assert {"decode", "resize", "grayscale", "encode", "write"} <= timings.keys()
    assert decode_image(output.read_bytes()).shape == (120, 160, 3)
    assert [p.name for p in output.parent.iterdir()] == ["job.png"]  # no temp file left
