"""The Evaluation Lab through the real API and the real command line, on runs of the tiny detector:
a run imported from another run's predictions compares as identical (difference 0, interval
[0, 0]); fixed/broke agree with the items; the sweep reproduces the run at the run's own
thresholds, with one model call per image whatever the grid; exports, images, refusals."""

import asyncio
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
import websockets

from ocr_playground import cli
from ocr_playground.runs.service import RunService
from ocr_playground.runs.sweep import Grid
from ocr_playground.runs.sweeps import SweepConflict, SweepService

from live_server import live_server
from runs_data import CHECKPOINT, COUNTER, PARAMS, Workspace, make_workspace, wait_run
from strict import require_module

pytestmark = pytest.mark.slow
SCORED = 6  # six receipts with ground truth (and a corrupt image besides)
B_PARAMS = {"grayscale": True, "detection": {"unclipRatio": 1.0, "boxThresh": 0.5}}
GRID = {"thresh": [0.3], "boxThresh": [0.5, 0.7], "unclipRatio": [0.5, 1.0]}  # holds A's and B's own


def start(base: str, **spec: object) -> str:
    body = {"dataset": "receipts/images", "checkpoint_path": CHECKPOINT, "gt": "receipts/gt.json"} | spec
    r = httpx.post(f"{base}/api/runs", json=body)
    assert r.status_code == 202, r.text
    return r.json()["run_id"]


def run_cli(argv: list[str]) -> None:
    args = cli.build_parser(only=argv[0]).parse_args(argv)
    args.handler(args)


class Lab:
    def __init__(self, base: str, ws: Workspace, runs: dict[str, str]) -> None:
        self.base, self.ws, self.runs = base, ws, runs

    def get(self, path: str, **params: object) -> httpx.Response:
        return httpx.get(f"{self.base}{path}", params=params, timeout=120)

    def items(self, run_id: str, protocol: str = "icdar2015-iou") -> dict[str, dict]:
        page = self.get(f"/api/runs/{run_id}/items", status="completed", limit=1000).json()["items"]
        return {i["name"]: i["metrics"][protocol] for i in page}


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Lab:
    ws = make_workspace(tmp_path_factory.mktemp("lab"), count=6, corrupt=True)
    with live_server(ws.settings) as base:
        runs = {"a": start(base, params=PARAMS, name="A"), "b": start(base, params=B_PARAMS, name="B")}
        for run_id in runs.values():
            assert wait_run(base, run_id)["status"] == "completed"
        # A's predictions, as a file made elsewhere would be: JSON as written, and as submission CSV.
        predictions = ws.settings.outputs_root / "runs" / runs["a"] / "predictions.json"
        preds = ws.settings.data_root / "preds"
        preds.mkdir()
        shutil.copy(predictions, preds / "a.json")
        rows = ["filename,polygons"]
        for name, image in json.loads(predictions.read_text())["images"].items():
            polygons = [" ".join(f"{v:g}" for p in w["points"] for v in p) for w in image["words"].values()]
            rows.append(f"{Path(name).name},{'|'.join(polygons)}")
        (preds / "a.csv").write_text("\n".join(rows) + "\n")
        runs["json"] = start(base, checkpoint_path=None, predictions="preds/a.json", name="imported")
        runs["csv"] = start(base, checkpoint_path=None, predictions="preds/a.csv", name="csv")
        for key in ("json", "csv"):
            assert wait_run(base, runs[key])["status"] == "completed"
        yield Lab(base, ws, runs)


# --- runs from prediction files ----------------------------------------------------------------


def test_imported_predictions_score_exactly_like_the_run_they_came_from(lab: Lab) -> None:
    a = lab.get(f"/api/runs/{lab.runs['a']}").json()
    for key in ("json", "csv"):
        imported = lab.get(f"/api/runs/{lab.runs[key]}").json()
        assert imported["spec"]["predictions"] and imported["spec"]["checkpoint_path"] is None
        assert imported["metrics"] == a["metrics"], key
        assert lab.items(lab.runs[key], "deteval") == lab.items(lab.runs["a"], "deteval")
        # the corrupt image fails in an import too (its size cannot be read)
        assert imported["failed"] == 1 and imported["done"] == imported["total"] == SCORED + 1


