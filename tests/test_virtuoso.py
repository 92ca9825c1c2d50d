"""The `sparql` backend on Virtuoso beyond the contract (tests/test_store_contract.py runs that on
Virtuoso too): the engine's own result and time limits never pass a partial answer on, loads never
touch Virtuoso's own graphs, what a load graph by graph cannot keep is refused before anything is
sent, and Virtuoso's ways with literals.

Virtuoso here has small limits of its own: RESULT_ROWS rows, SECONDS seconds.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Iterator

import pytest
import requests
from claimgraph import create_app
from claimgraph.errors import QueryTimeout, ResultTooLarge, StoreUnavailable
from claimgraph.store.sparql import STAGING, SparqlStore
from claimgraph.store.sparql_load import mark_switching
from live_server import protocol_nquads, slow_query
from rdflib import Literal
from rdflib.namespace import XSD
from virtuoso_server import VIRTUOSO, virtuoso_endpoint, virtuoso_server, virtuoso_settings

pytestmark = pytest.mark.skipif(VIRTUOSO is None, reason="virtuoso-t is not installed (make virtuoso-deps)")

BASE = "http://claimgraph.test/"
JSON = "application/sparql-results+json"
RESULT_ROWS, SECONDS = 1000, 3
#: 20 quads, three times over: 8,000 solutions, past the engine's RESULT_ROWS.
CROSS = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
VIRTRDF = "http://www.openlinksw.com/schemas/virtrdf#"
XSD_NS = "http://www.w3.org/2001/XMLSchema#"
LITERALS = f"""\
<http://e/s> <http://e/flag> "false"^^<{XSD_NS}boolean> <http://e/g> .
<http://e/s> <http://e/on> "true"^^<{XSD_NS}boolean> <http://e/g> .
<http://e/s> <http://e/at> "2024-08-05T10:00:00+00:00"^^<{XSD_NS}dateTime> <http://e/g> .
<http://e/s> <http://e/share> "0.90"^^<{XSD_NS}decimal> <http://e/g> .
<http://e/s> <http://e/label> "Granična policija"@sr-Latn <http://e/g> .
""".encode()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with virtuoso_server(tmp_path_factory.mktemp("virtuoso"), seconds=SECONDS, rows=RESULT_ROWS) as url:
        yield url


@pytest.fixture
def store(server: str) -> SparqlStore:
    loaded = SparqlStore(virtuoso_endpoint(server), base_iri=BASE)
    loaded.replace_all(protocol_nquads(BASE))
    return loaded


def count(store: SparqlStore) -> int:
    return int(store.select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")[0]["n"].toPython())


def engine_graphs(server: str) -> set[str]:
    answer = requests.post(
        f"{server}/sparql",
        data={"query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"},
        headers={"Accept": JSON},
        timeout=30,
    )
    return {row["g"]["value"] for row in answer.json()["results"]["bindings"]}


@pytest.mark.parametrize("media_type", [JSON, "text/csv", "application/sparql-results+xml"])
def test_the_engines_result_limit_is_refused_not_passed_on_cut_short(store, media_type):
    # Virtuoso answers 200 with its first ResultSetMaxRows rows and a header saying so.
    with pytest.raises(ResultTooLarge, match=f"limit of {RESULT_ROWS} rows"):
        store.sparql(CROSS, media_type=media_type)
    with pytest.raises(ResultTooLarge):
        store.select(CROSS)
    # Virtuoso sends its header at exactly RESULT_ROWS rows too: one fewer is a whole answer.
    assert len(store.select(CROSS + f" LIMIT {RESULT_ROWS - 1}")) == RESULT_ROWS - 1


def test_the_engines_time_limit_is_a_query_timeout(store):
    with pytest.raises(QueryTimeout, match="time limit"):
        store.sparql(slow_query(), media_type=JSON)


def test_the_app_answers_the_engines_time_limit_with_503(server, store):
    fair_use = {"client_query_seconds": 100_000, "light_client_seconds": 100_000}
    app = create_app({**virtuoso_settings(server), "base_iri": BASE, **fair_use}, store=store)
    client = app.test_client()
    answer = client.get("/sparql", query_string={"query": slow_query()}, headers={"Accept": JSON})
    assert answer.status_code == 503
    assert b"time limit" in answer.data
    answer = client.get("/sparql", query_string={"query": CROSS}, headers={"Accept": JSON})
    assert answer.status_code == 400
    assert b"1000 rows" in answer.data
    ask = client.get("/sparql", query_string={"query": "ASK {}"}, headers={"Accept": JSON})
    assert ask.status_code == 200


def test_loads_leave_virtuosos_own_graphs_alone(server, store):
    assert VIRTRDF in engine_graphs(server)
    store.replace_all(b'<http://e/s> <http://e/p> "new" <http://e/g> .\n')
    store.replace_all(protocol_nquads(BASE))
    assert VIRTRDF in engine_graphs(server)
    assert VIRTRDF not in store.graph_names()
    assert "http://e/g" not in engine_graphs(server)  # the previous generation's graphs are gone
    assert count(store) == 20


def test_a_union_graph_sent_in_pieces_holds_every_triple_once(server, store, monkeypatch):
    # The Graph Store's PUT then POSTs (sparql_content.GRAPH_PIECE) on the engine itself.
    import claimgraph.store.sparql_content as content

    monkeypatch.setattr(content, "GRAPH_PIECE", 7)
    store.replace_all(protocol_nquads(BASE))
    assert count(store) == 20  # the default graph readers see: the union graph, 20 triples in 3 pieces

    def triples(query: str) -> list[tuple[str, str, str]]:
        return sorted((str(r["s"]), str(r["p"]), str(r["o"])) for r in store.select(query))

    named = set(triples("SELECT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }"))
    assert triples("SELECT ?s ?p ?o WHERE { ?s ?p ?o }") == sorted(named)


def test_a_load_that_fails_leaves_the_old_data_and_no_staged_graph(server, store):
    revision = store.revision()
    broken = SparqlStore(
        dataclasses.replace(virtuoso_endpoint(server), graph_store_url=f"{server}/no-such-graph-store"),
        base_iri=BASE,
    )
    with pytest.raises(StoreUnavailable):
        broken.replace_all(b'<http://e/s> <http://e/p> "new" <http://e/g> .\n')
    assert count(store) == 20
    assert store.revision() == revision
    assert not any(g.startswith(STAGING) for g in engine_graphs(server))


@pytest.mark.parametrize(
    ("nquads", "message"),
    [
        (b'<http://e/s> <http://e/p> "in the default graph" .\n', "default graph"),
        (
            b"<http://e/s> <http://e/p> _:b <http://e/g1> .\n_:b <http://e/p> <http://e/o> <http://e/g1> .\n",
            "blank node",
        ),
    ],
)
def test_what_a_load_graph_by_graph_cannot_keep_is_refused_before_sending(server, store, nquads, message):
    before = engine_graphs(server)
    with pytest.raises(ValueError, match=message):
        store.replace_all(nquads)
    assert engine_graphs(server) == before
    assert count(store) == 20


def test_literals_come_back_as_their_values_and_booleans_canonical(store):
    store.replace_all(LITERALS)
    row = store.select(
        "SELECT * WHERE { <http://e/s> <http://e/flag> ?flag ; <http://e/on> ?on ;"
        " <http://e/at> ?at ; <http://e/share> ?share ; <http://e/label> ?label }"
    )[0]
    # Virtuoso's JSON writes booleans 0 and 1: the backend gives the canonical terms.
    assert (row["flag"], row["on"]) == (Literal(False), Literal(True))
    flag = store.sparql("SELECT ?o WHERE { <http://e/s> <http://e/flag> ?o }", media_type=JSON)
    body = b"".join(flag.chunks)
    assert b'"false"' in body
    # Virtuoso keeps values, not lexical forms: +00:00 comes back as Z, 0.90 as 0.9 (README).
    assert row["at"].datatype == XSD.dateTime
    assert row["at"].toPython() == Literal("2024-08-05T10:00:00+00:00", datatype=XSD.dateTime).toPython()
    assert row["share"].toPython() == Literal("0.90", datatype=XSD.decimal).toPython()
    assert (str(row["label"]), str(row["label"].language).lower()) == ("Granična policija", "sr-latn")


NAMED = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
UNION_COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def counts(store: SparqlStore) -> tuple[int, int]:
    """(quads in the live named graphs, triples in their union) as a reader sees them."""
    return tuple(int(store.select(query)[0]["n"].toPython()) for query in (NAMED, UNION_COUNT))  # type: ignore[return-value]


@pytest.fixture(scope="module")
def generations(built) -> tuple[bytes, bytes]:
    """Two generations of the shipped data: as built, and with every quad of a string literal once
    more with an altered string (as bench/virtuoso_switch.py loads)."""
    small = built.dataset.serialize(format="nquads", encoding="utf-8")
    big = small + b"".join(
        line.replace(b'"', b'"B', 1)
        for line in small.splitlines(keepends=True)
        if b'"' in line and b'"^^' not in line
    )
    return small, big


def test_loads_beside_a_reader_switch_and_the_reader_sees_one_generation_whole(server, generations):
    # This Virtuoso stops an update after SECONDS (3 s): one update rewriting the shipped data whole
    # took 4-10 s, and every switch beside a reader failed (SR171). Readers of the old switch also saw
    # counts between two generations: Virtuoso reads at read committed, without a snapshot.
    small, big = generations
    writer = SparqlStore(virtuoso_endpoint(server), base_iri=BASE)
    writer.replace_all(small)
    expected = {counts(writer)}
    reader = SparqlStore(virtuoso_endpoint(server), base_iri=BASE, read_only=True)
    seen: list[tuple[int, int] | str] = []
    stop = threading.Event()

    def read() -> None:
        while not stop.is_set():
            try:
                seen.append(counts(reader))
            except Exception as exc:  # a failure is recorded, and fails the test below
                seen.append(repr(exc))
            time.sleep(0.05)

    thread = threading.Thread(target=read)
    thread.start()
    try:
        for data in (big, small, big):
            writer.replace_all(data)
            expected.add(counts(writer))
    finally:
        stop.set()
        thread.join()
    assert len(expected) == 2  # the two generations' counts
    assert len(seen) > 20
    assert set(seen) <= expected, [s for s in seen if s not in expected][:5]
    assert counts(reader) == max(expected)  # the last load (the big one) is live


def test_a_switch_that_fails_half_way_leaves_the_old_generation_served(server, generations):
    small, big = generations
    store = SparqlStore(virtuoso_endpoint(server), base_iri=BASE)
    store.replace_all(small)
    before, revision = counts(store), store.revision()
    sent: list[str] = []
    update = store._update

    def failing(text: str) -> None:
        sent.append(text)
        update(text)
        if text.startswith("INSERT DATA") and sum(t.startswith("INSERT DATA") for t in sent) == 2:
            # the engine applied the second chunk of new quads, and the answer was lost
            raise StoreUnavailable("the SPARQL endpoint cannot be reached: connection reset")

    store._update = failing  # type: ignore[method-assign]
    with pytest.raises(StoreUnavailable, match="connection reset"):
        store.replace_all(big)
    assert any(t.startswith("INSERT DATA") for t in sent)  # it failed in the middle of the changes
    store._update = update  # type: ignore[method-assign]
    reader = SparqlStore(virtuoso_endpoint(server), base_iri=BASE, read_only=True)
    assert counts(reader) == before
    assert reader.revision() == revision
    assert counts(store) == before
    store.replace_all(big)  # and the next load goes through
    assert counts(reader) != before


def test_a_switch_whose_loader_died_is_taken_over_by_the_next_load(server, generations):
    small, big = generations
    store = SparqlStore(virtuoso_endpoint(server, timeout=2), base_iri=BASE)
    store.replace_all(small)
    reader = SparqlStore(virtuoso_endpoint(server, timeout=2), base_iri=BASE, read_only=True)
    before = counts(reader)
    store._update(mark_switching("a-load-whose-loader-died"))
    reader._checked = None
    with pytest.raises(QueryTimeout, match="switching"):  # named graphs: a 503, never a mix
        reader.select(NAMED)
    assert int(reader.select(UNION_COUNT)[0]["n"].toPython()) == before[1]  # the union graph: served
    store.replace_all(big)  # waits for the mark as long as a query may, then takes over
    assert counts(reader) == counts(SparqlStore(virtuoso_endpoint(server), base_iri=BASE, read_only=True))
    assert counts(reader)[0] > before[0]
