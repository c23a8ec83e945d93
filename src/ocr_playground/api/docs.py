"""The interactive API docs at ``/docs``, with Swagger UI's files served by this app.

FastAPI's own ``/docs`` page loads Swagger UI from a CDN, so it is blank without internet. The
``swagger-ui-py`` package ships the same files; they are served under ``/docs/assets``. ReDoc has
no such package, so ``/redoc`` is off. The favicon is served here too, for the SPA and the docs.
The schema says what a 422 really holds: this app answers every error with a string ``detail``.
"""

from pathlib import Path
from typing import Any

import swagger_ui
from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.staticfiles import StaticFiles

SWAGGER_STATIC = Path(swagger_ui.__file__).parent / "static"
FAVICON = Path(__file__).parent / "static" / "favicon.svg"
DOCS = "/docs"
ASSETS = f"{DOCS}/assets"
OAUTH2_REDIRECT = f"{DOCS}/oauth2-redirect"


# FastAPI documents a 422 as its own list of errors; the app's handler sends one sentence and the
# list beside it (``api.errors``), so a client generated from the schema reads what it gets.
VALIDATION_ERROR = {
    "title": "HTTPValidationError",
    "type": "object",
    "required": ["detail"],
    "properties": {
        "detail": {"type": "string", "description": "What was wrong, as one sentence."},
        "errors": {"type": "array", "items": {"$ref": "#/components/schemas/ValidationError"}},
    },
}


def _describe_422(app: FastAPI) -> None:
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        document = generate()  # cached on the app after the first call, so patched once
        schemas = document.get("components", {}).get("schemas", {})
        if "HTTPValidationError" in schemas:
            schemas["HTTPValidationError"] = VALIDATION_ERROR
        return document

    app.openapi = openapi  # type: ignore[method-assign]


def install_docs(app: FastAPI) -> None:
    """Call on an app made with ``docs_url=None, redoc_url=None``."""
    _describe_422(app)
    app.mount(ASSETS, StaticFiles(directory=SWAGGER_STATIC), name="swagger-ui")

    @app.get(DOCS, include_in_schema=False)
    def swagger_page() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=f"{app.title} API",
            swagger_js_url=f"{ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS}/swagger-ui.css",
            swagger_favicon_url="/favicon.svg",
            oauth2_redirect_url=OAUTH2_REDIRECT,
        )

    @app.get(OAUTH2_REDIRECT, include_in_schema=False)
    def swagger_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    @app.get("/favicon.svg", include_in_schema=False)
    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> FileResponse:
        # Browsers ask for /favicon.ico unless a page names its icon; both get the one SVG.
        return FileResponse(FAVICON, media_type="image/svg+xml")
