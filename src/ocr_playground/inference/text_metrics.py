"""Text quality: how the text read compares with the ground truth's, per image and per set.

* **CER over matched lines**: detections are paired one-to-one with ground-truth lines as ICDAR 2015
  pairs them (IoU > 0.5, greedy in ground-truth order); the character error rate is the edit
  distance (insertions, deletions, substitutions) summed over the pairs, over the ground truth's
  characters in them. It measures reading, not finding: missed lines are detection's recall.
* **Words** (SROIE task 2 style): each image's text as a bag of words split on white space; a word
  read is correct as many times as it occurs in both bags. Precision, recall and F1.
* **End to end** (ICDAR 2015): a detection is correct when it is paired with a ground-truth line
  *and* its text equals that line's. Precision, recall and H-mean.

Text is compared with runs of white space as one space, and case-folded on request. Ground truth
marked don't-care (``###``) takes no part, nor do detections lying on it; detections without text
(none read, or under the recognizer's minimum confidence) are not text predictions.

Everything is kept as counts (:class:`TextCounts`), so a set's figures are its images' counts
summed (micro average), never a mean of per-image ratios. Ratios of empty counts follow the
detection metrics' convention: nothing expected and nothing read is perfect; something expected and
nothing read has precision 1 and recall 0; something read and nothing expected, precision 0, recall 1.
"""

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
from pydantic import BaseModel, Field
from rapidfuzz.distance import Levenshtein

from ocr_playground.inference.evaluation import Annotations, Deadline, Word, iou_matches, prepare_image
from ocr_playground.inference.names import image_key, predictions_by_key


