# Two entry points (see README): `make demo` and `make test`. Both create .venv and install everything first.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip

DIST ?= dist

.PHONY: install demo test lint typecheck bench dist clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip

install: $(BIN)/python
	$(PIP) install -q -e ".[all,dev]" -e "integrations/langchain[agents]" -e integrations/llama-index

demo: install
	$(BIN)/interlock demo

test: install
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
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache .ruff_cache
