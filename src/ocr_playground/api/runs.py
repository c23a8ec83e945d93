"""Runs: a spec over a dataset, its items, its progress. Thin: the run service does the work."""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, status
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from ocr_playground.api.deps import SettingsDep
from ocr_playground.api.models import MAX_OFFSET
from ocr_playground.datasets import walk_images
from ocr_playground.runs.model import RunSpec
from ocr_playground.runs.overlay import marked_item
from ocr_playground.runs.service import RunService
from ocr_playground.runs.store import ITEM_FILTERS, SORT_KEYS

router = APIRouter(prefix="/api/runs", tags=["runs"])

Protocol = Literal["icdar2015-iou", "deteval"]
# The store's lists, as the types FastAPI checks and documents (a value outside them is a 422).
SortKey = Literal[SORT_KEYS]  # type: ignore[valid-type]
Filter = Literal[tuple(ITEM_FILTERS)]  # type: ignore[valid-type]
GT_NAMES = ("gt.json", "gt", "ground_truth.json", "labels.json", "annotations.json")
MAX_DATASETS = 200


async def get_runs(request: Request) -> RunService:
    return request.app.state.runs


RunsDep = Annotated[RunService, Depends(get_runs)]


class RunAccepted(BaseModel):
    run_id: str
    status: str
    total: int


class RunList(BaseModel):
    runs: list[dict[str, Any]]
    next_offset: int | None = Field(description="Pass as offset for the next page; null on the last one.")


class Dataset(BaseModel):
    path: str = Field(description="Relative to the data root; pass it as dataset.")
    images: int
    gt: str | None = Field(description="Ground truth found beside the folder, if any.")


@router.post("", status_code=status.HTTP_202_ACCEPTED, response_model=RunAccepted, summary="Start a run")
async def create_run(spec: RunSpec, runs: RunsDep) -> RunAccepted:
    run = await run_in_threadpool(runs.submit, spec)  # walks the folder, reads the ground truth
    return RunAccepted(run_id=run.run_id, status=run.status.value, total=run.total)


@router.get("", response_model=RunList, summary="Runs, newest first")
def list_runs(
    runs: RunsDep, limit: int = Query(20, ge=1, le=200), offset: int = Query(0, ge=0, le=MAX_OFFSET)
) -> RunList:
    page = runs.store.recent(limit, offset)
    more = offset + len(page) < runs.store.count()
    return RunList(runs=[runs.summary(r) for r in page], next_offset=offset + len(page) if more else None)


def _gt_beside(folder: Any) -> Any:
    for candidate in (folder, folder.parent):
        for name in GT_NAMES:
            if (candidate / name).exists() and candidate / name != folder:
                return candidate / name
    return None


@router.get("/datasets", response_model=list[Dataset], summary="Folders under the data root with images")
def datasets(settings: SettingsDep) -> list[Dataset]:
    """Each folder holding images (directly or below), with ground truth found beside it: a
    ``gt.json`` (or ``gt/`` folder) in the folder or in its parent (``set/images`` + ``set/gt.json``)."""
    root = settings.data_root.resolve()
    counts: dict[str, int] = {}
    for path in walk_images(root):
        folder = path.parent.relative_to(root)
        for parent in [folder, *folder.parents]:
            counts[parent.as_posix()] = counts.get(parent.as_posix(), 0) + 1
    out = []
    for rel, images in sorted(counts.items())[:MAX_DATASETS]:
        gt = _gt_beside(root / rel)
        out.append(
            Dataset(path=rel, images=images, gt=None if gt is None else gt.relative_to(root).as_posix())
        )
    return out


@router.get("/{run_id}", summary="A run: state, counts, metrics (with ground truth) and files")
def get_run(run_id: str, runs: RunsDep) -> dict[str, Any]:
    return runs.summary(runs.get(run_id))


@router.delete("/{run_id}", summary="Cancel a run; finished items are kept")
def cancel_run(run_id: str, runs: RunsDep) -> dict[str, Any]:
    return runs.summary(runs.cancel(run_id))


@router.get("/{run_id}/items", summary="A run's items, sorted, filtered and paged")
def list_items(
    run_id: str,
    runs: RunsDep,
    sort: SortKey = "name",
    order: Literal["asc", "desc"] = "asc",
    status_: Literal["completed", "failed"] | None = Query(None, alias="status"),
    protocol: Protocol = "icdar2015-iou",
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
    filter_: Annotated[
        Filter | None,
        Query(
            alias="filter",
            description="Only failed items, images with misses, with false detections, or with a "
            "line read wrong (misread: a run that reads text).",
        ),
    ] = None,
) -> dict[str, Any]:
    runs.get(run_id)
    assert sort in SORT_KEYS
    items, total = runs.store.items(
        run_id, sort=sort, order=order, status=status_, protocol=protocol, limit=limit, offset=offset,
        filter_=filter_,
    )  # fmt: skip
    return {"items": items, "total": total}


@router.get("/{run_id}/items/{name:path}", summary="One item with its detections and ground truth, marked")
def get_item(run_id: str, name: str, runs: RunsDep, protocol: Protocol = "icdar2015-iou") -> dict[str, Any]:
    runs.get(run_id)
    return marked_item(runs.store, run_id, name, protocol)