def normalise(text: str, case_sensitive: bool = True) -> str:
    text = " ".join(text.split())
    return text if case_sensitive else text.casefold()


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance: the fewest single-character insertions, deletions and substitutions
    (bit-parallel, so two 1,000-character lines take microseconds, not a second)."""
    return Levenshtein.distance(a, b)


def _ratios(hits: int, predicted: int, expected: int) -> tuple[float, float, float]:
    if predicted == 0 and expected == 0:
        return 1.0, 1.0, 1.0
    precision = hits / predicted if predicted else 1.0
    recall = hits / expected if expected else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision > 0 and recall > 0 else 0.0
    return precision, recall, f1


@dataclass(frozen=True)
class TextCounts:
    """The counts behind every text figure of one image (or, summed, of a set)."""

    lines_matched: int = 0  # detection/ground-truth pairs (IoU > 0.5)
    char_edits: int = 0  # edit distance summed over the pairs
    gt_chars: int = 0  # ground-truth characters in the pairs
    words_correct: int = 0
    words_read: int = 0
    words_gt: int = 0
    e2e_correct: int = 0  # pairs whose text is equal
    e2e_det: int = 0  # detections with text (not on don't-care)
    e2e_gt: int = 0  # ground-truth lines (not don't-care)

    def __add__(self, other: "TextCounts") -> "TextCounts":
        return TextCounts(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(self)))

    @property
    def cer(self) -> float | None:
        """None when no line was matched (nothing to measure)."""
        return self.char_edits / self.gt_chars if self.gt_chars else None

    def metrics(self, case_sensitive: bool = True) -> "TextMetrics":
        wp, wr, wf = _ratios(self.words_correct, self.words_read, self.words_gt)
        ep, er, eh = _ratios(self.e2e_correct, self.e2e_det, self.e2e_gt)
        return TextMetrics(
            cer=self.cer,
            lines_matched=self.lines_matched,
            char_edits=self.char_edits,
            gt_chars=self.gt_chars,
            words=WordScores(
                precision=wp,
                recall=wr,
                f1=wf,
                correct=self.words_correct,
                read=self.words_read,
                gt=self.words_gt,
            ),
            end_to_end=EndToEndScores(
                precision=ep, recall=er, hmean=eh, correct=self.e2e_correct, det=self.e2e_det, gt=self.e2e_gt
            ),
            case_sensitive=case_sensitive,
        )


class WordScores(BaseModel):
    precision: float
    recall: float
    f1: float
    correct: int = Field(description="Words found in both bags (counted with multiplicity).")
    read: int = Field(description="Words read.")
    gt: int = Field(description="Words in the ground truth.")


class EndToEndScores(BaseModel):
    precision: float
    recall: float
    hmean: float
    correct: int = Field(
        description="Detections paired with a ground-truth line (IoU > 0.5) whose text equals it."
    )
    det: int = Field(description="Detections with text.")
    gt: int = Field(description="Ground-truth lines that count (don't-care excluded).")


class TextMetrics(BaseModel):
    cer: float | None = Field(
        description="Character error rate over the matched lines; null if none matched."
    )
    lines_matched: int
    char_edits: int
    gt_chars: int
    words: WordScores = Field(description="Bag-of-words precision/recall/F1 (SROIE task 2 style).")
    end_to_end: EndToEndScores = Field(description="ICDAR 2015 end to end: IoU > 0.5 and the text equal.")
    case_sensitive: bool


# Every text figure by one flat name, and where it sits in a TextMetrics as JSON: the names a run's
# items.parquet columns, its sort keys and its comparisons use. The counts keep TextCounts' names.
TEXT_FIELDS: dict[str, tuple[str, ...]] = {
    "cer": ("cer",),
    "lines_matched": ("lines_matched",),
    "char_edits": ("char_edits",),
    "gt_chars": ("gt_chars",),
    "word_precision": ("words", "precision"),
    "word_recall": ("words", "recall"),
    "word_f1": ("words", "f1"),
    "words_correct": ("words", "correct"),
    "words_read": ("words", "read"),
    "words_gt": ("words", "gt"),
    "e2e_precision": ("end_to_end", "precision"),
    "e2e_recall": ("end_to_end", "recall"),
    "e2e_hmean": ("end_to_end", "hmean"),
    "e2e_correct": ("end_to_end", "correct"),
    "e2e_det": ("end_to_end", "det"),
    "e2e_gt": ("end_to_end", "gt"),
}


def flat_text(metrics: Mapping[str, Any] | None) -> dict[str, Any]:
    """A TextMetrics as JSON, flattened to the names of ``TEXT_FIELDS`` (all None for None)."""
    out: dict[str, Any] = {}
    for name, path in TEXT_FIELDS.items():
        value: Any = metrics
        for key in path:
            value = None if value is None else value.get(key)
        out[name] = value
    return out


def counts_of(metrics: Mapping[str, Any]) -> TextCounts:
    """The counts a TextMetrics (as JSON) was made from: what sums over images."""
    flat = flat_text(metrics)
    return TextCounts(**{f.name: int(flat[f.name]) for f in fields(TextCounts)})


def _words(texts: Sequence[str]) -> Counter[str]:
    return Counter(word for text in texts for word in text.split())


@dataclass(frozen=True)
class _LinePairs:
    read: list[int]  # the detections that read something: their indices in ``pred``
    gt_dc: np.ndarray  # bool per ground-truth line: don't care
    pairs: list[tuple[int, int]]  # ICDAR 2015 pairs (ground truth, index into ``read``)
    det_dc: np.ndarray  # bool per detection of ``read``: lies on a don't-care line


def _line_pairs(gt: Sequence[Word], pred: Sequence[Word]) -> _LinePairs:
    read = [i for i, w in enumerate(pred) if w.text]
    im = prepare_image(gt, [pred[i] for i in read])
    pairs, det_dc = iou_matches(im)
    return _LinePairs(read, im.gt_dc, pairs, det_dc)


def text_counts(gt: Sequence[Word], pred: Sequence[Word], case_sensitive: bool = True) -> TextCounts:
    """The counts of one image: ground-truth lines (with ``text``) against detections (``text``
    None or empty: nothing was read there)."""
    lines = _line_pairs(gt, pred)
    read, pairs, det_dc = [pred[i] for i in lines.read], lines.pairs, lines.det_dc
    gt_text = [normalise(w.text or "", case_sensitive) for w in gt]
    det_text = [normalise(w.text or "", case_sensitive) for w in read]
    edits = sum(edit_distance(det_text[d], gt_text[g]) for g, d in pairs)
    expected = _words([t for t, dc in zip(gt_text, lines.gt_dc, strict=True) if not dc])
    found = _words([t for t, dc in zip(det_text, det_dc, strict=True) if not dc])
    return TextCounts(
        lines_matched=len(pairs),
        char_edits=edits,
        gt_chars=sum(len(gt_text[g]) for g, _ in pairs),
        words_correct=sum((expected & found).values()),
        words_read=sum(found.values()),
        words_gt=sum(expected.values()),
        e2e_correct=sum(det_text[d] == gt_text[g] for g, d in pairs),
        e2e_det=int((~det_dc).sum()),
        e2e_gt=int((~lines.gt_dc).sum()),
    )


def paired_truth(gt: Sequence[Word], pred: Sequence[Word]) -> list[str | None]:
    """For each detection, the text of the ground-truth line the text metrics pair it with (the
    CER compares those two), or None: nothing read there, or no line paired with it."""
    lines = _line_pairs(gt, pred)
    out: list[str | None] = [None] * len(pred)
    for g, d in lines.pairs:
        out[lines.read[d]] = gt[g].text
    return out


class TextEvaluation(BaseModel):
    images: int
    total: TextMetrics
    per_image: dict[str, TextMetrics]


def has_text(annotations: Annotations) -> bool:
    return any(w.text for words in annotations.values() for w in words)


def evaluate_text(
    gt: Annotations, pred: Annotations, case_sensitive: bool = True, deadline: Deadline | None = None
) -> TextEvaluation:
    """Text metrics over every ground-truth image (names matched as ``predictions_by_key`` does)."""
    pred_by_key = predictions_by_key(gt, pred)
    total = TextCounts()
    per_image = {}
    for name, words in gt.items():
        if deadline is not None:
            deadline.check(len(per_image), len(gt))
        counts = text_counts(words, pred_by_key.get(image_key(name), []), case_sensitive)
        per_image[name] = counts.metrics(case_sensitive)
        total = total + counts
    return TextEvaluation(images=len(gt), total=total.metrics(case_sensitive), per_image=per_image)
