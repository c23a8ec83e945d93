"""The inference routes over a real socket: catalog, previews, evaluation, and every bad input as a
4xx with a one-sentence string detail."""

import base64
import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import numpy as np
import pytest
from shapely.geometry import Polygon, box

from ocr_playground.imaging.io import encode_png
from ocr_playground.settings import Settings

from live_server import live_server
from onnx_models import dark_text_detector, vector_model

WORD = (50, 100, 300, 130)  # x0, y0, x1, y1 of the one dark word on the page


def page() -> np.ndarray:
    image = np.full((333, 517, 3), 245, np.uint8)
    x0, y0, x1, y1 = WORD
    image[y0:y1, x0:x1] = 20
    return image


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    root = tmp_path_factory.mktemp("inference")
    ckpt, data, outside = root / "checkpoints", root / "data", root / "outside"
    for d in (ckpt, data, outside):
        d.mkdir()
    dark_text_detector(ckpt / "tiny.onnx")
    vector_model(ckpt / "nested" / "vector.onnx")
    (ckpt / "model.pt").write_bytes(b"\x80\x04not really a pickle")
    (ckpt / "notes.txt").write_text("not a model")
    dark_text_detector(outside / "elsewhere.onnx")
    os.symlink(outside / "elsewhere.onnx", ckpt / "escape.onnx")
    (data / "page.png").write_bytes(encode_png(page()))
    os.symlink(outside / "secret.png", data / "escape.png")
    (outside / "secret.png").write_bytes(encode_png(page()))
    settings = Settings(data_root=data, outputs_root=root / "outputs", checkpoints_root=ckpt)
    with live_server(settings) as url:
        yield url, root


def b64(image: np.ndarray) -> str:
    return base64.b64encode(encode_png(image)).decode()


def preview(url: str, **body: object) -> httpx.Response:
    return httpx.post(f"{url}/api/inference/preview", json=body, timeout=60)


def test_catalog_lists_models_and_refused_checkpoints(server: tuple[str, Path]) -> None:
    url, _ = server
    answer = httpx.get(f"{url}/api/inference/checkpoints").json()
    listing = answer["checkpoints"]
    assert Path(answer["root"]).is_absolute()  # where they are looked for, said when none match
    entries = {e["checkpoint_path"]: e for e in listing}
    tiny = entries["tiny.onnx"]
    assert tiny["status"] == "ready" and tiny["format"] == "onnx" and tiny["size_bytes"] > 0
    assert tiny["profile"]["limitSideLen"] == 1024 and tiny["modified"]
    assert entries["nested/vector.onnx"]["status"] == "ready"  # listing does not load models
    pt = entries["model.pt"]
    assert pt["status"] == "not_loadable" and "ONNX" in pt["reason"] and pt["profile"] is None
    assert "escape.onnx" not in entries and "notes.txt" not in entries
    try:
        import rapidocr_onnxruntime  # noqa: F401
    except ImportError:
        return
    assert entries["builtin:ppocrv4-det"]["status"] == "ready"
    assert entries["builtin:ppocrv4-det"]["profile"]["name"] == "ppocr-det"


