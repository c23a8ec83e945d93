"""``ocr-playground commands ...`` prints what the API would answer."""

import argparse
import json
import shlex
from pathlib import Path

import pytest

from ocr_playground.cli import commands as cli
from ocr_playground.settings import Settings

PROJECT = Path(__file__).resolve().parents[1] / "examples" / "dbnet_project"


def call(argv: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    parser = argparse.ArgumentParser(prog="ocr-playground commands")
    cli.add_arguments(parser)
    settings = Settings(data_root=tmp_path, checkpoints_root=tmp_path, commands_project_dir=PROJECT)
    cli.run(parser.parse_args(argv), settings)
    return capsys.readouterr().out


def test_build_and_parse(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    line = call(
        [
            "build",
            "train",
            "--set",
            "architecture=craft",
            "--set",
            "max_epochs=80",
            "--set",
            "exp_name=1e3",
            "--suffix",
        ],
        tmp_path,
        capsys,
    ).strip()
    assert shlex.split(line)[2:] == [
        "trainer.deterministic=true",
        "exp_name='1e3-craft-resnet18'",
        "model/architectures=craft",
        "trainer.max_epochs=80",
    ]
    parsed = json.loads(call(["parse", "train", line], tmp_path, capsys))
    assert parsed["values"]["max_epochs"] == 80 and parsed["append_model_suffix"] is True
    assert "train" in call(["list"], tmp_path, capsys)
    assert json.loads(call(["recommendations", "--architecture", "craft"], tmp_path, capsys))


def test_errors_are_one_line_and_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        call(["build", "train", "--set", "max_epochs=0"], tmp_path, capsys)
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "max_epochs" in err and err.count("\n") == 1
