# Set-up is the same for every target: a virtual environment pinned by constraints.txt.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test e2e lint typecheck bench install browser clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/credit demo

browser:
	bash scripts/install-chromium.sh

test: $(STAMP) browser
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/python -m pytest -n 2 --dist loadgroup

# The deployments for real: a Prefect server, two workers, PostgreSQL, the alert's mail (also in `make test`).
e2e: $(STAMP)
	$(BIN)/python -m pytest -n 0 tests/e2e

lint: $(STAMP)
	$(BIN)/ruff check .

# mypy as configured in pyproject.toml: strict on credit/, store/ and reports/, checked on tasks/.
typecheck: $(STAMP)
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python bench/run.py

clean:
	rm -rf var out bench/out tests/artifacts .mypy_cache