def test_preview_finds_the_word_in_original_coordinates(server: tuple[str, Path]) -> None:
    url, _ = server
    r = preview(
        url,
        image_base64=b64(page()),
        checkpoint_path="tiny.onnx",
        task_id="t-1",
        params={"detection": {"unclipRatio": 0.1}},
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["image"] == {"width": 517, "height": 333} and body["task_id"] == "t-1"
    assert len(body["detections"]) == 1
    found = Polygon(body["detections"][0]["points"])
    word = box(*WORD)
    assert found.intersection(word).area / found.union(word).area > 0.8
    assert body["detections"][0]["score"] > 0.9
    assert body["timings"]["inference_ms"] > 0 and body["timings"]["map_cached"] is False


def test_threshold_changes_reuse_the_probability_map(server: tuple[str, Path]) -> None:
    url, _ = server
    fresh = page()
    fresh[0, 0] = 0  # bytes no other test sent
    image = b64(fresh)
    first = preview(
        url, image_base64=image, checkpoint_path="tiny.onnx", params={"detection": {"thresh": 0.4}}
    )
    again = preview(
        url, image_base64=image, checkpoint_path="tiny.onnx", params={"detection": {"thresh": 0.5}}
    )
    assert first.json()["timings"]["map_cached"] is False and "inference_ms" in first.json()["timings"]
    assert again.json()["timings"]["map_cached"] is True and "inference_ms" not in again.json()["timings"]
    assert len(again.json()["detections"]) == 1


def test_preview_by_image_path_and_resize_maps_back(server: tuple[str, Path]) -> None:
    url, _ = server
    r = preview(
        url,
        image_path="page.png",
        checkpoint_path="tiny.onnx",
        params={"resize": {"maxSide": 258}, "grayscale": True, "detection": {"unclipRatio": 0.1}},
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["image"] == {"width": 517, "height": 333}  # the original, not the resized image
    found = Polygon(body["detections"][0]["points"])
    word = box(*WORD)
    assert found.intersection(word).area / found.union(word).area > 0.7


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        ({"checkpoint_path": "missing.onnx"}, 404, "does not exist"),
        ({"checkpoint_path": "model.pt"}, 415, "ONNX"),
        ({"checkpoint_path": "notes.txt"}, 415, "The checkpoint 'notes.txt' is not an .onnx model"),
        ({"recognizer_path": "notes.txt"}, 415, "The recognizer 'notes.txt' is not an .onnx model"),
        ({"checkpoint_path": "../outside/elsewhere.onnx"}, 403, "outside the checkpoints root"),
        ({"checkpoint_path": "escape.onnx"}, 403, "outside the checkpoints root"),
        ({"checkpoint_path": "/etc/passwd"}, 403, "outside the checkpoints root"),
        ({"checkpoint_path": "nested/vector.onnx"}, 422, "not an image tensor"),
        ({"checkpoint_path": "builtin:nope"}, 404, "builtin:nope"),
        ({"image_base64": base64.b64encode(b"\xff\xd8\xff\xe0 truncated jpeg").decode()}, 422, "image"),
        ({"image_base64": "%%% not base64 %%%"}, 422, "base64"),
        ({"image_base64": None, "image_path": "../outside/secret.png"}, 403, "outside"),
        ({"image_base64": None, "image_path": "nope.png"}, 404, "nope.png"),
        ({"image_base64": None, "image_path": "escape.png"}, 403, "outside"),
        ({"image_path": "page.png"}, 422, "exactly one of image_path or image_base64"),
        ({"params": {"crop_document": True}}, 422, "crop_document"),
        ({"params": {"sharpen": True}}, 422, "sharpen"),
        ({"params": {"detection": {"boxThresh": 2}}}, 422, "boxThresh"),
        ({"params": {"detection": {"box_threshold": 0.5}}}, 422, "box_threshold"),
    ],
)
def test_bad_input_is_a_4xx_with_a_sentence(
    server: tuple[str, Path], body: dict, status: int, words: str
) -> None:
    url, _ = server
    request = {"image_base64": b64(page()), "checkpoint_path": "tiny.onnx"} | body
    request = {k: v for k, v in request.items() if v is not None}
    r = preview(url, **request)
    assert r.status_code == status, r.text
    detail = r.json()["detail"]
    assert isinstance(detail, str) and words in detail


