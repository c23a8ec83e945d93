from typing import Any

from fastapi import APIRouter

from ocr_playground.api.deps import ServiceDep

router = APIRouter(tags=["health"])


@router.get("/api/health", summary="Liveness, with the worker pool's state")
def health(service: ServiceDep) -> dict[str, Any]:
    return {"status": "ok", "workers": service.pool.pids(), "queue_depth": service.queued_count()}
