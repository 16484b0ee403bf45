# Two entry points (see README): `make demo` and `make test`. Both create .venv and install everything first.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip

.PHONY: install demo test lint typecheck bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip

TS_CONFORMANCE := tests/server/ts

install: $(BIN)/python $(TS_CONFORMANCE)/node_modules/.package-lock.json
	$(PIP) install -q -e ".[all,dev]" -e "integrations/langchain[agents]" -e integrations/llama-index

# The TypeScript SDK conformance client (tests/server/test_server_ts_sdk.py), pinned by its package-lock.json.
# Without npm the test skips; with npm a failing install fails here.
$(TS_CONFORMANCE)/node_modules/.package-lock.json: $(TS_CONFORMANCE)/package-lock.json $(TS_CONFORMANCE)/package.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --prefix $(TS_CONFORMANCE) --no-audit --no-fund --loglevel=error; \
	else \
		echo "npm not found: the TypeScript SDK conformance test will be skipped"; \
	fi

demo: install
	$(BIN)/interlock demo

test: install
	$(BIN)/python -m pytest tests integrations/langchain/tests integrations/llama-index/tests --nbmake notebooks

lint: install
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy

bench: install
	$(BIN)/python benchmarks/bench_engine.py

clean:
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache .ruff_cache $(TS_CONFORMANCE)/node_modules
