"""Engine loading, caching and profiles, on tiny ONNX models the tests build themselves."""

import json
import os
import threading
from pathlib import Path

import numpy as np
import pytest

from ocr_playground.inference.engine import KEEP_ARENA, RUN_OPTIONS, DetectorCache, inference_slot
from ocr_playground.inference.errors import (
    CheckpointNotFound,
    InferenceBusy,
    InputTooLarge,
    InvalidModel,
    InvalidProfile,
)
from ocr_playground.inference.profiles import (
    BUILTIN_PROFILES,
    guess_builtin,
    input_size,
    load_profile,
    to_tensor,
)

from onnx_models import dark_text_detector, vector_model


def page(h: int = 333, w: int = 517) -> np.ndarray:
    image = np.full((h, w, 3), 245, np.uint8)
    image[100:130, 50:300] = 20  # one dark "word"
    return image


def test_loads_runs_and_maps_dark_ink(tmp_path: Path) -> None:
    cache = DetectorCache(threads=1)
    det = cache.get(dark_text_detector(tmp_path / "tiny.onnx"))
    assert det.profile.name == "dbnet" and det.fixed_size is None and det.load_ms > 0
    prob, timings = det.probability_map(page())
    assert prob.shape == (320, 512)  # 333×517 rounded to multiples of 32, no limit hit
    assert prob[110, 150] > 0.9 and prob[20, 20] < 0.1
    assert set(timings) == {"preprocess_ms", "inference_ms"}


def test_a_worker_cache_keeps_its_arena_and_gives_the_same_map(tmp_path: Path) -> None:
    model = dark_text_detector(tmp_path / "tiny.onnx")
    shared = DetectorCache(threads=1).get(model)
    worker = DetectorCache(threads=1, keep_arena=True).get(model)
    assert shared.run_options is RUN_OPTIONS and worker.run_options is KEEP_ARENA
    np.testing.assert_array_equal(shared.probability_map(page())[0], worker.probability_map(page())[0])


def test_cache_reuses_sessions_and_reloads_on_mtime_change(tmp_path: Path) -> None:
    cache = DetectorCache(threads=1)
    path = dark_text_detector(tmp_path / "m.onnx", gain=-4.0)
    first = cache.get(path)
    assert cache.get(path) is first and cache.loads == 1
    # Replace the model in place with one of the opposite sign, then move its mtime on.
    dark_text_detector(path, gain=4.0)
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 5_000_000_000))
    second = cache.get(path)
    assert second is not first and cache.loads == 2
    assert second.probability_map(page())[0][110, 150] < 0.1  # the new weights are in use
    assert cache.get(path) is second and cache.loads == 2


def test_sidecar_change_reloads_with_the_new_profile(tmp_path: Path) -> None:
    cache = DetectorCache(threads=1)
    path = dark_text_detector(tmp_path / "m.onnx")
    assert cache.get(path).probability_map(page())[0].shape == (320, 512)
    (tmp_path / "m.json").write_text(json.dumps({"limitSideLen": 128, "limitType": "max"}))
    det = cache.get(path)
    assert cache.loads == 2 and det.profile.source == "m.json" and det.profile.limit_side_len == 128
    assert det.probability_map(page())[0].shape == (96, 128)


def test_concurrent_first_requests_build_one_session(tmp_path: Path) -> None:
    cache = DetectorCache(threads=1)
    path = dark_text_detector(tmp_path / "m.onnx")
    got: list[object] = []
    threads = [threading.Thread(target=lambda: got.append(cache.get(path))) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert cache.loads == 1 and all(g is got[0] for g in got)


def test_static_input_size_is_respected(tmp_path: Path) -> None:
    det = DetectorCache(threads=1).get(dark_text_detector(tmp_path / "fixed.onnx", size=(64, 96)))
    assert det.fixed_size == (64, 96)
    assert det.probability_map(page())[0].shape == (64, 96)


def test_a_model_whose_input_is_not_an_image_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InvalidModel, match="not an image tensor"):
        DetectorCache(threads=1).get(vector_model(tmp_path / "vector.onnx"))


