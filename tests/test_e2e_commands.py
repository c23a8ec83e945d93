"""The Command Builder in a real Chromium against a real server.

Fill the train form one change at a time and check each settled change costs exactly one
POST /api/commands/build (a burst of keystrokes too), that the console shows the server's answer,
that a broken rule is shown next to its field, that copy puts exactly the shown string on the
clipboard (POSIX and PowerShell), and that the downloaded .sh holds the command and, run with sh in
a copy of the example project, composes a config holding the values chosen in the form.
"""

import os
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from ocr_playground.settings import Settings

from browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, e2e_server

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

PROJECT = Path(__file__).resolve().parents[1] / "examples" / "dbnet_project"
DEBOUNCE_S = 0.25
QUIET_MS = 700  # well past the debounce: a build that was going to happen has started by then


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root: Path = tmp_path_factory.mktemp("e2e-commands")
    (root / "checkpoints" / "dbnet").mkdir(parents=True)
    (root / "checkpoints" / "dbnet" / "epoch=12.ckpt").write_bytes(b"x")
    settings = Settings(
        data_root=root / "data",
        outputs_root=root / "outputs",
        checkpoints_root=root / "checkpoints",
        commands_project_dir=PROJECT,
    )
    with e2e_server(settings) as base:
        yield base


class Builds:
    """Every POST /api/commands/build the page sends, and the answers it gets."""

    def __init__(self, page) -> None:
        self.requests: list[dict[str, Any]] = []
        self.answers: list[dict[str, Any]] = []
        self.refused = 0
        page.on("request", self._on_request)
        page.on("response", self._on_response)

    @staticmethod
    def _is_build(r) -> bool:
        return r.method == "POST" and r.url.endswith("/api/commands/build")

    def _on_request(self, r) -> None:
        if self._is_build(r):
            self.requests.append(r.post_data_json)

    def _on_response(self, r) -> None:
        if self._is_build(r.request):
            if r.ok:
                self.answers.append(r.json())
            else:
                self.refused += 1


