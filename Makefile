# The two commands of the README: `make run` and `make test`. Both install what they need first.
PYTHON ?= python3
UV := $(PYTHON) -m uv
export UV_PYTHON_DOWNLOADS := never

.PHONY: run test install lint test-py uv

uv:
	@$(UV) --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet uv

.venv/.installed: pyproject.toml uv.lock | uv
	$(UV) sync --frozen --all-extras
	@touch $@

install: .venv/.installed

run: install
	$(UV) run --frozen ocr-playground serve --demo

lint: install
	$(UV) run --frozen ruff check src tests bench
	$(UV) run --frozen ruff format --check src tests bench

test-py: install
	$(UV) run --frozen pytest

test: lint test-py