@pytest.mark.parametrize(
    ("change", "code", "words"),
    [
        ({"predictions": "preds/a.json"}, 422, "not both"),
        ({"checkpoint_path": None, "predictions": "../x.json"}, 403, "outside the data root"),
        ({"checkpoint_path": None, "predictions": "preds/none.json"}, 422, "name none of the"),
        ({"checkpoint_path": None, "predictions": "preds/bad.csv"}, 422, "bad.csv line 1"),
        ({"checkpoint_path": None, "predictions": "preds/a.json", "params": PARAMS}, 422, "takes no params"),
        ({"checkpoint_path": None, "predictions": "preds/missing.json"}, 422, "There is no file"),
        ({"checkpoint_path": None, "predictions": "preds"}, 422, "is a folder"),
    ],
)
def test_import_refusals_are_sentences(lab: Lab, change: dict, code: int, words: str) -> None:
    preds = lab.ws.settings.data_root / "preds"
    (preds / "none.json").write_text(json.dumps({"images": {"elsewhere.jpg": {"words": {}}}}))
    (preds / "bad.csv").write_text("r001.jpg,1 2 3\n")
    body = {"dataset": "receipts/images", "checkpoint_path": CHECKPOINT, "gt": "receipts/gt.json"} | change
    r = httpx.post(f"{lab.base}/api/runs", json=body)
    assert r.status_code == code and words in r.json()["detail"], r.text


def test_a_folder_named_as_predictions_leaks_no_file_descriptor(lab: Lab) -> None:
    # The server runs in this process: its open descriptors are this process's.
    def open_fds() -> int:
        return len(os.listdir("/proc/self/fd"))

    body = {"dataset": "receipts/images", "predictions": "preds", "gt": "receipts/gt.json"}
    before = open_fds()
    codes = {httpx.post(f"{lab.base}/api/runs", json=body).status_code for _ in range(40)}
    assert open_fds() < before + 5
    assert codes == {422}


# --- compare -----------------------------------------------------------------------------------


def test_a_run_compared_with_its_own_predictions_differs_by_exactly_zero(lab: Lab) -> None:
    for key in ("json", "csv"):
        result = lab.get("/api/runs/compare", a=lab.runs["a"], b=lab.runs[key], protocol="deteval").json()
        assert result["images"] == SCORED and result["shared"]["note"] is None
        assert result["delta"] == {"precision": 0, "recall": 0, "hmean": 0}
        assert result["ci95"]["hmean"] == [0, 0] and result["fixed"] == result["broke"] == []


def test_fixed_and_broke_agree_with_the_items(lab: Lab) -> None:
    a, b = lab.runs["a"], lab.runs["b"]
    result = lab.get("/api/runs/compare", a=a, b=b).json()
    ia, ib = lab.items(a), lab.items(b)
    assert {p["name"] for p in result["per_image"]} == set(ia) == set(ib)
    assert result["fixed"] == sorted(
        (n for n in ia if ib[n]["hmean"] > ia[n]["hmean"]), key=lambda n: -(ib[n]["hmean"] - ia[n]["hmean"])
    )
    assert set(result["broke"]) == {n for n in ia if ib[n]["hmean"] < ia[n]["hmean"]}
    assert result["fixed"] or result["broke"], "the two settings should change some image"
    runs = {k: lab.get(f"/api/runs/{lab.runs[k]}").json()["metrics"]["icdar2015-iou"] for k in ("a", "b")}
    assert result["delta"]["hmean"] == pytest.approx(runs["b"]["hmean"] - runs["a"]["hmean"], abs=1e-12)
    lo, hi = result["ci95"]["hmean"]
    assert lo <= result["delta"]["hmean"] <= hi

    csv_rows = lab.get("/api/runs/compare.csv", a=a, b=b).text.splitlines()
    assert csv_rows[0] == "name,hmean_a,hmean_b,delta,change" and len(csv_rows) == SCORED + 1
    changes = {row.split(",")[0]: row.split(",")[-1] for row in csv_rows[1:]}
    assert {n for n, c in changes.items() if c == "fixed"} == set(result["fixed"])

    report = lab.get("/api/runs/compare/report", a=a, b=b)
    assert report.status_code == 200 and report.headers["content-type"].startswith("text/html")
    assert "attachment" in report.headers["content-disposition"]
    page = report.text
    assert result["verdict"] in page.replace("&#x27;", "'")
    assert page.count("data:image/jpeg;base64,") == 2 * min(8, len(result["fixed"])) + 2 * min(
        8, len(result["broke"])
    )
    assert "<script" not in page and 'src="http' not in page and 'href="http' not in page


