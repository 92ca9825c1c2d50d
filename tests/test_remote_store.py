"""The `sparql` backend beyond the contract: loads that fail keep the old data, staged graphs stay
unseen, the time limit and the guard hold before and around the remote engine, and two front ends
over one Oxigraph server answer alike."""

from __future__ import annotations

import contextlib
import socket
import time
from collections.abc import Iterator

import pytest
import requests
from claimgraph import create_app
from claimgraph.errors import QueryRejected, QueryTimeout, StoreUnavailable
from claimgraph.iris import Iris
from claimgraph.loading import ensure_current
from claimgraph.store.sparql import GENERATION_TTL, STAGING, Endpoint, SparqlStore
from live_server import BIN, free_port, oxigraph_server, protocol_nquads, running, slow_query, sparql_settings

BASE = "http://claimgraph.test/"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
COUNT_NAMED = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
JSON = "application/sparql-results+json"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with oxigraph_server(tmp_path_factory.mktemp("oxigraph")) as url:
        yield url


def endpoint(server: str, timeout: float = 30) -> Endpoint:
    return Endpoint(f"{server}/query", f"{server}/update", f"{server}/store", timeout=timeout)


@pytest.fixture
def store(server: str) -> SparqlStore:
    loaded = SparqlStore(endpoint(server), base_iri=BASE)
    loaded.replace_all(protocol_nquads(BASE))
    return loaded


def count(store: SparqlStore, query: str = COUNT) -> int:
    return int(store.select(query)[0]["n"].toPython())


def all_graphs(server: str) -> set[str]:
    answer = requests.post(
        f"{server}/query",
        data={"query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"},
        headers={"Accept": JSON},
        timeout=10,
    )
    return {row["g"]["value"] for row in answer.json()["results"]["bindings"]}


def test_a_load_the_engine_refuses_leaves_the_old_data_served(server, store):
    revision = store.revision()
    broken = SparqlStore(
        Endpoint(f"{server}/query", f"{server}/update", f"{server}/no-such-store", timeout=30), base_iri=BASE
    )
    with pytest.raises(StoreUnavailable, match="404"):
        broken.replace_all(b'<http://e/s> <http://e/p> "new" <http://e/g> .\n')
    assert count(store) == 20
    assert store.stats().data_version == "protocol-test-1"
    assert store.revision() == revision
    assert not any(g.startswith(STAGING) for g in all_graphs(server))


def test_readers_never_see_a_load_before_its_switch(server, store, monkeypatch):
    seen: list[tuple[int, frozenset[str]]] = []
    reader = SparqlStore(endpoint(server), base_iri=BASE)

    def switch_fails(update: str) -> None:  # the staged graphs are on the engine now; the switch fails
        if "INSERT DATA" in update:
            assert any(g.startswith(STAGING) for g in all_graphs(server))
            seen.append((count(reader), reader.graph_names()))
            raise StoreUnavailable("the engine went away before the switch")
        SparqlStore._update(store, update)

    monkeypatch.setattr(store, "_update", switch_fails)
    with pytest.raises(StoreUnavailable):
        store.replace_all(b'<http://e/s> <http://e/p> "new" <http://e/g> .\n')
    monkeypatch.undo()
    assert seen == [(20, store.graph_names())]
    assert "http://e/g" not in store.graph_names()
    assert count(reader) == 20
    assert not any(g.startswith(STAGING) for g in all_graphs(server))


def test_another_front_end_sees_a_load_and_its_revision_changes(server, store):
    other = SparqlStore(endpoint(server), base_iri=BASE)
    revision = other.revision()
    assert count(other) == 20
    store.replace_all(b'<http://e/s> <http://e/p> "new" <http://e/g> .\n')
    assert count(store) == 1  # the loader itself sees its load at once
    time.sleep(GENERATION_TTL + 0.1)  # another front end within GENERATION_TTL
    assert other.revision() != revision
    assert count(other) == 1
    assert other.graph_names() == {"http://e/g"}


def test_an_upstream_400_is_rejected_with_the_engines_text(store):
    with pytest.raises(QueryRejected) as rejected:
        store.sparql("SELECT ?s WHERE { ?s ?p }", media_type=JSON)
    assert str(rejected.value)


def test_a_remote_timeout_is_a_query_timeout(server, store):
    impatient = SparqlStore(endpoint(server, timeout=1), base_iri=BASE)
    with pytest.raises(QueryTimeout):
        impatient.sparql(slow_query(), media_type=JSON)


def test_an_engine_that_is_gone_is_unavailable():
    gone = SparqlStore(endpoint(f"http://127.0.0.1:{free_port()}"), base_iri=BASE)
    with pytest.raises(StoreUnavailable):
        gone.select(COUNT)


