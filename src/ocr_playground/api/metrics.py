"""Telemetry: client event batches in, a summary out, and the server's Prometheus metrics."""

from typing import Any

from fastapi import APIRouter, Query, Response
from fastapi.concurrency import run_in_threadpool
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from ocr_playground.api.deps import MetricsDep, TelemetryDep
from ocr_playground.client_events import EventBatch

router = APIRouter(tags=["metrics"])


@router.post("/api/metrics", summary="Record a batch of client telemetry events")
async def record(batch: EventBatch, telemetry: TelemetryDep, metrics: MetricsDep) -> dict[str, int]:
    stored = await run_in_threadpool(telemetry.record, batch)
    for event in batch.events:
        metrics.client_events.labels(event.type).inc()
    return {"accepted": stored}


@router.get("/api/metrics/summary", summary="Client telemetry aggregated over the last hours")
def summary(telemetry: TelemetryDep, hours: float = Query(1.0, gt=0, le=24 * 30)) -> dict[str, Any]:
    return telemetry.summary(hours)


@router.get(
    "/metrics",
    response_class=Response,
    summary="Server metrics in Prometheus text format",
    responses={200: {"content": {CONTENT_TYPE_LATEST: {}}}},
)
def prometheus(metrics: MetricsDep) -> Response:
    return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)