def test_compare_over_different_images_uses_the_shared_ones_or_refuses(lab: Lab) -> None:
    some = ["receipts/images/r001.jpg", "receipts/images/r002.jpg"]
    others = ["receipts/images/r004.jpg", "receipts/images/r005.jpg"]
    part = start(lab.base, dataset=some, params=PARAMS)
    rest = start(lab.base, dataset=others, params=PARAMS)
    for run_id in (part, rest):
        wait_run(lab.base, run_id)
    # A list dataset names images relative to the data root, a folder relative to itself.
    shared = lab.get("/api/runs/compare", a=part, b=rest)
    assert shared.status_code == 422 and "no scored image in common" in shared.json()["detail"]
    one = start(lab.base, dataset=some[:1], params=B_PARAMS)
    wait_run(lab.base, one)
    result = lab.get("/api/runs/compare", a=part, b=one).json()
    assert result["images"] == 1 and result["shared"] == {
        "images": 1,
        "only_a": 1,
        "only_b": 0,
        "note": "Compared on the 1 images both runs scored; 1 scored only in A and 0 only in B are left out.",
    }


@pytest.mark.parametrize(
    ("query", "code", "words"),
    [
        ({"a": "run-000000000000", "b": "B"}, 404, "No run has the id"),
        ({"b": "B"}, 422, "'a'"),
        ({"a": "A", "b": "B", "protocol": "f1"}, 422, "protocol"),
        ({"a": "A", "b": "B", "resamples": 10}, 422, "resamples must be between"),
        ({"a": "A", "b": "NOGT"}, 422, "has no ground truth"),
    ],
)
def test_compare_refusals(lab: Lab, query: dict, code: int, words: str) -> None:
    if "NOGT" in query.values() and "nogt" not in lab.runs:
        lab.runs["nogt"] = start(lab.base, gt=None, params=PARAMS)
        wait_run(lab.base, lab.runs["nogt"])
    names = {"A": lab.runs["a"], "B": lab.runs["b"], "NOGT": lab.runs.get("nogt")}
    r = lab.get("/api/runs/compare", **{k: names.get(v, v) for k, v in query.items()})
    assert r.status_code == code and words in r.json()["detail"], r.text


# --- one run: filters, exports, histogram, images ----------------------------------------------


def test_failure_filters_exports_and_histogram(lab: Lab) -> None:
    run_id = lab.runs["a"]
    scores = lab.items(run_id)
    for filter_, field in (("misses", "fn"), ("false_detections", "fp")):
        page = lab.get(f"/api/runs/{run_id}/items", filter=filter_, limit=1000).json()
        assert {i["name"] for i in page["items"]} == {n for n, s in scores.items() if s[field] > 0}
        assert page["total"] == len(page["items"])
        rows = lab.get(f"/api/runs/{run_id}/items.csv", filter=filter_).text.splitlines()
        assert len(rows) == page["total"] + 1 and rows[0].startswith("name,status,error,detections")
    failed = lab.get(f"/api/runs/{run_id}/items", filter="failed").json()
    assert [i["name"] for i in failed["items"]] == ["broken.jpg"]
    everything = lab.get(f"/api/runs/{run_id}/items.csv").text.splitlines()
    assert len(everything) == SCORED + 2  # header, the scored images and the failed one
    histogram = lab.get(f"/api/runs/{run_id}/histogram", bins=5).json()
    assert sum(b["count"] for b in histogram["bins"]) == histogram["scored"] == SCORED
    assert histogram["failed"] == 1 and len(histogram["bins"]) == 5


def test_item_images_whole_thumbnail_and_marked(lab: Lab) -> None:
    run_id, name = lab.runs["a"], "more/r000.jpg"
    whole = lab.get(f"/api/runs/{run_id}/images/{name}")
    assert whole.content == (lab.ws.dataset / name).read_bytes()
    thumb = lab.get(f"/api/runs/{run_id}/images/{name}", max_side=120)
    marked = lab.get(f"/api/runs/{run_id}/images/{name}", max_side=120, marks="icdar2015-iou")
    import cv2
    import numpy as np

    a, b = (cv2.imdecode(np.frombuffer(r.content, np.uint8), cv2.IMREAD_COLOR) for r in (thumb, marked))
    assert max(a.shape[:2]) == 120 and a.shape == b.shape
    assert np.abs(a.astype(int) - b.astype(int)).max() > 100  # the marks are drawn
    assert lab.get(f"/api/runs/{run_id}/images/nope.jpg").status_code == 404
    assert lab.get(f"/api/runs/{run_id}/images/{name}", max_side=5).status_code == 422


