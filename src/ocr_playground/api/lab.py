"""The Evaluation Lab's routes: compare two runs, sweep a run's thresholds, export, and the images
with their marks. Thin: the work is in ``runs.compare``, ``runs.sweeps`` and ``runs.report``.

Included before the runs router, so ``/api/runs/compare`` is not taken for a run id.
"""

from dataclasses import dataclass
from typing import Annotated, Any, Literal

import numpy as np
from fastapi import APIRouter, Body, Depends, Query, Request, Response, status
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field

from ocr_playground.api.images import MEDIA_TYPES
from ocr_playground.api.runs import Filter, Protocol, RunsDep, SortKey
from ocr_playground.inference.profiles import ThresholdDefaults
from ocr_playground.runs.compare import RESAMPLES, compare_runs
from ocr_playground.runs.errors import RunError
from ocr_playground.runs.measures import METRICS
from ocr_playground.runs.overlay import marked_item, source_image, thumbnail
from ocr_playground.runs.report import comparison_csv, comparison_html, items_csv
from ocr_playground.runs.store import ITEM_FILTERS
from ocr_playground.runs.sweep import Grid
from ocr_playground.runs.sweeps import SweepService, view

router = APIRouter(prefix="/api/runs", tags=["lab"])

HistogramMetric = Literal["precision", "recall", "hmean"]
# What a comparison decides on: a detection measure (under the protocol) or a text one.
CompareMetric = Annotated[
    Literal[tuple(METRICS)],  # type: ignore[valid-type]
    Query(
        description="The measure that decides the verdict and the images fixed and broke: hmean "
        "(detection, under the protocol), or word_f1, cer, e2e_hmean, ... (runs that read text); "
        "every measure of its family is reported."
    ),
]
MAX_CSV_ITEMS = 200_000
PAGE = 1000


async def get_sweeps(request: Request) -> SweepService:
    return request.app.state.sweeps


SweepsDep = Annotated[SweepService, Depends(get_sweeps)]


def _attachment(body: str, media_type: str, filename: str) -> Response:
    return Response(
        body, media_type=media_type, headers={"Content-Disposition": f'attachment; filename="{filename}"'}
    )


# --- compare -----------------------------------------------------------------------------------


CompareA = Annotated[str, Query(description="Run A (the baseline).", max_length=100)]
CompareB = Annotated[str, Query(description="Run B (the change).", max_length=100)]


@dataclass
class Pair:
    """The query every comparison route takes: which two runs, under which protocol, on which
    measure."""

    a: CompareA
    b: CompareB
    protocol: Protocol = "icdar2015-iou"
    metric: CompareMetric = "hmean"


PairDep = Annotated[Pair, Depends()]


def _compare(runs: Any, pair: Pair, resamples: int = RESAMPLES) -> dict[str, Any]:
    a, b = runs.get(pair.a), runs.get(pair.b)
    return compare_runs(runs.store, a, b, pair.protocol, resamples, metric=pair.metric)


@router.get("/compare", summary="Is run B better than run A? Paired bootstrap over images")
async def compare(
    runs: RunsDep,
    pair: PairDep,
    resamples: int = Query(RESAMPLES, description="Bootstrap resamples (2000 to 20000)."),
) -> dict[str, Any]:
    """Both runs' aggregates on the images they both scored, the difference B − A with its 95 %
    interval (for every measure of ``metric``'s family), the per-image ``metric`` of each
    (``per_image``), and the images B ``fixed`` (scored better than A on it) and ``broke``
    (worse), the largest change first. Runs over different images are compared on the shared
    ones, and ``shared.note`` says so."""
    return await run_in_threadpool(_compare, runs, pair, resamples)


@router.get("/compare.csv", summary="A comparison's per-image scores as CSV")
async def compare_csv(runs: RunsDep, pair: PairDep) -> Response:
    result = await run_in_threadpool(_compare, runs, pair)
    return _attachment(comparison_csv(result), "text/csv", f"compare-{pair.a}-{pair.b}.csv")


@router.get("/compare/report", summary="A comparison as a self-contained HTML report")
async def compare_report(runs: RunsDep, pair: PairDep) -> Response:
    def build() -> str:
        return comparison_html(runs.store, _compare(runs, pair))

    return _attachment(await run_in_threadpool(build), "text/html", f"compare-{pair.a}-{pair.b}.html")


# --- one run -----------------------------------------------------------------------------------


@router.get("/{run_id}/histogram", summary="How a run's per-image scores are spread")
def histogram(
    run_id: str,
    runs: RunsDep,
    protocol: Protocol = "icdar2015-iou",
    metric: HistogramMetric = "hmean",
    bins: int = Query(10, ge=2, le=100),
) -> dict[str, Any]:
    """Counts of scored images per bin of ``metric`` over [0, 1] (the last bin includes 1)."""
    run = runs.get(run_id)
    values = runs.store.metric_values(run_id, protocol, metric)
    counts, edges = np.histogram(values, bins=bins, range=(0.0, 1.0))
    return {
        "protocol": protocol,
        "metric": metric,
        "bins": [
            {"lo": float(lo), "hi": float(hi), "count": int(c)}
            for lo, hi, c in zip(edges, edges[1:], counts, strict=False)
        ],
        "scored": len(values),
        "failed": run.failed,
    }


