"""Exports: a run's items and a comparison's image lists as CSV, and a comparison as one
self-contained HTML file (numbers, the interval, a scatter of the per-image scores and thumbnails of
the images B fixed and broke, A's marks beside B's) that can be attached to a pull request: no
script, no external file, images inlined as data URIs.
"""

import base64
import csv
import html
import io
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from ocr_playground.imaging.errors import ImagingError
from ocr_playground.inference.evaluation import PROTOCOLS
from ocr_playground.inference.text_metrics import TEXT_FIELDS, flat_text
from ocr_playground.runs.errors import ImageGone
from ocr_playground.runs.measures import METRICS
from ocr_playground.runs.overlay import COLOURS, marked_item, thumbnail
from ocr_playground.runs.store import METRIC_FIELDS, RunStore

THUMBNAILS = 8  # per list in the report
THUMB_SIDE = 360


def _csv(header: list[str], rows: Iterable[list[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def items_csv(items: list[dict[str, Any]]) -> str:
    """Items as the table shows them: one row each, every protocol's metrics as columns, and the
    text metrics (by their flat names) when the items have them."""
    metric_columns = [(p, f) for p in PROTOCOLS for f in METRIC_FIELDS]
    header = ["name", "status", "error", "detections", "total_ms"]
    header += [f"{p.replace('-', '_')}_{f}" for p, f in metric_columns]
    text = any(item.get("text_metrics") for item in items)
    if text:
        header += list(TEXT_FIELDS)
    rows = []
    for item in items:
        metrics = item["metrics"] or {}
        row = [
            item["name"],
            item["status"],
            item["error"] or "",
            item["detections"],
            item["timings"].get("total"),
        ]
        row += [metrics.get(p, {}).get(f) for p, f in metric_columns]
        rows.append(row + (list(flat_text(item.get("text_metrics")).values()) if text else []))
    return _csv(header, rows)


def comparison_csv(result: dict[str, Any]) -> str:
    """The per-image scores (the compared metric) of a comparison with the change: fixed, broke or
    same (empty where the metric has no value on an image)."""
    fixed, broke = set(result["fixed"]), set(result["broke"])
    rows = [
        [
            p["name"],
            p["a"],
            p["b"],
            None if p["a"] is None or p["b"] is None else p["b"] - p["a"],
            "fixed" if p["name"] in fixed else "broke" if p["name"] in broke else "same",
        ]
        for p in result["per_image"]
    ]
    metric = result["metric"]
    return _csv(["name", f"{metric}_a", f"{metric}_b", "delta", "change"], rows)


# --- HTML --------------------------------------------------------------------------------------

STYLE = """
body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:1100px;color:#222}
h1{font-size:1.4em}h2{font-size:1.15em;margin-top:1.6em}
table{border-collapse:collapse}td,th{padding:.25em .7em;border-bottom:1px solid #ddd;text-align:right}
th:first-child,td:first-child{text-align:left}.verdict{font-weight:600}.note{color:#8a5a00}
.pair{display:inline-block;margin:.5em 1em .5em 0;vertical-align:top}
.pair img{max-width:260px;border:1px solid #ccc}
.pair figcaption{font-size:12px}.legend span{display:inline-block;margin-right:1em}
.legend i{display:inline-block;width:1em;height:.7em;margin-right:.3em;vertical-align:middle}
"""
LEGEND = {
    ("gt", "tp"): "word matched",
    ("gt", "fn"): "word missed",
    ("gt", "dont_care"): "don't care",
    ("det", "tp"): "true detection",
    ("det", "fp"): "false detection",
    ("det", "ignored"): "ignored detection",
}


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{100 * x:.2f}"


def _signed(x: float | None) -> str:
    return "—" if x is None else f"{100 * x:+.2f}"


def _dot(p: dict[str, Any], sign: float) -> str:
    """Green where B is better (higher, or lower for an error rate), vermillion where worse."""
    gain = sign * (p["b"] - p["a"])
    return "#009E73" if gain > 0 else "#D55E00" if gain < 0 else "#777"


def _scatter(per_image: list[dict[str, Any]], label: str, sign: float, size: int = 260) -> str:
    def at(v: float) -> float:  # a CER can pass 1 (more edits than characters): drawn at the edge
        return min(1.0, max(0.0, v)) * (size - 30)

    dots = "".join(
        f'<circle cx="{20 + at(p["a"]):.1f}" cy="{size - 20 - at(p["b"]):.1f}" r="2.5" '
        f'fill="{_dot(p, sign)}" fill-opacity=".7"/>'
        for p in per_image
        if p["a"] is not None and p["b"] is not None
    )
    return (
        f'<svg width="{size}" height="{size}" role="img" aria-label="per-image {label}, A against B">'
        f'<line x1="20" y1="{size - 20}" x2="{size - 10}" y2="10" stroke="#bbb"/>'
        f'<rect x="20" y="10" width="{size - 30}" height="{size - 30}" fill="none" stroke="#999"/>{dots}'
        f'<text x="{size / 2}" y="{size - 4}" font-size="11" text-anchor="middle">'
        f"A ({label} per image)</text>"
        f'<text x="10" y="{size / 2}" font-size="11" text-anchor="middle" '
        f'transform="rotate(-90 10 {size / 2})">B</text>'
        "</svg>"
    )


def _thumb(store: RunStore, run_id: str, name: str, protocol: str) -> str:
    item = marked_item(store, run_id, name, protocol)
    data = thumbnail(store, run_id, name, THUMB_SIDE, item)
    return "data:image/jpeg;base64," + base64.b64encode(data).decode()


def _pairs(store: RunStore, result: dict[str, Any], names: list[str], label: str) -> str:
    if not names:
        return "<p>None.</p>"
    by_name = {p["name"]: p for p in result["per_image"]}
    out = []
    for name in names[:THUMBNAILS]:
        p, e = by_name[name], html.escape(name)
        caption = f"{e}: {label} {_pct(p['a'])} → {_pct(p['b'])}"
        try:
            srcs = [_thumb(store, result[side]["run_id"], name, result["protocol"]) for side in ("a", "b")]
        except (ImageGone, ImagingError) as exc:  # the report is still worth having without it
            out.append(f'<figure class="pair"><figcaption>{caption} (no thumbnail: {html.escape(str(exc))})'
                       "</figcaption></figure>")  # fmt: skip
            continue
        images = "".join(
            f'<img alt="{e} in {side}" src="{src}">' for side, src in zip("AB", srcs, strict=True)
        )
        out.append(
            f'<figure class="pair">{images}<figcaption>{caption} (left A, right B)</figcaption></figure>'
        )
    more = len(names) - THUMBNAILS
    return "".join(out) + (f"<p>… and {more} more (see the CSV export).</p>" if more > 0 else "")


def comparison_html(store: RunStore, result: dict[str, Any]) -> str:
    a, b = result["a"], result["b"]
    names = {
        k: html.escape(f"{r['run_id']}{' (' + r['name'] + ')' if r['name'] else ''}")
        for k, r in (("a", a), ("b", b))
    }
    measure = METRICS[result["metric"]][1]
    label, sign = html.escape(measure.label), -1.0 if measure.lower_is_better else 1.0
    rows = "".join(
        f"<tr><td>{METRICS[m][1].label}</td><td>{_pct(a[m])}</td><td>{_pct(b[m])}</td>"
        f"<td>{_signed(result['delta'][m])}</td>"
        f"<td>[{_signed(result['ci95'][m][0])}, {_signed(result['ci95'][m][1])}]</td></tr>"
        for m in result["delta"]
    )
    legend = "".join(
        f'<span><i style="background:rgb{COLOURS[key]}"></i>{text}</span>' for key, text in LEGEND.items()
    )
    note = result["shared"]["note"]
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Comparison: {names["a"]} vs {names["b"]}</title>
<style>{STYLE}</style></head><body>
<h1>B: {names["b"]}<br>against A: {names["a"]}</h1>
<p>Compared on <b>{label}</b>, protocol <b>{html.escape(result["protocol"])}</b>, {result["images"]} images;
paired bootstrap over images,
{result["resamples"]} resamples (seed {result["seed"]}), aggregates from summed counts.
Made {when} by ocr-playground.</p>
{f'<p class="note">{html.escape(note)}</p>' if note else ""}
<p class="verdict">{html.escape(result["verdict"])}</p>
<table><tr><th>metric (%)</th><th>A</th><th>B</th><th>B − A</th><th>95 % interval</th></tr>{rows}</table>
<h2>Per-image {label}</h2>{_scatter(result["per_image"], label, sign)}
<p>{len(result["fixed"])} images fixed (B better), {len(result["broke"])} broke (B worse),
the largest changes first.</p>
<p class="legend">{legend}</p>
<h2>Fixed</h2>{_pairs(store, result, result["fixed"], label)}
<h2>Broke</h2>{_pairs(store, result, result["broke"], label)}
</body></html>
"""
