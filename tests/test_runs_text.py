"""Runs that read text, through the real API and the real command line, on generated receipts whose
text is known, with the demo extra's PP-OCRv4 detector and recognizer: the items carry the text
read (``predictions.json`` equals ``detect --recognizer``), each item's text metrics equal
``evaluate`` on that image alone and the run's are its items' counts summed; items sort and filter
on them; and "does binarization help recognition?" is two runs compared on word F1 (and CER), where
identical runs differ by 0 with the interval [0, 0]."""

import json
import shutil
from pathlib import Path

import httpx
import pandas as pd
import pytest

from ocr_playground import cli
from ocr_playground.inference.catalog import DEMO_CHECKPOINT, DEMO_RECOGNIZER
from ocr_playground.inference.text_metrics import TextCounts, counts_of, flat_text

from live_server import live_server
from runs_data import CHECKPOINT, Workspace, make_workspace, wait_run
from strict import require_module

require_module("rapidocr_onnxruntime", "the demo extra carries the models (uv sync --extra demo)")
pytestmark = pytest.mark.slow

SIZE = (600, 800)  # large enough for the recognizer to read the generated receipts' small print
PARAMS = {"detection": {"granularity": "word"}}  # the ground truth is word by word
BINARIZED = PARAMS | {"binarize": {"method": "adaptive"}}
WORD_F1_BOUND = 0.9  # measured 0.99 on these receipts


class Lab:
    def __init__(self, base: str, ws: Workspace, runs: dict[str, str]) -> None:
        self.base, self.ws, self.runs = base, ws, runs

    def get(self, path: str, **params: object) -> httpx.Response:
        return httpx.get(f"{self.base}{path}", params=params, timeout=120)

    def run(self, key: str) -> dict:
        return self.get(f"/api/runs/{self.runs[key]}").json()

    def items(self, key: str) -> dict[str, dict]:
        page = self.get(f"/api/runs/{self.runs[key]}/items", status="completed", limit=1000).json()
        return {i["name"]: i for i in page["items"]}


def body(**spec: object) -> dict:
    return {"dataset": "receipts/images", "gt": "receipts/gt.json", "checkpoint_path": DEMO_CHECKPOINT,
            "recognizer_path": DEMO_RECOGNIZER} | spec  # fmt: skip


def start(base: str, **spec: object) -> str:
    r = httpx.post(f"{base}/api/runs", json=body(**spec), timeout=60)
    assert r.status_code == 202, r.text
    return r.json()["run_id"]


def run_cli(argv: list[str]) -> None:
    args = cli.build_parser(only=argv[0]).parse_args(argv)
    args.handler(args)


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Lab:
    ws = make_workspace(tmp_path_factory.mktemp("runs-text"), count=4, size=SIZE)
    with live_server(ws.settings) as base:
        runs = {"plain": start(base, params=PARAMS, name="plain")}
        runs["binarized"] = start(base, params=BINARIZED, name="binarized")
        # A run without text: the tiny detector alone.
        runs["boxes"] = start(base, params={}, checkpoint_path=CHECKPOINT, recognizer_path=None, name="boxes")
        for run_id in runs.values():
            assert wait_run(base, run_id, timeout=600)["status"] == "completed"
        # plain's predictions as a file made elsewhere: the same text, so the same text metrics.
        (ws.settings.data_root / "preds").mkdir()
        folder = ws.settings.outputs_root / "runs" / runs["plain"]
        shutil.copy(folder / "predictions.json", ws.settings.data_root / "preds" / "plain.json")
        runs["imported"] = start(
            base, checkpoint_path=None, recognizer_path=None, predictions="preds/plain.json", name="imported"
        )
        assert wait_run(base, runs["imported"])["status"] == "completed"
        yield Lab(base, ws, runs)


