"""End to end on generated receipts, whose text is known: the demo extra's PP-OCRv4 detector and
recognizer read them, scored by the text metrics."""

import pytest

from ocr_playground.imaging import synthetic
from ocr_playground.inference.catalog import (
    DEMO_CHECKPOINT,
    DEMO_RECOGNIZER,
    resolve_local_checkpoint,
    resolve_local_recognizer,
)
from ocr_playground.inference.engine import DetectorCache
from ocr_playground.inference.evaluation import Word
from ocr_playground.inference.recognition import RecognizerCache
from ocr_playground.inference.service import InferenceParams, MapCache, detect_bytes
from ocr_playground.inference.text_metrics import TextCounts, text_counts

from receipts import text_lines
from strict import require_module

require_module("rapidocr_onnxruntime", "the demo extra carries the models (uv sync --extra demo)")

RECEIPTS = 6
CER_BOUND = 0.01  # measured 0.001 with word spacing, 0.017 without
WORD_F1_BOUND = 0.95  # measured 0.99 with word spacing, 0.87 without


@pytest.mark.slow
def test_generated_receipts_are_read_with_a_low_character_error_rate() -> None:
    detector = DetectorCache().get(resolve_local_checkpoint(DEMO_CHECKPOINT))
    recognizer = RecognizerCache().get(resolve_local_recognizer(DEMO_RECOGNIZER))
    cache = MapCache(capacity=1)
    counts = {"spaced": TextCounts(), "as read": TextCounts()}
    for seed in range(RECEIPTS):
        receipt = synthetic.make_receipt(seed, size=(1000, 1500))
        gt = [Word(points=quad, text=text) for text, quad in text_lines(receipt)]
        for name, spacing in (("spaced", True), ("as read", False)):
            params = InferenceParams.model_validate({"recognition": {"wordSpacing": spacing}})
            result = detect_bytes(receipt.jpeg, detector, params, cache, recognizer)
            assert result.texts is not None and len(result.texts) == len(result.detections)
            read = [
                Word(points=d.points, text=t.text)
                for d, t in zip(result.detections, result.texts, strict=True)
            ]
            counts[name] = counts[name] + text_counts(gt, read)
    spaced, raw = counts["spaced"].metrics(), counts["as read"].metrics()
    for name, m in (("word spacing", spaced), ("as read", raw)):
        print(
            f"{name}: CER {m.cer:.4f} over {m.lines_matched} lines, word F1 {m.words.f1:.4f}, "
            f"end-to-end H-mean {m.end_to_end.hmean:.4f}"
        )
    assert spaced.lines_matched >= 0.9 * spaced.end_to_end.gt  # most lines were found and paired
    assert spaced.cer is not None and spaced.cer <= CER_BOUND
    assert spaced.words.f1 >= WORD_F1_BOUND
    assert raw.cer is not None and spaced.cer < raw.cer  # the spacing is what gets it there
