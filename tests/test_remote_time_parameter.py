"""`sparql_time_parameter`: every query to a remote engine carries the time the service gives it, as
a time limit of the engine's own for that query (Virtuoso's `timeout`, in milliseconds). Without
it, a query the service has answered 503 for can run on in the engine up to the engine's global
limit, which the read model's build may need to be minutes (`sparql_read_timeout`)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import ClassVar

import pytest
import requests
from claimgraph.errors import QueryTimeout
from claimgraph.store import own_reads
from claimgraph.store.sparql import SparqlStore
from claimgraph.store.sparql_http import Endpoint, complete, engine_timeout
from live_server import EmptyEngine, endpoint, fake_engine, protocol_nquads, slow_query
from virtuoso_server import VIRTUOSO, virtuoso_endpoint

JSON = "application/sparql-results+json"
QUERY = "SELECT ?s WHERE { ?s <http://e/p> ?o }"


class RecordingEngine(EmptyEngine):
    """A SPARQL endpoint with no data that keeps the form of every query it is sent."""

    received: ClassVar[list[dict[str, list[str]]]] = []

    def heard(self, form: dict[str, list[str]]) -> None:
        self.received.append(form)


@pytest.fixture(scope="module")
def engine() -> Iterator[str]:
    with fake_engine(RecordingEngine) as url:
        yield url


def sent_limits(url: str, run, **endpoint: object) -> list[list[str] | None]:  # type: ignore[no-untyped-def]
    """The time parameter of each query ``run`` sent to the recording engine (None: not sent)."""
    RecordingEngine.received.clear()
    run(SparqlStore(Endpoint(url, url, url, **endpoint), base_iri="http://e/"))  # type: ignore[arg-type]
    queries = [form for form in RecordingEngine.received if "query" in form]
    assert queries
    return [form.get("timeout") for form in queries]


def test_public_queries_carry_the_query_timeout_and_own_reads_the_read_timeout(engine):
    given = {"timeout": 2.0, "read_timeout": 600.0, "time_parameter": "timeout"}
    assert set(map(str, sent_limits(engine, lambda s: s.sparql(QUERY, media_type=JSON), **given))) == {
        "['2000']"
    }
    assert set(map(str, sent_limits(engine, lambda s: s.select(QUERY), **given))) == {"['2000']"}

    def own(store: SparqlStore) -> None:
        with own_reads():
            store.select(QUERY)

    limits = sent_limits(engine, own, **given)
    # The read itself has 600 s; the store's looks at the live generation around it, the public 2 s.
    assert limits.count(["600000"]) == 1
    assert all(limit in (["600000"], ["2000"]) for limit in limits)


def test_the_unit_can_be_seconds_and_nothing_is_sent_unless_set(engine):
    seconds = {"timeout": 2.5, "time_parameter": "timeout", "time_unit": "s"}
    assert set(map(str, sent_limits(engine, lambda s: s.select(QUERY), **seconds))) == {"['3']"}
    assert set(map(str, sent_limits(engine, lambda s: s.select(QUERY), timeout=2.5))) == {"None"}


def test_the_settings_reach_the_store_and_bad_values_are_refused():
    chosen = endpoint(query_timeout=4, sparql_time_parameter="timeout")
    assert chosen.time_limit(chosen.timeout) == [("timeout", "4000")]
    assert endpoint().time_limit(4) == []
    assert endpoint(sparql_time_parameter="t", sparql_time_unit="s").time_limit(4) == [("t", "4")]
    with pytest.raises(ValueError, match="sparql_time_unit"):
        endpoint(sparql_time_parameter="timeout", sparql_time_unit="minutes")
    with pytest.raises(ValueError, match="not a query parameter name"):
        endpoint(sparql_time_parameter="timeout=1&query=x")


@pytest.mark.skipif(VIRTUOSO is None, reason="virtuoso-t is not installed (make virtuoso-deps)")
def test_virtuoso_stops_the_query_at_the_time_it_is_sent(virtuoso_url):
    # The session's Virtuoso has a global limit of 20 s: an answer in a few seconds is the
    # parameter's doing. The request is the store's own (its text, dataset and time parameter),
    # waited for longer than the store would, to see what the engine answers.
    store = SparqlStore(virtuoso_endpoint(virtuoso_url), base_iri="http://claimgraph.test/")
    store.replace_all(protocol_nquads("http://claimgraph.test/"))
    text, shape = store._shape(slow_query())
    sent, parameters, _ = store.outgoing(text, shape, None)
    started = time.monotonic()
    answer = requests.post(
        store.endpoint.query_url,
        data=[("query", sent), *parameters, *store.endpoint.time_limit(1.0)],
        headers={"Accept": JSON},
        timeout=30,
    )
    took = time.monotonic() - started
    assert took < 8, f"Virtuoso ran the query {took:.1f} s, past the 1 s it was given"
    # It stops with an error (SR171, "Transaction timed out") or an incomplete answer (S1TAT): both
    # are a time-out to the store, never rows.
    if answer.status_code == 200:
        with pytest.raises(QueryTimeout, match="time limit"):
            complete(answer)
    else:
        assert engine_timeout(answer.text), answer.text[:300]
