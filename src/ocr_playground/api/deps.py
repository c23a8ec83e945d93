"""Dependencies injected into routers."""

from fastapi import Request

from ocr_playground.settings import Settings


def get_settings(request: Request) -> Settings:
    return request.app.state.settings
