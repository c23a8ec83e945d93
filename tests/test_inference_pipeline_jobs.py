"""The ``inference`` pipeline through /api/pipelines: routed server-inference, run as a job in a
worker process, cached by its key (which includes the checkpoint path, and the recognizer's when
the job reads text); bad input refused as 4xx before any job exists."""

import base64
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import cv2
import httpx
import numpy as np
import pytest

from ocr_playground.cachekey import cache_key
from ocr_playground.imaging.io import encode_png
from ocr_playground.settings import Settings

from jobs_api import wait_done
from live_server import live_server
from onnx_models import bar_reader, dark_text_detector, vector_model

PARAMS = {"grayscale": True, "detection": {"unclipRatio": 0.1}}


def page() -> bytes:
    image = np.full((300, 500, 3), 245, np.uint8)
    image[100:130, 50:300] = 20
    return encode_png(image)


IMAGE = page()


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("inference-jobs")
    ckpt = root / "checkpoints"
    dark_text_detector(ckpt / "tiny.onnx")
    vector_model(ckpt / "vector.onnx")
    bar_reader(ckpt / "bars_rec.onnx")  # reads each dark bar as 'a'
    (ckpt / "model.ckpt").write_bytes(b"\x80\x04")
    (root / "data").mkdir()
    previous = Path.cwd()
    os.chdir(root)  # result_path is shown relative to the working directory
    settings = Settings(
        data_root=root / "data",
        outputs_root=root / "outputs",
        checkpoints_root=ckpt,
        workers=1,
        job_timeout_s=60,
    )
    try:
        with live_server(settings) as url:
            yield url
    finally:
        os.chdir(previous)


def request(**overrides: object) -> dict:
    body = {
        "pipeline_id": "inference",
        "image_base64": base64.b64encode(IMAGE).decode(),
        "checkpoint_path": "tiny.onnx",
        "params": PARAMS,
    }
    return {k: v for k, v in (body | overrides).items() if v is not None}


def test_preview_runs_on_the_server_and_is_cached_by_its_key(base: str) -> None:
    r = httpx.post(f"{base}/api/pipelines/preview", json=request(task_id="t-inf"), timeout=30)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["routed_backend"] == "server-inference"
    assert body["cache_key"] == cache_key("inference", IMAGE, PARAMS, "tiny.onnx")
    job = wait_done(base, body["job_id"])
    assert job["status"] == "completed", job
    found = httpx.get(f"{base}/api/inference/jobs/{body['job_id']}/detections").json()
    assert found["image"] == {"width": 500, "height": 300} and len(found["detections"]) == 1
    assert found["task_id"] == "t-inf"
    png = httpx.get(f"{base}/api/pipelines/jobs/{body['job_id']}/result")
    overlay = cv2.imdecode(np.frombuffer(png.content, np.uint8), cv2.IMREAD_COLOR)
    assert overlay.shape == (300, 500, 3) and (overlay[:, :, 1] > 150).sum() > 100  # green outline
    again = httpx.post(f"{base}/api/pipelines/preview", json=request(), timeout=30).json()
    assert again["routed_backend"] == "server-cache" and again["job_id"] == body["job_id"]
    other = httpx.post(f"{base}/api/pipelines/preview", json=request(params={"detection": {}}), timeout=30)
    assert other.json()["cache_key"] != body["cache_key"]


def test_fallback_waits_for_the_detections(base: str) -> None:
    r = httpx.post(
        f"{base}/api/pipelines/fallback",
        json=request(params={"detection": {"boxThresh": 0.5}}, wait=True),
        timeout=60,
    )
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "completed" and r.json()["result_path"].endswith(".png")


