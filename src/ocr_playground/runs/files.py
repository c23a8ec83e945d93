"""A run's files under ``{outputs}/runs/{run_id}/``: ``items.parquet``, ``predictions.json`` and
``metrics.json``. Each is streamed from the store a chunk at a time (memory stays flat on a big run)
into a temp file that is renamed into place when whole, so a reader never sees half a file.

``items.parquet`` has one row per item: name, status, error, cache_key, width, height, detections
(the count), the stage timings in ms (``read_ms`` ... ``total_ms``), per protocol the metrics
(``icdar2015_iou_hmean``, ``deteval_tp``, ...), in a run that reads text the text metrics by their
flat names (``cer``, ``word_f1``, ``e2e_hmean``, ``words_correct``, ...; null without them), and
``boxes`` (each detection's points and score, and its ``text`` and ``textScore`` when read), in
plain Arrow types that pandas, Polars and DuckDB read as they are.
"""

import json
from dataclasses import fields
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from ocr_playground.artifacts import atomic_open, atomic_write_bytes
from ocr_playground.inference.evaluation import PROTOCOLS
from ocr_playground.inference.text_metrics import TEXT_FIELDS, TextCounts, flat_text
from ocr_playground.runs.model import TIMING_STAGES
from ocr_playground.runs.store import METRIC_FIELDS, RunStore

ITEMS = "items.parquet"
PREDICTIONS = "predictions.json"
METRICS = "metrics.json"
IMAGES = "images"


def _column(protocol: str, field: str) -> str:
    return f"{protocol.replace('-', '_')}_{field}"


BOX = pa.struct(
    [
        ("points", pa.list_(pa.list_(pa.float64()))),
        ("score", pa.float64()),
        ("text", pa.string()),
        ("textScore", pa.float64()),
    ]
)
_COUNTS = {f.name for f in fields(TextCounts)}
SCHEMA = pa.schema(
    [
        ("name", pa.string()),
        ("status", pa.string()),
        ("error", pa.string()),
        ("cache_key", pa.string()),
        ("width", pa.int32()),
        ("height", pa.int32()),
        ("detections", pa.int32()),
        *[(f"{stage}_ms", pa.float64()) for stage in TIMING_STAGES],
        *[(_column(p, f), pa.float64()) for p in PROTOCOLS for f in METRIC_FIELDS],
        *[(name, pa.int64() if name in _COUNTS else pa.float64()) for name in TEXT_FIELDS],
        ("boxes", pa.list_(BOX)),
    ]
)


def _row(row: Any) -> dict[str, Any]:
    timings = json.loads(row["timings"])
    metrics = json.loads(row["metrics"]) if row["metrics"] else {}
    out = {key: row[key] for key in ("name", "status", "error", "cache_key", "width", "height", "detections")}
    out |= {f"{stage}_ms": timings.get(stage) for stage in TIMING_STAGES}
    out |= {_column(p, f): metrics.get(p, {}).get(f) for p in PROTOCOLS for f in METRIC_FIELDS}
    out |= flat_text(json.loads(row["text_metrics"]) if row["text_metrics"] else None)
    out["boxes"] = json.loads(row["boxes"]) if row["boxes"] else None
    return out


def write_items(store: RunStore, run_id: str, path: Path) -> None:
    with atomic_open(path) as f, pq.ParquetWriter(f, SCHEMA) as writer:
        for rows in store.iter_items(run_id):
            writer.write_table(pa.Table.from_pylist([_row(r) for r in rows], schema=SCHEMA))


def write_predictions(store: RunStore, run_id: str, path: Path) -> None:
    """The receipt competition's format: ``{"images": {name: {"words": {"0001": {points, score}}}}}``,
    each word with its ``text`` and ``textScore`` in a run that reads text (completed items only; a
    failed image has no predictions)."""
    with atomic_open(path) as f:
        f.write(b'{"images": {')
        first = True
        for rows in store.iter_items(run_id):
            for row in rows:
                if row["status"] != "completed" or row["boxes"] is None:
                    continue
                words = {f"{i:04d}": box for i, box in enumerate(json.loads(row["boxes"]), start=1)}
                entry = json.dumps(row["name"]) + ": " + json.dumps({"words": words})
                f.write((entry if first else ",\n" + entry).encode())
                first = False
        f.write(b"}}\n")


def write_files(store: RunStore, run_id: str, folder: Path, summary: dict[str, Any]) -> dict[str, str]:
    """All of a run's files; ``summary`` (the run as the API shows it) becomes metrics.json."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {"items": folder / ITEMS, "metrics": folder / METRICS}
    write_items(store, run_id, paths["items"])
    if summary["spec"]["pipeline_id"] == "inference":
        paths["predictions"] = folder / PREDICTIONS
        write_predictions(store, run_id, paths["predictions"])
    atomic_write_bytes(paths["metrics"], json.dumps(summary, indent=2).encode())
    if (folder / IMAGES).is_dir():
        paths["images"] = folder / IMAGES
    return {key: str(path) for key, path in paths.items()}