def test_an_item_image_gone_since_the_run_is_410_with_a_sentence(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path, count=3)
    with live_server(ws.settings) as base:
        run_id = start(base, params=PARAMS, gt=None)
        wait_run(base, run_id)
        (ws.dataset / "r001.jpg").unlink()
        (ws.dataset / "r002.jpg").unlink()
        (ws.dataset / "r002.jpg").mkdir()
        for name in ("r001.jpg", "r002.jpg"):
            for query in ({}, {"max_side": 120}, {"marks": "deteval"}):
                r = httpx.get(f"{base}/api/runs/{run_id}/images/{name}", params=query)
                assert r.status_code == 410, (name, query, r.text)
                assert "no longer on disk" in r.json()["detail"] and name in r.json()["detail"]


def test_a_comparison_report_says_which_images_are_gone_instead_of_failing(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path, count=SCORED)
    with live_server(ws.settings) as base:
        a, b = start(base, params=PARAMS), start(base, params=B_PARAMS)
        wait_run(base, a)
        wait_run(base, b)
        result = httpx.get(f"{base}/api/runs/compare", params={"a": a, "b": b}).json()
        assert result["fixed"] or result["broke"], "the two settings should change some image"
        for image in ws.dataset.rglob("*.jpg"):
            image.unlink()
        report = httpx.get(f"{base}/api/runs/compare/report", params={"a": a, "b": b})
        assert report.status_code == 200, report.text
        assert "data:image/jpeg;base64," not in report.text
        listed = min(8, len(result["fixed"])) + min(8, len(result["broke"]))
        assert report.text.count("(no thumbnail: The image") == listed


# --- sweep -------------------------------------------------------------------------------------


def test_sweep_with_progress_on_the_websocket_reproduces_the_run_at_its_own_thresholds(lab: Lab) -> None:
    run_id = lab.runs["a"]
    r = httpx.post(f"{lab.base}/api/runs/{run_id}/sweep", json={"grid": GRID})
    assert r.status_code == 202, r.text
    sweep_id = r.json()["sweep_id"]

    async def follow() -> list[dict]:
        async with websockets.connect(lab.base.replace("http", "ws") + "/api/pipelines/ws") as ws:
            await ws.send(json.dumps({"subscribe": run_id}))
            messages: list[dict] = []
            while not messages or messages[-1].get("sweep", {}).get("status") not in ("completed", "failed"):
                messages.append(json.loads(await asyncio.wait_for(ws.recv(), 120)))
            return messages

    messages = asyncio.run(follow())
    assert all(m["run_id"] == run_id and m["status"] == "completed" for m in messages)
    assert messages[-1]["sweep"]["sweep_id"] == sweep_id and messages[-1]["sweep"]["done"] == SCORED

    sweep = lab.get(f"/api/runs/{run_id}/sweep", protocol="deteval").json()
    assert sweep["status"] == "completed" and sweep["model_calls"] == SCORED == sweep["total"]
    assert len(sweep["points"]) == 4 and set(sweep["best"]) == {"icdar2015-iou", "deteval"}
    runs = {k: lab.get(f"/api/runs/{lab.runs[k]}").json()["metrics"] for k in ("a", "b")}
    for key, unclip in (("a", 0.5), ("b", 1.0)):  # A's and B's own thresholds are points of the grid
        point = next(p for p in sweep["points"] if (p["boxThresh"], p["unclipRatio"]) == (0.5, unclip))
        for protocol, got in point["protocols"].items():
            for field in ("precision", "recall", "hmean"):
                assert got[field] == pytest.approx(runs[key][protocol][field], abs=1e-12), (key, protocol)
    for protocol, best in sweep["best"].items():
        assert best["hmean"] == max(p["protocols"][protocol]["hmean"] for p in sweep["points"])
    assert sweep["points"][0]["hmean"] == sweep["points"][0]["protocols"]["deteval"]["hmean"]


