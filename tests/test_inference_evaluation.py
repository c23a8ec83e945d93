"""Evaluation on hand-made cases whose answers are known, and the two annotation formats."""

import json
import time
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from ocr_playground.inference import evaluation
from ocr_playground.inference.annotations import read_annotations, receipt_json
from ocr_playground.inference.errors import EvaluationTooLong, InvalidAnnotations
from ocr_playground.inference.evaluation import Word, evaluate
from ocr_playground.inference.postprocess import detection_json
from ocr_playground.inference.text_metrics import evaluate_text


def rect(x0: float, y0: float, x1: float, y1: float, text: str | None = None) -> Word:
    return Word(points=np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], float), text=text)


def scores(gt: dict, pred: dict) -> dict[str, tuple[float, float, float]]:
    result = evaluate(gt, pred)
    return {
        p.protocol: (round(p.precision, 4), round(p.recall, 4), round(p.hmean, 4)) for p in result.protocols
    }


def test_identical_boxes_score_one_under_both_protocols() -> None:
    words = [rect(0, 0, 50, 10), rect(0, 20, 80, 30), rect(100, 0, 140, 12)]
    assert scores({"a": words}, {"a": words}) == {"icdar2015-iou": (1, 1, 1), "deteval": (1, 1, 1)}


def test_one_hit_and_one_false_positive() -> None:
    gt = {"a": [rect(0, 0, 100, 20), rect(0, 50, 100, 70)]}
    pred = {"a": [rect(2, 1, 101, 21), rect(300, 300, 340, 320)]}
    assert scores(gt, pred)["icdar2015-iou"] == (0.5, 0.5, 0.5)
    assert scores(gt, pred)["deteval"] == (0.5, 0.5, 0.5)


def test_iou_of_exactly_one_half_is_not_a_match() -> None:
    gt = {"a": [rect(0, 0, 10, 10)]}
    assert scores(gt, {"a": [rect(0, 0, 10, 5)]})["icdar2015-iou"] == (0, 0, 0)
    assert scores(gt, {"a": [rect(0, 0, 10, 5.2)]})["icdar2015-iou"] == (1, 1, 1)


def test_matching_is_one_to_one() -> None:
    gt = {"a": [rect(0, 0, 100, 20)]}
    pred = {"a": [rect(0, 0, 100, 20), rect(1, 0, 100, 20)]}  # a duplicate detection
    assert scores(gt, pred)["icdar2015-iou"] == (0.5, 1, 0.6667)


def test_dont_care_words_and_detections_on_them_are_ignored() -> None:
    gt = {"a": [rect(0, 0, 100, 20), rect(0, 50, 100, 70, "###")]}
    pred = {"a": [rect(0, 0, 100, 20), rect(0, 50, 90, 70)]}  # the second lies on the ### word
    result = {p.protocol: p for p in evaluate(gt, pred).protocols}
    for p in result.values():
        assert (p.precision, p.recall, p.gt_care, p.det_care) == (1, 1, 1, 1)


def test_deteval_split_word_counts_point_eight_recall() -> None:
    gt = {"a": [rect(0, 0, 100, 10)]}
    pred = {"a": [rect(0, 0, 50, 10), rect(50, 0, 100, 10)]}  # one word, detected in two halves
    s = scores(gt, pred)
    assert s["deteval"] == (1.0, 0.8, 0.8889)  # recall 0.8 (split), each half precise
    assert s["icdar2015-iou"] == (0, 0, 0)  # each half has IoU 0.5 exactly: no match


def test_deteval_merged_words_count_point_eight_precision() -> None:
    # One box over three words. Each word is under 0.4 of the box: with two words of 0.45 each, the
    # original's order (one-to-many is tried first) would call it a split of the first word.
    gt = {"a": [rect(0, 0, 30, 10), rect(35, 0, 65, 10), rect(70, 0, 100, 10)]}
    pred = {"a": [rect(0, 0, 100, 10)]}
    assert scores(gt, pred)["deteval"] == (0.8, 1.0, 0.8889)
    assert scores(gt, pred)["icdar2015-iou"] == (0, 0, 0)


def test_deteval_tolerates_a_loose_box_iou_does_not() -> None:
    gt = {"a": [rect(0, 0, 100, 10)]}
    pred = {"a": [rect(-10, -4, 110, 16)]}  # covers the word; area precision 1000/2400 ≥ 0.4
    assert scores(gt, pred)["deteval"] == (1, 1, 1)
    assert scores(gt, pred)["icdar2015-iou"] == (0, 0, 0)


