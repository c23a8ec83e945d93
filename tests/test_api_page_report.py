"""Server jobs carry what the page ops found: in the job's JSON, its WebSocket state and its notes."""

from collections.abc import Iterator
from pathlib import Path

import httpx
import numpy as np
import pytest

from ocr_playground.imaging.page.finder import NO_PAGE
from ocr_playground.imaging.scenes import make_scene
from ocr_playground.settings import Settings

from jobs_api import wait_done
from live_server import live_server
from receipts import b64, png


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root: Path = tmp_path_factory.mktemp("page-report")
    with live_server(Settings(data_root=root / "data", outputs_root=root / "outputs", workers=1)) as url:
        yield url


def run_job(base: str, image: np.ndarray, params: dict) -> tuple[dict, dict]:
    body = {"pipeline_id": "preprocessing", "image_base64": b64(png(image)), "params": params, "wait": True}
    answer = httpx.post(f"{base}/api/pipelines/fallback", json=body, timeout=120).json()
    return answer, wait_done(base, answer["job_id"])


def test_a_job_reports_the_page_it_cropped(base: str) -> None:
    scene = make_scene("glare", 3)
    _, job = run_job(base, scene.image, {"crop_document": True})
    assert job["status"] == "completed"
    found = job["report"]["ops"]["crop_document"]
    assert np.hypot(*(np.array(found["quad"]) - scene.corners).T).max() <= 0.02 * 1000
    assert 0.5 <= found["confidence"] <= 1
    assert job["notes"] == []


def test_a_job_that_found_no_page_says_so(base: str) -> None:
    scene = make_scene("wall", 2)
    answer, job = run_job(base, scene.image, {"crop_document": True, "grayscale": True})
    assert job["report"]["ops"]["crop_document"]["quad"] is None
    assert f"crop_document: {NO_PAGE}" in job["notes"]
    assert f"crop_document: {NO_PAGE}" in answer["notes"]  # the waited-for answer says it too
