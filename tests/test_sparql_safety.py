"""/sparql is safe on the internet: no outbound connection, bounded nesting, a time limit.

Every query that could make the server fetch is aimed at a listener this test
starts on 127.0.0.1; the listener records every connection, and must record none.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest
import requests
from live_server import claimgraph_serve, gunicorn_serve, slow_query

pytestmark = pytest.mark.integration

TIME_LIMIT = 2.0


class Listener:
    """A TCP server on a free loopback port that records who connects, and answers nothing."""

    def __init__(self) -> None:
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.port = self.socket.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/sparql"
        self.connections: list[tuple[str, int]] = []
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, peer = self.socket.accept()
            except OSError:
                return
            self.connections.append(peer)
            conn.close()

    def close(self) -> None:
        self.socket.close()


@pytest.fixture(scope="module")
def listener() -> Iterator[Listener]:
    listening = Listener()
    yield listening
    listening.close()


@pytest.fixture(scope="module", params=["claimgraph serve", "gunicorn"])
def base(request, tmp_path_factory):
    """Both serving models: the sandbox's query processes (`claimgraph serve`), and gunicorn sync
    workers that run queries themselves (the production command)."""
    serve = claimgraph_serve if request.param == "claimgraph serve" else gunicorn_serve
    # every test here queries from 127.0.0.1, many of them slowly: one budget of fair use would not
    # last the module (tests/test_production.py and tests/test_fair_use.py test it)
    fair_use = {"client_query_seconds": 100_000, "light_client_seconds": 100_000}
    with serve(tmp_path_factory.mktemp("safety"), query_timeout=TIME_LIMIT, **fair_use) as url:
        yield url


@pytest.fixture(scope="module")
def endpoint(base):
    return base + "sparql"


@pytest.fixture
def never_contacted(listener, endpoint):
    """After the test: the listener saw no connection, and the server still answers."""
    yield listener
    time.sleep(0.2)  # a fetch, had one started, would have connected by now
    assert listener.connections == []
    assert requests.get(endpoint, params={"query": "ASK {}"}, timeout=10).json()["boolean"] is True


def refused(endpoint: str, status: int = 400, **params: str) -> str:
    response = requests.get(endpoint, params=params, timeout=30)
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"].startswith("text/plain")
    return response.text


# -- SERVICE -----------------------------------------------------------------------------------------
def test_service_is_refused(endpoint, never_contacted):
    text = refused(endpoint, query=f"SELECT * WHERE {{ SERVICE <{never_contacted.url}> {{ ?s ?p ?o }} }}")
    assert "SERVICE is not allowed" in text


def test_service_silent_is_refused(endpoint, never_contacted):
    service = f"SERVICE SILENT <{never_contacted.url}> {{ ?s ?q ?r }}"
    query = f"SELECT * WHERE {{ ?s ?p ?o OPTIONAL {{ {service} }} }}"
    assert "SERVICE is not allowed" in refused(endpoint, query=query)


def test_service_with_a_variable_is_refused(endpoint, never_contacted):
    query = f"SELECT * WHERE {{ VALUES ?e {{ <{never_contacted.url}> }} SERVICE ?e {{ ?s ?p ?o }} }}"
    assert "SERVICE is not allowed" in refused(endpoint, query=query)


def test_service_in_a_subquery_is_refused(endpoint, never_contacted):
    query = f"ASK {{ {{ SELECT * WHERE {{ SERVICE <{never_contacted.url}> {{ ?s ?p ?o }} }} }} }}"
    assert "SERVICE is not allowed" in refused(endpoint, query=query)


def test_service_spelled_with_an_escape_is_refused(endpoint, never_contacted):
    query = f"SELECT * WHERE {{ SERV\\u0049CE <{never_contacted.url}> {{ ?s ?p ?o }} }}"
    assert "SERVICE is not allowed" in refused(endpoint, query=query)


def test_service_iri_spelled_with_escapes_is_refused(endpoint, never_contacted):
    escaped = "".join(f"\\u{ord(c):04X}" for c in f"127.0.0.1:{never_contacted.port}")
    query = f"SELECT * WHERE {{ SERVICE <http://{escaped}/sparql> {{ ?s ?p ?o }} }}"
    assert "SERVICE is not allowed" in refused(endpoint, query=query)


def test_service_keyword_in_lower_case_with_prefixed_endpoint_is_refused(endpoint, never_contacted):
    prefix = f"PREFIX l: <http://127.0.0.1:{never_contacted.port}/>"
    query = f"{prefix} select * {{ service l:sparql {{ ?s ?p ?o }} }}"
    assert "SERVICE is not allowed" in refused(endpoint, query=query)


# -- FROM, FROM NAMED, and the protocol's dataset --------------------------------------------------
def test_from_an_outside_iri_is_refused(endpoint, never_contacted):
    text = refused(endpoint, query=f"SELECT * FROM <{never_contacted.url}> WHERE {{ ?s ?p ?o }}")
    assert "is not a named graph of this dataset" in text


def test_from_named_an_outside_iri_is_refused(endpoint, never_contacted):
    query = f"SELECT * FROM NAMED <{never_contacted.url}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"
    assert "is not a named graph of this dataset" in refused(endpoint, query=query)


def test_from_a_file_iri_is_refused(endpoint, never_contacted):
    text = refused(endpoint, query="SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }")
    assert "<file:///etc/passwd> is not a named graph" in text


def test_default_graph_uri_outside_is_refused(endpoint, never_contacted):
    text = refused(endpoint, query="ASK { ?s ?p ?o }", **{"default-graph-uri": never_contacted.url})
    assert "is not a named graph of this dataset" in text


def test_named_graph_uri_outside_is_refused(endpoint, never_contacted):
    params = {"query": "ASK { GRAPH ?g { ?s ?p ?o } }", "named-graph-uri": never_contacted.url}
    response = requests.post(endpoint, data=params, timeout=30)
    assert response.status_code == 400
    assert "is not a named graph of this dataset" in response.text


def test_load_is_refused_as_an_update(endpoint, never_contacted):
    refused(endpoint, 403, query=f"LOAD <{never_contacted.url}>")
    response = requests.post(endpoint, data={"update": f"LOAD <{never_contacted.url}>"}, timeout=30)
    assert response.status_code == 403


# -- nesting, the time limit --------------------------------------------------------------------------
def test_deep_nesting_is_refused_before_any_parser(endpoint):
    # A few thousand levels kill pyoxigraph's parser with a stack overflow.
    query = "ASK { " + "{ " * 5000 + "}" * 5000 + " }"
    response = requests.post(
        endpoint, data=query.encode(), headers={"Content-Type": "application/sparql-query"}
    )
    assert response.status_code == 400
    assert "max_nesting_depth" in response.text
    assert requests.get(endpoint, params={"query": "ASK {}"}).json()["boolean"] is True


def test_nesting_hidden_behind_a_string_of_closers_is_still_counted(endpoint):
    query = 'SELECT * { FILTER("' + ")" * 3000 + '") ' + "(" * 3000 + "1" + ")" * 3000 + " }"
    response = requests.post(endpoint, data={"query": query})
    assert response.status_code == 400
    assert "max_nesting_depth" in response.text


def test_time_limit_gives_503_and_frees_the_worker(endpoint):
    started = time.monotonic()
    response = requests.get(endpoint, params={"query": slow_query()}, timeout=60)
    elapsed = time.monotonic() - started
    assert response.status_code == 503
    assert response.text.startswith("Service Unavailable: the query did not finish within 2 s")
    assert TIME_LIMIT <= elapsed < TIME_LIMIT + 4
    started = time.monotonic()
    assert requests.get(endpoint, params={"query": "ASK {}"}, timeout=10).json()["boolean"] is True
    assert time.monotonic() - started < 1


def test_concurrent_slow_queries_all_stop_and_the_server_answers(endpoint):
    answers: list[int] = []

    def ask_slow() -> None:
        answers.append(requests.get(endpoint, params={"query": slow_query()}, timeout=60).status_code)

    threads = [threading.Thread(target=ask_slow) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # each is stopped at the time limit (503), or refused by fair use past client_max_queries (429)
    assert set(answers) <= {429, 503}, answers
    assert answers.count(503) >= 2, answers
    assert requests.get(endpoint, params={"query": "ASK {}"}, timeout=10).json()["boolean"] is True