@pytest.mark.parametrize(
    ("overrides", "status", "words"),
    [
        ({"checkpoint_path": None}, 422, "needs a checkpoint_path"),
        ({"checkpoint_path": "model.ckpt"}, 415, "never unpickled"),
        ({"checkpoint_path": "vector.onnx"}, 422, "not an image tensor"),
        ({"checkpoint_path": "missing.onnx"}, 404, "does not exist"),
        ({"checkpoint_path": "../../etc/passwd"}, 403, "outside"),
        ({"params": {"detection": {"thresh": 7}}}, 422, "detection.thresh"),
        ({"params": {"crop_document": True}}, 422, "crop_document"),
    ],
)
def test_bad_inference_requests_are_4xx_before_any_job(
    base: str, overrides: dict, status: int, words: str
) -> None:
    r = httpx.post(f"{base}/api/pipelines/preview", json=request(**overrides), timeout=30)
    assert r.status_code == status, r.text
    assert isinstance(r.json()["detail"], str) and words in r.json()["detail"]


def test_a_job_with_a_recognizer_reads_the_text_and_is_cached_apart_from_one_without(base: str) -> None:
    params = {"grayscale": True, "detection": {"unclipRatio": 0.3}}
    plain = httpx.post(f"{base}/api/pipelines/fallback", json=request(params=params, wait=True), timeout=60)
    assert plain.json()["status"] == "completed", plain.text
    read = httpx.post(
        f"{base}/api/pipelines/preview",
        json=request(params=params, recognizer_path="bars_rec.onnx"),
        timeout=30,
    ).json()
    # The job without text is done and on disk, yet a request for text is not answered by it.
    assert read["routed_backend"] == "server-inference" and read["job_id"] != plain.json()["job_id"]
    assert read["cache_key"] == cache_key("inference", IMAGE, params, "tiny.onnx", "bars_rec.onnx")
    assert read["cache_key"] != plain.json()["cache_key"]
    job = wait_done(base, read["job_id"])
    assert job["status"] == "completed" and job["recognizer_path"].endswith("bars_rec.onnx"), job
    found = httpx.get(f"{base}/api/inference/jobs/{read['job_id']}/detections").json()
    assert found["recognizer_path"].endswith("bars_rec.onnx")
    assert [(d["text"], d["textScore"] > 0.9) for d in found["detections"]] == [("a", True)]
    without = httpx.get(f"{base}/api/inference/jobs/{plain.json()['job_id']}/detections").json()
    assert without["recognizer_path"] is None and without["detections"][0]["text"] is None
    again = httpx.post(
        f"{base}/api/pipelines/fallback",
        json=request(params=params, recognizer_path="bars_rec.onnx", wait=True),
        timeout=60,
    ).json()
    assert again["routed_backend"] == "server-cache" and again["job_id"] == read["job_id"]
    # A recognizer exported over the same file is a new model: its results are not reused.
    os.utime(Path("checkpoints/bars_rec.onnx"))
    fresh = httpx.post(
        f"{base}/api/pipelines/fallback",
        json=request(params=params, recognizer_path="bars_rec.onnx", wait=True),
        timeout=60,
    ).json()
    assert fresh["status"] == "completed" and fresh["job_id"] != read["job_id"], fresh


@pytest.mark.parametrize(
    ("overrides", "status", "words"),
    [
        ({"recognizer_path": "missing_rec.onnx"}, 404, "does not exist"),
        ({"recognizer_path": "tiny.onnx"}, 422, "not a CTC text recognizer"),
        ({"recognizer_path": "model.ckpt"}, 415, "never unpickled"),
        ({"recognizer_path": "../../rec.onnx"}, 403, "outside"),
        ({"recognizer_path": "bars_rec.onnx", "checkpoint_path": None}, 422, "needs a checkpoint_path"),
        ({"recognizer_path": "bars_rec.onnx", "params": {"recognition": {"minScore": 2}}}, 422, "minScore"),
        (
            {
                "recognizer_path": "bars_rec.onnx",
                "pipeline_id": "preprocessing",
                "checkpoint_path": None,
                "params": {"grayscale": True},
            },
            422,
            "needs the 'inference' pipeline",
        ),
    ],
)
def test_bad_recognizers_are_4xx_before_any_job(base: str, overrides: dict, status: int, words: str) -> None:
    before = len(httpx.get(f"{base}/api/pipelines/jobs", params={"limit": 500}).json())
    for route in ("preview", "fallback"):
        r = httpx.post(f"{base}/api/pipelines/{route}", json=request(**overrides), timeout=30)
        assert r.status_code == status, (route, r.text)
        assert isinstance(r.json()["detail"], str) and words in r.json()["detail"]
    assert len(httpx.get(f"{base}/api/pipelines/jobs", params={"limit": 500}).json()) == before


