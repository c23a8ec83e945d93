"""What two runs can be compared on: a family of measures, each a function of summed per-image counts.

Two families, read from different parts of a stored item:

* **detection** (per protocol, from the item's ``metrics``): counts ``tp, fp, gt, det``; precision,
  recall and H-mean as the run's aggregate computes them (0 for an empty denominator).
* **text** (from the item's ``text_metrics``, in a run that reads text): the counts of
  ``inference.text_metrics.TextCounts``; CER (lower is better), word precision/recall/F1 and end-to-end
  precision/recall/H-mean, with that module's conventions for empty counts (nothing expected and
  nothing read is 1), so an aggregate here equals the run's own.

Every measure takes an array of summed counts (``..., len(counts)``) and gives the value for each
sum; a value without meaning (the CER of no matched line) is NaN, shown as null.
"""

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from typing import Any

import numpy as np

from ocr_playground.inference.text_metrics import TextCounts, flat_text


@dataclass(frozen=True)
class Measure:
    name: str
    value: Callable[[np.ndarray], np.ndarray]  # summed counts (..., len(counts)) -> value (...)
    label: str
    lower_is_better: bool = False


@dataclass(frozen=True)
class Family:
    """Measures computed from the same per-image counts, and how an item gives its counts and its
    own per-image values (by name: a count or a measure) under a protocol; None: not scored."""

    name: str
    counts: tuple[str, ...]
    measures: tuple[Measure, ...]
    read: Callable[[Mapping[str, Any], str], Mapping[str, Any] | None]
    missing: str  # why a run has nothing to compare in this family: "has no {missing}"


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    return np.divide(num, den, out=np.zeros(np.broadcast(num, den).shape), where=den > 0)


# --- detection -----------------------------------------------------------------------------------

COUNTS = ("tp", "fp", "gt", "det")
_TP, _FP, _GT, _DET = range(len(COUNTS))


def precision(s: np.ndarray) -> np.ndarray:
    return _ratio(s[..., _DET] - s[..., _FP], s[..., _DET])


def recall(s: np.ndarray) -> np.ndarray:
    return _ratio(s[..., _TP], s[..., _GT])


def hmean(s: np.ndarray) -> np.ndarray:
    p, r = precision(s), recall(s)
    return _ratio(2 * p * r, p + r)


def _detection(row: Mapping[str, Any], protocol: str) -> Mapping[str, Any] | None:
    return None if row["metrics"] is None else json.loads(row["metrics"])[protocol]


MEASURES = (
    Measure("precision", precision, "precision"),
    Measure("recall", recall, "recall"),
    Measure("hmean", hmean, "H-mean"),
)
DETECTION = Family("detection", COUNTS, MEASURES, _detection, "scored image")


# --- text ------------------------------------------------------------------------------------------

TEXT_COUNTS = tuple(f.name for f in fields(TextCounts))
_COLUMN = {name: i for i, name in enumerate(TEXT_COUNTS)}


def _text_ratios(s: np.ndarray, hits: str, predicted: str, expected: str) -> tuple[np.ndarray, ...]:
    """Precision, recall and F1 as ``text_metrics`` computes them, for every sum at once."""
    h, p_den, r_den = (s[..., _COLUMN[k]] for k in (hits, predicted, expected))
    p = np.where(p_den > 0, _ratio(h, p_den), 1.0)
    r = np.where(r_den > 0, _ratio(h, r_den), 1.0)
    f1 = np.where((p > 0) & (r > 0), _ratio(2 * p * r, p + r), 0.0)
    return p, r, f1


def cer(s: np.ndarray) -> np.ndarray:
    edits, chars = s[..., _COLUMN["char_edits"]], s[..., _COLUMN["gt_chars"]]
    return np.divide(edits, chars, out=np.full(np.broadcast(edits, chars).shape, np.nan), where=chars > 0)


def _words(i: int) -> Callable[[np.ndarray], np.ndarray]:
    return lambda s: _text_ratios(s, "words_correct", "words_read", "words_gt")[i]


def _e2e(i: int) -> Callable[[np.ndarray], np.ndarray]:
    return lambda s: _text_ratios(s, "e2e_correct", "e2e_det", "e2e_gt")[i]


def _text(row: Mapping[str, Any], _protocol: str) -> Mapping[str, Any] | None:
    return None if row["text_metrics"] is None else flat_text(json.loads(row["text_metrics"]))


TEXT = Family(
    "text",
    TEXT_COUNTS,
    (
        Measure("cer", cer, "CER", lower_is_better=True),
        Measure("word_precision", _words(0), "word precision"),
        Measure("word_recall", _words(1), "word recall"),
        Measure("word_f1", _words(2), "word F1"),
        Measure("e2e_precision", _e2e(0), "end-to-end precision"),
        Measure("e2e_recall", _e2e(1), "end-to-end recall"),
        Measure("e2e_hmean", _e2e(2), "end-to-end H-mean"),
    ),
    _text,
    "text metrics: it read no text (no recognizer_path), or its ground truth has no text",
)

# metric= values: each names its family and the measure that decides the verdict, fixed and broke.
METRICS: dict[str, tuple[Family, Measure]] = {
    m.name: (family, m) for family in (DETECTION, TEXT) for m in family.measures
}
