"""The app serves the built SPA at / and keeps /api for the API."""

import re
from pathlib import Path

import httpx

from ocr_playground.settings import Settings

from live_server import live_server


def test_spa_is_served_at_root_and_api_wins(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text("<!doctype html><div id=root></div>")
    (dist / "assets" / "app.js").write_text("console.log(1)")
    settings = Settings(data_root=tmp_path / "data", outputs_root=tmp_path / "out", web_dist=dist)
    with live_server(settings) as base:
        assert "id=root" in httpx.get(f"{base}/").text
        assert httpx.get(f"{base}/assets/app.js").text == "console.log(1)"
        assert httpx.get(f"{base}/api/health").json()["status"] == "ok"
        missing = httpx.get(f"{base}/api/nope")
        assert missing.status_code == 404 and isinstance(missing.json()["detail"], str)


def test_root_explains_how_to_build_when_the_spa_is_missing(tmp_path: Path) -> None:
    settings = Settings(
        data_root=tmp_path / "data", outputs_root=tmp_path / "out", web_dist=tmp_path / "none"
    )
    with live_server(settings) as base:
        page = httpx.get(f"{base}/")
        assert page.status_code == 200 and "npm run build" in page.text


def test_the_api_docs_and_the_favicon_need_no_internet(tmp_path: Path) -> None:
    settings = Settings(
        data_root=tmp_path / "data", outputs_root=tmp_path / "out", web_dist=tmp_path / "none"
    )
    with live_server(settings) as base:
        page = httpx.get(f"{base}/docs")
        assert page.status_code == 200
        # Every script, stylesheet and icon the page names is served by this app, none by a CDN.
        urls = re.findall(r'(?:src|href)="([^"]+)"', page.text) + re.findall(r"url: '([^']+)'", page.text)
        assert urls and all(u.startswith("/") for u in urls), urls
        for url in urls:
            assert httpx.get(base + url).status_code == 200, url
        assert "swagger-ui-bundle.js" in page.text
        assert httpx.get(f"{base}/favicon.ico").headers["content-type"] == "image/svg+xml"
        assert httpx.get(f"{base}/redoc").status_code == 404
