import base64
import json
from pathlib import Path

import pytest

from ocr_playground.cachekey import cache_key, cache_key_from_digest, image_digest

VECTORS = json.loads((Path(__file__).parent / "data" / "cache-key-vectors.json").read_text("utf-8"))


@pytest.mark.parametrize("vector", VECTORS, ids=lambda v: v["cache_key"])
def test_golden_vector(vector: dict) -> None:
    image = base64.b64decode(vector["image_base64"])
    key = cache_key(
        vector["pipeline_id"], image, vector["params"], vector["checkpoint_path"], vector["recognizer_path"]
    )
    assert key == vector["cache_key"]


def test_the_vectors_hold_a_key_with_text_apart_from_the_same_key_without() -> None:
    # Two vectors alike but for the recognizer: a job that reads text is never answered by one that did not.
    by_input = {}
    for v in VECTORS:
        same = json.dumps([v["pipeline_id"], v["image_base64"], v["params"], v["checkpoint_path"]])
        by_input.setdefault(same, {})[v["recognizer_path"] is not None] = v["cache_key"]
    pairs = [keys for keys in by_input.values() if len(keys) == 2]
    assert pairs and all(keys[True] != keys[False] for keys in pairs)


def test_key_order_does_not_matter_but_values_do() -> None:
    a = cache_key("preprocessing", b"img", {"blur": {"kernelSize": 5}, "grayscale": True})
    b = cache_key("preprocessing", b"img", {"grayscale": True, "blur": {"kernelSize": 5}})
    c = cache_key("preprocessing", b"img", {"grayscale": True, "blur": {"kernelSize": 7}})
    assert a == b != c


def test_checkpoint_and_pipeline_change_the_key() -> None:
    plain = cache_key("inference", b"img", {})
    assert plain != cache_key("inference", b"img", {}, "a.onnx")
    assert plain.split(":")[1] == cache_key("preprocessing", b"img", {}).split(":")[1]
    assert plain.startswith("inference:") and len(plain.split(":")[1]) == 16


def test_a_recognizer_is_the_last_line_of_the_material_and_needs_a_checkpoint() -> None:
    with_text = cache_key("inference", b"img", {}, "det.onnx", "rec.onnx")
    assert with_text != cache_key("inference", b"img", {}, "det.onnx")
    # "det.onnx\nrec.onnx" as one checkpoint would give the same material: the rule refuses that shape.
    with pytest.raises(ValueError, match="beside a checkpoint_path"):
        cache_key("inference", b"img", {}, None, "rec.onnx")


def test_digest_path_equals_bytes_path() -> None:
    digest = image_digest(b"abc")
    assert cache_key_from_digest("rembg", digest, {"strength": 1}) == cache_key(
        "rembg", b"abc", {"strength": 1}
    )
