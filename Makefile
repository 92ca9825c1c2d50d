# The two commands: `make run` serves, `make test` tests. Each creates .venv on its own.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint format bench browser-deps w3c-suite clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/claimgraph serve

test: $(STAMP) browser-deps w3c-suite
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# The benchmark (bench/run.py --help): `make bench`, or e.g. `make bench BENCH_ARGS=--quick`.
# Throughput is measured with wrk (Debian), installed here when missing; without it, a bounded Python client.
bench: $(STAMP)
	@command -v wrk >/dev/null 2>&1 || apt-get install -y -qq wrk >/dev/null 2>&1 \
	  || { apt-get update -qq && apt-get install -y -qq wrk; } >/dev/null 2>&1 \
	  || echo "bench: wrk could not be installed; throughput uses the bounded Python client"
	$(BIN)/python bench/run.py $(BENCH_ARGS)

# tests/test_browser.py drives Debian's chromium through Playwright (never `playwright install`).
browser-deps:
	@test -x /usr/bin/chromium || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

# The W3C SPARQL 1.1 test files (tests/test_w3c_sparql.py), from rdflib's sdist on PyPI, into .cache/.
w3c-suite: $(STAMP)
	$(BIN)/python tests/w3c_suite.py

clean:
	rm -rf $(VENV) dist build *.egg-info
