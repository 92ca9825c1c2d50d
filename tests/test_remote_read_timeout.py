"""`sparql_read_timeout`: the service's own reads of a remote engine (the read model, counts) may take
longer than a public query. At 10M triples the read model's largest query took 142 s on Virtuoso,
over any sensible public limit: with one timeout for both, the pages could never be built."""

from __future__ import annotations

import threading
import time
import urllib.parse
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from claimgraph.errors import QueryTimeout
from claimgraph.settings import Settings
from claimgraph.store.sparql import SparqlStore
from claimgraph.store.sparql_http import Endpoint

JSON = "application/sparql-results+json"
#: The fake engine answers a query that names this IRI after DELAY seconds, any other at once.
SLOW = "http://e/slow"
DELAY = 1.5
QUERY = f"SELECT ?s WHERE {{ ?s <{SLOW}> ?o }}"
EMPTY = b'{"head": {"vars": ["s"]}, "results": {"bindings": []}}'


class SlowEngine(BaseHTTPRequestHandler):
    """A SPARQL endpoint with no data, slow on the queries that ask for it."""

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        query = urllib.parse.parse_qs(body.decode()).get("query", [""])[0]
        if SLOW in query:
            time.sleep(DELAY)
        self.send_response(200)
        self.send_header("Content-Type", JSON)
        self.send_header("Content-Length", str(len(EMPTY)))
        self.end_headers()
        self.wfile.write(EMPTY)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def engine() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), SlowEngine)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/sparql"
    server.shutdown()


def store(url: str, read_timeout: float | None) -> SparqlStore:
    return SparqlStore(Endpoint(url, url, url, timeout=1.0, read_timeout=read_timeout), base_iri="http://e/")


def test_the_stores_own_reads_have_the_read_timeout(engine):
    patient = store(engine, read_timeout=5.0)
    assert patient.select(QUERY) == []  # 1.5 s: over the public 1 s, within the read timeout
    with pytest.raises(QueryTimeout):
        patient.sparql(QUERY, media_type=JSON)  # a public query keeps the public limit


def test_without_it_the_reads_have_the_public_timeout(engine):
    with pytest.raises(QueryTimeout):
        store(engine, read_timeout=None).select(QUERY)


def test_the_setting_reaches_the_store():
    def endpoint(**given: object) -> Endpoint:
        settings = Settings.from_mapping(
            {"base_iri": "http://e/", "store_backend": "sparql", "sparql_query_url": "http://e/q", **given},
            environ={},
        )
        return SparqlStore.from_settings(settings).endpoint

    assert endpoint(query_timeout=10, sparql_read_timeout=600).read_seconds == 600
    assert endpoint(query_timeout=10).read_seconds == 10
    with pytest.raises(ValueError, match="sparql_read_timeout"):
        endpoint(sparql_read_timeout=-1)
