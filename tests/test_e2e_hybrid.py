"""Hybrid routing in a real Chromium against a real server: the "Run on server" switch sends a
receipt to the server, jobs show up and finish on the Jobs
page, a WebSocket dropped mid-job still ends with the result shown, the telemetry summary counts
exactly the events the page sent, and the Telemetry page draws its charts. The browser's cache key
is checked against the server's answer for the same request.
"""

import base64
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
from fastapi import FastAPI

from ocr_playground.api.app import create_app
from ocr_playground.cachekey import cache_key
from ocr_playground.imaging.io import decode_image
from ocr_playground.imaging.pipeline import run_pipeline
from ocr_playground.imaging.synthetic import make_receipt
from ocr_playground.jobs.model import Job, JobStatus
from ocr_playground.jobs.service import JobService
from ocr_playground.settings import Settings

from browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, chromium_page, e2e_server, open_studio, read_canvas
from browser import studio_defaults as defaults
from receipts import slow_params

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

CANVAS = '[data-testid="result-canvas"]'


@contextmanager
def two_tabs() -> Iterator[tuple[Any, Any]]:
    """Two pages of one browser context (tabs that share a BroadcastChannel), which
    ``chromium_page`` does not give."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            context = browser.new_context(viewport={"width": 1400, "height": 900})
            yield context.new_page(), context.new_page()
        finally:
            browser.close()


SERVER_BACKENDS = ("server-pipeline", "server-rembg", "server-cache")


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("hybrid")


@pytest.fixture(scope="module")
def app(root: Path) -> FastAPI:
    return create_app(Settings(data_root=root / "data", outputs_root=root / "outputs", workers=2))


@pytest.fixture(scope="module")
def server(app: FastAPI) -> Iterator[str]:
    with e2e_server(app.state.settings, app) as base:
        yield base


@contextmanager
def held_in_queue(service: JobService, task_id: str) -> Iterator[None]:
    """Jobs whose task id starts with ``task_id`` stay queued (their worker waits before claiming
    them) until the block ends: a test that acts on a job while it is not finished (cancels it,
    drops the socket, sees it listed as queued) never loses the race to the job finishing first."""
    release = threading.Event()
    claim = service.claim

    def held(job_id: str):
        job = service.store.get(job_id)
        if job is not None and (job.task_id or "").startswith(task_id):
            release.wait(120)
        return claim(job_id)

    service.claim = held  # the pool calls its owner's claim(); this one waits first
    try:
        yield
    finally:
        release.set()
        del service.claim


@pytest.fixture(scope="module")
def large(root: Path) -> Path:
    path = root / "large-receipt.jpeg"
    path.write_bytes(make_receipt(seed=21, size=(3000, 2200)).jpeg)
    return path


@pytest.fixture(scope="module")
def small(root: Path) -> Path:
    path = root / "small-receipt.jpeg"
    path.write_bytes(make_receipt(seed=4, size=(640, 480)).jpeg)
    return path


def route_line(page, **attrs: str):
    selector = '[data-testid="route-line"]' + "".join(
        f'[data-{k.replace("_", "-")}="{v}"]' for k, v in attrs.items()
    )
    return page.locator(selector)


def on_server(page):
    """The status line once a picture made on the server is shown."""
    return page.locator('[data-testid="route-line"][data-phase="done"]:not([data-backend="client-workers"])')


def wait_for_result(page, key: str, timeout: float = 60_000) -> None:
    page.locator(f'{CANVAS}[data-cache-key="{key}"]').wait_for(timeout=timeout)


def server_answer(base: str, image: bytes, params: dict[str, Any]) -> dict[str, Any]:
    body = {
        "pipeline_id": "preprocessing",
        "params": params,
        "image_base64": base64.b64encode(image).decode(),
    }
    r = httpx.post(f"{base}/api/pipelines/preview", json=body, timeout=60)
    assert r.status_code == 200, r.text
    return r.json()


def assert_pixels(page, image: bytes, params: dict[str, Any], levels: int = 1) -> None:
    got = read_canvas(page, CANVAS)[:, :, :3]
    want = run_pipeline("preprocessing", decode_image(image), params).image
    assert got.shape[:2] == want.shape[:2]
    diff = np.abs(got.astype(np.int16) - want[:, :, :3].astype(np.int16))
    assert diff.max() <= levels, diff.max()


def test_the_switch_sends_a_small_receipt_to_the_server_and_the_jobs_page_shows_it(
    server: str, small: Path
) -> None:
    image = small.read_bytes()
    with chromium_page() as page:
        open_studio(page, server, small)
        page.get_by_label("autocontrast enabled").click()
        client_params = {"autocontrast": defaults("autocontrast")}
        wait_for_result(page, cache_key("preprocessing", image, client_params))
        assert route_line(page, phase="done").get_attribute("data-backend") == "client-workers"

        page.get_by_label("run on server").check()
        page.get_by_label("grayscale enabled").click()
        params = {"grayscale": defaults("grayscale"), **client_params}
        key = cache_key("preprocessing", image, params)
        wait_for_result(page, key)
        line = route_line(page, phase="done")
        assert line.get_attribute("data-backend") in SERVER_BACKENDS
        assert 'You switched on "Run on server"' in line.inner_text()
        # The browser's key is the server's: the page saw it in the server's answer, and a fresh
        # request for the same image and params gets the same one (now from the server's cache).
        assert line.get_attribute("data-server-cache-key") == key
        answer = server_answer(server, image, params)
        assert answer["cache_key"] == key and answer["routed_backend"] == "server-cache"
        job_id = line.get_attribute("data-job-id")
        task_id = line.get_attribute("data-task-id")
        assert job_id.startswith("preprocessing-") and task_id.startswith("srv-")
        assert_pixels(page, image, params)
        page.screenshot(path=str(ARTIFACTS / "hybrid-switch-on-server.png"))

        # Going back to the client's params is a memo hit, not a new render anywhere.
        page.get_by_label("grayscale enabled").click()
        wait_for_result(page, cache_key("preprocessing", image, client_params))
        assert route_line(page, phase="done").get_attribute("data-backend") == "memo"

        page.goto(server + "/#/jobs")
        row = page.locator(f'tr[data-job-id="{job_id}"]')
        row.wait_for(timeout=20_000)
        assert row.get_attribute("data-status") == "completed"
        assert row.get_attribute("data-task-id") == task_id
        result = row.locator(f'img[alt="result of {job_id}"]')
        result.wait_for()
        assert result.evaluate("img => img.complete && img.naturalWidth") == 640
        # What ran on what, and when: the source image, the params in a line, the start time.
        source = row.locator(f'img[alt="source of {job_id}"]')
        source.wait_for()
        page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=source.element_handle())
        assert source.evaluate("img => img.naturalWidth") == 640
        assert row.get_by_test_id("job-params").inner_text() == "grayscale · autocontrast cutoff=0"
        assert ":" in row.get_by_test_id("job-started").inner_text()


def test_a_job_shows_up_on_the_jobs_page_and_completes_there_or_is_cancelled(
    app: FastAPI, server: str, small: Path
) -> None:
    image = base64.b64encode(small.read_bytes()).decode()
    with chromium_page() as page:
        page.goto(server + "/#/jobs")
        page.get_by_test_id("ws-state").and_(page.locator('[data-state="open"]')).wait_for(timeout=20_000)

        def submit(variant: int, task_id: str) -> str:
            body = {
                "pipeline_id": "preprocessing",
                "params": slow_params(variant),
                "image_base64": image,
                "task_id": task_id,
            }
            r = httpx.post(f"{server}/api/pipelines/fallback", json=body, timeout=30)
            assert r.status_code == 202, r.text
            return r.json()["job_id"]

        done_id = submit(1, "jobs-page-done")
        row = page.locator(f'tr[data-job-id="{done_id}"]')
        row.wait_for(timeout=20_000)
        seen = row.get_attribute("data-status")
        page.locator(f'tr[data-job-id="{done_id}"][data-status="completed"]').wait_for(timeout=120_000)
        row.locator(f'img[alt="result of {done_id}"]').wait_for()
        assert row.locator("a").first.get_attribute("href").endswith(f"/jobs/{done_id}/result")
        page.screenshot(path=str(ARTIFACTS / "hybrid-jobs-page.png"))

        # The job to cancel is held in the queue, so it is still cancellable when the page's
        # button is clicked, however fast the machine (it used to finish first now and then).
        with held_in_queue(app.state.jobs, "jobs-page-cancel"):
            cancel_id = submit(2, "jobs-page-cancel")
            button = page.get_by_label(f"cancel {cancel_id}")
            button.click(timeout=20_000)
            page.locator(f'tr[data-job-id="{cancel_id}"][data-status="cancelled"]').wait_for(timeout=20_000)
        assert httpx.get(f"{server}/api/pipelines/jobs/{cancel_id}").json()["status"] == "cancelled"
        (ARTIFACTS / "hybrid-jobs-page.json").write_text(
            json.dumps({"first_seen": seen, "completed": done_id, "cancelled": cancel_id})
        )


def test_dropping_the_websocket_mid_job_still_ends_with_the_result(
    app: FastAPI, server: str, large: Path
) -> None:
    image = large.read_bytes()
    with chromium_page() as page:
        open_studio(page, server, large)
        route_line(page, phase="done").wait_for(timeout=60_000)  # the plain image, first
        page.get_by_label("run on server").check()
        on_server(page).wait_for(timeout=60_000)  # the plain image again, now from the server
        params = {"background_removal": defaults("background_removal")}
        key = cache_key("preprocessing", image, params)
        with held_in_queue(app.state.jobs, "srv-"):  # the job cannot finish before the drop
            page.get_by_label("background_removal enabled").click()
            following = route_line(page, phase="server")
            following.wait_for(timeout=30_000)
            job_id = following.get_attribute("data-job-id")
            status_at_drop = httpx.get(f"{server}/api/pipelines/jobs/{job_id}").json()["status"]
            page.evaluate("() => window.__ocrp.dropJobSocket(1500)")  # as a network failure would
        assert status_at_drop == "queued"
        wait_for_result(page, key, timeout=90_000)
        assert route_line(page, phase="done").get_attribute("data-job-id") == job_id
        assert page.evaluate("() => window.__ocrp.jobSocketReconnects()") >= 1
        # The server's PNG keeps the page mask as alpha; the canvas holds it as it is.
        got = read_canvas(page, CANVAS)
        want = run_pipeline("preprocessing", decode_image(image), params).image
        assert got.shape == want.shape
        assert np.array_equal(got[:, :, 3], want[:, :, 3])
        opaque = want[:, :, 3] == 255
        assert np.abs(got[opaque][:, :3].astype(np.int16) - want[opaque][:, :3]).max() <= 1
        page.screenshot(path=str(ARTIFACTS / "hybrid-ws-dropped.png"))
        (ARTIFACTS / "hybrid-ws-dropped.json").write_text(
            json.dumps({"job_id": job_id, "status_at_drop": status_at_drop})
        )


def test_a_studio_job_shows_up_on_an_open_jobs_page_and_completes_there(
    app: FastAPI, server: str, large: Path
) -> None:
    with two_tabs() as (studio, jobs):
        jobs.goto(server + "/#/jobs")
        jobs.locator('[data-testid="ws-state"][data-state="open"]').wait_for(timeout=20_000)
        # From now on the list poll finds nothing: only the Studio tab's announcement can show the job.
        jobs.route("**/api/pipelines/jobs?limit=*", lambda route: route.fulfill(json=[]))
        open_studio(studio, server, large)
        route_line(studio, phase="done").wait_for(timeout=60_000)
        studio.get_by_label("run on server").check()
        on_server(studio).wait_for(timeout=60_000)
        with held_in_queue(app.state.jobs, "srv-"):  # seen queued first, whatever the machine
            studio.get_by_label("crop_document enabled").click()  # one change: one server job
            following = route_line(studio, phase="server")
            following.wait_for(timeout=30_000)
            job_id = following.get_attribute("data-job-id")
            task_id = following.get_attribute("data-task-id")
            row = jobs.locator(f'tr[data-job-id="{job_id}"]')
            row.wait_for(timeout=10_000)  # announced by the Studio's tab (the poll is answered empty)
            first_seen = row.get_attribute("data-status")
        assert first_seen == "queued"
        jobs.locator(f'tr[data-job-id="{job_id}"][data-status="completed"]').wait_for(timeout=90_000)
        assert row.get_attribute("data-task-id") == task_id
        row.locator(f'img[alt="result of {job_id}"]').wait_for()
        jobs.screenshot(path=str(ARTIFACTS / "hybrid-jobs-page-studio-job.png"))
        route_line(studio, phase="done", job_id=job_id).wait_for(timeout=60_000)
        (ARTIFACTS / "hybrid-jobs-page-studio-job.json").write_text(
            json.dumps({"job_id": job_id, "first_seen": first_seen})
        )


def test_telemetry_counts_what_the_page_sent_and_the_page_charts_it(root: Path, small: Path) -> None:
    # A server of its own: a page of an earlier test may still send its last events (a beacon as it
    # closes), and they would be counted here.
    settings = Settings(data_root=root / "data", outputs_root=root / "telemetry-outputs")
    with e2e_server(settings) as server, chromium_page() as page:
        check_telemetry(server, page, small)


def check_telemetry(server: str, page, small: Path) -> None:
    image = small.read_bytes()
    before = httpx.get(f"{server}/api/metrics/summary").json()
    sent: list[dict] = []
    page.on(
        "request",
        lambda r: (
            sent.extend(r.post_data_json["events"])
            if r.url.endswith("/api/metrics") and r.method == "POST"
            else None
        ),
    )
    open_studio(page, server, small)
    gray, blur = {"grayscale": defaults("grayscale")}, {"blur": defaults("blur")}
    for op, params in (("grayscale", gray), ("blur", {**gray, **blur}), ("grayscale", blur)):
        page.get_by_label(f"{op} enabled").click()  # on, on, off: three client renders
        wait_for_result(page, cache_key("preprocessing", image, params))
    page.get_by_label("run on server").check()
    page.get_by_label("binarize enabled").click()
    route_line(page, phase="done", backend="server-pipeline").wait_for(timeout=60_000)
    page.evaluate("() => window.__ocrp.flushTelemetry()")
    page.wait_for_function("() => window.__ocrp.telemetryCounts().pending === 0")
    # Every batch the page sent was answered; Playwright reports the requests a moment later.
    posted = page.evaluate("() => window.__ocrp.telemetryCounts().sent")
    for _ in range(100):
        if len(sent) >= posted:
            break
        page.wait_for_timeout(50)
    assert len(sent) == posted
    after = httpx.get(f"{server}/api/metrics/summary").json()

    types = {
        t: sum(1 for e in sent if e["type"] == t)
        for t in ("queue_depth", "duration", "routing", "cache", "worker")
    }
    for kind, n in types.items():
        assert after["counts"].get(kind, 0) - before["counts"].get(kind, 0) == n, kind
    assert types["queue_depth"] > 0 and types["duration"] > 0
    assert any(
        e["type"] == "duration" and e["op"] == "blur" and e["backend"] == "client-workers" for e in sent
    )
    server_routes = [e for e in sent if e["type"] == "routing" and e["routed_backend"] != "client-workers"]
    assert server_routes and all(e["reason"] and e["task_id"].startswith("srv-") for e in server_routes)
    assert after["fallback_rate"] > 0 and after["routing"]["server-pipeline"] >= 1
    assert after["durations"]["blur"]["count"] >= 1

    page.goto(server + "/#/telemetry")
    for chart in ("chart-queue-depth", "chart-durations", "chart-memo", "chart-routing"):
        page.locator(f'[data-testid="{chart}"] svg.recharts-surface').first.wait_for(timeout=20_000)
    page.locator('[data-testid="chart-durations"] .recharts-bar-rectangle').first.wait_for(timeout=20_000)
    assert page.get_by_test_id("fallback-rate").inner_text().endswith("%")
    # Each chart takes its card's width; every op has its label on the axis, none cut off.
    for chart in ("chart-queue-depth", "chart-durations", "chart-memo", "chart-routing"):
        card, svg = page.get_by_test_id(chart).evaluate(
            "c => [c.clientWidth, c.querySelector('.recharts-wrapper > svg').getBoundingClientRect().width]"
        )
        assert svg >= card - 40, (chart, card, svg)
    durations = page.get_by_test_id("chart-durations")
    ticks = durations.locator(".recharts-xAxis-tick-labels .recharts-cartesian-axis-tick-value")
    page.wait_for_function(
        "n => document.querySelectorAll('[data-testid=chart-durations] .recharts-xAxis-tick-labels "
        ".recharts-cartesian-axis-tick-value').length >= n",
        arg=len(after["durations"]),
    )
    assert set(ticks.all_text_contents()) >= set(after["durations"])
    inside = durations.evaluate(
        """c => { const s = c.querySelector('.recharts-wrapper > svg').getBoundingClientRect();
                  return [...c.querySelectorAll('.recharts-cartesian-axis-tick-value')].every((t) => {
                    const r = t.getBoundingClientRect();
                    return r.left >= s.left - 1 && r.right <= s.right + 1 && r.bottom <= s.bottom + 1;
                  }); }"""
    )
    assert inside
    # Live: events posted now show up on the page without a reload.
    shown = int(page.get_by_test_id("event-count").inner_text())
    more = {"events": [{"type": "queue_depth", "depth": 3}, {"type": "duration", "op": "blur", "ms": 4.0}]}
    assert httpx.post(f"{server}/api/metrics", json=more).status_code == 200
    page.wait_for_function(
        "n => Number(document.querySelector('[data-testid=event-count]').textContent) >= n",
        arg=shown + 2,
        timeout=15_000,
    )
    page.screenshot(path=str(ARTIFACTS / "hybrid-telemetry.png"), full_page=True)
    (ARTIFACTS / "hybrid-telemetry.json").write_text(json.dumps({"sent": types, "summary": after}, indent=1))


def test_a_drag_on_the_server_leaves_one_job_per_pause_and_none_running(server: str, small: Path) -> None:
    image = small.read_bytes()
    before = {j["job_id"] for j in httpx.get(f"{server}/api/pipelines/jobs", params={"limit": 500}).json()}
    with chromium_page() as page:
        open_studio(page, server, small)
        route_line(page, phase="done").wait_for(timeout=60_000)
        page.get_by_label("run on server").check()
        on_server(page).wait_for(timeout=60_000)
        page.get_by_label("blur enabled").click()
        slider = page.get_by_label("blur sigma")
        slider.focus()
        for _ in range(15):  # a quick drag: steps closer together than the server's settle time
            page.keyboard.press("ArrowRight")
            page.wait_for_timeout(30)
        params = {"blur": {**defaults("blur"), "sigma": float(slider.input_value())}}
        wait_for_result(page, cache_key("preprocessing", image, params))
    jobs = [
        j
        for j in httpx.get(f"{server}/api/pipelines/jobs", params={"limit": 500}).json()
        if j["job_id"] not in before
    ]
    # Latest wins on the server too: superseded steps were never sent or were cancelled, and
    # nothing of the drag is left queued or running once its last picture is shown.
    assert not [j for j in jobs if j["status"] in ("queued", "running")], jobs
    assert len([j for j in jobs if j["status"] == "completed"]) < 15
    assert any(j["params"] == params and j["status"] == "completed" for j in jobs)


def test_the_jobs_page_pages_past_50_and_lists_inference_jobs(app: FastAPI, server: str, small: Path) -> None:
    # 55 finished jobs in the store (rows as the service writes them), then an inference job.
    store = app.state.jobs.store
    for i in range(55):
        store.insert(
            Job(
                job_id=f"preprocessing-old{i:09d}",
                pipeline_id="preprocessing",
                cache_key=f"preprocessing:{i:016x}",
                input_path=str(small),
                params={"blur": {"kernelSize": 3 + 2 * (i % 5)}},
                output_path="/nowhere.png",
                status=JobStatus.cancelled,
                created_at=1_000_000 + i,
            )
        )
    body = {
        "pipeline_id": "inference",
        "checkpoint_path": "builtin:ppocrv4-det",
        "params": {"grayscale": True},
        "image_base64": base64.b64encode(small.read_bytes()).decode(),
        "wait": True,
    }
    answer = httpx.post(f"{server}/api/pipelines/fallback", json=body, timeout=120)
    if answer.status_code == 422 and "builtin" in answer.text:
        pytest.skip("the demo model is not installed (uv sync --extra demo)")
    assert answer.status_code == 200 and answer.json()["status"] == "completed", answer.text
    inference_id = answer.json()["job_id"]
    with chromium_page() as page:
        page.goto(server + "/#/jobs")
        row = page.locator(f'tr[data-job-id="{inference_id}"]')
        row.wait_for(timeout=20_000)
        assert row.get_attribute("data-pipeline") == "inference"
        ran = row.get_by_test_id("job-params").inner_text()
        assert ran.startswith("grayscale") and "PP-OCRv4_det" in ran  # the checkpoint file it ran
        assert row.get_by_role("link", name="detections JSON").count() == 1
        oldest = page.locator('tr[data-job-id="preprocessing-old000000000"]')
        assert oldest.count() == 0  # past the first 50
        page.get_by_role("button", name="Older jobs").click()
        oldest.wait_for(timeout=20_000)
        assert oldest.get_by_test_id("job-params").inner_text() == "blur kernelSize=3"
