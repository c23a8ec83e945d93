import http.client
import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from ocr_playground.api import images
from ocr_playground.api.errors import validation_sentence
from ocr_playground.settings import Settings

from live_server import live_server


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root: Path = tmp_path_factory.mktemp("server")
    settings = Settings(data_root=root / "data", outputs_root=root / "outputs")
    with live_server(settings) as url:
        yield url


def test_health_over_a_real_socket(base_url: str) -> None:
    assert httpx.get(f"{base_url}/api/health").json()["status"] == "ok"


def test_unknown_route_has_a_string_detail(base_url: str) -> None:
    r = httpx.get(f"{base_url}/api/nope")
    assert r.status_code == 404
    assert isinstance(r.json()["detail"], str)


@pytest.mark.parametrize("path", ["/api/pipelines/jobs", "/api/runs"])
def test_an_offset_past_any_table_is_refused_not_a_500(base_url: str, path: str) -> None:
    # SQLite takes no integer over 2**63: such an offset used to reach it and answer 500.
    r = httpx.get(f"{base_url}{path}", params={"offset": 2**64})
    assert r.status_code == 422 and "offset" in r.json()["detail"]


def test_validation_sentence_names_the_field() -> None:
    errors = [
        {"type": "missing", "loc": ("body", "pipeline_id"), "msg": "Field required"},
        {"type": "missing", "loc": ("body", "params"), "msg": "Field required"},
    ]
    sentence = validation_sentence(errors)
    assert "pipeline_id" in sentence and "1 more problem" in sentence


def _raw(port: int, data: bytes, wait_s: float = 10) -> bytes:
    """Send raw bytes on a fresh connection; what the server answers before closing it."""
    import socket

    with socket.create_connection(("127.0.0.1", port), timeout=wait_s) as conn:
        conn.sendall(data)
        chunks = []
        while chunk := conn.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def test_malformed_http_gets_a_json_detail_and_half_open_requests_are_cut(tmp_path) -> None:
    import json as _json
    from urllib.parse import urlsplit

    settings = Settings(
        data_root=tmp_path / "data",
        outputs_root=tmp_path / "outputs",
        workers=1,
        header_timeout_s=0.5,
        body_timeout_s=0.5,
    )
    with live_server(settings) as base:
        port = urlsplit(base).port
        answer = _raw(port, b"GET / HTTP/1.1\r\nHost: x\r\nBad Header Line\r\n\r\n")
        head, _, body = answer.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 400") and b"application/json" in head
        assert "not valid HTTP" in _json.loads(body)["detail"]
        # Headers that never finish: cut after the header deadline, with a 408 sentence.
        answer = _raw(port, b"GET /api/pipelines HTTP/1.1\r\nHost: x\r\n")
        assert answer.startswith(b"HTTP/1.1 408") and b"headers did not arrive" in answer
        # A body that stops halfway: 408 after the body deadline.
        partial = b"POST /api/metrics HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        answer = _raw(port, partial + b'Content-Length: 100\r\n\r\n{"events": [')
        assert answer.startswith(b"HTTP/1.1 408") and b"body did not arrive" in answer
        assert httpx.get(f"{base}/api/health").status_code == 200


def test_an_unhandled_error_is_a_json_500_and_its_traceback_is_logged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*_: object, **__: object) -> None:
        raise RuntimeError("a bug in a route")

    monkeypatch.setattr(images, "list_images", broken)
    settings = Settings(data_root=tmp_path / "data", outputs_root=tmp_path / "outputs")
    with live_server(settings) as url:
        connection = http.client.HTTPConnection(url.removeprefix("http://"), timeout=10)
        connection.request("GET", "/api/images")
        answer = connection.getresponse()
        assert answer.status == 500
        assert json.loads(answer.read()) == {"detail": "Internal error; the server log has the details."}
        connection.request("GET", "/api/health")  # on the same connection: the server kept it open
        assert connection.getresponse().status == 200
        connection.close()
    logged = [rec for rec in caplog.records if rec.exc_info and "a bug in a route" in str(rec.exc_info[1])]
    assert logged and "GET /api/images" in logged[0].getMessage()
