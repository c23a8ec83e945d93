"""Recognition: CTC decoding, line crops, the character set from a model's metadata, word spacing,
and the whole of read_lines on a tiny recognizer the tests build."""

import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from ocr_playground.inference.crops import crop_line, reading_order
from ocr_playground.inference.ctc import DecodedLine, charset_from_lines, greedy_decode
from ocr_playground.inference.errors import InvalidModel, InvalidProfile
from ocr_playground.inference.postprocess import order_clockwise
from ocr_playground.inference.recognition import RecognizerCache, read_lines
from ocr_playground.inference.recognizer_profile import RecognitionParams
from ocr_playground.inference.spacing import spaced_text

from onnx_models import bar_reader, dark_text_detector

CHARSET = ["", "a", "b", " "]


def one_hot(classes: list[int], sure: float = 0.9) -> np.ndarray:
    """1×T×4 probabilities: each step's class gets ``sure``, the others share the rest."""
    probs = np.full((1, len(classes), len(CHARSET)), (1 - sure) / (len(CHARSET) - 1), np.float32)
    for t, c in enumerate(classes):
        probs[0, t, c] = sure
    return probs


def test_greedy_decoding_merges_repeats_and_drops_blanks() -> None:
    probs = one_hot([0, 1, 1, 0, 1, 2, 2, 0, 3, 2, 0])
    probs[0, 4, 1] = 0.7  # the second 'a' is less sure: its first step sets its score
    probs[0, 4, 0] = 0.1
    (line,) = greedy_decode(probs, CHARSET)
    assert line.text == "aab b"  # a blank between two a's keeps both; repeats without one merge
    assert line.spans == ((1, 2), (4, 4), (5, 6), (8, 8), (9, 9))
    assert line.score == pytest.approx((0.9 + 0.7 + 0.9 + 0.9 + 0.9) / 5)


def test_greedy_decoding_of_all_blanks_is_empty_with_score_zero() -> None:
    lines = greedy_decode(np.concatenate([one_hot([0, 0, 0]), one_hot([2, 0, 0])]), CHARSET)
    assert [(ln.text, ln.score) for ln in lines] == [("", 0.0), ("b", pytest.approx(0.9))]


def test_greedy_decoding_refuses_a_class_count_that_does_not_fit_the_charset() -> None:
    with pytest.raises(InvalidModel, match="expected batch×steps×4"):
        greedy_decode(np.zeros((1, 5, 7), np.float32), CHARSET)


def test_charset_adds_the_blank_and_the_space_the_class_count_asks_for() -> None:
    assert charset_from_lines(["a", "b"], 3, "x") == ["", "a", "b"]
    assert charset_from_lines(["a", "b"], 4, "x") == ["", "a", "b", " "]
    with pytest.raises(InvalidModel, match="lists 2 characters, but the model has 9 output classes"):
        charset_from_lines(["a", "b"], 9, "x")


def test_the_character_set_is_read_from_the_models_metadata(tmp_path: Path) -> None:
    recognizer = RecognizerCache().get(bar_reader(tmp_path / "rec.onnx", characters="a\nb\n"))
    assert recognizer.charset == ["", "a", "b", " "]
    # Another dictionary in the metadata, another table (no trailing space class this time).
    other = RecognizerCache().get(bar_reader(tmp_path / "other.onnx", characters="x\ny", classes=3))
    assert other.charset == ["", "x", "y"]


def test_a_model_without_a_dictionary_is_refused_unless_the_profile_names_one(tmp_path: Path) -> None:
    path = bar_reader(tmp_path / "rec.onnx", characters=None)
    with pytest.raises(InvalidModel, match="no 'character' entry in its ONNX metadata"):
        RecognizerCache().get(path)
    (tmp_path / "dict.txt").write_text("p\nq\n", encoding="utf-8")
    (tmp_path / "rec.json").write_text(json.dumps({"base": "ppocr-rec", "charactersFile": "dict.txt"}))
    assert RecognizerCache().get(path).charset == ["", "p", "q", " "]
    (tmp_path / "rec.json").write_text(json.dumps({"imageHeight": 4}))
    with pytest.raises(InvalidProfile, match="invalid field 'imageHeight'"):
        RecognizerCache().get(path)


def test_a_detector_is_not_taken_for_a_recognizer(tmp_path: Path) -> None:
    with pytest.raises(InvalidModel, match="not a CTC text recognizer"):
        RecognizerCache().get(dark_text_detector(tmp_path / "det.onnx"))


# --- crops -----------------------------------------------------------------------------------------


def text_patch() -> np.ndarray:
    patch = np.full((60, 240, 3), 245, np.uint8)
    cv2.putText(patch, "AB12", (10, 45), cv2.FONT_HERSHEY_SIMPLEX, 1.5, (20, 20, 20), 3)
    return patch


def rotated(patch: np.ndarray, angle: float) -> tuple[np.ndarray, np.ndarray]:
    """The patch pasted on a page and turned by ``angle`` degrees (clockwise on screen), and its
    corners ordered as the detector orders them (clockwise from the top-left-most)."""
    page = np.full((600, 600, 3), 245, np.uint8)
    h, w = patch.shape[:2]
    page[270 : 270 + h, 180 : 180 + w] = patch
    corners = np.array([[180, 270], [180 + w, 270], [180 + w, 270 + h], [180, 270 + h]], np.float64)
    turn = cv2.getRotationMatrix2D((300, 300), -angle, 1.0)
    page = cv2.warpAffine(page, turn, (600, 600), flags=cv2.INTER_CUBIC, borderValue=(245, 245, 245))
    return page, order_clockwise(cv2.transform(corners.reshape(1, -1, 2), turn)[0])


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    b = cv2.resize(b, (a.shape[1], a.shape[0]))
    x, y = a.astype(np.float64).ravel(), b.astype(np.float64).ravel()
    return float(np.corrcoef(x, y)[0, 1])