def test_items_carry_the_text_read_and_predictions_equal_detect(lab: Lab, tmp_path: Path) -> None:
    ours = json.loads(
        (lab.ws.settings.outputs_root / "runs" / lab.runs["plain"] / "predictions.json").read_text()
    )
    out = tmp_path / "detect.json"
    run_cli(["detect", str(lab.ws.dataset), "--checkpoint", DEMO_CHECKPOINT, "--recognizer", DEMO_RECOGNIZER,
             "--params", json.dumps(PARAMS), "-o", str(out)])  # fmt: skip
    theirs = json.loads(out.read_text())["images"]
    assert sorted(ours["images"]) == lab.ws.names
    for name, image in ours["images"].items():
        words = list(image["words"].values())
        assert words == list(theirs[name]["words"].values()), name
        assert all(isinstance(w["text"], str) and 0 <= w["textScore"] <= 1 for w in words)

    name = lab.ws.names[0]
    detail = lab.get(f"/api/runs/{lab.runs['plain']}/items/{name}").json()
    assert [d["text"] for d in detail["detections"]] == [
        w["text"] for w in ours["images"][name]["words"].values()
    ]
    truth = {g["text"] for g in detail["ground_truth"]}
    assert None not in truth
    paired = [d for d in detail["detections"] if d["gt_text"] is not None]
    assert paired and {d["gt_text"] for d in paired} <= truth
    assert sum(d["text"] == d["gt_text"] for d in paired) >= 0.9 * len(paired)  # most read right