@pytest.fixture
def remote_app(server, store):
    # One test client is one address: a budget large enough that a query stopped at the limit (charged
    # the whole query_timeout) leaves it room for the next (fair use is tested in test_production.py).
    fair_use = {"client_query_seconds": 100_000, "light_client_seconds": 100_000}
    config = {**sparql_settings(server), "base_iri": BASE, "query_timeout": 1.0, **fair_use}
    # The store as the settings would build it: its HTTP client's timeout is query_timeout (the
    # `store` fixture's is 30 s, and a remote store keeps the time limit itself).
    front_end = SparqlStore(endpoint(server, timeout=1.0), base_iri=BASE)
    app = create_app(config, store=front_end)
    return app.test_client()


def test_the_app_answers_a_remote_timeout_with_503(remote_app):
    answer = remote_app.get("/sparql", query_string={"query": slow_query()}, headers={"Accept": JSON})
    assert answer.status_code == 503
    assert (
        remote_app.get("/sparql", query_string={"query": COUNT}, headers={"Accept": JSON}).status_code == 200
    )


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }",
        "DROP ALL",
        'INSERT DATA { <http://e/s> <http://e/p> "x" }',
        f"SELECT * FROM <{STAGING}x:http://e/g> WHERE {{ ?s ?p ?o }}",
    ],
)
def test_the_guard_keeps_the_remote_store_unexposed(remote_app, store, query):
    answer = remote_app.get("/sparql", query_string={"query": query}, headers={"Accept": JSON})
    assert 400 <= answer.status_code < 500
    assert count(store) == 20


def test_two_front_ends_over_one_oxigraph_server_answer_alike(tmp_path, server):
    settings = {f"CLAIMGRAPH_{k.upper()}": v for k, v in sparql_settings(server).items()}
    settings["CLAIMGRAPH_BASE_IRI"] = BASE
    queries = [
        "SELECT ?claim ?text WHERE { ?claim a <http://schema.org/Claim> ; <http://schema.org/text> ?text }"
        " ORDER BY ?claim",
        COUNT,
    ]
    # The shipped data, loaded as a front end loads it at start (done here, so that neither front end
    # spends its start-up on it); both then find the engine current.
    assert ensure_current(SparqlStore(endpoint(server), base_iri=BASE), Iris(BASE), None)
    answers = []
    for name in ("one", "two"):
        port = free_port()
        folder = tmp_path / name
        folder.mkdir()
        command = [str(BIN / "claimgraph"), "serve", "--port", str(port)]
        with running(command, {**settings, "CLAIMGRAPH_PORT": str(port)}, port, folder / "serve.log") as base:
            got = [
                requests.get(
                    f"{base}sparql", params={"query": q}, headers={"Accept": JSON}, timeout=60
                ).json()
                for q in queries
            ]
            page = requests.get(f"{base}claims", timeout=60)
            assert page.status_code == 200
            got.append(page.text)
            assert (
                requests.get(f"{base}health", timeout=60).json()["data_version"]
                == SparqlStore(endpoint(server)).stats().data_version
            )
            answers.append(got)
    assert answers[0] == answers[1]
    assert answers[0][0]["results"]["bindings"], "the shipped claims are served"
    assert int(answers[0][1]["results"]["bindings"][0]["n"]["value"]) > 100


# -- what the backend reads from a query: its parse, not a regular expression ------------------------
CLAIM_COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?c a <http://schema.org/Claim> }"


@pytest.mark.parametrize(
    "query",
    [
        # FROM in a string, a comment, an IRI and a prefixed name: none is a dataset clause.
        'SELECT (COUNT(*) AS ?n) WHERE { ?c a <http://schema.org/Claim> FILTER(?c != "FROM <http://e/g>") }',
        "SELECT (COUNT(*) AS ?n) # FROM <http://claimgraph.test/graphs/context>\n"
        "WHERE { ?c a <http://schema.org/Claim> }",
        "PREFIX from: <http://schema.org/> SELECT (COUNT(*) AS ?n) WHERE { ?c a from:Claim }",
        "SELECT (COUNT(*) AS ?n) WHERE { ?c a <http://schema.org/Claim> FILTER(?c != <http://e/FROM>) }",
        # A form keyword as a prefix ahead of the real form.
        "PREFIX ask: <http://schema.org/> SELECT (COUNT(*) AS ?n) WHERE { ?c a ask:Claim }",
        "PREFIX construct: <http://schema.org/> SELECT (COUNT(*) AS ?n) WHERE { ?c a construct:Claim }",
        # An update keyword in a comment (SPARQLWrapper's guess, which cleans only every other line
        # of a run of comments, sent this as update=) or a string.
        "# Claims:\n# one added\nSELECT (COUNT(*) AS ?n) WHERE { ?c a <http://schema.org/Claim> }",
        'SELECT (COUNT(*) AS ?n) WHERE { ?c a <http://schema.org/Claim> FILTER(?c != "INSERT") }',
    ],
)
def test_a_from_or_form_word_outside_the_syntax_changes_nothing(store, query):
    rows = store.select(query)
    assert int(rows[0]["n"].toPython()) == 2  # the live dataset's union: both claims


