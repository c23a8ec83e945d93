# The two commands of the README: `make run` and `make test`. Both install what they need first.
PYTHON ?= python3
UV := $(PYTHON) -m uv
NPM ?= npm
export UV_PYTHON_DOWNLOADS := never

WEB_SOURCES := $(shell find web/src web/scripts web/assembly -type f 2>/dev/null) \
	web/index.html web/bench.html web/package.json web/tsconfig.json web/vite.config.ts web/vite.node.config.ts

.PHONY: run test install web lint test-py test-web uv contract

uv:
	@$(UV) --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet uv

.venv/.installed: pyproject.toml uv.lock | uv
	$(UV) sync --frozen --all-extras
	@touch $@

web/node_modules/.installed: web/package.json web/package-lock.json
	cd web && $(NPM) ci --no-audit --no-fund
	@touch $@

# The SPA (web/dist) and the kernels bundled for Node (web/dist-node, used by the parity suite).
web/dist/index.html: web/node_modules/.installed $(WEB_SOURCES)
	cd web && $(NPM) run build
	@touch $@

install: .venv/.installed
web: web/dist/index.html

# The op table the browser reads (web/src/contract/pipelines.json), written from the Python registry.
# Run it after changing an op's params, then commit the file: tests/test_contract.py fails until then.
contract: install
	$(UV) run --frozen ocr-playground pipelines > web/src/contract/pipelines.json.tmp
	mv web/src/contract/pipelines.json.tmp web/src/contract/pipelines.json

run: install web
	$(UV) run --frozen ocr-playground serve --demo

lint: install
	$(UV) run --frozen ruff check src tests bench
	$(UV) run --frozen ruff format --check src tests bench

test-web: web
	cd web && $(NPM) test

# OCRP_STRICT turns "cannot run here" skips (no Chromium, no web build) into failures.
test-py: install web
	OCRP_STRICT=1 $(UV) run --frozen pytest

test: lint test-web test-py
