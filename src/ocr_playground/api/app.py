"""The app factory: one FastAPI app, one router per area, settings injected.

The job service (SQLite store, process pool, event bus) is built here and started in the lifespan,
so several apps (one per test server) can live in one process, each with its own pool, database
and Prometheus registry.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool

from ocr_playground.api import commands, health, images, inference, lab, metrics, pipelines, runs, ws
from ocr_playground.api.auth import TokenGate
from ocr_playground.api.docs import install_docs
from ocr_playground.api.errors import install_error_handlers
from ocr_playground.api.middleware import BodyLimit, RequestMetrics
from ocr_playground.api.reuse import job_lookup
from ocr_playground.api.spa import mount_spa
from ocr_playground.client_events import TelemetryStore
from ocr_playground.jobs.service import JobService
from ocr_playground.runs.service import RunService
from ocr_playground.runs.sweeps import SweepService
from ocr_playground.server_metrics import ServerMetrics
from ocr_playground.settings import Settings


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    jobs: JobService = app.state.jobs
    await run_in_threadpool(jobs.start)  # spawning the workers takes a moment; keep the loop free
    await run_in_threadpool(app.state.runs.start)  # resumes the runs a stop or a crash interrupted
    await run_in_threadpool(app.state.sweeps.start)
    try:
        yield
    finally:
        await run_in_threadpool(app.state.sweeps.stop)
        await run_in_threadpool(app.state.runs.stop)
        await run_in_threadpool(jobs.stop)
        app.state.telemetry.close()


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    app = FastAPI(
        title="ocr-playground",
        version="0.1.0",
        description="Image-pipeline playground for OCR engineers: preview routing, server fallback jobs, "
        "WebSocket progress and telemetry.",
        lifespan=lifespan,
        docs_url=None,  # install_docs serves /docs without a CDN
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.metrics = server_metrics = ServerMetrics()
    app.state.jobs = JobService(settings, server_metrics)
    # Progress on the jobs' WebSocket; a run's images take what the Studios' jobs already found.
    app.state.runs = RunService(settings, app.state.jobs.bus, studio=job_lookup(app.state.jobs))
    app.state.sweeps = SweepService(app.state.runs)
    app.state.telemetry = TelemetryStore(settings.db_path)
    # Added last runs first: the token gate, then the body limit; latency covers the rest.
    app.add_middleware(RequestMetrics, metrics=server_metrics)
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes, timeout_s=settings.body_timeout_s)
    app.add_middleware(TokenGate, token=settings.token)  # nothing runs for a stranger
    install_error_handlers(app)  # last: its catch-all for bugs wraps every middleware too
    app.include_router(health.router)
    app.include_router(pipelines.router)
    app.include_router(ws.router)
    app.include_router(images.router)
    app.include_router(metrics.router)
    app.include_router(commands.router)
    app.include_router(inference.router)
    app.include_router(lab.router)  # before runs: /api/runs/compare is not a run id
    app.include_router(runs.router)
    install_docs(app)
    mount_spa(app, settings.web_dist)  # last: API routes win over static files
    return app