def test_results_accumulate_over_images_and_missing_images_have_no_detections() -> None:
    gt = {"a.jpg": [rect(0, 0, 10, 10)], "b.jpg": [rect(0, 0, 10, 10), rect(20, 0, 30, 10)]}
    pred = {"a": [rect(0, 0, 10, 10)]}  # names match without the extension; b has no predictions
    assert scores(gt, pred)["icdar2015-iou"] == (1.0, 0.3333, 0.5)


def test_an_image_too_large_to_match_is_refused_by_name(monkeypatch: pytest.MonkeyPatch) -> None:
    # Every pair is compared, in matrices of that size: the bound is on pairs, and on boxes piled up.
    apart = [rect(20 * i, 0, 20 * i + 9, 9) for i in range(3)]
    four = [*apart, rect(100, 0, 109, 9)]
    monkeypatch.setattr(evaluation, "MAX_PAIRS", 12)
    assert scores({"a": apart}, {"a": four})["icdar2015-iou"] == (0.75, 1, 0.8571)  # 12 pairs: scored
    with pytest.raises(InvalidAnnotations, match="3 ground-truth words and 5 detections is too large"):
        evaluate({"a": apart}, {"a": [*four, rect(200, 0, 209, 9)]})
    monkeypatch.setattr(evaluation, "MAX_OVERLAPS", 8)
    assert scores({"a": apart}, {"a": four})["icdar2015-iou"] == (0.75, 1, 0.8571)  # 3 overlap
    with pytest.raises(InvalidAnnotations, match="12 pairs of a ground-truth word and a detection overlap"):
        evaluate({"a": [rect(0, 0, 9, 9)] * 3}, {"a": [rect(0, 0, 9, 9)] * 4})


def test_scoring_past_a_deadline_is_refused_saying_how_far_it_got() -> None:
    gt = {"a": [rect(0, 0, 9, 9, "A")], "b": [rect(0, 0, 9, 9, "B")]}
    past = evaluation.Deadline(time.monotonic() - 1)
    with pytest.raises(EvaluationTooLong, match="after 0 of 2 images"):
        evaluate(gt, gt, past)
    with pytest.raises(EvaluationTooLong, match="after 0 of 2 images"):
        evaluate_text(gt, gt, deadline=past)
    ahead = evaluation.Deadline(time.monotonic() + 60)
    assert evaluate(gt, gt, ahead).protocols[0].hmean == 1
    assert evaluate_text(gt, gt, deadline=ahead).total.words.f1 == 1


def test_predictions_for_unknown_images_are_refused() -> None:
    with pytest.raises(InvalidAnnotations, match="'zzz'"):
        evaluate({"a": [rect(0, 0, 1, 1)]}, {"zzz": []})


def test_a_nested_name_is_scored_against_a_flat_ground_truth_by_its_last_part() -> None:
    # A run over a nested folder names its predictions 'more/b'; its flat ground truth names 'b'.
    gt = {"a.jpg": [rect(0, 0, 10, 10)], "b.jpg": [rect(0, 0, 10, 10), rect(20, 0, 30, 10)]}
    flat = {"a": [rect(0, 0, 10, 10)], "b": [rect(20, 0, 30, 10)]}
    nested = {"a.jpg": flat["a"], "more/b.jpg": flat["b"]}
    assert scores(gt, nested) == scores(gt, flat)
    assert scores(gt, nested)["icdar2015-iou"] == (1.0, 0.6667, 0.8)
    # A name the ground truth holds as it is wins over its last part.
    both = {"b": gt["b.jpg"], "x/b": []}
    assert scores(both, {"x/b": [rect(0, 0, 10, 10)]})["icdar2015-iou"] == (0.0, 0.0, 0.0)
    assert scores(both, {"b": [rect(0, 0, 10, 10)]})["icdar2015-iou"] == (1.0, 0.5, 0.6667)


def test_two_predicted_names_falling_on_one_image_are_refused() -> None:
    with pytest.raises(InvalidAnnotations, match="'x/a.jpg' and 'y/a.jpg'.*'a'"):
        evaluate({"a": [rect(0, 0, 1, 1)]}, {"x/a.jpg": [], "y/a.jpg": []})
    with pytest.raises(InvalidAnnotations, match="'a.jpg' and 'a.png'"):
        evaluate({"a": [rect(0, 0, 1, 1)]}, {"a.jpg": [], "a.png": []})


