# caspian-grid: every target sets up .venv itself, so a fresh clone needs only `make run` / `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip --disable-pip-version-check -q

.PHONY: run test fuzz docs bench bench-sweep lint install install-test clean chromium

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(PIP) install -e .
	touch $@

$(VENV)/.installed-docs: pyproject.toml | $(BIN)/python
	$(PIP) install -e '.[docs]'
	touch $(VENV)/.installed $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python chromium
	$(PIP) install -e '.[test,lint,docs]'
	touch $(VENV)/.installed $(VENV)/.installed-docs $@

## chromium: Debian's headless Chromium, for the browser tests and PNG/SVG export (never downloaded by Playwright)
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get install -y -q chromium >/dev/null 2>&1 || \
	  { $$SUDO apt-get update -q >/dev/null && $$SUDO apt-get install -y -q chromium; }; }

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

## make run: the default corridor study (base scenario) with its headline answers
run: install
	$(BIN)/caspian run

## make test: the test suite (cross-checks against PyPSA included)
test: install-test
	$(BIN)/python -m pytest -q -p no:cacheprovider

## make fuzz: the fuzz targets of tests/fuzz (network files, random networks, scenario and sweep
## files, the dashboard's JSON API) with 10,000 cases each instead of make test's 25 (FUZZ_CASES=N to
## change), in bounded memory with a per-case time limit, one process per target and FUZZ_JOBS
## (default: the cores) at a time; progress every minute, the cases per target at the end
FUZZ_CASES ?= 10000
FUZZ_JOBS ?= $(shell nproc 2>/dev/null || echo 2)
fuzz: install-test
	$(BIN)/python -m tests.fuzz.run_parallel --cases $(FUZZ_CASES) --jobs $(FUZZ_JOBS)

## make docs: the documentation site in site/; open site/index.html from disk (no server, no internet)
docs: $(VENV)/.installed-docs
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict
	@echo "documentation: site/index.html"

## make bench: the full-year corridor study (PyPSA + HiPO vs caspian's Benders, default run, typical
## days, synthetic 100x8760), what exact prices cost Benders (6-hourly and hourly), then the
## synthetic build/solve ladder; ratios printed, CSVs in bench/results/
bench: install-test
	$(BIN)/python -m bench.corridor_bench
	$(BIN)/python -m bench.price_bench
	$(BIN)/python -m bench.build_bench

## make bench-sweep: a 50-case sweep with 1 and 2 local Dask workers (about 75 minutes on 2 cores)
bench-sweep: install-test
	$(BIN)/python -m bench.sweep_bench

lint: install-test
	$(BIN)/ruff check src tests bench docs/hooks scripts
	$(BIN)/ruff format --check src tests bench docs/hooks scripts
	$(BIN)/mypy

clean:
	rm -rf $(VENV) results site .pytest_cache .mypy_cache .ruff_cache