@router.get("/{run_id}/items.csv", summary="A run's items (or a failure list) as CSV")
def export_items(
    run_id: str,
    runs: RunsDep,
    protocol: Protocol = "icdar2015-iou",
    filter_: Annotated[
        Filter | None, Query(alias="filter", description="failed, misses, false_detections, misread.")
    ] = None,
    sort: SortKey = "hmean",
    order: Literal["asc", "desc"] = "asc",
) -> Response:
    runs.get(run_id)
    assert filter_ is None or filter_ in ITEM_FILTERS
    items: list[dict[str, Any]] = []
    while len(items) < MAX_CSV_ITEMS:
        page, total = runs.store.items(
            run_id, sort=sort, order=order, protocol=protocol, limit=PAGE, offset=len(items), filter_=filter_
        )
        items += page
        if not page or len(items) >= total:
            break
    suffix = f"-{filter_}" if filter_ else ""
    return _attachment(items_csv(items), "text/csv", f"{run_id}{suffix}.csv")


@router.get(
    "/{run_id}/images/{name:path}",
    summary="An item's image: the file, or a JPEG thumbnail with its marks",
    responses={200: {"content": {"image/*": {}}}},
)
def item_image(
    run_id: str,
    name: str,
    runs: RunsDep,
    max_side: int | None = Query(None, ge=16, le=4096, description="A JPEG no larger than this."),
    marks: Annotated[Protocol | None, Query(description="Draw the item's marks under this protocol.")] = None,
) -> Response:
    """The image file the run read, as it is; with ``max_side`` or ``marks``, a JPEG thumbnail
    (never enlarged) with the item's ground truth and detections drawn in the Lab's colours. A
    file deleted or replaced since the run is 410."""
    runs.get(run_id)
    if max_side is None and marks is None:
        path, data = source_image(runs.store, run_id, name)
        suffix = "." + path.rsplit(".", 1)[-1].lower()
        return Response(data, media_type=MEDIA_TYPES.get(suffix, "application/octet-stream"))
    item = None if marks is None else marked_item(runs.store, run_id, name, marks)
    data = thumbnail(runs.store, run_id, name, max_side or 4096, item)
    return Response(data, media_type="image/jpeg")


# --- sweeps ------------------------------------------------------------------------------------


class SweepRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    grid: Grid | None = Field(None, description="Values per threshold; every combination is tried.")


class SaveDefaults(BaseModel):
    """The thresholds to save; left out, the sweep's best point under ``protocol`` is saved."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    protocol: Protocol = "icdar2015-iou"
    thresholds: ThresholdDefaults | None = None


@router.post("/{run_id}/sweep", status_code=status.HTTP_202_ACCEPTED, summary="Sweep a run's thresholds")
async def start_sweep(
    run_id: str, sweeps: SweepsDep, body: Annotated[SweepRequest | None, Body()] = None
) -> dict[str, Any]:
    """A grid over thresh, boxThresh and unclipRatio (the default has 60 points) scored on the
    run's images: the model runs once per image, then post-processing only. Progress arrives on the
    WebSocket under the run's id (``sweep`` in the run's messages)."""
    sweep = await run_in_threadpool(sweeps.submit, run_id, body.grid if body else None)
    return {
        "sweep_id": sweep["sweep_id"],
        "run_id": run_id,
        "status": sweep["status"],
        "total": sweep["total"],
    }


@router.get("/{run_id}/sweep", summary="The run's latest sweep: every point and the best per protocol")
def get_sweep(run_id: str, sweeps: SweepsDep, protocol: Protocol = "icdar2015-iou") -> dict[str, Any]:
    """``status`` is ``none`` (and ``points`` empty) when the run has not been swept yet."""
    sweep = sweeps.latest(run_id)
    if sweep is None:
        return {"run_id": run_id, "status": "none", "protocol": protocol, "points": [], "best": {}}
    return view(sweep, protocol)


@router.post("/{run_id}/sweep/defaults", summary="Save thresholds as the run's model's defaults")
def save_defaults(run_id: str, sweeps: SweepsDep, body: SaveDefaults) -> dict[str, Any]:
    """Writes the thresholds into the model's ``.json`` sidecar (``detection``), atomically; refused
    (409) for a built-in model. Detection then uses them wherever a request leaves them out."""
    values = body.thresholds
    if values is None:
        sweep = sweeps.latest(run_id)
        if sweep is None or sweep["status"] != "completed":
            raise RunError(f"Run '{run_id}' has no finished sweep to take the best thresholds from.")
        best = view(sweep, body.protocol)["best"][body.protocol]
        values = ThresholdDefaults(
            thresh=best["thresh"], box_thresh=best["boxThresh"], unclip_ratio=best["unclipRatio"]
        )
    return sweeps.save_defaults(run_id, values)
