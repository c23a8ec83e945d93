"""Hostile names and strings over a real socket: symlink loops in the data root, lone surrogates,
over-long path components and task ids, JSON nested 100,000 deep (HTTP and WebSocket). Each gets a
4xx whose ``detail`` is a sentence (or a ``detail`` message on the socket, which stays open)."""

import json
import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from websockets.sync.client import connect

from ocr_playground.cli.serve import ensure_demo_samples
from ocr_playground.settings import Settings

from live_server import live_server
from receipts import b64, jpeg, receipt

GOOD = b64(jpeg(receipt(160, 120, seed=2)))
LONE = "\ud800"
DEEP = "[" * 100_000 + "]" * 100_000


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    root = tmp_path_factory.mktemp("hostile")
    data = root / "data"
    data.mkdir()
    (data / "ok.jpg").write_bytes(jpeg(receipt(160, 120)))
    os.symlink(data / "b", data / "a")  # a -> b -> a
    os.symlink(data / "a", data / "b")
    os.symlink(data / "loop.jpg", data / "loop.jpg")  # a link to itself
    settings = Settings(
        data_root=data, outputs_root=root / "outputs", checkpoints_root=root / "ckpt", workers=1
    )
    with live_server(settings) as url:
        yield url, data


def post(url: str, body: object) -> httpx.Response:
    """POST JSON with non-ASCII escaped, as browsers' JSON.stringify of a lone surrogate is."""
    return httpx.post(url, content=json.dumps(body), headers={"content-type": "application/json"}, timeout=60)


def refused(response: httpx.Response, code: int = 422) -> str:
    assert response.status_code == code, response.text
    detail = response.json()["detail"]
    assert isinstance(detail, str) and detail.endswith("."), detail
    return detail


def test_symlink_loops_are_skipped_in_listings_and_refused_by_name(served: tuple[str, Path]) -> None:
    url, data = served
    listing = httpx.get(f"{url}/api/images")
    assert listing.status_code == 200
    assert [entry["path"] for entry in listing.json()["images"]] == ["ok.jpg"]
    for name in ("loop.jpg", "a/x.jpg", "b"):
        assert "loop" in refused(httpx.get(f"{url}/api/images/{name}"))
        body = {"pipeline_id": "preprocessing", "image_path": name, "params": {"grayscale": True}}
        assert "loop" in refused(post(f"{url}/api/pipelines/preview", body))
        assert "loop" in refused(post(f"{url}/api/pipelines/fallback", body))
        inference = {"image_path": name, "checkpoint_path": "builtin:ppocrv4-det"}
        refused(post(f"{url}/api/inference/preview", inference))
    ensure_demo_samples(data)  # what `serve --demo` runs at start: no crash on the loops


ROUTES = {
    "preview": ("/api/pipelines/preview", {"pipeline_id": "preprocessing", "image_base64": GOOD}),
    "fallback": ("/api/pipelines/fallback", {"pipeline_id": "preprocessing", "image_base64": GOOD}),
    "inference": ("/api/inference/preview", {"checkpoint_path": "builtin:ppocrv4-det", "image_base64": GOOD}),
}
HOSTILE_FIELDS = {
    "lone surrogate task_id": {"task_id": LONE},
    "task_id over the limit": {"task_id": "t" * 201},
    "lone surrogate checkpoint": {"checkpoint_path": LONE + ".onnx"},
    "checkpoint name over 255 bytes": {"checkpoint_path": "c" * 300 + ".onnx"},
    "lone surrogate image_path": {"image_path": LONE + ".jpg", "image_base64": None},
    "image name over 255 bytes": {"image_path": "i" * 300 + ".jpg", "image_base64": None},
}


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("case", HOSTILE_FIELDS)
def test_hostile_strings_are_a_4xx_with_a_sentence(served: tuple[str, Path], route: str, case: str) -> None:
    url, _ = served
    path, base = ROUTES[route]
    body = {k: v for k, v in {**base, **HOSTILE_FIELDS[case]}.items() if v is not None}
    if "checkpoint" in case and route != "inference":
        body["pipeline_id"] = "inference"
    response = post(url + path, body)
    assert 400 <= response.status_code < 500, response.text
    refused(response, response.status_code)


def test_a_lone_surrogate_op_name_is_named_back_escaped(served: tuple[str, Path]) -> None:
    url, _ = served
    body = {"pipeline_id": "preprocessing", "image_base64": GOOD, "params": {LONE: True}}
    detail = refused(post(f"{url}/api/pipelines/preview", body))
    assert "\\ud800" in detail
    assert refused(post(f"{url}/api/pipelines/preview", {**body, "pipeline_id": LONE}), 422)


def test_json_nested_100000_deep_is_a_4xx(served: tuple[str, Path]) -> None:
    url, _ = served
    for path in ("/api/pipelines/preview", "/api/inference/preview", "/api/metrics"):
        response = httpx.post(url + path, content=DEEP, headers={"content-type": "application/json"})
        assert "nested too deeply" in refused(response, 400)


def test_the_websocket_answers_hostile_frames_and_stays_open(served: tuple[str, Path]) -> None:
    url, _ = served
    with connect(url.replace("http://", "ws://") + "/api/pipelines/ws") as ws:
        for frame in (
            '{"subscribe": "\\ud800"}',
            DEEP,
            '{"subscribe": ["\\udfff", "x"]}',
            '{"subscribe": ' + DEEP + "}",
        ):
            ws.send(frame)
            answer = json.loads(ws.recv(timeout=10))
            assert isinstance(answer["detail"], str), answer
        ws.send(json.dumps({"subscribe": "preprocessing-000000000000"}))
        assert "No job" in json.loads(ws.recv(timeout=10))["detail"]
