"""Dependencies injected into routers: everything lives on ``app.state``, set by the app factory."""

from typing import Annotated

from fastapi import Depends, Request

from ocr_playground.jobs.service import JobService
from ocr_playground.settings import Settings
from ocr_playground.telemetry import ServerMetrics, TelemetryStore


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_service(request: Request) -> JobService:
    return request.app.state.jobs


def get_telemetry(request: Request) -> TelemetryStore:
    return request.app.state.telemetry


def get_metrics(request: Request) -> ServerMetrics:
    return request.app.state.metrics


SettingsDep = Annotated[Settings, Depends(get_settings)]
ServiceDep = Annotated[JobService, Depends(get_service)]
TelemetryDep = Annotated[TelemetryStore, Depends(get_telemetry)]
MetricsDep = Annotated[ServerMetrics, Depends(get_metrics)]