def test_evaluation_endpoint(server: tuple[str, Path]) -> None:
    url, _ = server
    quad = [[0, 0], [100, 0], [100, 20], [0, 20]]
    triangle = [[0, 50], [90, 50], [90, 70]]
    gt = {"images": {"a.jpg": {"words": {"0": {"points": quad}, "1": {"points": triangle}}}}}
    pred = {"images": {"a.jpg": {"words": {"0": {"points": quad, "score": 0.9}}}}}
    r = httpx.post(f"{url}/api/evaluation", json={"ground_truth": gt, "predictions": pred})
    assert r.status_code == 200, r.text
    protocols = {p["protocol"]: p for p in r.json()["protocols"]}
    assert protocols["icdar2015-iou"]["precision"] == 1 and protocols["icdar2015-iou"]["recall"] == 0.5
    assert protocols["deteval"]["hmean"] == pytest.approx(2 / 3)
    icdar = {"icdar2015": {"gt_a.txt": "0,0,100,0,100,20,0,20,TOTAL\n"}}
    res = {"icdar2015": {"res_a.txt": "0,0,100,0,100,20,0,20"}}
    r = httpx.post(f"{url}/api/evaluation", json={"ground_truth": icdar, "predictions": res})
    assert r.status_code == 200 and r.json()["protocols"][0]["hmean"] == 1
    stray = {"images": {"zz": {"words": {}}}}
    bad = httpx.post(f"{url}/api/evaluation", json={"ground_truth": gt, "predictions": stray})
    assert bad.status_code == 422 and isinstance(bad.json()["detail"], str)
    twice = {"icdar2015": {"gt_a.txt": "0,0,100,0,100,20,0,20,TOTAL\n", "a.txt": "0,0,9,0,9,9,0,9,X\n"}}
    bad = httpx.post(f"{url}/api/evaluation", json={"ground_truth": twice, "predictions": res})
    assert bad.status_code == 422 and "names image 'a' twice" in bad.json()["detail"], bad.text
    huge = {"images": {"a.jpg": [{"points": quad, "score": 10**400}]}}
    bad = httpx.post(f"{url}/api/evaluation", json={"ground_truth": gt, "predictions": huge})
    assert bad.status_code == 422 and "'score' must be a finite number" in bad.json()["detail"], bad.text


def test_detection_schema_names_and_explains_each_threshold(server: tuple[str, Path]) -> None:
    url, _ = server
    schema = httpx.get(f"{url}/api/inference/schema").json()
    assert schema["refused_ops"] == ["crop_document"]  # the Studio does not offer it
    props = schema["detection"]["properties"]
    assert props["boxThresh"]["default"] == 0.6 and props["unclipRatio"]["default"] == 1.5
    assert props["thresh"]["maximum"] == 1 and "probability" in props["thresh"]["description"]


def liar_jpeg(width: int, height: int) -> bytes:
    """A few hundred bytes of JPEG whose frame header claims ``width``×``height``."""
    data = bytearray(jpeg_bytes(np.full((8, 8, 3), 200, np.uint8)))
    sof = data.find(b"\xff\xc0")
    data[sof + 5 : sof + 9] = height.to_bytes(2, "big") + width.to_bytes(2, "big")
    return bytes(data)


def jpeg_bytes(image: np.ndarray) -> bytes:
    from ocr_playground.imaging.io import encode_jpeg

    return encode_jpeg(image)


@pytest.mark.parametrize("checkpoint", ["tiny.onnx", "builtin:ppocrv4-det"])
def test_a_liar_header_is_refused_before_the_model_runs(server: tuple[str, Path], checkpoint: str) -> None:
    url, _ = server
    data = liar_jpeg(7000, 7000)
    assert len(data) < 1000
    response = preview(url, image_base64=base64.b64encode(data).decode(), checkpoint_path=checkpoint)
    assert response.status_code == 422, response.text
    assert "truncated" in response.json()["detail"]
    job = httpx.post(
        f"{url}/api/pipelines/fallback",
        json={
            "pipeline_id": "inference",
            "image_base64": base64.b64encode(data).decode(),
            "checkpoint_path": checkpoint,
        },
    )
    assert job.status_code == 422, job.text


@pytest.mark.parametrize("checkpoint", ["tiny.onnx", "builtin:ppocrv4-det"])
@pytest.mark.parametrize("shape", [(1, 40_000), (40_000, 1), (6000, 5900)])
def test_extreme_sizes_get_a_model_input_under_the_caps(
    server: tuple[str, Path], checkpoint: str, shape: tuple[int, int]
) -> None:
    url, _ = server
    image = np.full((*shape, 3), 240, np.uint8)
    response = preview(url, image_base64=b64(image), checkpoint_path=checkpoint)
    assert response.status_code == 200, response.text
    seen = response.json()["model_input"]
    assert max(seen["width"], seen["height"]) <= 4000 and seen["width"] * seen["height"] <= 3_000_000
    assert response.json()["image"] == {"width": shape[1], "height": shape[0]}
