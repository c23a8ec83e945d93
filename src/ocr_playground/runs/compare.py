"""Is run B better than run A, or is the difference noise? A paired bootstrap over images.

Both runs are scored image by image against ground truth, so each image contributes counts
(matched words, false detections, words, detections) to either run's aggregate. Resampling the
*images* with replacement and recomputing both aggregates from the summed counts of the same
resample keeps the pairing (an easy image is easy for both runs) and respects that the aggregate is
micro (summed counts), not an average of per-image scores. The 2.5th and 97.5th percentiles of the
resampled differences are the 95 % interval: when it contains 0, the change is within what a
different draw of images could give. The seed is fixed, so the same two runs always give the same
interval.

What is compared is data: a ``Measure`` is a name and a function of summed counts, so a metric
added to the items (with the counts it needs) becomes comparable by adding a ``Measure``.
"""

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from ocr_playground.runs.errors import RunError
from ocr_playground.runs.model import Run
from ocr_playground.runs.store import RunStore

RESAMPLES = 2000
SEED = 20240613
MIN_RESAMPLES, MAX_RESAMPLES = 2000, 20_000
# The per-image counts a run's aggregate is summed from (columns of the count matrices below).
COUNTS = ("tp", "fp", "gt", "det")
_TP, _FP, _GT, _DET = range(len(COUNTS))
# Weights of this many (resample, image) pairs at most are held at once.
CHUNK_CELLS = 4_000_000
SAME = 1e-12  # per-image scores closer than this are the same (they are computed, not measured)


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    return np.divide(num, den, out=np.zeros(np.broadcast(num, den).shape), where=den > 0)


def precision(s: np.ndarray) -> np.ndarray:
    return _ratio(s[..., _DET] - s[..., _FP], s[..., _DET])


def recall(s: np.ndarray) -> np.ndarray:
    return _ratio(s[..., _TP], s[..., _GT])


def hmean(s: np.ndarray) -> np.ndarray:
    p, r = precision(s), recall(s)
    return _ratio(2 * p * r, p + r)


@dataclass(frozen=True)
class Measure:
    name: str
    value: Callable[[np.ndarray], np.ndarray]  # summed counts (..., len(COUNTS)) -> value (...)


MEASURES = (Measure("precision", precision), Measure("recall", recall), Measure("hmean", hmean))
PRIMARY = "hmean"  # the per-image score that decides "fixed" and "broke", and the verdict


def _counts(metrics: Mapping[str, Any]) -> list[float]:
    return [float(metrics[name]) for name in COUNTS]


