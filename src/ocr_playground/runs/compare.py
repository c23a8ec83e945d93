"""Is run B better than run A, or is the difference noise? A paired bootstrap over images.

Both runs are scored image by image against ground truth, so each image contributes counts
(matched words, false detections, words, detections; or, on text, character edits, words read
right, ...) to either run's aggregate. Resampling the *images* with replacement and recomputing
both aggregates from the summed counts of the same resample keeps the pairing (an easy image is
easy for both runs) and respects that the aggregate is micro (summed counts), not an average of
per-image scores. The 2.5th and 97.5th percentiles of the resampled differences are the 95 %
interval: when it contains 0, the change is within what a different draw of images could give. The
seed is fixed, so the same two runs always give the same interval.

What is compared is data (``runs.measures``): a ``Measure`` is a name and a function of summed
counts, grouped in families by the counts they need (detection, per protocol; text, in runs that
read it). ``metric`` picks the measure that decides the verdict and the images B fixed and broke;
every measure of its family is reported.
"""

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from ocr_playground.runs.errors import RunError
from ocr_playground.runs.measures import DETECTION, MEASURES, METRICS, Family, Measure
from ocr_playground.runs.model import Run
from ocr_playground.runs.store import RunStore

RESAMPLES = 2000
SEED = 20240613
MIN_RESAMPLES, MAX_RESAMPLES = 2000, 20_000
# Weights of this many (resample, image) pairs at most are held at once.
CHUNK_CELLS = 4_000_000
SAME = 1e-12  # per-image scores closer than this are the same (they are computed, not measured)
PRIMARY = "hmean"  # the measure compared when none is named


def _counts(metrics: Mapping[str, Any], names: tuple[str, ...]) -> list[float]:
    return [float(metrics[name]) for name in names]


def _number(value: float) -> float | None:
    """A measure's value as JSON: NaN (no meaning, e.g. the CER of no matched line) is null."""
    return None if math.isnan(value) else float(value)