@pytest.mark.parametrize("angle", [0.0, 20.0, -35.0, 60.0, -70.0, 90.0])
def test_a_rotated_line_is_cropped_upright(angle: float) -> None:
    patch = text_patch()
    page, quad = rotated(patch, angle)
    crop = crop_line(page, quad)
    assert abs(crop.shape[0] - 60) <= 2 and abs(crop.shape[1] - 240) <= 2
    assert similarity(patch, crop) > 0.9
    assert similarity(patch, cv2.rotate(crop, cv2.ROTATE_180)) < 0.5  # not merely the right shape


def test_reading_order_starts_at_the_top_left_of_the_text() -> None:
    square_ish = np.array([[10, 10], [40, 10], [40, 40], [10, 40]], float)  # short words stay as found
    assert np.array_equal(reading_order(square_ish), square_ish)
    tall = np.array([[0, 0], [20, 0], [20, 200], [0, 200]], float)  # a column reads top to bottom
    assert np.array_equal(reading_order(tall)[0], [20, 0]) and np.array_equal(
        reading_order(tall)[1], [20, 200]
    )


# --- word spacing ----------------------------------------------------------------------------------


def decoded(text: str) -> DecodedLine:
    """Each character read at one step; at 16 px a step, character i is centred at 16·i + 8."""
    return DecodedLine(text=text, score=0.9, spans=tuple((i, i) for i in range(len(text))))


def test_a_space_goes_where_the_ink_has_a_gap_and_nowhere_else() -> None:
    line = decoded("TAXINVOICE")
    assert spaced_text(line, [48.0], step_px=16.0) == "TAX INVOICE"  # between 'X' (40) and 'I' (56)
    assert spaced_text(line, [], step_px=16.0) == "TAXINVOICE"
    assert spaced_text(line, [48.0, 80.0], step_px=16.0) == "TAX IN VOICE"
    assert spaced_text(decoded("TAX INVOICE"), [48.0, 64.0], step_px=16.0) == "TAX INVOICE"  # read already


def test_no_space_splits_a_number_or_cjk_text() -> None:
    number = decoded("12.50")  # centres 8, 24, 40, 56, 72: blanks either side of the point
    assert spaced_text(number, [32.0, 48.0], step_px=16.0) == "12.50"
    assert spaced_text(decoded("中文"), [16.0], step_px=16.0) == "中文"
    assert spaced_text(decoded("RM12"), [32.0], step_px=16.0) == "RM 12"


# --- read_lines on a tiny recognizer ---------------------------------------------------------------


def bars(page: np.ndarray, x: int, y: int, groups: list[int]) -> np.ndarray:
    """Dark bars 100 px tall and 24 px wide, 24 px apart within a group (well under 0.3 × their
    height, so one word) and 80 px between groups; returns the line's box."""
    start = x
    for count in groups:
        for _ in range(count):
            page[y : y + 100, x : x + 24] = 0
            x += 48
        x += 56
    end = x - 56 - 24 + 6
    return np.array([[start - 6, y - 6], [end, y - 6], [end, y + 106], [start - 6, y + 106]], float)


def test_read_lines_reads_every_line_in_the_detections_order(tmp_path: Path) -> None:
    recognizer = RecognizerCache().get(bar_reader(tmp_path / "rec.onnx"))
    page = np.full((1240, 1000, 3), 250, np.uint8)
    layouts = [[1], [2, 1], [3], [1, 1, 1], [2], [4, 2], [1, 3], [5], [2, 2, 2]]  # > one batch of 6
    quads = [bars(page, 20, 20 + 135 * i, groups) for i, groups in enumerate(layouts)]
    timings: dict[str, float] = {}
    lines = read_lines(page, quads, recognizer, RecognitionParams(), timings)
    assert [ln.text for ln in lines] == [" ".join("a" * n for n in groups) for groups in layouts]
    assert all(ln.score > 0.9 for ln in lines) and {"crop_ms", "recognize_ms"} <= set(timings)
    unspaced = read_lines(page, quads, recognizer, RecognitionParams(word_spacing=False))
    assert [ln.text for ln in unspaced] == ["a" * sum(groups) for groups in layouts]
    assert read_lines(page, [], recognizer) == []


def test_lines_under_the_minimum_score_keep_their_score_but_no_text(tmp_path: Path) -> None:
    recognizer = RecognizerCache().get(bar_reader(tmp_path / "rec.onnx"))
    page = np.full((160, 400, 3), 250, np.uint8)
    quad = bars(page, 20, 30, [2])
    (line,) = read_lines(page, [quad], recognizer, RecognitionParams(min_score=1.0))
    assert line.text == "" and 0.9 < line.score < 1.0


def test_a_polygon_is_read_through_its_minimum_area_rectangle(tmp_path: Path) -> None:
    recognizer = RecognizerCache().get(bar_reader(tmp_path / "rec.onnx"))
    page = np.full((160, 500, 3), 250, np.uint8)
    quad = bars(page, 20, 30, [2, 1])
    (x0, y0), (x1, y1) = quad[0], quad[2]
    octagon = np.array(
        [
            [x0, y0],
            [(x0 + x1) / 2, y0],
            [x1, y0],
            [x1, (y0 + y1) / 2],
            [x1, y1],
            [(x0 + x1) / 2, y1],
            [x0, y1],
            [x0, (y0 + y1) / 2],
        ]
    )
    assert [ln.text for ln in read_lines(page, [octagon, quad], recognizer)] == ["aa a", "aa a"]
