"""Runs through the real API: predictions equal ``detect`` image by image, each item's metrics equal
``evaluate --per-image`` on that image, a corrupt image fails alone, items sort and page, progress
arrives on the WebSocket, and every refusal is a 4xx with a sentence."""

import asyncio
import json
import os
from pathlib import Path

import httpx
import pandas as pd
import pytest
import websockets

from ocr_playground import cli
from ocr_playground.runs import plan

from live_server import live_server
from runs_data import CHECKPOINT, FINISHED, PARAMS, Workspace, make_workspace, wait_run


def run_cli(argv: list[str]) -> None:
    args = cli.build_parser(only=argv[0]).parse_args(argv)
    args.handler(args)


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    return make_workspace(tmp_path_factory.mktemp("runs"), count=6, corrupt=True)


@pytest.fixture(scope="module")
def finished(workspace: Workspace) -> tuple[str, dict]:
    """One run over the dataset with ground truth, on a real server; its id and summary."""
    with live_server(workspace.settings) as base:
        body = {
            "dataset": "receipts/images",
            "pipeline_id": "inference",
            "params": PARAMS,
            "checkpoint_path": CHECKPOINT,
            "gt": "receipts/gt.json",
            "name": "api",
        }
        r = httpx.post(f"{base}/api/runs", json=body)
        assert r.status_code == 202, r.text
        assert r.json()["total"] == len(workspace.names)
        run = wait_run(base, r.json()["run_id"])
        yield base, run


def test_run_completes_with_one_failed_item(finished: tuple[str, dict], workspace: Workspace) -> None:
    base, run = finished
    assert run["status"] == "completed", run
    assert (run["done"], run["failed"], run["total"]) == (len(workspace.names), 1, len(workspace.names))
    failed = httpx.get(f"{base}/api/runs/{run['run_id']}/items", params={"status": "failed"}).json()
    assert failed["total"] == 1
    item = failed["items"][0]
    assert item["name"] == "broken.jpg" and "image" in item["error"] and item["error"].endswith(".")
    folder = workspace.settings.outputs_root / "runs" / run["run_id"]
    frame = pd.read_parquet(folder / "items.parquet")
    assert sorted(frame["name"]) == workspace.names
    assert frame.loc[frame["name"] == "broken.jpg", "status"].item() == "failed"
    assert json.loads((folder / "metrics.json").read_text())["run_id"] == run["run_id"]
    assert not list(folder.glob(".*.tmp"))


def test_predictions_equal_detect_and_metrics_equal_evaluate(
    finished: tuple[str, dict], workspace: Workspace, tmp_path: Path
) -> None:
    base, run = finished
    folder = workspace.settings.outputs_root / "runs" / run["run_id"]
    ours = json.loads((folder / "predictions.json").read_text())["images"]
    detect_out = tmp_path / "detect.json"
    good = [str(workspace.dataset / n) for n in workspace.names if n != "broken.jpg"]
    run_cli(["detect", *good, "--checkpoint", str(workspace.model), "--params", json.dumps(PARAMS),
             "-o", str(detect_out)])  # fmt: skip
    theirs = json.loads(detect_out.read_text())["images"]
    assert len(ours) == len(good)
    for name, words in ours.items():
        assert list(words["words"].values()) == list(theirs[Path(name).name]["words"].values()), name

    per_image = tmp_path / "per_image.json"
    run_cli(["evaluate", "--gt", str(workspace.gt), "--pred", str(detect_out), "--per-image", str(per_image)])
    rows = {row["name"]: row for row in json.loads(per_image.read_text())["images"]}
    page = httpx.get(f"{base}/api/runs/{run['run_id']}/items", params={"status": "completed"}).json()
    assert page["total"] == len(good)
    for item in page["items"]:
        row = rows[Path(item["name"]).name]
        for protocol, scores in item["metrics"].items():
            for field in ("precision", "recall", "hmean", "tp", "fp", "fn"):
                assert scores[field] == pytest.approx(row[f"{protocol}.{field}"]), (
                    item["name"],
                    protocol,
                    field,
                )


