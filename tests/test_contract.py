"""The contract the browser is built from (``web/src/contract/pipelines.json``) is the Python
registry's, never a copy that drifted: adding a param to an op without ``make contract`` fails here."""

import json
import subprocess
from pathlib import Path

import pytest

from ocr_playground.contract import contract, contract_json
from ocr_playground.imaging.registry import OPS

from ts_kernels import BUNDLE, cannot_run, ensure_bundle

WEB = Path(__file__).resolve().parents[1] / "web"
COMMITTED = WEB / "src" / "contract" / "pipelines.json"
STALE = "web/src/contract/pipelines.json is stale: run `make contract` and commit it."


def test_the_committed_contract_is_the_registrys() -> None:
    assert COMMITTED.read_text() == contract_json(), STALE


def test_the_contract_names_every_op_with_its_schema_and_the_client_limits() -> None:
    body = contract()
    assert list(body["ops"]) == list(OPS)
    assert all(op["params_schema"]["additionalProperties"] is False for op in body["ops"].values())
    assert set(body["client_limits"]) == {"max_bytes", "max_side"}


def test_odd_sizes_say_so_in_the_schema() -> None:
    # The slider steps and the browser's validation read this keyword, not the description's words.
    ops = contract()["ops"]
    assert ops["blur"]["params_schema"]["properties"]["kernelSize"]["not"] == {"multipleOf": 2}
    assert ops["binarize"]["params_schema"]["properties"]["blockSize"]["not"] == {"multipleOf": 2}
    assert "not" not in ops["resize"]["params_schema"]["properties"]["maxSide"]


def test_the_cli_prints_the_contract(capsys) -> None:
    from ocr_playground.cli import main

    assert main(["pipelines"]) == 0
    assert json.loads(capsys.readouterr().out) == contract()


def test_the_built_contract_is_the_registrys() -> None:
    # The kernels bundled for Node carry the contract they were built with, as the SPA does.
    reason = ensure_bundle()
    if reason is not None:
        cannot_run(reason)
    built = subprocess.run(["node", str(BUNDLE), "--contract"], check=True, capture_output=True, text=True)
    assert json.loads(built.stdout) == contract(), "the web build is stale: run `make web`."


@pytest.mark.parametrize("flaw", ["a new param", "a changed default", "an op removed"])
def test_a_stale_copy_is_caught(flaw: str, tmp_path: Path, monkeypatch) -> None:
    # What the check above compares, made stale on purpose: the comparison must see it.
    body = contract()
    if flaw == "a new param":
        body["ops"]["blur"]["params_schema"]["properties"]["radius"] = {"type": "integer", "default": 1}
    elif flaw == "a changed default":
        body["ops"]["resize"]["params_schema"]["properties"]["maxSide"]["default"] = 2048
    else:
        del body["ops"]["grayscale"]
    assert json.dumps(body, indent=2, ensure_ascii=False) + "\n" != contract_json()


def test_every_op_module_is_registered_and_in_a_pipeline() -> None:
    # Adding an op: its module under imaging/ops, its line in registry.py, its place in a pipeline.
    modules = {p.stem for p in (Path(OPS["blur"].apply.__code__.co_filename).parent).glob("*.py")}
    assert modules - {"__init__", "base"} == set(OPS)
    in_pipelines = {op for pipeline in contract()["pipelines"] for op in pipeline["ops"]}
    assert in_pipelines == set(OPS)


def test_every_op_has_a_parity_case() -> None:
    # The two engines are compared pixel for pixel in test_parity.py; an op without a case there
    # would drift unseen.
    parity = (Path(__file__).parent / "test_parity.py").read_text()
    assert [op for op in OPS if f'"{op}"' not in parity] == []