def test_receipt_json_round_trip(tmp_path: Path) -> None:
    preds = {"r1.jpg": [detection_json(np.array([[0, 0], [10, 0], [10, 5], [0, 5]]), 0.91, "TOTAL", 0.8)]}
    path = tmp_path / "p.json"
    path.write_text(json.dumps(receipt_json(preds)))
    words = read_annotations(path)["r1.jpg"]
    assert words[0].score == 0.91 and words[0].points.tolist() == [[0, 0], [10, 0], [10, 5], [0, 5]]
    assert words[0].text == "TOTAL"


def test_receipt_json_dont_care_and_errors(tmp_path: Path) -> None:
    gt = {
        "images": {
            "r": {
                "words": {
                    "1": {"points": [[0, 0], [9, 0], [9, 9]], "text": "###"},
                    "2": {"points": [[0, 0], [9, 0], [9, 9], [0, 9]], "ignore": True},
                    "3": {"points": [[0, 0], [9, 0], [9, 9], [0, 9]], "text": "A"},
                }
            }
        }
    }
    path = tmp_path / "gt.json"
    path.write_text(json.dumps(gt))
    assert [w.dont_care for w in read_annotations(path)["r"]] == [True, True, False]
    for bad, match in [
        ({"imgs": {}}, "'images'"),
        ({"images": {"r": {}}}, "'words'"),
        ({"images": {"r": {"words": {"1": {"points": [[0, 0]]}}}}}, "at least 3"),
        ({"images": {"r": [{"points": [[0, 0], [9, 0], [9, 9]], "text": "x" * 1001}]}}, "1001 characters"),
    ]:
        path.write_text(json.dumps(bad))
        with pytest.raises(InvalidAnnotations, match=match):
            read_annotations(path)
    path.write_text("{")
    with pytest.raises(InvalidAnnotations, match="not valid JSON"):
        read_annotations(path)


def one_word(fields: str, points: str = "[[0, 0], [9, 0], [9, 9], [0, 9]]") -> str:
    """Ground truth holding one word, as JSON text (so it can spell what json.dumps would not)."""
    return '{"images": {"r": [{"points": ' + points + fields + "}]}}"


@pytest.mark.parametrize(
    ("text", "words"),
    [
        # JSON spells what no reader can use: each is refused by name, not a crash later on.
        (one_word(', "score": 1' + "0" * 400), "'score' must be a finite"),
        (one_word(', "score": NaN'), "'score' must be a finite"),
        (one_word(', "textScore": Infinity'), "'textScore' must be a finite"),
        (one_word("", "[[1" + "0" * 400 + ", 0], [9, 0], [9, 9]]"), "at least 3 finite"),
        (one_word("", "[[1" + "0" * 5000 + ", 0], [9, 0], [9, 9]]"), "over 4,300 digits"),
        (one_word("", '[["1_0", 0], [9, 0], [9, 9]]'), "'points' must hold numbers, not strings"),
        (one_word(', "text": "\\ud800X"'), "text is not valid Unicode"),
        ('{"images": {"\\udc00.jpg": []}}', "an image name is not valid Unicode"),
        ('{"images": {"a.jpg": [], "a.png": []}}', "names image 'a' twice \\('a.jpg' and 'a.png'\\)"),
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
    ],
)
def test_unusable_json_is_refused_by_name(tmp_path: Path, text: str, words: str) -> None:
    path = tmp_path / "gt.json"
    path.write_text(text)
    with pytest.raises(InvalidAnnotations, match=words):
        read_annotations(path)


def test_a_folder_naming_one_image_twice_is_refused(tmp_path: Path) -> None:
    for name in ("gt_a.txt", "a.csv"):
        (tmp_path / name).write_text("0,0,9,0,9,9,0,9,A\n")
    with pytest.raises(InvalidAnnotations, match="names image 'a' twice \\('a.csv' and 'gt_a.txt'\\)"):
        read_annotations(tmp_path)


