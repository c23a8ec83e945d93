"""Text metrics on hand-made lines: CER over matched lines, bag-of-words F1, ICDAR 2015 end to end."""

import numpy as np
import pytest

from ocr_playground.inference.annotations import parse_receipt_json
from ocr_playground.inference.evaluation import Word
from ocr_playground.inference.text_metrics import (
    TEXT_FIELDS,
    TextCounts,
    counts_of,
    edit_distance,
    evaluate_text,
    flat_text,
    paired_truth,
    text_counts,
)


def box(x: float, y: float, w: float = 100, h: float = 20) -> np.ndarray:
    return np.array([[x, y], [x + w, y], [x + w, y + h], [x, y + h]], float)


def line(x: float, y: float, text: str | None, **kw) -> Word:
    return Word(points=box(x, y), text=text, **kw)


GT = [line(0, 0, "TOTAL 12.50"), line(0, 40, "CASH"), line(0, 80, "###"), line(0, 120, "THANK YOU")]


def reference_edit_distance(a: str, b: str) -> int:
    """The textbook dynamic programme, as the oracle."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def test_edit_distance_agrees_with_the_textbook_on_random_text() -> None:
    rng = np.random.default_rng(7)
    alphabet = list("ab cAB.,0é€漢")  # spaces, case, accents, a symbol outside Latin-1, CJK
    for _ in range(300):
        a, b = ("".join(rng.choice(alphabet, rng.integers(0, 40))) for _ in range(2))
        assert edit_distance(a, b) == reference_edit_distance(a, b), (a, b)


def test_edit_distance() -> None:
    assert edit_distance("kitten", "sitting") == 3
    assert edit_distance("", "abc") == edit_distance("abc", "") == 3
    assert edit_distance("TAXINVOICE", "TAX INVOICE") == 1


def test_counts_of_one_image() -> None:
    pred = [
        line(2, 1, "TOTAL 12.5O"),  # one substitution
        line(0, 41, "cash"),  # right but for case
        line(0, 80, "noise"),  # on the don't-care line: ignored everywhere
        line(300, 300, "EXTRA"),  # matches nothing
        line(0, 121, ""),  # nothing read: not a text prediction
    ]
    counts = text_counts(GT, pred)
    assert (counts.lines_matched, counts.char_edits, counts.gt_chars) == (2, 5, 15)  # 1 + 4 edits
    assert counts.cer == pytest.approx(5 / 15)
    # words read: TOTAL 12.5O cash EXTRA; expected: TOTAL 12.50 CASH THANK YOU
    assert (counts.words_correct, counts.words_read, counts.words_gt) == (1, 4, 5)
    assert (counts.e2e_correct, counts.e2e_det, counts.e2e_gt) == (0, 3, 3)
    folded = text_counts(GT, pred, case_sensitive=False)
    assert (folded.words_correct, folded.e2e_correct, folded.char_edits) == (2, 1, 1)
    m = folded.metrics(case_sensitive=False)
    assert m.words.precision == pytest.approx(2 / 4) and m.words.recall == pytest.approx(2 / 5)
    assert m.end_to_end.hmean == pytest.approx(1 / 3) and not m.case_sensitive


def test_white_space_runs_count_as_one_space() -> None:
    counts = text_counts([line(0, 0, "THANK  YOU")], [line(0, 0, " THANK YOU ")])
    assert counts.char_edits == 0 and counts.e2e_correct == 1


def test_empty_images_follow_the_detection_conventions() -> None:
    nothing = TextCounts().metrics()
    assert (nothing.words.precision, nothing.words.recall, nothing.words.f1, nothing.cer) == (1, 1, 1, None)
    missed = text_counts([line(0, 0, "A B")], []).metrics()
    assert (missed.words.precision, missed.words.recall, missed.words.f1) == (1, 0, 0)
    invented = text_counts([], [line(0, 0, "A")]).metrics()
    assert (invented.end_to_end.precision, invented.end_to_end.recall) == (0, 1)


def test_a_set_sums_counts_and_never_averages_ratios() -> None:
    gt = {"a.jpg": GT, "b.jpg": [line(0, 0, "ONE TWO THREE FOUR")]}
    pred = {"a": [line(0, 0, "TOTAL 12.50")], "b": [line(0, 0, "ONE TWO THREE FOUR")]}
    result = evaluate_text(gt, pred)
    a, b = text_counts(GT, pred["a"]), text_counts(gt["b.jpg"], pred["b"])
    assert result.total == (a + b).metrics()
    assert result.total.words.recall == pytest.approx((2 + 4) / (5 + 4))  # not (2/5 + 4/4) / 2
    assert result.per_image["b.jpg"].end_to_end.hmean == 1.0 and result.images == 2


def test_line_lists_are_read_as_receipt_json() -> None:
    data = {"images": {"r.jpg": [{"points": box(0, 0).tolist(), "text": "TOTAL"}]}}
    (word,) = parse_receipt_json(data)["r.jpg"]
    assert word.text == "TOTAL" and word.points.shape == (4, 2)


def test_each_detection_is_paired_with_the_line_its_cer_compares_it_with() -> None:
    pred = [
        line(300, 300, "EXTRA"),  # no line there
        line(0, 41, "cash"),
        line(0, 121, ""),  # nothing read: no pair, though it lies on THANK YOU
        line(2, 1, "TOTAL 12.5O"),
        line(0, 80, "noise"),  # on the don't-care line
    ]
    assert paired_truth(GT, pred) == [None, "CASH", None, "TOTAL 12.50", None]
    assert paired_truth([], pred) == [None] * 5 and paired_truth(GT, []) == []


def test_a_metrics_json_flattens_and_gives_back_its_counts() -> None:
    counts = text_counts(GT, [line(2, 1, "TOTAL 12.5O"), line(0, 41, "cash"), line(300, 300, "EXTRA")])
    as_json = counts.metrics().model_dump()
    flat = flat_text(as_json)
    assert list(flat) == list(TEXT_FIELDS)
    assert flat["word_f1"] == as_json["words"]["f1"] and flat["e2e_det"] == as_json["end_to_end"]["det"]
    assert counts_of(as_json) == counts  # what sums over the images of a run
    assert all(v is None for v in flat_text(None).values())
