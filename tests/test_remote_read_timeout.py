"""`sparql_read_timeout`: the service's own reads of a remote engine (the read model's build) may take
longer than whatever a request asks for. At 10M triples the read model's largest query took 142 s on
Virtuoso, over any sensible public limit: with one timeout for both, the pages could never be built;
with the long one for every read, a Graph Store GET could hold the engine for it."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from claimgraph import create_app
from claimgraph.errors import QueryTimeout
from claimgraph.store import own_reads, reading_own
from claimgraph.store.oxigraph import OxigraphStore
from claimgraph.store.sparql import SparqlStore
from claimgraph.store.sparql_http import Endpoint
from live_server import EmptyEngine, endpoint, fake_engine, protocol_nquads

JSON = "application/sparql-results+json"
#: The fake engine answers a query that names this IRI after DELAY seconds, any other at once.
SLOW = "http://e/slow"
DELAY = 1.5
QUERY = f"SELECT ?s WHERE {{ ?s <{SLOW}> ?o }}"


class SlowEngine(EmptyEngine):
    """A SPARQL endpoint with no data, slow on the queries that ask for it."""

    def heard(self, form: dict[str, list[str]]) -> None:
        if SLOW in form.get("query", [""])[0]:
            time.sleep(DELAY)


@pytest.fixture(scope="module")
def engine() -> Iterator[str]:
    with fake_engine(SlowEngine) as url:
        yield url


def store(url: str, read_timeout: float | None) -> SparqlStore:
    return SparqlStore(Endpoint(url, url, url, timeout=1.0, read_timeout=read_timeout), base_iri="http://e/")


def test_the_services_own_reads_have_the_read_timeout(engine):
    patient = store(engine, read_timeout=5.0)
    with own_reads():
        assert patient.select(QUERY) == []  # 1.5 s: over the public 1 s, within the read timeout
        with pytest.raises(QueryTimeout):
            patient.sparql(QUERY, media_type=JSON)  # a public query keeps the public limit
    with pytest.raises(QueryTimeout):
        patient.select(QUERY)  # what a request asks for (a Graph Store GET, a description) too


def test_without_it_the_reads_have_the_public_timeout(engine):
    with own_reads(), pytest.raises(QueryTimeout):
        store(engine, read_timeout=None).select(QUERY)


class WatchedStore(OxigraphStore):
    """Records, for each read, whether it was one of the service's own."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.reads: list[bool] = []

    def select(self, query: str) -> list:  # type: ignore[override]
        self.reads.append(reading_own())
        return super().select(query)

    def construct(self, query: str):  # type: ignore[no-untyped-def]
        self.reads.append(reading_own())
        return super().construct(query)


def test_the_read_model_is_built_as_the_services_own_reads_and_nothing_else():
    base = "http://claimgraph.test/"
    watched = WatchedStore(base_iri=base)
    watched.replace_all(protocol_nquads(base))
    app = create_app({"base_iri": base}, store=watched)
    assert watched.reads
    assert all(watched.reads)
    watched.reads.clear()
    assert app.test_client().get("/claims/c1", headers={"Accept": "text/turtle"}).status_code == 200
    assert watched.reads
    assert not any(watched.reads)  # the request's reads: its description
    # Content changed under the running app: the request that builds the model again reads it as
    # the service's own (its count of the store's content before, as any request's).
    extra = b'<http://claimgraph.test/x> <http://claimgraph.test/p> "o" <http://claimgraph.test/graphs/x> .\n'
    watched.replace_all(protocol_nquads(base) + extra)
    watched.reads.clear()
    assert app.test_client().get("/claims").status_code == 200
    assert watched.reads.count(True) > 10


def test_the_setting_reaches_the_store():
    assert endpoint(query_timeout=10, sparql_read_timeout=600).read_seconds == 600
    assert endpoint(query_timeout=10).read_seconds == 10
    with pytest.raises(ValueError, match="sparql_read_timeout"):
        endpoint(sparql_read_timeout=-1)
