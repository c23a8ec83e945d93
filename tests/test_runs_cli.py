"""``ocr-playground batch`` and ``runs`` through the real parser; and the Ray engine (a local Ray
started by the test) gives the same items as the local one, the text read included."""

import json
from pathlib import Path

import pytest

from ocr_playground import cli
from ocr_playground.artifacts import run_folder
from ocr_playground.inference import evaluation
from ocr_playground.runs.model import Run, RunSpec, RunStatus
from ocr_playground.runs.service import RunService

from runs_data import PARAMS, Workspace, make_workspace

COMPARED = (
    "name",
    "status",
    "error",
    "cache_key",
    "width",
    "height",
    "detections",
    "metrics",
    "text_metrics",
)


def run(argv: list[str]) -> int:
    try:
        args = cli.build_parser(only=argv[0]).parse_args(argv)
        args.handler(args)
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Workspace:
    ws = make_workspace(tmp_path, count=4)
    monkeypatch.setenv("OCRP_OUTPUTS_ROOT", str(ws.settings.outputs_root))
    monkeypatch.setenv("OCRP_DATA_ROOT", str(ws.settings.data_root))
    return ws


def batch_argv(ws: Workspace, *extra: str) -> list[str]:
    return ["batch", str(ws.dataset), "--checkpoint", str(ws.model), "--params", json.dumps(PARAMS),
            "--gt", str(ws.gt), *extra]  # fmt: skip


def items_of(ws: Workspace, run_id: str) -> list[dict]:
    service = RunService(ws.settings, origin="cli")
    page, _ = service.store.items(run_id, limit=1000)
    service.store.close()
    return [{k: item[k] for k in COMPARED} for item in page]


