"""GET /api/health: answered on the event loop from memory (no thread, no database query), so it
stays instant however busy the server is; 503 with ``detail`` when the job database is failing."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from ocr_playground.api.deps import ServiceDep, TelemetryDep

router = APIRouter(tags=["health"])


@router.get("/api/health", summary="Liveness, with the worker pool's state", response_model=None)
async def health(
    request: Request, service: ServiceDep, telemetry: TelemetryDep
) -> dict[str, Any] | JSONResponse:
    problems = [p for p in (service.store.problem(), telemetry.problem()) if p is not None]
    status = "degraded" if problems else "ok"
    if not getattr(request.state, "authenticated", True):  # a stranger learns up or down, no more
        return JSONResponse({"status": status}, status_code=503 if problems else 200)
    body = {
        "status": status,
        "workers": service.pool.pids(),
        "queue_depth": service.pool.waiting(),
    }
    if problems:
        return JSONResponse({**body, "detail": " ".join(dict.fromkeys(problems))}, status_code=503)
    return body
