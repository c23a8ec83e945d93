"""The Lab's known answers, without a server: the paired bootstrap (identical runs, k gained true
positives), the sweep's best point on a constructed probability map, the marks of a hand-made
image, and the prediction-file readers."""

import copy

import cv2
import numpy as np
import pytest

from ocr_playground.inference.evaluation import Word, image_marks
from ocr_playground.inference.postprocess import DetectionParams, boxes_from_map
from ocr_playground.inference.words import word_boxes
from ocr_playground.runs.compare import compare_scores, paired_bootstrap
from ocr_playground.runs.errors import RunError
from ocr_playground.runs.importer import check_predictions, match, parse_submission_csv
from ocr_playground.runs.sweep import Grid, GridPostprocess, image_counts, point_params, summarize


def image(tp: float, fp: float, gt: int, det: int) -> dict:
    p = (det - fp) / det if det else 1.0
    r = tp / gt if gt else 1.0
    h = 2 * p * r / (p + r) if p and r else 0.0
    return {"tp": tp, "fp": fp, "gt": gt, "det": det, "precision": p, "recall": r, "hmean": h}


def dataset(n: int, seed: int = 0) -> dict[str, dict]:
    """n images of 10 to 30 words each, about half found, a few false detections."""
    rng = np.random.default_rng(seed)
    out = {}
    for i in range(n):
        gt = int(rng.integers(10, 31))
        tp = int(rng.integers(gt // 3, gt - 1))
        fp = int(rng.integers(0, 5))
        out[f"img{i:04d}.jpg"] = image(tp, fp, gt, tp + fp)
    return out


def gain(a: dict[str, dict], k: int) -> dict[str, dict]:
    """B: A with one more true positive on each of the first k images (a missed word now found)."""
    b = copy.deepcopy(a)
    for name in list(b)[:k]:
        s = b[name]
        b[name] = image(s["tp"] + 1, s["fp"], s["gt"], s["det"] + 1)
    return b


def aggregate_hmean(scores: dict[str, dict]) -> float:
    tp = sum(s["tp"] for s in scores.values())
    fp = sum(s["fp"] for s in scores.values())
    gt = sum(s["gt"] for s in scores.values())
    det = sum(s["det"] for s in scores.values())
    p, r = (det - fp) / det, tp / gt
    return 2 * p * r / (p + r)


# --- compare -----------------------------------------------------------------------------------


def test_identical_runs_differ_by_zero_with_interval_zero_zero() -> None:
    a = dataset(200)
    result = compare_scores(a, copy.deepcopy(a), list(a))
    assert result["delta"] == {"precision": 0.0, "recall": 0.0, "hmean": 0.0}
    assert result["ci95"] == {"precision": [0.0, 0.0], "recall": [0.0, 0.0], "hmean": [0.0, 0.0]}
    assert result["fixed"] == [] and result["broke"] == []
    assert result["resamples"] >= 2000
    assert "same" in result["verdict"]


@pytest.mark.parametrize("k", [1, 40, 400])
def test_k_gained_true_positives_give_exactly_that_difference(k: int) -> None:
    a = dataset(400)
    b = gain(a, k)
    result = compare_scores(a, b, list(a))
    assert result["delta"]["hmean"] == pytest.approx(aggregate_hmean(b) - aggregate_hmean(a), abs=1e-12)
    assert result["delta"]["hmean"] > 0
    assert sorted(result["fixed"]) == sorted(list(a)[:k]) and result["broke"] == []
    per_image = {p["name"]: p for p in result["per_image"]}
    assert all(per_image[n]["b"] > per_image[n]["a"] for n in result["fixed"])


def test_the_interval_excludes_zero_for_many_gains_and_contains_it_for_one() -> None:
    a = dataset(400)
    many = compare_scores(a, gain(a, 120), list(a))
    assert many["ci95"]["hmean"][0] > 0, many["ci95"]
    assert many["verdict"].startswith("B is better")
    one = compare_scores(a, gain(a, 1), list(a))
    lo, hi = one["ci95"]["hmean"]
    assert lo <= 0 <= hi and hi > 0, one["ci95"]
    assert one["verdict"].startswith("The difference is within noise")
    worse = compare_scores(gain(a, 120), a, list(a))
    assert worse["ci95"]["hmean"][1] < 0 and worse["verdict"].startswith("B is worse")


def test_the_bootstrap_is_seeded_and_paired() -> None:
    a = dataset(100)
    counts = lambda s: np.array([[v["tp"], v["fp"], v["gt"], v["det"]] for v in s.values()], float)  # noqa: E731
    ca, cb = counts(a), counts(gain(a, 30))
    assert paired_bootstrap(ca, cb, 2000, seed=7) == paired_bootstrap(ca, cb, 2000, seed=7)
    # Paired: a constant gain on every image gives a point interval, where unpaired draws would not.
    everywhere = counts(gain(a, 100))
    uniform_a = np.tile([[5.0, 5.0, 10.0, 10.0]], (100, 1))
    uniform_b = np.tile([[6.0, 4.0, 10.0, 10.0]], (100, 1))
    lo, hi = paired_bootstrap(uniform_a, uniform_b)["hmean"]
    assert lo == pytest.approx(0.1) and hi == pytest.approx(0.1)
    assert paired_bootstrap(ca, everywhere)["hmean"][0] > 0


def test_no_shared_images_is_refused() -> None:
    with pytest.raises(RunError, match="no scored image in common"):
        compare_scores({}, {}, [])


# --- sweep -------------------------------------------------------------------------------------

W, H = 240, 160
# Each blob: (x, y, w, h, core probability, halo probability, is a word of the ground truth).
BLOBS = [
    (20, 20, 60, 16, 0.92, 0.40, True),  # clear text with a faint halo
    (120, 20, 80, 16, 0.90, 0.40, True),
    (20, 70, 50, 16, 0.66, 0.40, True),  # faint text: a box threshold above 0.66 loses it
    (120, 110, 60, 16, 0.56, 0.00, False),  # a stain: binarises at 0.5, scores 0.56
]
HALO = 6  # at thresh 0.3 the halo joins the region: boxes grow well past the words


def constructed_map() -> np.ndarray:
    prob = np.full((H, W), 0.02, np.float32)
    for x, y, w, h, core, halo, _ in BLOBS:
        prob[y - HALO : y + h + HALO, x - HALO : x + w + HALO] = np.maximum(
            prob[y - HALO : y + h + HALO, x - HALO : x + w + HALO], halo
        )
        prob[y : y + h, x : x + w] = core
    return prob


def words() -> list[Word]:
    return [
        Word(points=np.array([[x, y], [x + w, y], [x + w, y + h], [x, y + h]], float), text="w")
        for x, y, w, h, _, _, is_word in BLOBS
        if is_word
    ]


def test_the_sweep_finds_the_known_best_thresholds_on_a_constructed_map() -> None:
    prob = constructed_map()
    grid = Grid.model_validate({"thresh": [0.3, 0.5], "boxThresh": [0.4, 0.6, 0.8], "unclipRatio": [0.2]})
    points = grid.points()
    params = [point_params(DetectionParams(), p) for p in points]
    counts = image_counts(lambda p: boxes_from_map(prob, p, (W, H)), words(), params)
    rows, best = summarize(points, counts)
    iou = {(r["thresh"], r["boxThresh"]): r["protocols"]["icdar2015-iou"] for r in rows}
    # The one right answer: thresh 0.5 (no halo), boxThresh 0.6 (the stain out, the faint word in).
    assert best["icdar2015-iou"] == {"thresh": 0.5, "boxThresh": 0.6, "unclipRatio": 0.2, **iou[(0.5, 0.6)]}
    assert iou[(0.5, 0.6)] == {"precision": 1.0, "recall": 1.0, "hmean": 1.0}
    assert iou[(0.5, 0.4)]["precision"] == pytest.approx(3 / 4) and iou[(0.5, 0.4)]["recall"] == 1.0
    assert iou[(0.5, 0.8)]["recall"] == pytest.approx(2 / 3) and iou[(0.5, 0.8)]["precision"] == 1.0
    assert all(iou[(0.3, b)]["hmean"] < 1.0 for b in (0.4, 0.6, 0.8))


def test_grid_defaults_limits_and_order() -> None:
    assert len(Grid().points()) == 60
    grid = Grid.model_validate({"thresh": [0.4, 0.2, 0.4], "boxThresh": [0.5], "unclipRatio": [2, 1.5]})
    assert [(p["thresh"], p["unclipRatio"]) for p in grid.points()] == [
        (0.2, 1.5),
        (0.2, 2.0),
        (0.4, 1.5),
        (0.4, 2.0),
    ]
    eleven = list(np.linspace(0.1, 1, 11))
    too_many = {"thresh": eleven, "boxThresh": eleven, "unclipRatio": eleven}  # 1331 points
    for bad in ({"thresh": [1.5]}, {"unclipRatio": [0]}, {"boxThresh": []}, too_many):
        with pytest.raises(ValueError):
            Grid.model_validate(bad)


# --- marks -------------------------------------------------------------------------------------


def quad(x: float, y: float, w: float, h: float) -> np.ndarray:
    return np.array([[x, y], [x + w, y], [x + w, y + h], [x, y + h]], float)


def test_marks_on_a_hand_made_image_are_exactly_tp_fp_fn() -> None:
    gt = [
        Word(quad(10, 10, 100, 20), "TOTAL"),  # found exactly
        Word(quad(10, 50, 100, 20), "CASH"),  # nothing near it: missed
        Word(quad(200, 10, 60, 20), "###"),  # don't care
        Word(quad(10, 90, 100, 20), "CHANGE"),  # a detection half off it (IoU < 0.5): missed
    ]
    det = [
        Word(quad(12, 11, 98, 19), score=0.9),  # on TOTAL: true
        Word(quad(300, 150, 50, 20), score=0.8),  # on nothing: false
        Word(quad(202, 11, 56, 18), score=0.7),  # on the don't-care word: ignored
        Word(quad(70, 90, 100, 20), score=0.6),  # half on CHANGE: false
    ]
    for protocol in ("icdar2015-iou", "deteval"):
        det_marks, gt_marks = image_marks(gt, det, protocol)
        assert gt_marks == ["tp", "fn", "dont_care", "fn"], protocol
        assert det_marks == ["tp", "fp", "ignored", "fp"], protocol


# --- prediction files --------------------------------------------------------------------------


def test_submission_csv_reads_polygons_with_or_without_a_header() -> None:
    text = "filename,polygons\na.jpg,1 2 11 2 11 12 1 12|20 20 30 20 30 30\nb.jpg,\n"
    boxes = parse_submission_csv(text, "s.csv")
    assert boxes["a.jpg"] == [
        {"points": [[1, 2], [11, 2], [11, 12], [1, 12]], "score": 1.0},
        {"points": [[20, 20], [30, 20], [30, 30]], "score": 1.0},
    ]
    assert boxes["b.jpg"] == []
    assert parse_submission_csv("a.jpg,1 2 3 4 5 6\n", "s.csv")["a.jpg"][0]["points"] == [
        [1, 2],
        [3, 4],
        [5, 6],
    ]
    for bad, problem in (
        ("a.jpg,1 2 3\n", "at least 3"),
        ("a.jpg,1 x 3 4 5 6\n", "numbers"),
        ("a.jpg,1_0 2 3 4 5 6\n", "numbers"),  # float() would read 10
        ("a.jpg,\u0661 2 3 4 5 6\n", "numbers"),  # an Arabic-Indic 1
        ("a.jpg,nan 2 3 4 5 6\n", "numbers"),
        ("a,b,c\n", "3 fields"),
        ("a.jpg,1 2 3 4 5 6\na.png,1 2 3 4 5 6\n", "names image 'a' twice"),
        ("a.jpg," + "1 2 3 4 5 6|" * 20_000 + "\n", "cannot be read as CSV: field larger"),
    ):
        with pytest.raises(RunError, match=problem):
            parse_submission_csv(bad, "s.csv")


def test_a_predictions_file_naming_no_image_is_refused(tmp_path) -> None:
    path = tmp_path / "p.json"
    path.write_text('{"images": {}}')
    with pytest.raises(RunError, match="'p.json' name no image"):
        check_predictions(path, "p.json", ["a.jpg"])


def test_predictions_match_images_by_stem_then_file_name() -> None:
    found, stray = match(
        {"a": [{"p": 1}], "sub/b.png": [{"p": 2}], "zzz.jpg": []}, ["a.jpg", "x/b.jpg", "c.jpg"]
    )
    assert found == [[{"p": 1}], [], []] and stray == 2
    found, stray = match({"b.jpg": [{"p": 2}]}, ["x/b.jpg"])
    assert found == [[{"p": 2}]] and stray == 0


def test_the_sweep_post_processing_gives_what_boxes_from_map_gives_at_every_point() -> None:
    rng = np.random.default_rng(3)
    noisy = cv2.GaussianBlur(rng.random((H, W)).astype(np.float32), (0, 0), 3)
    noisy = (noisy - noisy.min()) / (noisy.max() - noisy.min())
    points = Grid.model_validate(
        {"thresh": [0.3, 0.5, 0.6], "boxThresh": [0.2, 0.5, 0.7], "unclipRatio": [0.2, 1.5]}
    )
    found = 0
    for prob in (constructed_map(), noisy):
        gray = (255 - 200 * prob).astype(np.uint8)  # ink where the map sees text
        grid = GridPostprocess(prob, gray)
        for point in points.points():
            for extra in ({"mode": "box"}, {"mode": "polygon"}, {"granularity": "word"}):
                params = point_params(DetectionParams(**extra), point)
                want = boxes_from_map(prob, params, (W, H))
                if params.granularity == "word":
                    want = word_boxes(gray, want, params.word_gap)
                got = grid(params)
                assert len(got) == len(want), (point, extra)
                for g, w in zip(got, want, strict=True):
                    assert np.array_equal(g.points, w.points) and g.score == w.score
                found += len(got)
    assert found > 100


# --- the demo dataset ----------------------------------------------------------------------------


def test_serve_demo_writes_receipts_with_ground_truth_once(tmp_path) -> None:
    from ocr_playground.cli.serve import ensure_demo_samples
    from ocr_playground.inference.annotations import read_annotations
    from ocr_playground.runs.demo import DEMO_FOLDER, DEMO_IMAGES, write_demo_dataset

    ensure_demo_samples(tmp_path)
    folder = tmp_path / DEMO_FOLDER
    images = sorted(p.name for p in (folder / "images").iterdir())
    assert len(images) == DEMO_IMAGES and len(list(tmp_path.glob("receipt-*.jpg"))) == 4
    truth = read_annotations(folder / "gt.json")
    assert sorted(truth) == images and all(len(words) > 10 for words in truth.values())
    (folder / "gt.json").write_text("{}")  # a user's edit is never overwritten
    assert write_demo_dataset(tmp_path) is None and (folder / "gt.json").read_text() == "{}"
