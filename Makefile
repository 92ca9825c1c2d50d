# The two commands: `make run` serves, `make test` tests. Each creates .venv on its own.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-virtuoso lint format bench abuse browser-deps virtuoso-deps comunica w3c-suite clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/claimgraph serve

test: $(STAMP) browser-deps virtuoso-deps comunica w3c-suite
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	PYTHONPATH=service $(BIN)/lint-imports
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	PYTHONPATH=service $(BIN)/lint-imports

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

# The attacks of issue 15 against `claimgraph serve --production`, beside a normal probe (bench/abuse.py):
# loopback only, a fixed duration (a few minutes), stops by itself. A script, never a test.
abuse: $(STAMP)
	$(BIN)/python bench/abuse.py $(ABUSE_ARGS)

# tests/test_browser.py drives Debian's chromium through Playwright (never `playwright install`).
browser-deps:
	@test -x /usr/bin/chromium || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

# tests/test_virtuoso.py and the store contract suite start Debian's Virtuoso Open Source 7.2 (virtuoso-t),
# each on its own free loopback ports and database in a temporary folder; the package's own service is never used.
virtuoso-deps:
	@test -x /usr/bin/virtuoso-t || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	  apt-get install -y -qq --no-install-recommends virtuoso-opensource; }

# tests/test_linked_data_clients.py runs Comunica's link-traversal engine (npm registry) from .node/, a
# test-only folder git ignores; without node or the registry, that one test is skipped and says why.
COMUNICA := .node/node_modules/.bin/comunica-sparql-link-traversal
comunica:
	@test -x $(COMUNICA) || { command -v npm >/dev/null 2>&1 && mkdir -p .node \
	  && npm install --prefix .node --no-audit --no-fund --loglevel=error @comunica/query-sparql-link-traversal@^0.5; } \
	  || echo "comunica: not installed; the link-traversal test will be skipped"

# The W3C SPARQL 1.1 test files (tests/test_w3c_sparql.py), from rdflib's sdist on PyPI, into .cache/.
w3c-suite: $(STAMP)
	$(BIN)/python tests/w3c_suite.py

clean:
	rm -rf $(VENV) dist build *.egg-info .node
