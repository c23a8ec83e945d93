"""Dependencies injected into routers: everything lives on ``app.state``, set by the app factory.

They are ``async`` on purpose: FastAPI runs a plain ``def`` dependency in the thread pool, and a
thread hop per dependency would cost more than the attribute read it wraps."""

from typing import Annotated

from fastapi import Depends, Request

from ocr_playground.client_events import TelemetryStore
from ocr_playground.jobs.service import JobService
from ocr_playground.server_metrics import ServerMetrics
from ocr_playground.settings import Settings


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


async def get_service(request: Request) -> JobService:
    return request.app.state.jobs


async def get_telemetry(request: Request) -> TelemetryStore:
    return request.app.state.telemetry


async def get_metrics(request: Request) -> ServerMetrics:
    return request.app.state.metrics


SettingsDep = Annotated[Settings, Depends(get_settings)]
ServiceDep = Annotated[JobService, Depends(get_service)]
TelemetryDep = Annotated[TelemetryStore, Depends(get_telemetry)]
MetricsDep = Annotated[ServerMetrics, Depends(get_metrics)]