def test_a_checkpoint_replaced_in_place_is_not_answered_from_the_cache(base: str) -> None:
    body = request(params={"detection": {"unclipRatio": 0.2}}, wait=True)
    first = httpx.post(f"{base}/api/pipelines/fallback", json=body, timeout=60).json()
    assert first["status"] == "completed", first
    again = httpx.post(f"{base}/api/pipelines/fallback", json=body, timeout=60).json()
    assert again["job_id"] == first["job_id"]  # same key, same model: the cached result
    # A new export over the same file (the server runs in this test's working directory).
    os.utime(Path("checkpoints/tiny.onnx"))
    fresh = httpx.post(f"{base}/api/pipelines/fallback", json=body, timeout=60).json()
    assert fresh["status"] == "completed" and fresh["job_id"] != first["job_id"], fresh
    assert fresh["cache_key"] == first["cache_key"]
    assert (
        httpx.post(f"{base}/api/pipelines/fallback", json=body, timeout=60).json()["job_id"]
        == fresh["job_id"]
    )


def test_a_sidecar_profile_counts_as_a_change_of_model(tmp_path: Path) -> None:
    from ocr_playground.inference.profiles import model_mtime, sidecar_path

    model = tmp_path / "det.onnx"
    model.write_bytes(b"onnx")
    os.utime(model, (1000.0, 1000.0))
    assert model_mtime(model) == 1000.0
    sidecar_path(model).write_text("{}")
    os.utime(sidecar_path(model), (2000.0, 2000.0))
    assert model_mtime(model) == 2000.0


def test_results_from_before_the_code_last_changed_its_reading_are_not_reused(tmp_path: Path) -> None:
    """Boxes drawn by older post-processing are not served for a key this code would answer
    differently, however old the model file; a job without a model is not concerned."""
    from types import SimpleNamespace

    from ocr_playground.inference.profiles import RESULTS_CHANGED_AT, last_change
    from ocr_playground.jobs.service import checkpoint_replaced

    model = tmp_path / "det.onnx"
    model.write_bytes(b"onnx")
    os.utime(model, (1000.0, 1000.0))
    assert last_change([model]) == RESULTS_CHANGED_AT
    assert last_change([None]) == last_change([]) == 0.0

    def job(started: float, checkpoint: Path | None = model) -> Any:
        return SimpleNamespace(
            checkpoint_path=checkpoint, recognizer_path=None, started_at=started, created_at=started
        )

    assert checkpoint_replaced(job(RESULTS_CHANGED_AT - 60))
    assert not checkpoint_replaced(job(RESULTS_CHANGED_AT + 60))
    assert not checkpoint_replaced(job(1.0, checkpoint=None))


def test_a_result_whose_png_cannot_be_written_leaves_no_detections_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ocr_playground.inference import jobs
    from ocr_playground.inference.jobs import detections_path, write_result

    real = jobs.atomic_write_bytes

    def full_disk_for_pngs(path: Any, data: bytes) -> None:
        if str(path).endswith(".png"):
            raise OSError(28, "No space left on device")
        real(path, data)

    monkeypatch.setattr(jobs, "atomic_write_bytes", full_disk_for_pngs)
    out = tmp_path / "result.png"
    with pytest.raises(OSError, match="No space"):
        write_result(out, np.zeros((8, 8, 3), np.uint8), "tiny.onnx", None, [])
    assert not detections_path(out).exists() and not out.exists()
