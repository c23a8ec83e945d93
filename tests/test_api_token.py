"""The access token over a real socket: without it every route, static file and the WebSocket are
refused (401), with it (header, cookie, or ``?token=`` once) they work, ``/api/health`` says only
up or down, and ``serve`` beyond loopback makes one and prints the URL that carries it."""

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from ocr_playground.api.app import create_app
from ocr_playground.api.auth import is_loopback
from ocr_playground.cli.serve import start_lines
from ocr_playground.settings import Settings

from live_server import live_server

TOKEN = "s3cret-token-for-tests"
AUTH = {"Authorization": f"token {TOKEN}"}


@pytest.fixture(scope="module")
def gated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, list[tuple[str, str]]]]:
    root = tmp_path_factory.mktemp("token")
    settings = Settings(data_root=root / "data", outputs_root=root / "outputs", workers=1, token=TOKEN)
    app = create_app(settings)
    requests = [  # every HTTP route the API documents, with "x" for each path parameter
        (method.upper(), re.sub(r"\{[^}]+\}", "x", path))
        for path, operations in app.openapi()["paths"].items()
        for method in operations
    ]
    requests += [("GET", "/"), ("GET", "/index.html"), ("GET", "/docs"), ("GET", "/openapi.json")]
    with live_server(settings, app) as url:
        yield url, requests


def ws_url(url: str) -> str:
    return url.replace("http://", "ws://") + "/api/pipelines/ws"


def test_every_route_is_401_without_the_token(gated: tuple[str, list[tuple[str, str]]]) -> None:
    url, requests = gated
    assert len(requests) > 15
    for method, path in requests:
        if path == "/api/health":
            continue
        for headers in ({}, {"Authorization": "token wrong-token"}, {"Cookie": "ocrp_token=wrong"}):
            response = httpx.request(method, url + path, headers=headers)
            assert response.status_code == 401, (method, path, response.text)
            assert "access token" in response.json()["detail"]
    with pytest.raises(InvalidStatus) as refused:
        connect(ws_url(url))
    assert refused.value.response.status_code == 401


def test_every_route_works_with_the_token(gated: tuple[str, list[tuple[str, str]]]) -> None:
    url, requests = gated
    for method, path in requests:
        response = httpx.request(method, url + path, headers=AUTH)
        assert response.status_code != 401, (method, path)
    with connect(ws_url(url), additional_headers=AUTH) as ws:
        ws.send('{"subscribe": "preprocessing-000000000000"}')
        assert "No job" in ws.recv(timeout=10)


def test_health_says_only_up_or_down_to_a_stranger(gated: tuple[str, list[tuple[str, str]]]) -> None:
    url, _ = gated
    assert httpx.get(f"{url}/api/health").json() == {"status": "ok"}
    assert "workers" in httpx.get(f"{url}/api/health", headers=AUTH).json()


def test_the_token_in_the_url_becomes_a_cookie_and_leaves_the_url(
    gated: tuple[str, list[tuple[str, str]]],
) -> None:
    url, _ = gated
    first = httpx.get(f"{url}/?token={TOKEN}&tab=jobs")
    assert first.status_code == 303 and first.headers["location"] == "/?tab=jobs"
    cookie = first.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie
    with httpx.Client(base_url=url, cookies=first.cookies) as browser:
        assert browser.get("/api/pipelines").status_code == 200
    assert httpx.get(f"{url}/?token=wrong").status_code == 401


def test_serve_makes_a_token_beyond_loopback_only(tmp_path: Path) -> None:
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.5") and not is_loopback("myhost")
    shown = start_lines(Settings(host="0.0.0.0", token=TOKEN, data_root=tmp_path))
    assert any(line.strip() == f"http://127.0.0.1:8000/?token={TOKEN}" for line in shown)
    assert not any("token=" in line for line in start_lines(Settings(data_root=tmp_path)))