def test_sweep_refusals_and_one_at_a_time(lab: Lab) -> None:
    url = f"{lab.base}/api/runs/{lab.runs['a']}/sweep"
    bad = httpx.post(url, json={"grid": {"thresh": [2]}})
    assert bad.status_code == 422 and "grid.thresh" in bad.json()["detail"]
    imported = httpx.post(f"{lab.base}/api/runs/{lab.runs['json']}/sweep")
    assert imported.status_code == 422 and "ran no detector" in imported.json()["detail"]
    assert httpx.post(f"{lab.base}/api/runs/run-000000000000/sweep").status_code == 404
    none = lab.get(f"/api/runs/{lab.runs['b']}/sweep").json()
    assert none["status"] == "none" and none["points"] == []
    # A second sweep of a run while one is queued is refused (service level: no race with the worker).
    service = RunService(lab.ws.settings, origin="cli")
    sweeps = SweepService(service)
    try:
        sweeps.create(lab.runs["b"], Grid.model_validate(GRID))
        with pytest.raises(SweepConflict, match="already has a sweep going"):
            sweeps.create(lab.runs["b"])
        sweeps.store.interrupt_unfinished()
    finally:
        sweeps.store.close()
        service.store.close()


def test_sweep_calls_the_model_once_per_image_whatever_the_grid(lab: Lab, tmp_path: Path) -> None:
    """The command line in its own process, model calls counted in every process it starts."""
    calls = tmp_path / "calls"
    env = os.environ | {
        "PYTHONPATH": COUNTER,
        "OCRP_TEST_MODEL_CALLS": str(calls),
        "OCRP_OUTPUTS_ROOT": str(lab.ws.settings.outputs_root),
        "OCRP_DATA_ROOT": str(lab.ws.settings.data_root),
        "OCRP_CHECKPOINTS_ROOT": str(lab.ws.settings.checkpoints_root),
    }
    command = [sys.executable, "-m", "ocr_playground", "runs", "sweep", lab.runs["b"], "--json"]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert len(result["points"]) == 60 and result["model_calls"] == SCORED
    counted = [line for line in calls.read_text().splitlines() if not line.startswith("256x256 ")]
    assert len(counted) == SCORED, counted


# --- the command line ----------------------------------------------------------------------------


