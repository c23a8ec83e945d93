from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from ocr_playground.api.errors import validation_sentence
from ocr_playground.settings import Settings

from live_server import live_server


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root: Path = tmp_path_factory.mktemp("server")
    settings = Settings(data_root=root / "data", outputs_root=root / "outputs")
    with live_server(settings) as url:
        yield url


def test_health_over_a_real_socket(base_url: str) -> None:
    assert httpx.get(f"{base_url}/api/health").json()["status"] == "ok"


def test_unknown_route_has_a_string_detail(base_url: str) -> None:
    r = httpx.get(f"{base_url}/api/nope")
    assert r.status_code == 404
    assert isinstance(r.json()["detail"], str)


def test_validation_sentence_names_the_field() -> None:
    errors = [
        {"type": "missing", "loc": ("body", "pipeline_id"), "msg": "Field required"},
        {"type": "missing", "loc": ("body", "params"), "msg": "Field required"},
    ]
    sentence = validation_sentence(errors)
    assert "pipeline_id" in sentence and "1 more problem" in sentence
