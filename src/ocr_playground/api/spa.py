"""The built SPA (``web/dist``) served at ``/``; the API keeps ``/api``.

Mounted last, so every API route wins over a file of the same name. The SPA routes with the URL
hash (``/#/jobs``), so ``index.html`` at ``/`` is the only page the server has to know about.
"""

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

# src/ocr_playground/api/spa.py -> the repository root's web/dist
DEFAULT_DIST = Path(__file__).resolve().parents[3] / "web" / "dist"

MISSING_PAGE = """<!doctype html><title>ocr-playground</title>
<h1>The web app is not built</h1>
<p>Run <code>npm ci &amp;&amp; npm run build</code> in <code>web/</code> (or <code>make run</code>),
then reload. The API is up: <a href="/docs">/docs</a>.</p>"""


def mount_spa(app: FastAPI, dist: Path | None = None) -> None:
    dist = dist or DEFAULT_DIST
    if (dist / "index.html").is_file():
        app.mount("/", StaticFiles(directory=dist, html=True), name="spa")
        return

    @app.get("/", include_in_schema=False, response_class=HTMLResponse)
    def spa_missing() -> str:
        return MISSING_PAGE
