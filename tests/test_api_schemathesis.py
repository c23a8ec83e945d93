"""Schemathesis over /openapi.json of a live server: whatever it generates, never a 5xx.

Bounded on purpose (few examples per operation, a time limit): it is a net for crashes on odd
input, not a fuzzing campaign.
"""

import tempfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings

from ocr_playground.api.app import create_app
from ocr_playground.settings import Settings

from live_server import live_server


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root: Path = tmp_path_factory.mktemp("fuzz")
    (root / "data").mkdir()
    with live_server(Settings(data_root=root / "data", outputs_root=root / "outputs", workers=1)) as url:
        yield url


def _openapi() -> dict:
    """The schema the live server publishes, read from an app built the same way (the schema is
    needed at collection time, before any fixture runs)."""
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(Settings(data_root=Path(folder), outputs_root=Path(folder)))
        document = app.openapi()
        app.state.jobs.store.close()
        app.state.telemetry.close()
    return document


schema = schemathesis.openapi.from_dict(_openapi())


def test_the_schema_is_the_one_served(base: str) -> None:
    assert httpx.get(f"{base}/openapi.json").json() == _openapi()


def test_the_schema_gives_a_422_the_string_detail_it_has(base: str) -> None:
    described = _openapi()["components"]["schemas"]["HTTPValidationError"]["properties"]
    answer = httpx.get(f"{base}/api/runs", params={"limit": "many"})
    assert answer.status_code == 422 and described["detail"]["type"] == "string"
    assert isinstance(answer.json()["detail"], str) and isinstance(answer.json()["errors"], list)


@pytest.mark.timeout(240)
@schema.parametrize()
@settings(
    max_examples=12,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_no_server_errors(case: schemathesis.Case, base: str) -> None:
    response = case.call(base_url=base, timeout=30)
    assert response.status_code < 500, (case.method, case.path, response.status_code, response.text[:500])
    if 400 <= response.status_code < 500 and response.headers.get("content-type") == "application/json":
        assert isinstance(response.json()["detail"], str)


def test_the_run_really_exercised_the_api(base: str) -> None:
    """Runs after the generated cases: the server saw many requests, none answered 5xx."""
    lines = [
        line
        for line in httpx.get(f"{base}/metrics").text.splitlines()
        if line.startswith("ocrp_http_request_duration_seconds_count")
    ]
    counts = {line.split("{")[1].split("}")[0]: float(line.rsplit(" ", 1)[1]) for line in lines}
    assert sum(counts.values()) > 60, counts
    assert not [labels for labels in counts if 'status="5' in labels], counts