@pytest.fixture()
def page(server: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            context = browser.new_context(
                viewport={"width": 1400, "height": 900},
                permissions=["clipboard-read", "clipboard-write"],
                accept_downloads=True,
            )
            yield context.new_page()
        finally:
            browser.close()


def settle(page, builds: Builds, expected: int, state: str = "ready") -> dict[str, Any]:
    """Wait until the console shows the latest build, then a while longer; check the build count."""
    page.locator(f'section[aria-label="Console"][data-state="{state}"]').wait_for(timeout=20_000)
    page.wait_for_timeout(QUIET_MS)
    assert len(builds.requests) == expected, [r["values"] for r in builds.requests]
    assert page.locator('section[aria-label="Console"]').get_attribute("data-state") == state
    if state != "ready":
        return {}
    assert len(builds.answers) == expected - builds.refused
    return builds.answers[-1]


def shown_command(page) -> str:
    return page.get_by_test_id("command-text").text_content() or ""


def field(page, label: str):
    return page.get_by_label(label, exact=True)


def test_form_builds_once_per_change_copies_and_downloads(server: str, page, tmp_path: Path) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    builds = Builds(page)
    page.goto(server + "/#/commands")
    field(page, "Experiment name").wait_for()
    assert page.get_by_label("Command schema").input_value() == "train"
    first = settle(page, builds, 1)  # the defaults, built once on load
    assert first["overrides"] == []
    assert shown_command(page) == first["command"]
    n = 1

    # One change at a time; each is one build, and the console shows that build's answer.
    changes = [
        lambda: field(page, "Experiment name").fill("receipts v2"),
        lambda: field(page, "Architecture").select_option("dbnetpp"),
        lambda: field(page, "Learning rate").fill("0.0005"),
        lambda: field(page, "Batch size").select_option("16"),
        lambda: page.get_by_role("group", name="Tags").get_by_label("debug").check(),
        lambda: field(page, "Append model suffix").check(),
    ]
    for change in changes:
        change()
        n += 1
        answer = settle(page, builds, n)
        assert shown_command(page) == answer["command"]
        assert answer["validation_error"] is None

    # The slider: one key press is one change.
    slider = field(page, "Max epochs")
    slider.focus()
    page.keyboard.press("ArrowRight")
    n += 1
    settle(page, builds, n)
    assert slider.input_value() == "51"

    # A burst of keystrokes inside the debounce settles into a single build.
    box = field(page, "Experiment name")
    box.press("End")
    box.press_sequentially("_x", delay=40)
    n += 1
    answer = settle(page, builds, n)
    assert builds.requests[-1]["values"]["exp_name"] == "receipts v2_x"

    # A broken rule: the live build still answers, and the message sits next to its field.
    box.fill("")
    n += 1
    answer = settle(page, builds, n)
    assert answer["invalid_field"] == "exp_name"
    inline = page.locator('[data-field="exp_name"] [role="alert"]')
    assert "exp_name" in (inline.text_content() or "")
    assert box.get_attribute("aria-invalid") == "true"
    box.fill("receipts v2")
    n += 1
    answer = settle(page, builds, n)
    assert answer["validation_error"] is None and inline.count() == 0

    # A field revealed by visible_if, and hidden again: its value never reaches the command.
    field(page, "Resume from a checkpoint").check()
    n += 1
    answer = settle(page, builds, n)
    assert answer["invalid_field"] == "resume_checkpoint"
    assert field(page, "Checkpoint to resume from").is_visible()
    field(page, "Resume from a checkpoint").uncheck()
    n += 1
    answer = settle(page, builds, n)
    assert field(page, "Checkpoint to resume from").count() == 0

    # What the page shows is what the server builds for these values.
    values = builds.requests[-1]["values"]
    direct = httpx.post(
        f"{server}/api/commands/build",
        json={"schema_id": "train", "values": values, "append_model_suffix": True},
    ).json()
    command = shown_command(page)
    assert command == direct["command"] == answer["command"]
    assert "exp_name='receipts v2-dbnetpp-resnet18'" in command
    assert "optimizer.lr=0.0005" in command and "trainer.max_epochs=51" in command

    # The diff against the defaults, old → new.
    diff = page.get_by_test_id("defaults-diff")
    assert diff.locator("tr").count() == 7  # 6 fields and the suffix switch
    assert "0.001 → 0.0005" in (diff.locator('tr[data-key="learning_rate"]').text_content() or "")

    # Copy: exactly the shown string, in either shell.
    page.get_by_role("button", name="Copy").click()
    page.get_by_test_id("build-status").filter(has_text="Copied").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == command
    page.get_by_role("button", name="PowerShell").click()
    assert shown_command(page) == answer["powershell"]
    page.get_by_role("button", name="Copy").click()
    page.get_by_test_id("build-status").filter(has_text="Copied").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == answer["powershell"]
    page.get_by_role("button", name="POSIX sh").click()
    assert len(builds.requests) == n  # switching shells builds nothing

    # Download the .sh: a shebang, a cd into the project the command runs in, and the command.
    with page.expect_download() as dl:
        page.get_by_role("button", name="Download .sh").click()
    download = dl.value
    assert download.suggested_filename == "train-receipts_v2.sh"
    script = tmp_path / download.suggested_filename
    download.save_as(script)
    cd = f"cd {PROJECT} || exit 1"
    assert script.read_text(encoding="utf-8") == f"#!/usr/bin/env sh\n{cd}\n{command}\n"
    with page.expect_download() as dl:
        page.get_by_role("button", name="Download .ps1").click()
    assert dl.value.suggested_filename == "train-receipts_v2.ps1"

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "commands.png"), full_page=True)

    # And it runs: sh executes the script in a copy of the example project (python = this venv's),
    # so its cd is pointed at the copy (the run writes its outputs there).
    project = tmp_path / "project"
    shutil.copytree(PROJECT, project, ignore=shutil.ignore_patterns("outputs", "__pycache__"))
    script.write_text(script.read_text(encoding="utf-8").replace(cd, f"cd {shlex.quote(str(project))}"))
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    run = subprocess.run(
        ["sh", str(script)], cwd=project, env=env, capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stderr
    resolved = yaml.safe_load(Path(run.stdout.strip().splitlines()[-1]).read_text(encoding="utf-8"))
    assert resolved["exp_name"] == "receipts v2-dbnetpp-resnet18"
    assert resolved["optimizer"]["lr"] == 0.0005
    assert resolved["trainer"]["max_epochs"] == 51
    assert resolved["trainer"]["batch_size"] == 16
    assert resolved["tags"] == ["debug"]
    assert not errors, errors


def test_presets_and_pasted_commands_fill_the_form(server: str, page) -> None:
    builds = Builds(page)
    page.goto(server + "/#/commands")
    field(page, "Experiment name").wait_for()
    settle(page, builds, 1)

    # Presets are filtered by the chosen architecture.
    presets = page.get_by_role("region", name="Recommendations")
    presets.get_by_role("button", name="Use preset DBNet baseline on receipts").wait_for()
    assert presets.get_by_role("button", name="Use preset CRAFT on ICDAR 2015").count() == 0
    presets.get_by_role("button", name="Use preset DBNet baseline on receipts").click()
    answer = settle(page, builds, 2)
    assert field(page, "Experiment name").input_value() == "receipts_baseline"
    assert field(page, "Max epochs").input_value() == "100"
    assert field(page, "Append model suffix").is_checked()
    assert "exp_name=receipts_baseline-dbnet-resnet18" in answer["command"]
    assert (
        presets.get_by_role("button", name="Use preset DBNet baseline on receipts").get_attribute(
            "aria-pressed"
        )
        == "true"
    )

    # Paste a command line: the server reads it back into the form.
    pasted = "python train.py model/architectures=craft optimizer=sgd trainer.max_epochs=7 exp_name=pasted"
    page.get_by_label("Command line to read into the form").fill(pasted)
    page.get_by_role("button", name="Fill the form").click()
    answer = settle(page, builds, 3)
    assert field(page, "Architecture").evaluate("s => s.selectedOptions[0].textContent") == "craft"
    assert builds.requests[-1]["values"]["architecture"] == "craft"
    assert field(page, "Experiment name").input_value() == "pasted"
    assert field(page, "Max epochs").input_value() == "7"
    assert "model/architectures=craft" in answer["command"]
    # The architecture changed, so the craft presets are offered now.
    presets.get_by_role("button", name="Use preset CRAFT on ICDAR 2015").wait_for()

    # Another schema: one build for its defaults.
    page.get_by_label("Command schema").select_option("run")
    field(page, "Output PNG").wait_for()
    answer = settle(page, builds, 4)
    assert answer["schema_id"] == "run" and answer["invalid_field"] == "image"

    # A value the server refuses outright (422, not a rule): the console says so, the field too.
    field(page, "Resize").check()
    settle(page, builds, 5)
    field(page, "Long side (px)").fill("100.5")
    settle(page, builds, 6, state="error")
    refusal = page.locator('[data-field="resize_max_side"] [role="alert"]').text_content() or ""
    assert "whole number" in refusal
    assert page.get_by_role("button", name="Copy").is_disabled()
    field(page, "Long side (px)").fill("100")
    answer = settle(page, builds, 7)
    assert "maxSide" in answer["command"]


def test_a_value_that_is_not_a_number_is_an_error_and_never_leaves_the_command(server: str, page) -> None:
    builds = Builds(page)
    page.goto(server + "/#/commands")
    field(page, "Learning rate").wait_for()
    settle(page, builds, 1)
    # The form says what it always sets, and where the command runs (the example trains nothing).
    assert "trainer.deterministic=true" in (page.get_by_test_id("constant-overrides").text_content() or "")
    folder = page.get_by_test_id("command-folder").text_content() or ""
    assert f"cd {PROJECT}" in folder and "train nothing" in folder

    field(page, "Learning rate").fill("abc")
    settle(page, builds, 2, state="error")
    assert builds.requests[-1]["values"]["learning_rate"] == "abc"  # sent as typed, never dropped
    inline = page.locator('[data-field="learning_rate"] [role="alert"]').text_content() or ""
    assert "must be a number" in inline and "'abc'" in inline
    assert field(page, "Learning rate").get_attribute("aria-invalid") == "true"
    assert "not valid" in (page.get_by_test_id("build-status").text_content() or "")
    # No command to copy or download while the field is wrong: not the default's, not any.
    assert page.get_by_test_id("command-text").count() == 0
    for name in ("Copy", "Download .sh", "Download .ps1"):
        assert page.get_by_role("button", name=name, exact=True).is_disabled()

    field(page, "Learning rate").fill("0.002")
    answer = settle(page, builds, 3)
    assert "optimizer.lr=0.002" in shown_command(page) == answer["command"]
    assert page.locator('[data-field="learning_rate"] [role="alert"]').count() == 0

    # A paste error belongs to the form it was pasted into: switching the command clears it.
    page.get_by_label("Command line to read into the form").fill("python nope.py")
    page.get_by_role("button", name="Fill the form").click()
    paste = page.get_by_role("region", name="Paste a command").get_by_role("alert")
    paste.wait_for()
    page.get_by_label("Command schema").select_option("test")
    settle(page, builds, 4)
    assert paste.count() == 0