def test_batch_prints_metrics_and_files_then_runs_commands(
    workspace: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(batch_argv(workspace, "--name", "cli", "--workers", "2")) == 0
    out = capsys.readouterr().out
    run_id = out.split(":")[0]
    assert f"{run_id}: completed, 4/4 images, 0 failed" in out
    assert "icdar2015-iou" in out and "deteval" in out
    assert f"runs/{run_id}/items.parquet" in out and f"runs/{run_id}/predictions.json" in out
    assert run(["runs", "list"]) == 0
    assert run_id in capsys.readouterr().out
    assert run(["runs", "show", run_id, "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["status"] == "completed" and shown["metrics"]["deteval"]["gt"] > 0
    assert run(["runs", "items", run_id, "--sort", "hmean", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["total"] == 4
    assert run(["runs", "cancel", run_id]) == 2
    assert "already completed" in capsys.readouterr().err


def test_batch_records_a_model_by_its_absolute_path(
    workspace: Workspace, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The path is part of the items' cache keys: 'model.onnx' named from another folder, or under
    # the server's checkpoints root, is another file and must not find these items.
    monkeypatch.chdir(workspace.model.parent)
    argv = batch_argv(workspace)
    argv[argv.index("--checkpoint") + 1] = workspace.model.name
    assert run(argv) == 0
    run_id = capsys.readouterr().out.split(":")[0]
    assert run(["runs", "show", run_id, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["spec"]["checkpoint_path"] == str(workspace.model)


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["batch", "{ws}/nowhere", "--checkpoint", "{model}"], "not a folder"),
        (["batch", "{ws}/data/receipts/images", "--checkpoint", "{ws}/missing.onnx"], "does not exist"),
        (
            ["batch", "{ws}/data/receipts/images", "--checkpoint", "{model}", "--gt", "{ws}/x.json"],
            "does not exist",
        ),
        (
            ["batch", "{ws}/data/receipts/images", "--checkpoint", "{model}", "--params", "{"],
            "not valid JSON",
        ),
        (
            ["batch", "{ws}/data/receipts/images", "--checkpoint", "{model}", "--params", "[" * 100_000],
            "nested too deeply",
        ),
        (
            ["batch", "{ws}/data/receipts/images", "--checkpoint", "{model}", "--params", "1" * 5000],
            "over 4,300 digits",
        ),
        (
            ["batch", "{ws}/data/receipts/images", "--checkpoint", "{model}", "--params", "@{ws}"],
            "is a folder",
        ),
        (["batch", "--resume", "run-000000000000"], "No run has the id"),
        (["runs", "list", "--limit", "-1"], "argument --limit: -1 is less than 1"),
        (["runs", "list", "--limit", str(2**63)], "is more than 1,000,000,000"),
        (
            ["runs", "items", "run-000000000000", "--limit", "x"],
            "argument --limit: 'x' is not a whole number",
        ),
        (["runs", "show", "run-000000000000"], "No run has the id"),
    ],
)
def test_refusals_exit_2_with_one_line(
    workspace: Workspace, capsys: pytest.CaptureFixture[str], argv: list[str], words: str
) -> None:
    argv = [a.replace("{ws}", str(workspace.root)).replace("{model}", str(workspace.model)) for a in argv]
    assert run(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and words in err[0], err


def test_a_run_whose_files_cannot_be_written_fails_saying_so_and_a_resume_writes_them(
    tmp_path: Path,
) -> None:
    workspace = make_workspace(tmp_path, count=2)
    service = RunService(workspace.settings, origin="cli")
    spec = RunSpec(dataset=str(workspace.dataset), checkpoint_path=str(workspace.model), params=PARAMS)
    run_id = service.create(spec).run_id
    folder = run_folder(workspace.settings.outputs_root.resolve(), run_id)
    folder.parent.mkdir(parents=True, exist_ok=True)
    folder.write_bytes(b"")  # a file where the run's folder goes: nothing can be written there
    failed = service.execute(run_id)
    assert failed.status is RunStatus.failed and failed.done == 2, failed
    assert (failed.error or "").startswith("The run's files could not be written"), failed
    folder.unlink()
    assert service.store.reopen(run_id)
    finished = service.execute(run_id)
    assert finished.status is RunStatus.completed and finished.error is None
    assert (folder / "items.parquet").is_file() and (folder / "metrics.json").is_file()


def test_an_image_too_large_to_score_fails_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    workspace = make_workspace(tmp_path, count=2)
    words = json.loads(workspace.gt.read_text())["images"]
    second, first = workspace.names  # 'more/r000.jpg', 'r001.jpg': the flat one is piled up
    box = {"points": [[0, 0], [9, 0], [9, 9], [0, 9]], "score": 0.9}
    piled = {"images": {first: [box] * 40, second: [box]}}
    predictions = tmp_path / "piled.json"
    predictions.write_text(json.dumps(piled))
    # Matching compares every pair: with the bound at 100 pairs, only the first image is over it.
    monkeypatch.setattr(evaluation, "MAX_PAIRS", 100)
    assert len(words["r000.jpg"]["words"]) <= 100 < 40 * len(words["r001.jpg"]["words"])
    service = RunService(workspace.settings, origin="cli")
    spec = RunSpec(dataset=str(workspace.dataset), predictions=str(predictions), gt=str(workspace.gt))
    run = service.execute(service.create(spec).run_id)
    assert run.status is RunStatus.completed and run.done == 2 and run.failed == 1, run
    by_name = {i["name"]: i for i in items_of(workspace, run.run_id)}
    assert "too large to score" in by_name[first]["error"], by_name[first]
    assert by_name[second]["status"] == "completed" and by_name[second]["metrics"] is not None


def test_resume_finishes_a_cancelled_run_without_recomputing(tmp_path: Path) -> None:
    workspace = make_workspace(tmp_path, count=9)
    service = RunService(workspace.settings, origin="cli")
    spec = RunSpec(
        dataset=str(workspace.dataset), checkpoint_path=str(workspace.model), params=PARAMS, workers=1
    )
    run_id = service.create(spec).run_id

    def cancel_at_first(_run: Run, _item: dict) -> None:
        service.store.finish(run_id, RunStatus.cancelled, "Cancelled by a client.")

    cancelled = service.execute(run_id, cancel_at_first)
    assert cancelled.status is RunStatus.cancelled and 1 <= cancelled.done < 9
    done_before = {i["name"] for i in items_of(workspace, run_id)}
    assert service.store.reopen(run_id)
    resumed = []
    finished = service.execute(run_id, lambda _run, item: resumed.append(item["name"]))
    assert finished.status is RunStatus.completed and finished.done == 9
    assert not set(resumed) & done_before and len(resumed) == 9 - len(done_before)
    service.store.close()


@pytest.mark.slow
def test_ray_engine_gives_the_same_items_as_local(workspace: Workspace) -> None:
    pytest.importorskip("ray")
    from ocr_playground.runs.ray_engine import shutdown_ray

    reading = ("--no-reuse", "--recognizer", str(workspace.recognizer))
    assert run(batch_argv(workspace, *reading)) == 0
    try:
        assert run(batch_argv(workspace, *reading, "--engine", "ray")) == 0
    finally:
        shutdown_ray()
    service = RunService(workspace.settings, origin="cli")
    ray_run, local_run = service.store.recent(2)
    service.store.close()
    assert (ray_run.spec.engine, local_run.spec.engine) == ("ray", "local")
    assert ray_run.status.value == "completed"
    ray_items = items_of(workspace, ray_run.run_id)
    assert all(item["text_metrics"] for item in ray_items)  # the text was read, and scored
    assert ray_items == items_of(workspace, local_run.run_id)
    folder = workspace.settings.outputs_root / "runs"
    predictions = [
        json.loads((folder / r.run_id / "predictions.json").read_text()) for r in (ray_run, local_run)
    ]
    assert predictions[0] == predictions[1]
    words = [w for image in predictions[0]["images"].values() for w in image["words"].values()]
    assert words and all(w["text"].strip("a ") == "" for w in words)  # the tiny reader reads 'a's
