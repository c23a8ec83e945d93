"""The token flow in a real Chromium, from the URL that ``serve`` prints: ``ocr-playground serve
--host 0.0.0.0`` makes a token and prints ``http://127.0.0.1:PORT/?token=...``; opening it lands
on the SPA at ``/`` (the token gone from the address bar, kept in an HttpOnly cookie), whose API
calls and WebSocket then work; a browser without the cookie is refused."""

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx
import pytest

from ocr_playground.imaging.synthetic import write_samples

from browser import CHROMIUM, CHROMIUM_ARGS, missing_browser
from live_server import free_port
from strict import cannot_run

pytestmark = [pytest.mark.e2e]

WS_ROUND_TRIP = """() => new Promise((resolve, reject) => {
  const ws = new WebSocket(location.origin.replace('http', 'ws') + '/api/pipelines/ws');
  ws.onopen = () => ws.send(JSON.stringify({subscribe: 'preprocessing-000000000000'}));
  ws.onmessage = (event) => { resolve(JSON.parse(event.data)); ws.close(); };
  ws.onerror = () => reject(new Error('the socket was refused'));
})"""


def _healthy(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


@pytest.fixture(scope="module")
def printed_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    reason = missing_browser()
    if reason:
        cannot_run(reason)
    root = tmp_path_factory.mktemp("e2e-token")
    write_samples(root / "data", 1)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "OCRP_TOKEN"}
    command = [sys.executable, "-m", "ocr_playground", "serve", "--host", "0.0.0.0", "--port", str(port)]
    command += ["--data-root", str(root / "data"), "--outputs-root", str(root / "outputs"), "--workers", "1"]
    command += ["--log-level", "warning"]  # nobody reads the pipe after the URL: keep it quiet
    server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    try:
        url = None
        assert server.stdout is not None
        for line in server.stdout:  # the start lines come before uvicorn runs
            found = re.search(rf"http://127\.0\.0\.1:{port}/\?token=\S+", line)
            if found:
                url = found.group(0)
                break
        assert url is not None, "serve printed no URL with a token"
        deadline = time.monotonic() + 60
        while not _healthy(f"http://127.0.0.1:{port}/api/health"):  # a state, not a time
            assert server.poll() is None and time.monotonic() < deadline, "the server did not come up"
            time.sleep(0.1)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_the_printed_url_opens_the_spa_and_a_stranger_is_refused(printed_url: str) -> None:
    from playwright.sync_api import sync_playwright

    base = printed_url.split("/?")[0]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_context().new_page()
            page.goto(printed_url)
            page.get_by_label("grayscale enabled").wait_for()  # built from GET /api/pipelines
            assert page.url == base + "/"
            assert "token" not in page.evaluate("document.cookie")  # HttpOnly: not readable
            assert page.evaluate("fetch('/api/images').then(r => r.status)") == 200
            assert "No job" in page.evaluate(WS_ROUND_TRIP)["detail"]

            stranger = browser.new_context().new_page()
            refused = stranger.goto(base + "/")
            assert refused is not None and refused.status == 401
            assert "access token" in stranger.content()
        finally:
            browser.close()
