"""The CLI as a user meets it: a real process, its exit status, its stderr and the files it leaves."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from ocr_playground.imaging.io import encode_jpeg, read_image
from ocr_playground.imaging.ops.blur import BlurParams, blur

from images import photo
from test_io import png_header


def cli(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ocr_playground", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
    )


@pytest.fixture()
def jpeg(tmp_path: Path) -> Path:
    path = tmp_path / "receipt.jpg"
    path.write_bytes(encode_jpeg(photo(160, 120, seed=1)))
    return path


def test_run_writes_the_pipeline_result_and_prints_timings(jpeg: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.png"
    done = cli("run", jpeg, "--params", '{"blur": {"kernelSize": 7}}', "-o", out, "--timings")
    assert done.returncode == 0, done.stderr
    assert "blur" in done.stdout and "total" in done.stdout
    expected = blur(read_image(jpeg), BlurParams(kernel_size=7))
    assert np.array_equal(read_image(out), expected)


def test_params_from_a_file(jpeg: Path, tmp_path: Path) -> None:
    params = tmp_path / "p.json"
    params.write_text(json.dumps({"grayscale": True}))
    out = tmp_path / "gray.png"
    assert cli("run", jpeg, "--params", f"@{params}", "-o", out).returncode == 0
    result = read_image(out)
    assert np.array_equal(result[:, :, 0], result[:, :, 2])


def test_pipelines_prints_json() -> None:
    done = cli("pipelines")
    assert done.returncode == 0
    assert "blur" in json.loads(done.stdout)["ops"]


def _bad_inputs(tmp_path: Path, jpeg: Path) -> dict[str, tuple[list, str]]:
    text = tmp_path / "notes.txt"
    text.write_text("not an image")
    truncated = tmp_path / "cut.jpg"
    truncated.write_bytes(jpeg.read_bytes()[: jpeg.stat().st_size // 2])
    huge = tmp_path / "huge.png"
    huge.write_bytes(png_header(10_000, 6_000))
    return {
        "not an image": ([text], "not an image"),
        "truncated": ([truncated], "truncated"),
        "over the pixel limit": ([huge], "megapixels"),
        "missing file": ([tmp_path / "nope.jpg"], "no file"),
        "unknown op": ([jpeg, "--params", '{"sharpen": true}'], "sharpen"),
        "bad params": ([jpeg, "--params", '{"blur": {"kernelSize": 4}}'], "kernelSize"),
        "bad json": ([jpeg, "--params", "{blur"], "not valid JSON"),
        "missing params file": ([jpeg, "--params", "@/nonexistent/p.json"], "cannot read"),
    }


@pytest.mark.parametrize(
    "case",
    [
        "not an image",
        "truncated",
        "over the pixel limit",
        "missing file",
        "unknown op",
        "bad params",
        "bad json",
        "missing params file",
    ],
)
def test_bad_input_exits_2_with_one_line_and_no_output(case: str, jpeg: Path, tmp_path: Path) -> None:
    args, words = _bad_inputs(tmp_path, jpeg)[case]
    out = tmp_path / "out" / "result.png"
    done = cli("run", *args, "-o", out)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and words in lines[0], done.stderr
    assert "Traceback" not in done.stderr
    assert not out.exists()


def test_unwritable_output_leaves_nothing_behind(jpeg: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    done = cli("run", jpeg, "-o", blocker / "out.png")  # a file where a folder should be
    assert done.returncode == 2 and "cannot write output" in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file", "receipt.jpg"]


def test_output_folder_is_refused(jpeg: Path, tmp_path: Path) -> None:
    done = cli("run", jpeg, "-o", tmp_path)
    assert done.returncode == 2 and "is a folder" in done.stderr


def _corrupt_tiffs(tmp_path: Path) -> list[Path]:
    """LZW TIFFs with bytes flipped in their strips: libtiff prints a warning per bad code."""
    import io
    import random

    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(photo(96, 96, seed=4)).save(buffer, "TIFF", compression="tiff_lzw")
    good = buffer.getvalue()
    rng = random.Random(1)
    paths = []
    for k in range(6):
        data = bytearray(good)
        for _ in range(40):
            data[rng.randrange(200, len(data) - 200)] = rng.randrange(256)
        paths.append(tmp_path / f"corrupt-{k}.tif")
        paths[-1].write_bytes(bytes(data))
    return paths


def _one_line(done: subprocess.CompletedProcess[str], words: str) -> None:
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and words in lines[0], done.stderr


def test_hostile_inputs_exit_2_with_one_line(jpeg: Path, tmp_path: Path) -> None:
    import os

    fifo = tmp_path / "pipe.jpg"
    os.mkfifo(fifo)
    out = tmp_path / "out.png"
    _one_line(cli("run", fifo, "-o", out), "is a FIFO")  # refused at once, not blocked on
    _one_line(cli("run", jpeg, "--params", "@/dev/zero", "-o", out), "is a character device")
    deep = "[" * 50_000 + "]" * 50_000  # one argument may hold 128 KiB
    _one_line(cli("run", jpeg, "--params", deep, "-o", out), "nested too deeply")
    deep_file = tmp_path / "deep.json"
    deep_file.write_text('{"images": ' + deep + "}")
    _one_line(cli("evaluate", "--gt", deep_file, "--pred", deep_file), "nested too deeply")
    _one_line(cli("run", jpeg, "-o", tmp_path / ("x" * 300 + ".png")), "File name too long")
    _one_line(cli("evaluate", "--gt", fifo, "--pred", fifo), "is a FIFO")
    refused = 0
    for corrupt in _corrupt_tiffs(tmp_path):
        done = cli("run", corrupt, "-o", out)
        if done.returncode == 0:  # a flip may land in harmless bytes: then nothing on stderr
            assert done.stderr == "" and out.exists()
            out.unlink()
        else:
            _one_line(done, "corrupt")
            refused += 1
    assert refused and not out.exists()


def test_a_target_that_is_not_a_regular_file_is_never_replaced(jpeg: Path, tmp_path: Path) -> None:
    import os
    import stat

    fifo = tmp_path / "fifo.png"
    os.mkfifo(fifo)
    real = tmp_path / "real.png"
    real.write_bytes(b"keep me")
    link = tmp_path / "link.png"
    link.symlink_to(real)
    targets = {fifo: "is a FIFO", link: "is a symbolic link"}
    device = tmp_path / "full"
    try:  # a character device like /dev/full (1, 7), made here rather than risking the real one
        os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 7))
        targets[device] = "is a character device"
    except PermissionError:
        pass
    for target, words in targets.items():
        mode = os.lstat(target).st_mode
        _one_line(cli("run", jpeg, "-o", target), words)
        _one_line(cli("detect", jpeg, "--checkpoint", "builtin:ppocrv4-det", "-o", target), words)
        assert os.lstat(target).st_mode == mode
    assert real.read_bytes() == b"keep me"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []
