"""The /api/commands routes over a real socket: shapes, options filled in, 4xx naming the field."""

import json
import shlex
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from ocr_playground.settings import Settings

from live_server import live_server

PROJECT = Path(__file__).resolve().parents[1] / "examples" / "dbnet_project"


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root: Path = tmp_path_factory.mktemp("server")
    (root / "checkpoints" / "dbnet").mkdir(parents=True)
    (root / "checkpoints" / "dbnet" / "epoch=12.ckpt").write_bytes(b"x")
    (root / "data" / "datasets" / "receipts").mkdir(parents=True)
    settings = Settings(
        data_root=root / "data",
        outputs_root=root / "outputs",
        checkpoints_root=root / "checkpoints",
        commands_project_dir=PROJECT,
    )
    with live_server(settings) as url:
        yield f"{url}/api/commands"


def test_schemas_list(base_url: str) -> None:
    listed = httpx.get(f"{base_url}/schemas").json()
    assert {s["id"] for s in listed} >= {"train", "test", "predict", "run"}
    assert all(set(s) == {"id", "label", "script", "description"} for s in listed)


def test_schema_has_options_filled_in(base_url: str) -> None:
    schema = httpx.get(f"{base_url}/schemas/train").json()
    by_key = {e["key"]: e for e in schema["ui_elements"]}
    assert by_key["encoder"]["options"] == ["mobilenetv3_large", "resnet18", "resnet50"]
    assert by_key["resume_checkpoint"]["options"][0].endswith("dbnet/epoch=12.ckpt")
    assert by_key["resume_checkpoint"]["visible_if"] == {"resume": True}
    predict = httpx.get(f"{base_url}/schemas/predict").json()
    input_dir = next(e for e in predict["ui_elements"] if e["key"] == "input_dir")
    assert input_dir["options"][0].endswith("datasets/receipts")


def test_build(base_url: str) -> None:
    body = {
        "schema_id": "train",
        "append_model_suffix": True,
        "values": {"exp_name": "run 1", "architecture": "dbnetpp", "max_epochs": 80},
    }
    r = httpx.post(f"{base_url}/build", json=body)
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["overrides"] == [
        "exp_name='run 1-dbnetpp-resnet18'",
        "model/architectures=dbnetpp",
        "trainer.max_epochs=80",
    ]
    assert out["constant_overrides"] == ["trainer.deterministic=true"]
    assert shlex.split(out["command"]) == out["argv"]
    assert out["argv"] == ["python", "train.py", *out["constant_overrides"], *out["overrides"]]
    assert out["powershell"].startswith("python train.py ")
    assert out["validation_error"] is None
    assert out["changed"] == ["exp_name", "architecture", "max_epochs"]


def test_live_preview_reports_a_broken_rule_without_failing(base_url: str) -> None:
    body = {"schema_id": "train", "values": {"max_epochs": 0}, "allow_invalid": True}
    out = httpx.post(f"{base_url}/build", json=body).json()
    assert "max_epochs" in out["validation_error"] and out["invalid_field"] == "max_epochs"


@pytest.mark.parametrize(
    ("body", "code", "named"),
    [
        ({"schema_id": "nope", "values": {}}, 404, "nope"),
        ({"schema_id": "train", "values": {"learning_rate": "fast"}}, 422, "learning_rate"),
        ({"schema_id": "train", "values": {"max_epochs": 1000}}, 422, "max_epochs"),
        ({"schema_id": "train", "values": {"encoder": "vit"}}, 422, "encoder"),
        ({"schema_id": "train", "values": {"resume": True}}, 422, "resume_checkpoint"),
        ({"schema_id": "train", "values": {"colour": "red"}}, 422, "colour"),
        ({"schema_id": "run", "values": {"image": "a.jpg", "output": "a.jpg"}}, 422, "output"),
        ({"values": {}}, 422, "schema_id"),
        ({"schema_id": "train", "values": {"exp_name": "\ud800"}}, 422, "exp_name"),
        ({"schema_id": "train", "values": {"learning_rate": 10**400}}, 422, "learning_rate"),
        ({"schema_id": "train", "values": {"max_epochs": 10**30}}, 422, "max_epochs"),
        ({"schema_id": "train", "values": {"tags": [{"a": 1}]}}, 422, "tags"),
        ({"schema_id": "train", "values": []}, 422, "values"),
    ],
)
def test_bad_build_requests_name_the_field(base_url: str, body: dict, code: int, named: str) -> None:
    # ASCII JSON on the wire, so a lone surrogate ("\ud800") travels as an escape as a browser sends it.
    r = httpx.post(
        f"{base_url}/build", content=json.dumps(body), headers={"content-type": "application/json"}
    )
    assert r.status_code == code
    detail = r.json()["detail"]
    assert isinstance(detail, str) and named in detail