def paired_bootstrap(
    a: np.ndarray, b: np.ndarray, resamples: int = RESAMPLES, seed: int = SEED
) -> dict[str, list[float]]:
    """The 95 % interval of ``measure(B) - measure(A)`` for every measure, over ``resamples``
    resamples of the images (rows of the n×len(COUNTS) count matrices ``a`` and ``b``)."""
    n = len(a)
    rng = np.random.default_rng(seed)
    both = np.concatenate([a, b], axis=1)
    width = len(COUNTS)
    deltas: dict[str, list[np.ndarray]] = {m.name: [] for m in MEASURES}
    chunk = max(1, min(resamples, CHUNK_CELLS // max(n, 1)))
    for start in range(0, resamples, chunk):
        m = min(chunk, resamples - start)
        # How often each image is drawn in each resample: the same draw for both runs (paired).
        weights = rng.multinomial(n, np.full(n, 1.0 / n), size=m).astype(np.float64)
        sums = weights @ both
        for measure in MEASURES:
            deltas[measure.name].append(measure.value(sums[:, width:]) - measure.value(sums[:, :width]))
    out = {}
    for name, parts in deltas.items():
        lo, hi = np.percentile(np.concatenate(parts), [2.5, 97.5])
        out[name] = [float(lo), float(hi)]
    return out


def verdict(lo: float, hi: float) -> str:
    interval = f"[{lo:+.4f}, {hi:+.4f}]"
    if lo == hi == 0:
        return "A and B score the same H-mean on every resample of the images."
    if lo > 0:
        return f"B is better than A: the 95 % interval of the H-mean difference, {interval}, excludes 0."
    if hi < 0:
        return f"B is worse than A: the 95 % interval of the H-mean difference, {interval}, excludes 0."
    return (
        f"The difference is within noise: the 95 % interval of the H-mean difference, {interval}, contains 0."
    )


def compare_scores(
    a: Mapping[str, Mapping[str, Any]],
    b: Mapping[str, Mapping[str, Any]],
    names: list[str],
    resamples: int = RESAMPLES,
    seed: int = SEED,
) -> dict[str, Any]:
    """Compare two runs on ``names`` (each image's metrics under one protocol in ``a`` and ``b``):
    both aggregates, their difference B - A with its interval, the per-image scores, and the images
    B fixed (scored higher than A) and broke (scored lower), the largest change first."""
    if not names:
        raise RunError("The two runs have no scored image in common, so there is nothing to compare.")
    ca = np.array([_counts(a[n]) for n in names], np.float64)
    cb = np.array([_counts(b[n]) for n in names], np.float64)
    sa, sb = ca.sum(axis=0), cb.sum(axis=0)
    aggregate_a = {m.name: float(m.value(sa)) for m in MEASURES}
    aggregate_b = {m.name: float(m.value(sb)) for m in MEASURES}
    ci95 = paired_bootstrap(ca, cb, resamples, seed)
    per_image = [{"name": n, "a": float(a[n][PRIMARY]), "b": float(b[n][PRIMARY])} for n in names]
    changes = sorted(per_image, key=lambda p: -abs(p["b"] - p["a"]))
    return {
        "images": len(names),
        "a": aggregate_a | dict(zip(COUNTS, map(float, sa), strict=True)),
        "b": aggregate_b | dict(zip(COUNTS, map(float, sb), strict=True)),
        "delta": {m.name: aggregate_b[m.name] - aggregate_a[m.name] for m in MEASURES},
        "ci95": ci95,
        "resamples": resamples,
        "seed": seed,
        "verdict": verdict(*ci95[PRIMARY]),
        "fixed": [p["name"] for p in changes if p["b"] - p["a"] > SAME],
        "broke": [p["name"] for p in changes if p["a"] - p["b"] > SAME],
        "per_image": per_image,
    }


# --- two stored runs ---------------------------------------------------------------------------


def scored_items(store: RunStore, run_id: str, protocol: str) -> dict[str, dict[str, Any]]:
    """Each completed, scored item's metrics under ``protocol``, in dataset order."""
    out = {}
    for rows in store.iter_items(run_id):
        for row in rows:
            if row["status"] == "completed" and row["metrics"] is not None:
                out[row["name"]] = json.loads(row["metrics"])[protocol]
    return out


def _checked(run: Run) -> None:
    if run.spec.gt is None:
        raise RunError(f"Run '{run.run_id}' has no ground truth, so it has no scores to compare.")
    if not run.finished:
        raise RunError(f"Run '{run.run_id}' is still {run.status.value}; compare it once it has finished.")


def compare_runs(
    store: RunStore, a: Run, b: Run, protocol: str, resamples: int = RESAMPLES, seed: int = SEED
) -> dict[str, Any]:
    """Compare two finished runs with ground truth on the images both scored. Runs over different
    images are compared on the images they share, and the answer says so (``shared.note``)."""
    _checked(a)
    _checked(b)
    if not MIN_RESAMPLES <= resamples <= MAX_RESAMPLES:
        raise RunError(f"resamples must be between {MIN_RESAMPLES} and {MAX_RESAMPLES}, not {resamples}.")
    items_a, items_b = scored_items(store, a.run_id, protocol), scored_items(store, b.run_id, protocol)
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
    result = compare_scores(items_a, items_b, names, resamples, seed)
    for key, run in (("a", a), ("b", b)):
        result[key] |= {"run_id": run.run_id, "name": run.name}
    return {
        "protocol": protocol,
        "shared": {"images": len(names), "only_a": only_a, "only_b": only_b, "note": " ".join(notes) or None},
    } | result