def test_icdar2015_text_files(tmp_path: Path) -> None:
    (tmp_path / "gt_img_1.txt").write_text(
        "\ufeff377,117,463,117,465,130,378,130,Genaxis Theatre\n"
        "493,115,519,115,519,131,493,131,[06]\n"
        "374,155,409,155,409,170,374,170,###\n"
        "10,10,50,10,50,20,10,20,1,234.00\n",
        encoding="utf-8",
    )
    words = read_annotations(tmp_path)["img_1"]
    assert [w.text for w in words] == ["Genaxis Theatre", "[06]", "###", "1,234.00"]
    assert [w.dont_care for w in words] == [False, False, True, False]
    assert words[0].points.tolist() == [[377, 117], [463, 117], [465, 130], [378, 130]]
    (tmp_path / "gt_img_2.txt").write_text("1,2,3\n")
    with pytest.raises(InvalidAnnotations, match="gt_img_2.txt line 1"):
        read_annotations(tmp_path)
    # Coordinates as the files spell them (spaces, a sign, a fraction, an exponent) and nothing
    # else float() would take: digit separators, other scripts' digits, NaN.
    (tmp_path / "gt_img_2.txt").write_text(" 0, +1.5,9.,0,9e0,9,.5 ,9,A\n")
    assert read_annotations(tmp_path)["img_2"][0].points.tolist() == [[0, 1.5], [9, 0], [9, 9], [0.5, 9]]
    for bad in ("1_0", "\u0661\u0660", "nan", "inf", "0x10", "1e", ""):
        (tmp_path / "gt_img_2.txt").write_text(f"{bad},0,9,0,9,9,0,9,A\n", encoding="utf-8")
        with pytest.raises(InvalidAnnotations, match="line 1: the first 8 fields must be numbers"):
            read_annotations(tmp_path)
    (tmp_path / "gt_img_2.txt").write_text("0,0,9,0,9,9,0,9," + "x," * 600 + "\n")
    with pytest.raises(InvalidAnnotations, match="gt_img_2.txt line 1: the text is 1200 characters"):
        read_annotations(tmp_path)


def reference_matchings(im: evaluation.PreparedImage, seen: Counter | None = None) -> tuple[list, tuple]:
    """The matching loops written out pair by pair, as the official scripts do: the oracle for the
    vectorised ones. ICDAR 2015's greedy pairs, and DetEval's accumulated recall and precision;
    ``seen`` counts the DetEval cases that matched something."""
    seen = Counter() if seen is None else seen
    det_dc = im.det_dc(0.5)
    iou = evaluation._div(im.inter, im.gt_area[:, None] + im.det_area[None, :] - im.inter)
    gt_used, det_used, pairs = np.zeros(len(im.gts), bool), np.zeros(len(im.dets), bool), []
    for g in range(len(im.gts)):
        for d in range(len(im.dets)):
            if not im.gt_dc[g] and not det_used[d] and not det_dc[d] and not gt_used[g] and iou[g, d] > 0.5:
                gt_used[g] = det_used[d] = True
                pairs.append((g, d))
    det_dc = im.det_dc(0.4)
    recall = evaluation._div(im.inter, im.gt_area[:, None])
    precision = evaluation._div(im.inter, im.det_area[None, :])
    ok = (recall >= 0.8) & (precision >= 0.4)
    ok[im.gt_dc, :] = False
    ok[:, det_dc] = False
    gt_used, det_used, r_acc, p_acc = np.zeros(len(im.gts), bool), np.zeros(len(im.dets), bool), 0.0, 0.0
    for g in range(len(im.gts)):
        for d in range(len(im.dets)):
            one = ok[g, d] and ok[g].sum() == 1 and ok[:, d].sum() == 1
            if one and not gt_used[g] and not det_used[d] and evaluation._centre_check(im, g, d):
                gt_used[g] = det_used[d] = True
                r_acc, p_acc = r_acc + 1, p_acc + 1
                seen["one-to-one"] += 1
    for g in range(len(im.gts)):
        if im.gt_dc[g] or gt_used[g]:
            continue
        parts = [
            d for d in range(len(im.dets)) if not det_used[d] and not det_dc[d] and precision[g, d] >= 0.4
        ]
        if parts and recall[g, parts].sum() >= 0.8:
            gt_used[g], det_used[parts] = True, True
            r_acc, p_acc = r_acc + 0.8, p_acc + len(parts)
            seen["one-to-many"] += 1
    for d in range(len(im.dets)):
        if det_dc[d] or det_used[d]:
            continue
        parts = [g for g in range(len(im.gts)) if not gt_used[g] and not im.gt_dc[g] and recall[g, d] >= 0.8]
        if parts and precision[parts, d].sum() >= 0.4:
            det_used[d], gt_used[parts] = True, True
            r_acc, p_acc = r_acc + len(parts), p_acc + 0.8
            seen["many-to-one"] += 1
    return pairs, (r_acc, p_acc, gt_used.tolist(), det_used.tolist())


