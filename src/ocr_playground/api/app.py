"""The app factory: one FastAPI app, one router per area, settings injected."""

from fastapi import FastAPI

from ocr_playground.api import health, inference
from ocr_playground.api.errors import install_error_handlers
from ocr_playground.settings import Settings


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    app = FastAPI(title="ocr-playground", version="0.1.0")
    app.state.settings = settings
    install_error_handlers(app)
    app.include_router(health.router)
    app.include_router(inference.router)
    return app
