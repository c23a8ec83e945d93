"""``detect`` and ``evaluate`` through the real ``ocr-playground`` parser."""

import json
from pathlib import Path

import numpy as np
import pytest

from ocr_playground import cli
from ocr_playground.imaging.io import encode_png

from onnx_models import dark_text_detector


def run(argv: list[str]) -> None:
    args = cli.build_parser(only=argv[0]).parse_args(argv)
    args.handler(args)


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    dark_text_detector(tmp_path / "tiny.onnx")
    (tmp_path / "imgs" / "sub").mkdir(parents=True)
    for i, name in enumerate(["a.png", "sub/b.png"]):
        image = np.full((200, 300, 3), 250, np.uint8)
        image[40 + 20 * i : 60 + 20 * i, 30:200] = 10
        (tmp_path / "imgs" / name).write_bytes(encode_png(image))
    (tmp_path / "imgs" / "readme.md").write_text("not an image")
    return tmp_path


def test_detect_then_evaluate(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    preds = workspace / "out" / "preds.json"
    run(
        [
            "detect",
            str(workspace / "imgs"),
            "--checkpoint",
            str(workspace / "tiny.onnx"),
            "--params",
            '{"detection": {"unclipRatio": 0.1}}',
            "-o",
            str(preds),
        ]
    )
    data = json.loads(preds.read_text())
    assert sorted(data["images"]) == ["a.png", "sub/b.png"]
    word = data["images"]["a.png"]["words"]["0"]
    assert len(word["points"]) == 4 and word["score"] > 0.9
    assert "2 images, 2 words" in capsys.readouterr().out
    run(["evaluate", "--gt", str(preds), "--pred", str(preds)])
    out = capsys.readouterr().out
    assert "icdar2015-iou" in out and "deteval" in out and "1.0000" in out


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["detect", "{imgs}", "--checkpoint", "{ws}/missing.onnx", "-o", "{ws}/p.json"], "does not exist"),
        (["detect", "{imgs}", "--checkpoint", "{ws}/model.pt", "-o", "{ws}/p.json"], "never unpickled"),
        (["detect", "{ws}/nope", "--checkpoint", "{ws}/tiny.onnx", "-o", "{ws}/p.json"], "neither an image"),
        (
            ["detect", "{imgs}", "--checkpoint", "{ws}/tiny.onnx", "--params", "{", "-o", "{ws}/p.json"],
            "not valid JSON",
        ),
        (
            [
                "detect",
                "{imgs}",
                "--checkpoint",
                "{ws}/tiny.onnx",
                "--params",
                '{"crop_document": true}',
                "-o",
                "{ws}/p.json",
            ],
            "crop_document",
        ),
        (
            [
                "detect",
                "{imgs}",
                "--checkpoint",
                "{ws}/tiny.onnx",
                "--params",
                '{"detection": {"thresh": 3}}',
                "-o",
                "{ws}/p.json",
            ],
            "detection.thresh",
        ),
        (["detect", "{ws}/bad.png", "--checkpoint", "{ws}/tiny.onnx", "-o", "{ws}/p.json"], "bad.png"),
        (["evaluate", "--gt", "{ws}/nope.json", "--pred", "{ws}/nope.json"], "does not exist"),
    ],
)
def test_bad_input_exits_2_with_one_line(
    workspace: Path, capsys: pytest.CaptureFixture[str], argv: list[str], words: str
) -> None:
    (workspace / "bad.png").write_bytes(b"\x89PNG\r\n\x1a\n truncated")
    (workspace / "model.pt").write_bytes(b"\x80\x04")
    argv = [a.replace("{ws}", str(workspace)).replace("{imgs}", str(workspace / "imgs")) for a in argv]
    with pytest.raises(SystemExit) as exit_info:
        run(argv)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and words in err
    assert not (workspace / "p.json").exists()