def test_run_metrics_are_micro_aggregates(finished: tuple[str, dict]) -> None:
    base, run = finished
    items = httpx.get(f"{base}/api/runs/{run['run_id']}/items", params={"status": "completed"}).json()[
        "items"
    ]
    m = [i["metrics"]["icdar2015-iou"] for i in items]
    recall = sum(s["tp"] for s in m) / sum(s["gt"] for s in m)
    assert run["metrics"]["icdar2015-iou"]["recall"] == pytest.approx(recall)
    assert run["metrics"]["icdar2015-iou"]["gt"] == sum(s["gt"] for s in m)


def test_items_sort_filter_page_and_detail(finished: tuple[str, dict]) -> None:
    base, run = finished
    url = f"{base}/api/runs/{run['run_id']}/items"
    by_hmean = httpx.get(url, params={"sort": "hmean", "order": "desc", "status": "completed"}).json()[
        "items"
    ]
    values = [i["metrics"]["icdar2015-iou"]["hmean"] for i in by_hmean]
    assert values == sorted(values, reverse=True)
    first, second = (httpx.get(url, params={"limit": 2, "offset": o}).json() for o in (0, 2))
    assert first["total"] == second["total"] and not {i["name"] for i in first["items"]} & {
        i["name"] for i in second["items"]
    }
    name = by_hmean[0]["name"]
    detail = httpx.get(f"{url}/{name}", params={"protocol": "deteval"}).json()
    assert detail["name"] == name and detail["protocol"] == "deteval"
    assert {d["match"] for d in detail["detections"]} <= {"tp", "fp", "ignored"}
    assert {g["match"] for g in detail["ground_truth"]} <= {"tp", "fn", "dont_care"}
    marks = [g["match"] for g in detail["ground_truth"]]
    assert marks.count("tp") == pytest.approx(by_hmean[0]["metrics"]["deteval"]["tp"], abs=len(marks))
    assert httpx.get(f"{url}/nope.jpg").status_code == 404
    bad = httpx.get(url, params={"sort": "colour"})
    assert bad.status_code == 422 and isinstance(bad.json()["detail"], str)


def test_runs_list_is_paged_newest_first(finished: tuple[str, dict]) -> None:
    base, run = finished
    listing = httpx.get(f"{base}/api/runs", params={"limit": 1}).json()
    assert listing["runs"][0]["run_id"] == run["run_id"]
    datasets = httpx.get(f"{base}/api/runs/datasets").json()
    entry = next(d for d in datasets if d["path"] == "receipts/images")
    assert entry["gt"] == "receipts/gt.json" and entry["images"] == 7


def test_websocket_progress_and_cancel(workspace: Workspace) -> None:
    with live_server(workspace.settings) as base:
        body = {"dataset": "receipts/images", "pipeline_id": "preprocessing", "params": {"grayscale": True},
                "reuse": False}  # fmt: skip
        run_id = httpx.post(f"{base}/api/runs", json=body).json()["run_id"]

        async def follow() -> list[dict]:
            async with websockets.connect(base.replace("http", "ws") + "/api/pipelines/ws") as ws:
                await ws.send(json.dumps({"subscribe": run_id}))
                messages = []
                while not messages or messages[-1]["status"] not in FINISHED:
                    messages.append(json.loads(await asyncio.wait_for(ws.recv(), 60)))
                return messages

        messages = asyncio.run(follow())
        assert all(m["run_id"] == run_id for m in messages)
        assert messages[-1]["status"] == "completed" and messages[-1]["done"] == messages[-1]["total"] == 7
        cancel = httpx.delete(f"{base}/api/runs/{run_id}")
        assert cancel.status_code == 409 and "already completed" in cancel.json()["detail"]