def test_item_text_metrics_equal_evaluate_on_that_image_alone_and_the_run_sums_them(
    lab: Lab, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    gt = json.loads(lab.ws.gt.read_text())["images"]
    preds = json.loads(
        (lab.ws.settings.outputs_root / "runs" / lab.runs["plain"] / "predictions.json").read_text()
    )["images"]
    items = lab.items("plain")
    assert sorted(items) == lab.ws.names
    for name, item in items.items():
        one_gt, one_pred = tmp_path / "gt.json", tmp_path / "pred.json"
        one_gt.write_text(json.dumps({"images": {Path(name).name: gt[Path(name).name]}}))
        one_pred.write_text(json.dumps({"images": {Path(name).name: preds[name]}}))
        run_cli(["evaluate", "--gt", str(one_gt), "--pred", str(one_pred), "--json"])
        alone = json.loads(capsys.readouterr().out)["text"]["total"]
        assert item["text_metrics"] == alone, name

    summed = sum((counts_of(i["text_metrics"]) for i in items.values()), TextCounts())
    run = lab.run("plain")
    assert run["text_metrics"] == summed.metrics().model_dump()
    every = tmp_path / "preds.json"
    every.write_text(json.dumps({"images": {Path(n).name: words for n, words in preds.items()}}))
    run_cli(["evaluate", "--gt", str(lab.ws.gt), "--pred", str(every), "--json"])
    assert run["text_metrics"] == json.loads(capsys.readouterr().out)["text"]["total"]
    m = run["text_metrics"]
    e2e = m["end_to_end"]["hmean"]
    print(f"plain: CER {m['cer']:.4f}, word F1 {m['words']['f1']:.4f}, end to end {e2e:.4f}")
    assert m["words"]["f1"] >= WORD_F1_BOUND
    assert lab.run("boxes")["text_metrics"] is None  # no recognizer: no text figures at all


def test_an_image_whose_ground_truth_expects_no_text_counts_what_was_read_there(
    lab: Lab, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    gt = json.loads(lab.ws.gt.read_text())
    blank = Path(lab.ws.names[0]).name
    gt["images"][blank] = {"words": {}}  # a page with nothing to read on it, as far as the truth goes
    (lab.ws.settings.data_root / "receipts" / "gt-blank.json").write_text(json.dumps(gt))
    run_id = start(lab.base, params=PARAMS, gt="receipts/gt-blank.json", reuse=False, name="blank")
    run = wait_run(lab.base, run_id, timeout=600)
    item = lab.get(f"/api/runs/{run_id}/items/{lab.ws.names[0]}").json()
    assert item["text_metrics"]["words"]["read"] > 0 and item["text_metrics"]["words"]["gt"] == 0
    preds = json.loads((lab.ws.settings.outputs_root / "runs" / run_id / "predictions.json").read_text())
    every = tmp_path / "preds.json"
    every.write_text(json.dumps({"images": {Path(n).name: w for n, w in preds["images"].items()}}))
    run_cli(["evaluate", "--gt", str(lab.ws.settings.data_root / "receipts" / "gt-blank.json"),
             "--pred", str(every), "--json"])  # fmt: skip
    assert run["text_metrics"] == json.loads(capsys.readouterr().out)["text"]["total"]


def test_items_parquet_sorting_filters_and_csv_carry_the_text_metrics(lab: Lab) -> None:
    run_id, items = lab.runs["binarized"], lab.items("binarized")
    frame = pd.read_parquet(lab.ws.settings.outputs_root / "runs" / run_id / "items.parquet")
    for row in frame.itertuples():
        text = items[row.name]["text_metrics"]
        assert (row.word_f1, row.words_correct, row.e2e_hmean) == (
            text["words"]["f1"], text["words"]["correct"], text["end_to_end"]["hmean"]
        )  # fmt: skip
        assert all("text" in box and "textScore" in box for box in row.boxes)
    url = f"/api/runs/{run_id}/items"
    for sort, order in (("word_f1", "asc"), ("cer", "desc"), ("e2e_hmean", "desc")):
        page = lab.get(url, sort=sort, order=order).json()["items"]
        values = [flat_text(i["text_metrics"])[sort] for i in page if i["text_metrics"]]
        values = [v for v in values if v is not None]  # an image with no line matched has no CER
        assert values == sorted(values, reverse=order == "desc"), sort
    misread = {i["name"] for i in lab.get(url, filter="misread").json()["items"]}
    assert misread == {n for n, i in items.items() if i["text_metrics"]["char_edits"] > 0}
    rows = lab.get(f"/api/runs/{run_id}/items.csv", sort="word_f1").text.splitlines()
    header = rows[0].split(",")
    assert "word_f1" in header and "cer" in header and len(rows) == len(items) + 1


def test_binarization_compared_on_word_f1_and_cer(lab: Lab) -> None:
    plain, binarized = lab.run("plain")["text_metrics"], lab.run("binarized")["text_metrics"]
    ia, ib = lab.items("plain"), lab.items("binarized")
    for metric, value in (("word_f1", lambda m: m["words"]["f1"]), ("cer", lambda m: m["cer"])):
        result = lab.get(
            "/api/runs/compare", a=lab.runs["plain"], b=lab.runs["binarized"], metric=metric
        ).json()
        assert result["metric"] == metric and result["images"] == len(lab.ws.names)
        assert result["delta"][metric] == pytest.approx(value(binarized) - value(plain), abs=1e-12)
        lo, hi = result["ci95"][metric]
        assert lo <= result["delta"][metric] <= hi
        per_image = {p["name"]: p for p in result["per_image"]}
        assert {n: (p["a"], p["b"]) for n, p in per_image.items()} == {
            n: (value(ia[n]["text_metrics"]), value(ib[n]["text_metrics"])) for n in ia
        }
        better = 1 if metric == "word_f1" else -1  # a lower CER is better
        gains = {n: better * (p["b"] - p["a"]) for n, p in per_image.items() if None not in (p["a"], p["b"])}
        assert set(result["fixed"]) == {n for n, g in gains.items() if g > 0}
        assert set(result["broke"]) == {n for n, g in gains.items() if g < 0}
        delta = result["delta"][metric]
        print(f"binarized - plain: {metric} {delta:+.4f} [{lo:+.4f}, {hi:+.4f}]: {result['verdict']}")
    csv = lab.get(
        "/api/runs/compare.csv", a=lab.runs["plain"], b=lab.runs["binarized"], metric="word_f1"
    ).text
    assert csv.splitlines()[0] == "name,word_f1_a,word_f1_b,delta,change"


def test_identical_runs_compare_on_word_f1_as_zero_through_the_api_and_the_cli(
    lab: Lab, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    a, b = lab.runs["plain"], lab.runs["imported"]
    assert lab.run("imported")["text_metrics"] == lab.run("plain")["text_metrics"]
    result = lab.get("/api/runs/compare", a=a, b=b, metric="word_f1").json()
    assert result["delta"]["word_f1"] == 0 and result["ci95"]["word_f1"] == [0, 0]
    assert result["delta"]["cer"] == 0 and result["ci95"]["cer"] == [0, 0]
    assert result["fixed"] == result["broke"] == [] and "same word F1" in result["verdict"]
    monkeypatch.setenv("OCRP_OUTPUTS_ROOT", str(lab.ws.settings.outputs_root))
    monkeypatch.setenv("OCRP_DATA_ROOT", str(lab.ws.settings.data_root))
    run_cli(["runs", "compare", a, b, "--metric", "word_f1", "--json"])
    assert json.loads(capsys.readouterr().out) == result
    run_cli(["runs", "compare", a, lab.runs["binarized"], "--metric", "word_f1"])
    table = capsys.readouterr().out
    assert "word_f1" in table and "cer" in table and "word F1 difference" in table


def test_batch_with_a_recognizer_prints_the_text_metrics(
    lab: Lab, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("OCRP_OUTPUTS_ROOT", str(lab.ws.settings.outputs_root))
    monkeypatch.setenv("OCRP_DATA_ROOT", str(lab.ws.settings.data_root))
    run_cli(["batch", str(lab.ws.dataset), "--checkpoint", DEMO_CHECKPOINT, "--recognizer", DEMO_RECOGNIZER,
             "--params", json.dumps(PARAMS), "--gt", str(lab.ws.gt), "--name", "cli"])  # fmt: skip
    out = capsys.readouterr().out
    run_id = out.split(":")[0]
    assert "text (case-sensitive):" in out and "words (bag of words)" in out
    # The same images under the same spec: the API's items are taken as they are.
    run_cli(["runs", "show", run_id, "--json"])
    shown = json.loads(capsys.readouterr().out)
    assert shown["spec"]["recognizer_path"] == DEMO_RECOGNIZER
    assert shown["text_metrics"] == lab.run("plain")["text_metrics"]
    run_cli(["runs", "items", run_id, "--sort", "word_f1"])
    assert "word F1" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("spec", "status", "words"),
    [
        ({"recognizer_path": "missing_rec.onnx"}, 404, "does not exist"),
        ({"recognizer_path": CHECKPOINT}, 422, "not a CTC text recognizer"),
        ({"recognizer_path": "../rec.onnx"}, 403, "outside"),
        ({"pipeline_id": "preprocessing", "checkpoint_path": None, "gt": None}, 422, "detects no text"),
        ({"checkpoint_path": None, "predictions": "preds/plain.json"}, 422, "no recognizer"),
    ],
)
def test_bad_recognizers_are_refused_before_the_run(lab: Lab, spec: dict, status: int, words: str) -> None:
    r = httpx.post(f"{lab.base}/api/runs", json=body(**spec), timeout=60)
    assert r.status_code == status, r.text
    assert isinstance(r.json()["detail"], str) and words in r.json()["detail"]


def test_comparing_a_run_without_text_on_word_f1_is_refused(
    lab: Lab, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    r = lab.get("/api/runs/compare", a=lab.runs["boxes"], b=lab.runs["plain"], metric="word_f1")
    assert r.status_code == 422 and "has no text metrics" in r.json()["detail"], r.text
    assert (
        lab.get("/api/runs/compare", a=lab.runs["boxes"], b=lab.runs["plain"], metric="nope").status_code
        == 422
    )
    monkeypatch.setenv("OCRP_OUTPUTS_ROOT", str(lab.ws.settings.outputs_root))
    args = cli.build_parser(only="batch").parse_args(
        ["batch", str(lab.ws.dataset), "--checkpoint", str(lab.ws.model), "--recognizer", "nowhere_rec.onnx"]
    )
    with pytest.raises(SystemExit) as exit_:
        args.handler(args)
    err = capsys.readouterr().err.strip().splitlines()
    assert exit_.value.code == 2 and len(err) == 1 and "does not exist" in err[0], err
