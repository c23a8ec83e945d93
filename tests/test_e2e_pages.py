"""Every page of the app (the SPA's six and /docs) in a real Chromium with the network cut off
outside this machine: each renders without a console error or a failed request (the favicon
included), and /docs draws the API's operations from files the server itself serves (no CDN).
"""

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest

from ocr_playground.settings import Settings

from browser import ARTIFACTS, chromium_page, e2e_server

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

# Each page and something it shows once it has loaded what it needs from the server.
PAGES = [
    ("/#/", 'input[aria-label="grayscale enabled"]'),
    ("/#/commands", 'section[aria-label="Console"][data-state="ready"]'),
    ("/#/inference", 'ul[aria-label="checkpoints"] li[role="option"]'),
    ("/#/runs", "main.runs table.runs-table"),
    ("/#/jobs", '[data-testid="ws-state"][data-state="open"]'),
    ("/#/telemetry", '[data-testid="chart-durations"] svg.recharts-surface'),
    ("/docs", ".swagger-ui .opblock-summary"),
]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root: Path = tmp_path_factory.mktemp("pages")
    with e2e_server(Settings(data_root=root / "data", outputs_root=root / "outputs")) as base:
        yield base


@pytest.mark.parametrize(("path", "ready"), PAGES, ids=[p for p, _ in PAGES])
def test_each_page_renders_offline_without_a_console_error(server: str, path: str, ready: str) -> None:
    with chromium_page() as page:
        problems: list[str] = []
        outside: list[str] = []

        def only_this_machine(route) -> None:
            if urlparse(route.request.url).hostname in ("127.0.0.1", "localhost"):
                route.continue_()
            else:
                outside.append(route.request.url)
                route.abort("internetdisconnected")

        page.route("**/*", only_this_machine)
        page.on("console", lambda m: problems.append(f"console: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
        page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url} ({r.failure})"))
        page.on("response", lambda r: problems.append(f"{r.status}: {r.url}") if r.status >= 400 else None)
        page.goto(server + path)
        page.locator(ready).first.wait_for(timeout=30_000)
        # The icon is asked for once the page has loaded; it must have been found too.
        icon = page.evaluate("() => document.querySelector('link[rel~=\"icon\"]')?.href ?? null")
        assert icon and urlparse(icon).path == "/favicon.svg"
        page.wait_for_load_state("networkidle")
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"page-{path.strip('/#') or 'studio'}.png"))
        assert not outside, f"asked the internet for {outside}"
        assert not problems, problems
