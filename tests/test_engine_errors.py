"""Every kind of error the engine (pyoxigraph) raises maps to a 4xx or a 503 with a message, never a 500.

The kinds: pyoxigraph raises Python's SyntaxError, ValueError (UnicodeEncodeError among them),
TypeError, RuntimeError, OSError, MemoryError, and pyo3's PanicException (a BaseException) when
a Rust panic unwinds; a panic that aborts instead (the sort in ORDER BY) ends the process.
"""

from __future__ import annotations

import os
import re

import pyoxigraph as ox
import pytest
import requests
from claimgraph import create_app
from claimgraph.errors import EngineFailure, QueryRejected, StoreUnavailable
from claimgraph.limits import runner as runner_module
from claimgraph.store.oxigraph_query import engine_error
from conftest import BASE, runner_for

CSV = "text/csv"


class PanicException(BaseException):
    """Named as pyo3's (pyo3_runtime.PanicException, which Python code cannot import)."""


@pytest.mark.parametrize(
    ("exc", "expected", "words"),
    [
        (SyntaxError("error at 1:5: expected WHERE"), QueryRejected, "error at 1:5"),
        (ValueError("invalid IRI"), QueryRejected, "invalid IRI"),
        (TypeError("expected str"), QueryRejected, "expected str"),
        (UnicodeEncodeError("utf-8", "\ud800", 0, 1, "surrogates not allowed"), QueryRejected, "Unicode"),
        (RuntimeError("The custom function <urn:f> is not supported"), QueryRejected, "not supported"),
        (RuntimeError("RocksDB: Corruption: bad block"), StoreUnavailable, "Corruption"),
        (OSError(5, "Input/output error"), StoreUnavailable, "Input/output error"),
        (MemoryError(), StoreUnavailable, "memory"),
        (PanicException("index out of bounds"), EngineFailure, "index out of bounds"),
        (LookupError("something new"), EngineFailure, "something new"),
    ],
)
def test_each_engine_error_kind_has_its_answer(exc, expected, words):
    mapped = engine_error(exc)
    assert isinstance(mapped, expected)
    assert words in str(mapped)


def test_interrupts_are_not_engine_errors():
    assert engine_error(KeyboardInterrupt()) is None
    assert engine_error(SystemExit(0)) is None


def test_the_kinds_are_what_the_engine_raises(loaded_store):
    # The real engine, no guard in front: each trigger raises the kind the table above maps.
    store = ox.Store()
    triggers = {
        "SELECT * {": SyntaxError,
        "SELECT * { BIND(<urn:f>(1) AS ?x) }": RuntimeError,
        "SELECT * { BIND('\ud800' AS ?x) }": UnicodeEncodeError,
        "SELECT * { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }": OSError,
    }
    for query, kind in triggers.items():
        with pytest.raises(kind):
            list(store.query(query))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("SELECT * { BIND(<urn:f>(1) AS ?x) }", "The custom function <urn:f> is not supported"),
        ("SELECT * { BIND(<http://example.org/f>(?s, 2) AS ?x) ?s ?p ?o }", "is not supported"),
        (r"SELECT * { BIND('\uD800' AS ?x) }", r"\uD800 is a surrogate"),
        (r"ASK { FILTER(STR('\uDFFF') = '') }", r"\uDFFF is a surrogate"),
    ],
)
def test_the_endpoint_answers_engine_refusals_with_400(data_client, query, words):
    response = data_client.get("/sparql", query_string={"query": query})
    assert response.status_code == 400
    assert words in response.get_data(as_text=True)


class AbortingStore:
    """The shipped store, except that a query with ORDER BY aborts the process, as the engine's
    sort panic does (tests/README: the pp14 reproduction)."""

    def __init__(self, inner) -> None:
        self.inner = inner

    def __getattr__(self, name: str):
        return getattr(self.inner, name)

    def sparql(self, query: str, **kwargs):
        if re.search(r"order\b.*\bby", query, re.IGNORECASE | re.DOTALL):
            os.abort()
        return self.inner.sparql(query, **kwargs)

    def child_opener(self):
        return lambda: self


def test_a_panic_that_aborts_the_query_process_is_a_503_and_the_next_query_works(loaded_store):
    app = create_app({"base_iri": BASE}, store=AbortingStore(loaded_store))
    client = app.test_client()
    query = "SELECT * WHERE { ?x ?p ?y } ORDER BY ?x ?y"
    response = client.get("/sparql", query_string={"query": query})
    assert response.status_code == 503
    assert "crashed on this query" in response.get_data(as_text=True)
    assert client.get("/sparql", query_string={"query": "ASK {}"}).status_code == 200


def test_a_worker_that_runs_queries_itself_sends_sorting_queries_to_a_query_process(
    loaded_store, monkeypatch
):
    # A gunicorn sync worker evaluates queries in its own process, where an abort would end it; a
    # query that sorts goes to the sandbox instead. Were it run here, this test process would die.
    runner = runner_for(AbortingStore(loaded_store))
    monkeypatch.setattr(runner_module, "_queries_here", True)
    monkeypatch.setattr(runner_module, "_answer_at_deadline", lambda seconds, setting="": lambda: None)
    try:
        with pytest.raises(EngineFailure, match="contained"):
            runner.sparql("SELECT * { ?s ?p ?o } ORDER # a comment\n BY ?s", media_type=CSV)
        assert runner.sparql("ASK {}", media_type=CSV).chunks == [b"true"]
    finally:
        runner.close()


@pytest.mark.integration
def test_a_gunicorn_worker_answers_sorting_queries_through_its_sandbox(tmp_path):
    from live_server import children, gunicorn_serve, gunicorn_workers

    with gunicorn_serve(tmp_path, workers=1) as base:
        ask = requests.get(base + "sparql", params={"query": "ASK {}"}, timeout=30)
        assert ask.status_code == 200
        (worker,) = gunicorn_workers(base)
        # ran in the worker itself; its one child, if any, is the zygote of the query processes that
        # serve the short fair-use slots (limits/fairuse.py)
        assert len(children(worker)) <= 1
        query = "SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s LIMIT 3"
        sorted_answer = requests.get(base + "sparql", params={"query": query, "format": "csv"}, timeout=30)
        assert sorted_answer.status_code == 200
        assert sorted_answer.text.splitlines()[0] == "s"
        assert len(children(worker)) == 1  # the sandbox's zygote
        assert gunicorn_workers(base) == [worker]