def test_openapi_describes_the_routes(base_url: str) -> None:
    spec = httpx.get(base_url.removesuffix("/api/commands") + "/openapi.json").json()
    assert {"/api/commands/build", "/api/commands/parse", "/api/commands/schemas/{schema_id}"} <= set(
        spec["paths"]
    )


def test_unknown_schema_is_404_everywhere(base_url: str) -> None:
    for r in (
        httpx.get(f"{base_url}/schemas/nope"),
        httpx.post(f"{base_url}/parse", json={"schema_id": "nope", "command": "x"}),
    ):
        assert r.status_code == 404 and "nope" in r.json()["detail"]


def test_parse_round_trips_build(base_url: str) -> None:
    body = {
        "schema_id": "train",
        "append_model_suffix": True,
        "values": {
            "exp_name": "it's $HOME",
            "tags": ["debug"],
            "resume": True,
            "resume_checkpoint": "/c/epoch=1.ckpt",
        },
    }
    built = httpx.post(f"{base_url}/build", json=body).json()
    parsed = httpx.post(f"{base_url}/parse", json={"schema_id": "train", "command": built["command"]}).json()
    assert parsed["append_model_suffix"] is True
    assert parsed["values"]["exp_name"] == "it's $HOME"
    again = httpx.post(
        f"{base_url}/build",
        json={"schema_id": "train", "values": parsed["values"], "append_model_suffix": True},
    ).json()
    assert again["command"] == built["command"]


def test_parse_names_what_it_cannot_hold(base_url: str) -> None:
    for command in ("python train.py \ud800=1", "python train.py exp_name=\ud800", "python\ud800"):
        body = json.dumps({"schema_id": "train", "command": command})
        r = httpx.post(f"{base_url}/parse", content=body, headers={"content-type": "application/json"})
        assert r.status_code == 422 and isinstance(r.json()["detail"], str)
    r = httpx.post(
        f"{base_url}/parse", json={"schema_id": "train", "command": "python train.py trainer.precision=16"}
    )
    assert r.status_code == 422 and "trainer.precision" in r.json()["detail"]


def test_recommendations(base_url: str) -> None:
    every = httpx.get(f"{base_url}/recommendations").json()
    craft = httpx.get(f"{base_url}/recommendations", params={"architecture": "craft"}).json()
    assert len(craft) < len(every)
    assert all(r["architecture"] in (None, "craft") for r in craft)
    assert any(r["architecture"] == "craft" for r in craft)
    run_only = httpx.get(f"{base_url}/recommendations", params={"schema_id": "run"}).json()
    assert run_only and all(r["schema_id"] == "run" for r in run_only)


def test_the_project_says_where_commands_run_and_that_the_example_trains_nothing(
    base_url: str, tmp_path: Path
) -> None:
    info = httpx.get(f"{base_url}/project").json()
    assert info["path"] == str(PROJECT) and info["exists"] and info["example"]
    assert "train nothing" in info["note"]
    own = Settings(data_root=tmp_path / "d", outputs_root=tmp_path / "o", commands_project_dir=tmp_path)
    none = Settings(data_root=tmp_path / "d", outputs_root=tmp_path / "o2", commands_project_dir=None)
    with live_server(own) as url:
        assert httpx.get(f"{url}/api/commands/project").json() == {
            "path": str(tmp_path.resolve()),
            "exists": True,
            "example": False,
            "note": "Run the commands from this folder.",
        }
    with live_server(none) as url:
        assert httpx.get(f"{url}/api/commands/project").json()["path"] is None
