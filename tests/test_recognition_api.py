"""Recognition everywhere detection is: the preview API (``recognizer_path``), the recognizer list,
text metrics from ``/api/evaluation``, and ``detect --recognizer`` / ``evaluate`` on the command line.
The models are the tests' own tiny ones: a dark-blob detector and a recognizer reading dark as 'a'."""

import base64
import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import numpy as np
import pytest

from ocr_playground import cli
from ocr_playground.imaging.io import encode_png
from ocr_playground.settings import Settings

from live_server import live_server
from onnx_models import bar_reader, dark_text_detector


def page() -> np.ndarray:
    """Two dark words 100 px apart on one line, and a second line below."""
    image = np.full((300, 600, 3), 245, np.uint8)
    image[60:100, 40:200] = 20
    image[60:100, 300:420] = 20
    image[180:220, 40:260] = 20
    return image


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("recognition")
    ckpt = root / "checkpoints"
    dark_text_detector(ckpt / "det.onnx")
    bar_reader(ckpt / "bars_rec.onnx")
    (ckpt / "weights_rec.pt").write_bytes(b"\x80\x04not a pickle")
    settings = Settings(data_root=root / "data", outputs_root=root / "outputs", checkpoints_root=ckpt)
    with live_server(settings) as url:
        yield url


def preview(url: str, **body: object) -> httpx.Response:
    image = base64.b64encode(encode_png(page())).decode()
    return httpx.post(f"{url}/api/inference/preview", json={"image_base64": image, **body}, timeout=60)


def test_preview_reads_the_text_of_each_detection_when_a_recognizer_is_chosen(server: str) -> None:
    params = {"detection": {"boxThresh": 0.5, "thresh": 0.5, "unclipRatio": 0.5}}
    read = preview(server, checkpoint_path="det.onnx", recognizer_path="bars_rec.onnx", params=params)
    assert read.status_code == 200, read.text
    body = read.json()
    assert body["recognizer_path"] == "bars_rec.onnx"
    texts = sorted(d["text"] for d in body["detections"])
    assert texts == ["a", "a", "a"] and all(d["textScore"] > 0.9 for d in body["detections"])
    assert {"crop_ms", "recognize_ms"} <= set(body["timings"])
    plain = preview(server, checkpoint_path="det.onnx", params=params).json()
    assert len(plain["detections"]) == 3 and all(d["text"] is None for d in plain["detections"])


def test_bad_recognizers_are_4xx_naming_the_problem(server: str) -> None:
    for path, status, words in [
        ("missing_rec.onnx", 404, "does not exist"),
        ("weights_rec.pt", 415, "never unpickled"),
        ("../escape.onnx", 403, "outside the checkpoints root"),
        ("det.onnx", 422, "not a CTC text recognizer"),
        ("builtin:nope", 404, "not available"),
    ]:
        answer = preview(server, checkpoint_path="det.onnx", recognizer_path=path)
        assert answer.status_code == status, (path, answer.text)
        assert words in answer.json()["detail"], answer.json()
    bad = preview(
        server,
        checkpoint_path="det.onnx",
        recognizer_path="bars_rec.onnx",
        params={"recognition": {"wordGap": -1}},
    )
    assert bad.status_code == 422 and "wordGap" in bad.json()["detail"]


def test_recognizers_are_listed(server: str) -> None:
    listed = [
        r["recognizer_path"] for r in httpx.get(f"{server}/api/inference/recognizers").json()["recognizers"]
    ]
    assert "bars_rec.onnx" in listed and "det.onnx" not in listed


def test_evaluation_adds_text_metrics_when_both_sides_have_text(server: str) -> None:
    quad = [[0, 0], [100, 0], [100, 20], [0, 20]]
    gt = {"images": {"r.jpg": {"words": {"0": {"points": quad, "text": "Total 12.50"}}}}}
    pred = {"images": {"r.jpg": {"words": {"0": {"points": quad, "text": "TOTAL 12.50"}}}}}
    answer = httpx.post(f"{server}/api/evaluation", json={"ground_truth": gt, "predictions": pred}).json()
    text = answer["text"]["total"]
    assert text["cer"] == pytest.approx(4 / 11) and text["words"]["correct"] == 1
    assert text["end_to_end"]["hmean"] == 0.0 and answer["protocols"][0]["hmean"] == 1.0
    folded = httpx.post(
        f"{server}/api/evaluation", json={"ground_truth": gt, "predictions": pred, "case_sensitive": False}
    ).json()["text"]["total"]
    assert folded["end_to_end"]["hmean"] == 1.0 and folded["cer"] == 0.0
    no_text = {"images": {"r.jpg": {"words": {"0": {"points": quad}}}}}
    assert (
        httpx.post(f"{server}/api/evaluation", json={"ground_truth": gt, "predictions": no_text}).json()[
            "text"
        ]
        is None
    )


def run(argv: list[str]) -> None:
    args = cli.build_parser(only=argv[0]).parse_args(argv)
    args.handler(args)


def test_detect_writes_the_text_and_evaluate_scores_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "imgs").mkdir()
    (tmp_path / "imgs" / "p.png").write_bytes(encode_png(page()))
    det, rec = dark_text_detector(tmp_path / "det.onnx"), bar_reader(tmp_path / "rec.onnx")
    preds = tmp_path / "preds.json"
    params = json.dumps({"detection": {"boxThresh": 0.5, "thresh": 0.5, "unclipRatio": 0.5}})
    run(
        [
            "detect",
            str(tmp_path / "imgs"),
            "--checkpoint",
            str(det),
            "--recognizer",
            str(rec),
            "--params",
            params,
            "-o",
            str(preds),
        ]
    )
    words = json.loads(preds.read_text())["images"]["p.png"]["words"].values()
    assert sorted(w["text"] for w in words) == ["a", "a", "a"] and all(w["textScore"] > 0.9 for w in words)
    assert "3 words (with text)" in capsys.readouterr().out
    gt = {
        "images": {
            "p.png": [{"points": w["points"], "text": t} for w, t in zip(words, ["a", "b", "a"], strict=True)]
        }
    }
    (tmp_path / "gt.json").write_text(json.dumps(gt))
    run(["evaluate", "--gt", str(tmp_path / "gt.json"), "--pred", str(preds)])
    out = capsys.readouterr().out
    assert "CER over matched lines  0.3333" in out and "(2 right of 3 read, 3 expected)" in out


def test_a_bad_recognizer_on_the_command_line_is_one_line_and_status_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "p.png").write_bytes(encode_png(page()))
    det = dark_text_detector(tmp_path / "det.onnx")
    argv = [
        "detect",
        str(tmp_path / "p.png"),
        "--checkpoint",
        str(det),
        "--recognizer",
        str(det),
        "-o",
        str(tmp_path / "o.json"),
    ]
    with pytest.raises(SystemExit) as exit_info:
        run(argv)
    err = capsys.readouterr().err.strip()
    assert exit_info.value.code == 2 and len(err.splitlines()) == 1 and "not a CTC text recognizer" in err
    assert not (tmp_path / "o.json").exists()