def test_a_real_from_is_the_dataset(store):
    provenance = f"{BASE}claims/c1/provenance"
    query = f"SELECT (COUNT(*) AS ?n) FROM <{provenance}> WHERE {{ ?c a <http://schema.org/Claim> }}"
    assert int(store.select(query)[0]["n"].toPython()) == 1
    named = f"SELECT (COUNT(*) AS ?n) FROM NAMED <{provenance}> WHERE {{ ?c a <http://schema.org/Claim> }}"
    assert int(store.select(named)[0]["n"].toPython()) == 0  # FROM NAMED only: an empty default graph
    body = b"".join(store.sparql(query, media_type="text/csv").chunks)
    assert body.split()[1] == b"1"


@pytest.mark.parametrize(
    "template",
    [
        "SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
        "SELECT * WHERE {{ ?s ?p ?o OPTIONAL {{ SERVICE SILENT <{url}> {{ ?s ?q ?r }} }} }}",
        "ASK {{ SERVICE <{url}> {{ }} }} # a comment",
    ],
)
def test_the_store_itself_never_sends_a_service_query(store, template):
    with socket.socket() as listener:  # where the engine would connect, if it were asked
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        listener.settimeout(0.5)
        url = f"http://127.0.0.1:{listener.getsockname()[1]}/sparql"
        with pytest.raises(QueryRejected, match="SERVICE"):
            store.sparql(template.format(url=url), media_type=JSON)
        with pytest.raises(TimeoutError):
            listener.accept()


def test_two_production_servers_over_one_engine_answer_alike_and_hold_no_state(tmp_path, server):
    """Two `claimgraph serve --production` (gunicorn, two sync workers each) at once over one Oxigraph
    server: the same answers, and a load by a third client is what both then serve."""
    settings = {f"CLAIMGRAPH_{k.upper()}": v for k, v in sparql_settings(server).items()}
    settings["CLAIMGRAPH_BASE_IRI"] = BASE
    loader = SparqlStore(endpoint(server), base_iri=BASE)
    ensure_current(loader, Iris(BASE), None)  # what the first front end would do at start
    queries = [
        (
            "SELECT ?claim ?text WHERE { ?claim a <http://schema.org/Claim> ;"
            " <http://schema.org/text> ?text } ORDER BY ?claim",
            JSON,
        ),
        (COUNT, "text/csv"),
        (
            "CONSTRUCT { ?c a <http://schema.org/Claim> } WHERE { ?c a <http://schema.org/Claim> }",
            "application/n-triples",
        ),
    ]

    def answers(base: str) -> list[object]:
        got: list[object] = []
        for query, media_type in queries:
            answer = requests.get(
                f"{base}sparql", params={"query": query}, headers={"Accept": media_type}, timeout=60
            )
            assert answer.status_code == 200, answer.text
            got.append(sorted(answer.text.splitlines()) if media_type != JSON else answer.json())
        got.append(requests.get(f"{base}claims", timeout=60).status_code)
        got.append(requests.get(f"{base}health", timeout=60).json()["data_version"])
        return got

    with contextlib.ExitStack() as stack:
        bases = []
        for name in ("one", "two"):
            port = free_port()
            folder = tmp_path / name
            folder.mkdir()
            command = [
                str(BIN / "claimgraph"),
                "serve",
                "--production",
                "--workers",
                "2",
                "--port",
                str(port),
            ]
            env = {**settings, "CLAIMGRAPH_PORT": str(port)}
            bases.append(stack.enter_context(running(command, env, port, folder / "production.log")))
        first = [answers(base) for base in bases]
        assert first[0] == first[1]
        assert first[0][0]["results"]["bindings"], "the shipped claims are served"  # type: ignore[index]
        assert first[0][-1] == loader.stats().data_version
        # A load by a third client: both serve it within GENERATION_TTL, whichever worker answers.
        loader.replace_all(protocol_nquads(BASE))
        time.sleep(GENERATION_TTL + 0.2)
        after = [[answers(base) for _ in range(3)] for base in bases]
        assert all(run == after[0][0] for runs in after for run in runs)
        assert after[0][0][1] == ["20", "n"]  # the protocol dataset's 20 quads, in every worker
        assert after[0][0][-1] == "protocol-test-1"


def test_a_front_end_that_has_not_seen_a_switch_yet_reads_a_whole_generation(server, store):
    other = SparqlStore(endpoint(server), base_iri=BASE)
    assert count(other) == 20  # it has looked the live generation up now
    old_named = other.graph_names()
    store.replace_all(b'<http://e/s> <http://e/p> "new" <http://e/g> .\n')
    # Within GENERATION_TTL: the engine's default graph is the new union (the switch replaced it in
    # the same transaction as the graphs), and GRAPH is scoped by the generation it knows, whose
    # record is kept: its graphs, which the new data no longer has.
    assert count(other) == 1
    assert other.graph_names() == old_named
    assert count(other, COUNT_NAMED) == 0
    store.replace_all(protocol_nquads(BASE))
    time.sleep(GENERATION_TTL + 0.1)
    assert count(other) == 20
    assert count(other, COUNT_NAMED) == 20
    assert other.graph_names() == store.graph_names()
