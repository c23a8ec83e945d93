"""One rule for tests that need something this machine may lack (Chromium, the web build, node, the
demo model): skip locally, but fail under ``OCRP_STRICT=1`` (CI and ``make test``), where a missing
piece is a broken setup, not an excuse."""

import importlib.util
import os

import pytest


def cannot_run(reason: str) -> None:
    if os.environ.get("OCRP_STRICT"):
        pytest.fail(f"OCRP_STRICT is set and this test cannot run: {reason}")
    pytest.skip(reason, allow_module_level=True)


def require_module(name: str, why: str) -> None:
    """``cannot_run`` unless ``name`` is importable (for example the demo extra's model wheel)."""
    if importlib.util.find_spec(name) is None:
        cannot_run(f"{name} is not installed: {why}")
