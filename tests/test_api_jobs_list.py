"""GET /api/pipelines/jobs: the newest jobs first, for the SPA's Jobs page, over a real socket."""

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from ocr_playground.settings import Settings

from live_server import live_server
from receipts import b64, jpeg, receipt


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root: Path = tmp_path_factory.mktemp("jobs-list")
    with live_server(Settings(data_root=root / "data", outputs_root=root / "outputs", workers=1)) as url:
        yield url


def submit(base: str, seed: int, task_id: str) -> str:
    body = {
        "pipeline_id": "preprocessing",
        "image_base64": b64(jpeg(receipt(320, 240, seed=seed))),
        "params": {"grayscale": True},
        "task_id": task_id,
        "wait": True,
    }
    r = httpx.post(f"{base}/api/pipelines/fallback", json=body, timeout=60)
    assert r.status_code == 200, r.text
    return r.json()["job_id"]


def test_lists_jobs_newest_first_with_their_state_and_respects_the_limit(base: str) -> None:
    assert httpx.get(f"{base}/api/pipelines/jobs").json() == []
    ids = [submit(base, seed, f"list-{seed}") for seed in range(3)]
    jobs = httpx.get(f"{base}/api/pipelines/jobs").json()
    assert [j["job_id"] for j in jobs] == ids[::-1]
    assert jobs[0]["task_id"] == "list-2" and jobs[0]["status"] == "completed"
    assert jobs[0]["result_path"].endswith(f"{ids[2]}.png")
    newest_two = httpx.get(f"{base}/api/pipelines/jobs", params={"limit": 2}).json()
    assert [j["job_id"] for j in newest_two] == ids[:0:-1]


@pytest.mark.parametrize("limit", ["0", "501", "many"])
def test_a_bad_limit_is_a_422_with_a_sentence(base: str, limit: str) -> None:
    r = httpx.get(f"{base}/api/pipelines/jobs", params={"limit": limit})
    assert r.status_code == 422
    assert isinstance(r.json()["detail"], str)


def test_pages_past_the_limit_and_says_what_each_job_ran(base: str) -> None:
    everything = httpx.get(f"{base}/api/pipelines/jobs").json()
    assert len(everything) >= 3
    pages = [httpx.get(f"{base}/api/pipelines/jobs", params={"limit": 2, "offset": o}).json() for o in (0, 2)]
    assert [j["job_id"] for j in pages[0] + pages[1]] == [j["job_id"] for j in everything[:4]]
    job = everything[0]
    assert job["params"] == {"grayscale": True} and job["source_name"] == "upload"
    assert job["checkpoint_path"] is None
    source = httpx.get(f"{base}/api/pipelines/jobs/{job['job_id']}/source")
    assert source.status_code == 200 and source.headers["content-type"] == "image/jpeg"
    assert source.content[:3] == b"\xff\xd8\xff"
    missing = httpx.get(f"{base}/api/pipelines/jobs/preprocessing-000000000000/source")
    assert missing.status_code == 404 and isinstance(missing.json()["detail"], str)
    assert httpx.get(f"{base}/api/pipelines/jobs", params={"offset": -1}).status_code == 422