def test_matching_agrees_with_the_pair_by_pair_loops_on_random_crowded_images() -> None:
    rng = np.random.default_rng(11)

    def words(n: int) -> list[Word]:
        out = []
        for _ in range(n):
            x, y = rng.uniform(0, 80, 2)
            w, h = rng.uniform(2, 30, 2)
            pts = np.array([[x, y], [x + w, y], [x + w, y + h], [x, y + h]]) + rng.normal(0, 1.5, (4, 2))
            if rng.random() < 0.05:
                pts = pts[[0, 2, 1, 3]]  # a bow-tie, repaired into two triangles
            out.append(Word(points=pts, text="###" if rng.random() < 0.1 else "a"))
        return out

    def detected(gt: list[Word]) -> list[Word]:
        """Detections as a detector gives them: words found again, a little off, some twice."""
        out = [Word(points=w.points + rng.normal(0, 1.0, (4, 2))) for w in gt if rng.random() < 0.7]
        return out + [Word(points=w.points + rng.normal(0, 0.5, (4, 2))) for w in out if rng.random() < 0.3]

    def line(n: int) -> tuple[list[Word], Word]:
        """``n`` words side by side and one detection around them all (a line box over words)."""
        x, y, h = *rng.uniform(0, 60, 2), rng.uniform(4, 12)
        out = []
        for _ in range(n):
            w = rng.uniform(4, 15)
            out.append(Word(points=np.array([[x, y], [x + w, y], [x + w, y + h], [x, y + h]]), text="a"))
            x += w + rng.uniform(1, 4)
        box = np.array(
            [
                [out[0].points[0, 0] - 1, y - 1],
                [x, y - 1],
                [x, y + h + 1],
                [out[0].points[0, 0] - 1, y + h + 1],
            ]
        )
        return out, Word(points=box + rng.normal(0, 0.5, (4, 2)))

    seen: Counter = Counter()
    for _ in range(150):
        gt = words(int(rng.integers(0, 20)))
        dets = detected(gt) + words(int(rng.integers(0, 8)))
        if rng.random() < 0.4:
            merged, box = line(int(rng.integers(2, 4)))
            gt, dets = gt + merged, [*dets, box]
        im = evaluation.prepare_image(gt, dets)
        expected = np.array([[g.intersection(d).area for d in im.dets] for g in im.gts]).reshape(
            im.inter.shape
        )
        np.testing.assert_allclose(im.inter, expected, atol=1e-9)
        pairs, deteval = reference_matchings(im, seen)
        assert evaluation.iou_matches(im)[0] == pairs
        found = evaluation._deteval_image(im)
        assert (
            found.matched_gt,
            found.matched_det,
            found.gt_used.tolist(),
            found.det_used.tolist(),
        ) == deteval
    # Every DetEval case was met, so the agreement covers each of them.
    assert min(seen[k] for k in ("one-to-one", "one-to-many", "many-to-one")) > 0, seen


def test_a_long_outline_that_crosses_itself_is_refused_not_repaired_for_minutes() -> None:
    rng = np.random.default_rng(3)
    square = Word(points=np.array([[0, 0], [50, 0], [50, 50], [0, 50]], float))
    scribble = Word(points=rng.uniform(0, 100, (evaluation.MAX_REPAIR_POINTS + 1, 2)))
    with pytest.raises(InvalidAnnotations, match="outline of 33 points crosses itself"):
        evaluate({"a": [square]}, {"a": [scribble]})
    # Up to the bound it is repaired and scored, as a bow-tie quad is.
    small = Word(points=rng.uniform(0, 100, (evaluation.MAX_REPAIR_POINTS, 2)))
    assert evaluate({"a": [square]}, {"a": [small]}).images == 1
    # A long outline that does not cross itself is any word's shape.
    t = np.linspace(0, 2 * np.pi, 2000, endpoint=False)
    circle = Word(points=np.c_[25 + 25 * np.cos(t), 25 + 25 * np.sin(t)])
    assert evaluate({"a": [square]}, {"a": [circle]}).protocols[0].hmean == 1.0