def test_compare_and_import_on_the_command_line(
    lab: Lab, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("OCRP_OUTPUTS_ROOT", str(lab.ws.settings.outputs_root))
    monkeypatch.setenv("OCRP_DATA_ROOT", str(lab.ws.settings.data_root))
    a, b = lab.runs["a"], lab.runs["b"]
    run_cli(
        [
            "runs",
            "compare",
            a,
            b,
            "--json",
            "--html",
            str(tmp_path / "r.html"),
            "--csv",
            str(tmp_path / "r.csv"),
        ]
    )
    printed = json.loads(capsys.readouterr().out)
    assert printed == lab.get("/api/runs/compare", a=a, b=b).json()
    assert (tmp_path / "r.html").read_text().startswith("<!doctype html>")
    assert (tmp_path / "r.csv").read_text() == lab.get("/api/runs/compare.csv", a=a, b=b).text
    run_cli(["runs", "compare", a, b])
    table = capsys.readouterr().out
    assert (
        "95 % interval" in table
        and printed["verdict"] in table
        and f"fixed: {len(printed['fixed'])}" in table
    )

    run_cli(["runs", "import", str(lab.ws.dataset), str(lab.ws.settings.data_root / "preds" / "a.csv"),
             "--gt", str(lab.ws.gt), "--name", "cli-import"])  # fmt: skip
    out = capsys.readouterr().out
    imported = out.split(":")[0]
    assert f"{imported}: completed" in out
    run_cli(["runs", "compare", a, imported, "--json"])
    assert json.loads(capsys.readouterr().out)["ci95"]["hmean"] == [0, 0]
    run_cli(
        ["runs", "items", a, "--filter", "misses", "--sort", "hmean", "--csv", str(tmp_path / "misses.csv")]
    )
    assert (tmp_path / "misses.csv").read_text() == lab.get(f"/api/runs/{a}/items.csv", filter="misses").text


@pytest.mark.parametrize(
    "argv",
    [
        ["runs", "compare", "run-000000000000", "run-000000000001"],
        ["runs", "sweep", "RUN", "--grid", '{"thresh": [7]}'],
        ["runs", "sweep", "RUN", "--grid", "{not json"],
        ["runs", "import", "receipts/images", "preds/none.json", "--gt", "receipts/gt.json"],
        ["runs", "import", "receipts/images", "preds", "--gt", "receipts/gt.json"],
    ],
)
def test_command_line_refusals_are_one_line_exit_2(lab: Lab, argv: list[str]) -> None:
    env = os.environ | {
        "OCRP_OUTPUTS_ROOT": str(lab.ws.settings.outputs_root),
        "OCRP_DATA_ROOT": str(lab.ws.settings.data_root),
    }
    argv = [lab.runs["a"] if a == "RUN" else a for a in argv]
    done = subprocess.run([sys.executable, "-m", "ocr_playground", *argv], env=env, capture_output=True,
                          text=True, timeout=120, check=False)  # fmt: skip
    assert done.returncode == 2, done
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr


# --- saving a sweep's thresholds as the model's defaults -----------------------------------------


def test_saved_defaults_are_used_where_a_request_sets_none(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path, count=3)
    sidecar = ws.model.with_suffix(".json")
    # A threshold saved earlier, spelled as the sidecar also accepts it: replaced, not doubled.
    sidecar.write_text(json.dumps({"base": "dbnet", "limitSideLen": 640, "detection": {"box_thresh": 0.2}}))
    with live_server(ws.settings) as base:
        a = start(base, params=PARAMS)
        wait_run(base, a)
        saved = httpx.post(
            f"{base}/api/runs/{a}/sweep/defaults", json={"thresholds": {"boxThresh": 0.5, "unclipRatio": 0.5}}
        )
        assert saved.status_code == 200, saved.text
        assert saved.json() == {"checkpoint_path": CHECKPOINT, "sidecar": "tiny.json",
                                "detection": {"boxThresh": 0.5, "unclipRatio": 0.5}}  # fmt: skip
        written = json.loads(sidecar.read_text())
        assert written == {
            "base": "dbnet",
            "limitSideLen": 640,
            "detection": {"boxThresh": 0.5, "unclipRatio": 0.5},
        }
        assert not list(sidecar.parent.glob(".*.tmp"))
        # The same thresholds now come from the sidecar: a run that sets none gives A's detections.
        plain = start(base, params={"grayscale": True})
        assert wait_run(base, plain)["metrics"] == httpx.get(f"{base}/api/runs/{a}").json()["metrics"]
        entry = next(c for c in httpx.get(f"{base}/api/inference/checkpoints").json()["checkpoints"]
                     if c["checkpoint_path"] == CHECKPOINT)  # fmt: skip
        assert entry["profile"]["detection"] == {"thresh": None, "boxThresh": 0.5, "unclipRatio": 0.5}
        # Without values, the best point of a finished sweep is what is saved (none yet: refused).
        none = httpx.post(f"{base}/api/runs/{a}/sweep/defaults", json={})
        assert none.status_code == 422 and "no finished sweep" in none.json()["detail"]
        # A threshold tuned later is added to those saved before, not put in their place.
        more = httpx.post(f"{base}/api/runs/{a}/sweep/defaults", json={"thresholds": {"thresh": 0.25}})
        assert more.json()["detection"] == {"boxThresh": 0.5, "unclipRatio": 0.5, "thresh": 0.25}, more.text
        assert json.loads(sidecar.read_text())["detection"] == more.json()["detection"]


def test_saving_defaults_over_a_sidecar_that_is_a_folder_is_refused_by_name(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path, count=1)
    ws.model.with_suffix(".json").mkdir()
    with live_server(ws.settings) as base:
        run_id = start(base, params=PARAMS, gt=None)
        wait_run(base, run_id)
        r = httpx.post(f"{base}/api/runs/{run_id}/sweep/defaults", json={"thresholds": {"thresh": 0.3}})
        assert r.status_code == 422, r.text
        assert "tiny.json" in r.json()["detail"] and "is a folder" in r.json()["detail"]
    assert ws.model.with_suffix(".json").is_dir()


def test_saving_defaults_of_a_builtin_model_is_refused(tmp_path: Path) -> None:
    require_module("rapidocr_onnxruntime", "the demo extra holds the built-in model")
    ws = make_workspace(tmp_path, count=1)
    with live_server(ws.settings) as base:
        run_id = start(base, checkpoint_path="builtin:ppocrv4-det", params={})
        wait_run(base, run_id)
        r = httpx.post(f"{base}/api/runs/{run_id}/sweep/defaults", json={"thresholds": {"thresh": 0.3}})
        assert (
            r.status_code == 409
            and "built-in model" in r.json()["detail"]
            and r.json()["detail"].endswith(".")
        )