def paired_bootstrap(
    a: np.ndarray, b: np.ndarray, resamples: int = RESAMPLES, seed: int = SEED, family: Family = DETECTION
) -> dict[str, list[float | None]]:
    """The 95 % interval of ``measure(B) - measure(A)`` for every measure of ``family``, over
    ``resamples`` resamples of the images (rows of the n×len(family.counts) count matrices ``a``
    and ``b``). Resamples where a measure has no value (NaN) are left out of its interval."""
    n = len(a)
    rng = np.random.default_rng(seed)
    both = np.concatenate([a, b], axis=1)
    width = len(family.counts)
    deltas: dict[str, list[np.ndarray]] = {m.name: [] for m in family.measures}
    chunk = max(1, min(resamples, CHUNK_CELLS // max(n, 1)))
    for start in range(0, resamples, chunk):
        m = min(chunk, resamples - start)
        # How often each image is drawn in each resample: the same draw for both runs (paired).
        weights = rng.multinomial(n, np.full(n, 1.0 / n), size=m).astype(np.float64)
        sums = weights @ both
        for measure in family.measures:
            deltas[measure.name].append(measure.value(sums[:, width:]) - measure.value(sums[:, :width]))
    out: dict[str, list[float | None]] = {}
    for name, parts in deltas.items():
        values = np.concatenate(parts)
        values = values[~np.isnan(values)]
        lo, hi = np.percentile(values, [2.5, 97.5]) if len(values) else (np.nan, np.nan)
        out[name] = [_number(lo), _number(hi)]
    return out


def verdict(lo: float | None, hi: float | None, measure: Measure = MEASURES[2]) -> str:
    what = f"the 95 % interval of the {measure.label} difference"
    if lo is None or hi is None:
        return f"The {measure.label} has no value on these images (nothing to measure it on)."
    interval = f"[{lo:+.4f}, {hi:+.4f}]"
    if lo == hi == 0:
        return f"A and B score the same {measure.label} on every resample of the images."
    better, worse = (hi < 0, lo > 0) if measure.lower_is_better else (lo > 0, hi < 0)
    if better:
        return f"B is better than A: {what}, {interval}, excludes 0."
    if worse:
        return f"B is worse than A: {what}, {interval}, excludes 0."
    return f"The difference is within noise: {what}, {interval}, contains 0."


def compare_scores(
    a: Mapping[str, Mapping[str, Any]],
    b: Mapping[str, Mapping[str, Any]],
    names: list[str],
    resamples: int = RESAMPLES,
    seed: int = SEED,
    metric: str = PRIMARY,
) -> dict[str, Any]:
    """Compare two runs on ``names`` (each image's counts and scores in ``a`` and ``b``, as
    ``metric``'s family reads them): both aggregates, their difference B - A with its interval,
    the per-image ``metric`` of each, and the images B fixed (scored better than A on ``metric``)
    and broke (worse), the largest change first."""
    if not names:
        raise RunError("The two runs have no scored image in common, so there is nothing to compare.")
    family, primary = METRICS[metric]
    ca = np.array([_counts(a[n], family.counts) for n in names], np.float64)
    cb = np.array([_counts(b[n], family.counts) for n in names], np.float64)
    sa, sb = ca.sum(axis=0), cb.sum(axis=0)
    aggregate_a = {m.name: _number(m.value(sa)) for m in family.measures}
    aggregate_b = {m.name: _number(m.value(sb)) for m in family.measures}
    ci95 = paired_bootstrap(ca, cb, resamples, seed, family)
    per_image = [{"name": n, "a": a[n][metric], "b": b[n][metric]} for n in names]
    sign = -1.0 if primary.lower_is_better else 1.0
    gains = [(p, sign * (p["b"] - p["a"])) for p in per_image if p["a"] is not None and p["b"] is not None]
    gains.sort(key=lambda pg: -abs(pg[1]))

    def delta(name: str) -> float | None:
        va, vb = aggregate_a[name], aggregate_b[name]
        return None if va is None or vb is None else vb - va

    return {
        "metric": metric,
        "family": family.name,
        "images": len(names),
        "a": aggregate_a | dict(zip(family.counts, map(float, sa), strict=True)),
        "b": aggregate_b | dict(zip(family.counts, map(float, sb), strict=True)),
        "delta": {m.name: delta(m.name) for m in family.measures},
        "ci95": ci95,
        "resamples": resamples,
        "seed": seed,
        "verdict": verdict(*ci95[metric], primary),
        "fixed": [p["name"] for p, gain in gains if gain > SAME],
        "broke": [p["name"] for p, gain in gains if gain < -SAME],
        "per_image": per_image,
    }


# --- two stored runs ---------------------------------------------------------------------------


def scored_items(
    store: RunStore, run_id: str, protocol: str, family: Family = DETECTION
) -> dict[str, Mapping[str, Any]]:
    """Each completed, scored item's counts and scores in ``family`` (under ``protocol``), in
    dataset order."""
    out = {}
    for rows in store.iter_items(run_id):
        for row in rows:
            if row["status"] == "completed" and (found := family.read(row, protocol)) is not None:
                out[row["name"]] = found
    return out


def _checked(run: Run) -> None:
    if run.spec.gt is None:
        raise RunError(f"Run '{run.run_id}' has no ground truth, so it has no scores to compare.")
    if not run.finished:
        raise RunError(f"Run '{run.run_id}' is still {run.status.value}; compare it once it has finished.")


def compare_runs(
    store: RunStore,
    a: Run,
    b: Run,
    protocol: str,
    resamples: int = RESAMPLES,
    seed: int = SEED,
    metric: str = PRIMARY,
) -> dict[str, Any]:
    """Compare two finished runs with ground truth on ``metric`` (``measures.METRICS``), on the
    images both scored. Runs over different images are compared on the images they share, and the
    answer says so (``shared.note``)."""
    _checked(a)
    _checked(b)
    if not MIN_RESAMPLES <= resamples <= MAX_RESAMPLES:
        raise RunError(f"resamples must be between {MIN_RESAMPLES} and {MAX_RESAMPLES}, not {resamples}.")
    if metric not in METRICS:
        raise RunError(f"Unknown metric '{metric}'; known: {', '.join(METRICS)}.")
    family = METRICS[metric][0]
    items_a = scored_items(store, a.run_id, protocol, family)
    items_b = scored_items(store, b.run_id, protocol, family)
    for run, items in ((a, items_a), (b, items_b)):
        if not items and family is not DETECTION:
            raise RunError(f"Run '{run.run_id}' has no {family.missing}; compare it on hmean.")
    names = [n for n in items_a if n in items_b]
    only_a, only_b = len(items_a) - len(names), len(items_b) - len(names)
    if not names:
        raise RunError(
            f"Runs '{a.run_id}' and '{b.run_id}' have no scored image in common "
            f"({len(items_a)} and {len(items_b)} scored images), so there is nothing to compare."
        )
    notes = []
    if only_a or only_b:
        notes.append(
            f"Compared on the {len(names)} images both runs scored; {only_a} scored only in A and "
            f"{only_b} only in B are left out."
        )
    if a.spec.gt != b.spec.gt:
        notes.append(
            f"The runs were scored against different ground truth ('{a.spec.gt}' and '{b.spec.gt}')."
        )
    recognizers = (a.spec.recognizer_path, b.spec.recognizer_path)
    if family is not DETECTION and None not in recognizers and recognizers[0] != recognizers[1]:
        notes.append(
            f"The runs read text with different recognizers ('{recognizers[0]}' and '{recognizers[1]}')."
        )
    result = compare_scores(items_a, items_b, names, resamples, seed, metric)
    for key, run in (("a", a), ("b", b)):
        result[key] |= {"run_id": run.run_id, "name": run.name}
    return {
        "protocol": protocol,
        "shared": {"images": len(names), "only_a": only_a, "only_b": only_b, "note": " ".join(notes) or None},
    } | result
