# Two entry points (see README): `make demo` and `make test`. Both create .venv and install everything first.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip

DIST ?= dist

.PHONY: install services demo test lint typecheck bench dist clean

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

# Servers the replica tests start for themselves (tests/conftest.py): PostgreSQL and Redis from Debian's packages.
# Installed only when missing and running as root; never fatal (without them those tests skip and say why).
SERVICE_PACKAGES := $(if $(wildcard /usr/lib/postgresql/*/bin/initdb),,postgresql) \
	$(if $(shell command -v redis-server),,redis-server)
services:
	@if [ -n "$(strip $(SERVICE_PACKAGES))" ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "installing $(strip $(SERVICE_PACKAGES)) for the replica tests"; \
	  (timeout 300 apt-get update -qq && DEBIAN_FRONTEND=noninteractive timeout 300 apt-get install -y -qq \
	    --no-install-recommends $(SERVICE_PACKAGES)) >/dev/null 2>&1 || echo "could not install them: those tests skip"; \
	fi

test: install services
	$(BIN)/python -m pytest tests integrations/langchain/tests integrations/llama-index/tests --nbmake notebooks

lint: install
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy

# The three wheels (none is on PyPI): interlock, langchain-interlock, llama-index-postprocessor-interlock.
# hatchling (the build backend, in the dev extra) is used from .venv: no build isolation, so no download.
dist: $(BIN)/python
	$(PIP) install -q "hatchling>=1.24"
	$(PIP) wheel -q --no-deps --no-build-isolation -w $(DIST) . integrations/langchain integrations/llama-index

bench: install
	$(BIN)/python benchmarks/bench_engine.py

clean:
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache .ruff_cache $(TS_CONFORMANCE)/node_modules
