# civicpulse-report. Run `make help` for the targets. Only python3 is assumed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
JOBS ?= 2

.DEFAULT_GOAL := help
.PHONY: help setup browser-tools demo demo-data test test-all test-update lint format notebooks bench bench-smoke clean

help: ## List the targets
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  make %-12s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP) ## Create .venv and install the package with its dev tools

demo: $(STAMP) ## Generate the synthetic demo data and build every demo LA's report
	$(BIN)/civicpulse-report demo --jobs $(JOBS) --format html,pdf,docx

demo-data: $(STAMP) ## Only generate the synthetic demo data into data/demo/
	$(BIN)/civicpulse-report demo --no-build

browser-tools: ## Install Debian chromium and the pinned npm axe-core for tests/browser (no-op when present)
	bash scripts/setup-browser-tools.sh

# Two pytest workers, one test file each at a time (a file's fixtures build once).
PYTEST_WORKERS ?= 2
PYTEST_PARALLEL := -n $(PYTEST_WORKERS) --dist loadfile --durations=15

test: $(STAMP) browser-tools ## Run the test suite (fast: skips suites marked slow; PYTEST_WORKERS=2)
	$(BIN)/python -m pytest $(PYTEST_PARALLEL)

test-all: $(STAMP) browser-tools ## Run every test, including suites marked slow (larger synthetic data sets)
	$(BIN)/python -m pytest -m "" $(PYTEST_PARALLEL)

test-update: $(STAMP) ## Refresh the snapshot files the snapshot tests compare against
	UPDATE_SNAPSHOTS=1 $(BIN)/python -m pytest tests/integration/test_snapshots.py

lint: $(STAMP) ## ruff check and format check
	$(BIN)/ruff check civicpulse_report tests benchmarks
	$(BIN)/ruff format --check civicpulse_report tests benchmarks

format: $(STAMP) ## Apply ruff formatting and fixes
	$(BIN)/ruff check --fix civicpulse_report tests benchmarks
	$(BIN)/ruff format civicpulse_report tests benchmarks

notebooks: $(STAMP) ## Regenerate analysis/*.ipynb from their paired .py (jupytext), outputs stripped
	$(BIN)/jupytext --to ipynb analysis/*.py

bench: $(STAMP) ## Benchmark the build against issue 9's targets (BENCH_ARGS='--las 30'; see benchmarks/README.md)
	$(BIN)/python benchmarks/bench_build.py $(BENCH_ARGS)

bench-smoke: $(STAMP) ## The benchmark's small CI mode: ~10 LAs, HTML only, no target judged
	$(BIN)/python benchmarks/bench_build.py --smoke $(BENCH_ARGS)

clean: ## Remove build products (keeps .venv)
	rm -rf build reports/[0-9]* .pytest_cache