def test_a_file_that_is_not_onnx_is_refused(tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.onnx"
    bogus.write_bytes(b"PK\x03\x04 this is a zip, not a protobuf")
    with pytest.raises(InvalidModel, match="not a loadable ONNX model"):
        DetectorCache(threads=1).get(bogus)
    with pytest.raises(CheckpointNotFound):
        DetectorCache(threads=1).get(tmp_path / "missing.onnx")


def test_bad_sidecars_are_refused_with_a_sentence(tmp_path: Path) -> None:
    path = dark_text_detector(tmp_path / "m.onnx")
    side = tmp_path / "m.json"
    for text, match in [
        ("{nope", "not readable JSON"),
        ('{"base": "yolo"}', "unknown base"),
        ('{"limitSideLen": 5}', "limitSideLen"),
        ("[1, 2]", "JSON object"),
    ]:
        side.write_text(text)
        with pytest.raises(InvalidProfile, match=match):
            load_profile(path)


def test_sidecar_may_extend_a_builtin(tmp_path: Path) -> None:
    path = dark_text_detector(tmp_path / "m.onnx")
    sidecar = {"base": "ppocr-det", "limitSideLen": 960, "limitType": "max"}
    (tmp_path / "m.json").write_text(json.dumps(sidecar))
    p = load_profile(path)
    assert (p.channel_order, p.mean, p.limit_side_len, p.limit_type) == ("BGR", (0.5, 0.5, 0.5), 960, "max")


def test_builtin_profile_is_chosen_from_the_name() -> None:
    assert guess_builtin(Path("ch_PP-OCRv4_det_infer.onnx")).name == "ppocr-det"
    assert guess_builtin(Path("en_ppocr_mobile.onnx")).name == "ppocr-det"
    assert guess_builtin(Path("dbnet_resnet18.onnx")).name == "dbnet"


def test_input_size_limits_and_rounds() -> None:
    pp, db = BUILTIN_PROFILES["ppocr-det"], BUILTIN_PROFILES["dbnet"]
    assert input_size(1500, 1000, pp) == (1504, 992)  # 'min' 736: short side already over, kept
    assert input_size(600, 400, pp) == (1088, 736)  # short side brought up to 736 (1104 -> 34.5·32, to even)
    assert input_size(3000, 2000, db) == (1024, 672)  # 'max' 1024: long side brought down
    assert input_size(10, 10, db) == (32, 32)  # never below one multiple


@pytest.mark.parametrize("name", ["ppocr-det", "dbnet"])
@pytest.mark.parametrize(
    "size",
    [(7000, 7000), (7000, 5000), (1, 40_000), (40_000, 1), (3, 9000), (10, 10), (4000, 3000)],
)
def test_the_model_input_stays_under_the_profile_caps(name: str, size: tuple[int, int]) -> None:
    profile = BUILTIN_PROFILES[name]
    h, w = input_size(*size, profile)
    assert max(h, w) <= profile.max_side_len and h * w <= profile.max_pixels
    assert h % profile.multiple == 0 and w % profile.multiple == 0
    # Enlargement is bounded too (one multiple is the floor for a sliver).
    assert h <= max(profile.multiple, size[0] * profile.max_upscale)
    assert w <= max(profile.multiple, size[1] * profile.max_upscale)


def test_a_35_megapixel_scan_is_detected_at_3_megapixels() -> None:
    # The pixel cap decides: 2048×1472 would pass 3 MP, so the long side comes down a step.
    assert input_size(7000, 5000, BUILTIN_PROFILES["ppocr-det"]) == (2016, 1472)


def test_a_tensor_over_the_caps_is_refused_before_it_is_allocated() -> None:
    with pytest.raises(InputTooLarge, match="over the profile's caps"):
        to_tensor(np.zeros((8, 8, 3), np.uint8), (40_000, 736), BUILTIN_PROFILES["ppocr-det"])


def test_a_fixed_size_model_over_the_caps_is_refused_at_load(tmp_path: Path) -> None:
    path = dark_text_detector(tmp_path / "big.onnx", size=(64, 96))
    (tmp_path / "big.json").write_text('{"maxSideLen": 64, "maxPixels": 4096}')
    with pytest.raises(InvalidModel, match="fixed input of 96×64"):
        DetectorCache().get(path)


def test_one_inference_at_a_time_and_a_long_wait_is_refused() -> None:
    with inference_slot(), pytest.raises(InferenceBusy, match="busy"), inference_slot(wait_s=0.05):
        pass
    with inference_slot(wait_s=0.05):  # released, even after the refusal
        pass


def test_tensor_normalisation_and_channel_order() -> None:
    image = np.zeros((32, 32, 3), np.uint8)
    image[..., 0] = 255  # pure red
    rgb = to_tensor(image, (32, 32), BUILTIN_PROFILES["dbnet"])
    bgr = to_tensor(image, (32, 32), BUILTIN_PROFILES["ppocr-det"])
    assert rgb.shape == (1, 3, 32, 32) and rgb.dtype == np.float32
    assert rgb[0, 0, 0, 0] == pytest.approx((1 - 0.485) / 0.229, rel=1e-5)
    assert bgr[0, 2, 0, 0] == pytest.approx(1.0) and bgr[0, 0, 0, 0] == pytest.approx(-1.0)