@pytest.mark.parametrize(
    ("change", "code", "words"),
    [
        ({"dataset": "../"}, 403, "outside the data root"),
        ({"dataset": "empty"}, 422, "holds no images"),
        ({"dataset": "missing"}, 422, "not a folder"),
        ({"gt": "other.json"}, 422, "names none of the"),
        ({"gt": "bad.json"}, 422, "not valid JSON"),
        ({"engine": "spark"}, 422, "engine"),
        ({"checkpoint_path": "nope.onnx"}, 404, "does not exist"),
        ({"params": {"detection": {"thresh": 3}}}, 422, "detection.thresh"),
        (
            {"pipeline_id": "preprocessing", "checkpoint_path": None, "params": {}},
            422,
            "needs the 'inference'",
        ),
        ({"dataset": ["receipts/images/r001.jpg", "receipts/gt.json"]}, 422, "not an image file"),
    ],
)
def test_refusals_are_4xx_sentences(workspace: Workspace, change: dict, code: int, words: str) -> None:
    root = workspace.settings.data_root
    (root / "empty").mkdir(exist_ok=True)
    (root / "other.json").write_text(json.dumps({"images": {"elsewhere.jpg": []}}))
    (root / "bad.json").write_text("{not json")
    body = {"dataset": "receipts/images", "checkpoint_path": CHECKPOINT, "params": PARAMS,
            "gt": "receipts/gt.json"} | change  # fmt: skip
    with live_server(workspace.settings) as base:
        before = httpx.get(f"{base}/api/runs").json()["runs"]
        r = httpx.post(f"{base}/api/runs", json=body)
        assert r.status_code == code, r.text
        assert isinstance(r.json()["detail"], str) and words in r.json()["detail"]
        assert httpx.get(f"{base}/api/runs").json()["runs"] == before  # refused before any work


def test_missing_ray_extra_is_refused(workspace: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(plan, "ray_available", lambda: False)
    with live_server(workspace.settings) as base:
        r = httpx.post(f"{base}/api/runs", json={"dataset": "receipts/images", "checkpoint_path": CHECKPOINT,
                                                 "engine": "ray"})  # fmt: skip
        assert r.status_code == 422 and "ray extra" in r.json()["detail"]


def test_names_that_are_not_utf8_are_skipped_by_listings_and_runs(workspace: Workspace) -> None:
    # Bytes that are not UTF-8 in a file, a folder and a link's target: none can be named in a
    # request or stored, so the listings and a run over the folder leave all three out.
    folder = workspace.settings.data_root / "undecodable"
    folder.mkdir()
    jpeg = (workspace.dataset / "r001.jpg").read_bytes()
    (folder / "ok.jpg").write_bytes(jpeg)
    raw = os.fsencode(folder)
    Path(os.fsdecode(raw + b"/bad\xffname.jpg")).write_bytes(jpeg)
    os.mkdir(raw + b"/sub\xfe")
    Path(os.fsdecode(raw + b"/sub\xfe/inside.jpg")).write_bytes(jpeg)
    os.symlink(os.fsdecode(raw + b"/bad\xffname.jpg"), folder / "link.jpg")
    with live_server(workspace.settings) as base:
        listing = httpx.get(f"{base}/api/images")
        assert listing.status_code == 200, listing.text
        assert [i["path"] for i in listing.json()["images"] if i["path"].startswith("undecodable/")] == [
            "undecodable/ok.jpg"
        ]
        datasets = httpx.get(f"{base}/api/runs/datasets")
        assert datasets.status_code == 200, datasets.text
        assert {"path": "undecodable", "images": 1, "gt": None} in datasets.json()
        body = {"dataset": "undecodable", "checkpoint_path": CHECKPOINT, "params": PARAMS}
        r = httpx.post(f"{base}/api/runs", json=body)
        assert r.status_code == 202 and r.json()["total"] == 1, r.text
        assert wait_run(base, r.json()["run_id"])["status"] == "completed"
