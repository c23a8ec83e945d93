"""The detect and evaluate schemas speak the product's own CLI: what the builder shows is what runs."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from ocr_playground import cli
from ocr_playground.commands.build import build
from ocr_playground.commands.catalog import Catalog, Sources
from ocr_playground.imaging.synthetic import make_receipt

from strict import require_module

CATALOG = Catalog(Sources(Path("/nonexistent"), Path("/nonexistent")))


def test_detect_argv_is_read_by_the_real_parser() -> None:
    values = {"inputs": "my receipts/", "box_thresh": 0.45, "mode": "polygon", "output": "p q.json"}
    result = build(CATALOG.get("detect"), values)
    args = cli.build_parser().parse_args(result.argv[1:])
    assert [str(p) for p in args.inputs] == ["my receipts"]  # Path drops the trailing slash
    assert args.checkpoint == "builtin:ppocrv4-det" and str(args.output) == "p q.json"
    assert json.loads(args.params) == {"detection": {"boxThresh": 0.45, "mode": "polygon"}}


def test_the_text_options_reach_the_real_parser() -> None:
    detect = build(CATALOG.get("detect"), {"inputs": "r/", "recognizer": "builtin:ppocrv4-rec"})
    assert cli.build_parser().parse_args(detect.argv[1:]).recognizer == "builtin:ppocrv4-rec"
    assert "--recognizer" not in build(CATALOG.get("detect"), {"inputs": "r/"}).argv  # off unless set
    evaluate = build(CATALOG.get("evaluate"), {"gt": "gt.json", "case_insensitive": True})
    assert cli.build_parser().parse_args(evaluate.argv[1:]).case_insensitive


def test_evaluate_argv_is_read_by_the_real_parser() -> None:
    result = build(CATALOG.get("evaluate"), {"gt": "gt dir", "json": True})
    args = cli.build_parser().parse_args(result.argv[1:])
    assert (str(args.gt), str(args.pred), args.json) == ("gt dir", "preds.json", True)


@pytest.mark.slow
def test_built_detect_then_evaluate_commands_run(tmp_path: Path) -> None:
    require_module("rapidocr_onnxruntime", "the demo extra carries the model")
    receipt = make_receipt(seed=5, size=(1000, 1500))
    (tmp_path / "receipt.jpg").write_bytes(receipt.jpeg)
    words = {str(i): {"points": w.quad.tolist()} for i, w in enumerate(receipt.words)}
    (tmp_path / "gt.json").write_text(json.dumps({"images": {"receipt.jpg": {"words": words}}}))

    def run(schema: str, values: dict) -> str:
        argv = build(CATALOG.get(schema), values).argv
        assert argv[0] == "ocr-playground"
        done = subprocess.run(
            [sys.executable, "-m", "ocr_playground", *argv[1:]],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    run("detect", {"inputs": "receipt.jpg", "granularity": "word", "output": "preds.json"})
    predicted = json.loads((tmp_path / "preds.json").read_text())["images"]["receipt.jpg"]["words"]
    assert len(predicted) > 10
    scores = json.loads(run("evaluate", {"gt": "gt.json", "json": True}))
    hmeans = {p["protocol"]: p["hmean"] for p in scores["protocols"]}
    assert max(hmeans.values()) > 0.8, hmeans
