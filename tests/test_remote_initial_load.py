"""The initial load (store/sparql_initial.py): the first load into an engine that holds nothing of
ours goes to the graphs' own names under a switch mark; readers wait while it is marked, a failed one
leaves the engine as it was, and a loader killed half way is mended by the next load. On Oxigraph
server (sparql_load quads) and Virtuoso (sparql_load graphs), each test on a fresh engine."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path

import pytest
import requests
from claimgraph.errors import QueryRejected, QueryTimeout, StoreUnavailable
from claimgraph.store import sparql_content
from claimgraph.store.sparql import Endpoint, SparqlStore
from claimgraph.store.sparql_load import GENERATION, META, STAGING, SWITCHING, mark_switching
from live_server import (
    BIN,
    free_port,
    oxigraph_graph_store,
    oxigraph_server,
    protocol_nquads,
    running,
    sparql_settings,
)
from virtuoso_server import VIRTUOSO, virtuoso_endpoint, virtuoso_server

BASE = "http://claimgraph.test/"
JSON = "application/sparql-results+json"
#: Quads in the graphs the tests load (Virtuoso holds graphs of its own).
COUNT_NAMED = (
    "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o }"
    ' FILTER(STRSTARTS(STR(?g), "http://claimgraph.test/") || STRSTARTS(STR(?g), "http://e/")) }'
)
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
#: The protocol dataset's quads in its named graphs, and its triples (tests/data/protocol.trig).
PROTOCOL_QUADS = 20


def oxigraph_endpoint(base: str, timeout: float = 30) -> Endpoint:
    return Endpoint(f"{base}/query", f"{base}/update", oxigraph_graph_store(base), timeout=timeout)


ENGINES: dict[str, tuple[Callable[[Path], AbstractContextManager[str]], Callable[..., Endpoint]]] = {
    "oxigraph-server": (oxigraph_server, oxigraph_endpoint),
    "virtuoso": (virtuoso_server, virtuoso_endpoint),
}


@pytest.fixture(params=sorted(ENGINES))
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, Callable[..., Endpoint]]]:
    """A fresh engine (nothing of ours in it): its base URL and how to reach it."""
    if request.param == "virtuoso" and VIRTUOSO is None:
        pytest.skip("virtuoso-t is not installed (make virtuoso-deps)")
    start, reach = ENGINES[request.param]
    with start(tmp_path) as base:
        yield base, reach


def store_of(engine: tuple[str, Callable[..., Endpoint]], timeout: float = 30) -> SparqlStore:
    base, reach = engine
    return SparqlStore(reach(base, timeout=timeout), base_iri=BASE)


def engine_rows(engine: tuple[str, Callable[..., Endpoint]], query: str) -> list[dict[str, str]]:
    """The engine's own answer, past the service (its query endpoint, no dataset)."""
    base, reach = engine
    answer = requests.post(reach(base).query_url, data={"query": query}, headers={"Accept": JSON}, timeout=30)
    answer.raise_for_status()
    return [{k: v["value"] for k, v in row.items()} for row in answer.json()["results"]["bindings"]]


def meta_rows(engine: tuple[str, Callable[..., Endpoint]]) -> list[dict[str, str]]:
    return engine_rows(engine, f"SELECT ?s ?p ?o WHERE {{ GRAPH <{META}> {{ ?s ?p ?o }} }}")


def data_graphs(engine: tuple[str, Callable[..., Endpoint]]) -> set[str]:
    """Every graph the engine holds that a load of ours wrote (not Virtuoso's own)."""
    rows = engine_rows(engine, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
    return {row["g"] for row in rows if row["g"].startswith(("http://claimgraph.test/", "urn:claimgraph:"))}


def count(store: SparqlStore, query: str = COUNT_NAMED) -> int:
    return int(store.select(query)[0]["n"].toPython())


def recording(store: SparqlStore) -> list[str]:
    """Every update and request body the store sends from now on, as text."""
    sent: list[str] = []
    update, send = store._update, store._client.send

    def recorded_update(text: str) -> None:
        sent.append(text)
        update(text)

    def recorded_send(method: str, url: str, body: bytes, *args: str) -> bytes:
        sent.append(f"{method} {url}\n{body.decode()}")
        return send(method, url, body, *args)

    store._update = recorded_update  # type: ignore[method-assign]
    store._client.send = recorded_send  # type: ignore[method-assign]
    return sent


def test_an_initial_load_sends_the_data_under_its_own_names_and_a_reload_is_staged(engine):
    store = store_of(engine)
    sent = recording(store)
    store.replace_all(protocol_nquads(BASE))
    assert count(store) == PROTOCOL_QUADS
    assert not any(STAGING in text or "MOVE" in text for text in sent)
    assert any(f"<{SWITCHING}>" in text for text in sent)
    states = [row for row in meta_rows(engine) if row["s"] == META]
    assert [row["p"] for row in states] == [GENERATION]
    sent.clear()
    store.replace_all(b'<http://e/s> <http://e/p> "new" <http://e/g> .\n')
    assert count(store) == 1
    assert any(STAGING in text or "DELETE DATA" in text for text in sent)  # the engine held a generation


def test_readers_wait_while_an_initial_load_is_marked(engine):
    loader, reader = store_of(engine), store_of(engine, timeout=1)
    assert count(reader) == 0
    seen: list[str] = []
    send = loader._send_piece

    def send_then_read(*piece):  # type: ignore[no-untyped-def]
        send(*piece)  # every quad is in the engine now (one piece); the mark is not yet ended
        assert len(data_graphs(engine)) > 1
        reader._checked = None
        with pytest.raises(QueryTimeout, match="switching"):
            count(reader)
        seen.append("waited")

    loader._send_piece = send_then_read  # type: ignore[method-assign]
    loader.replace_all(protocol_nquads(BASE))
    assert seen == ["waited"]
    reader._checked = None
    assert count(reader) == PROTOCOL_QUADS


def test_a_failed_initial_load_leaves_the_engine_as_it_was(engine, monkeypatch):
    store = store_of(engine)
    monkeypatch.setattr(sparql_content, "LOAD_PIECE", 4)
    monkeypatch.setattr(sparql_content, "GRAPH_PIECE", 4)
    send = store._client.send
    calls: list[str] = []

    def fails_on_the_third(method: str, url: str, body: bytes, content_type: str, *args: str) -> bytes:
        if content_type != "application/x-www-form-urlencoded":  # a piece of data, not an update
            calls.append(method)
            if len(calls) == 3:
                raise StoreUnavailable("the engine went away half way through the load")
        return send(method, url, body, content_type, *args)

    store._client.send = fails_on_the_third  # type: ignore[method-assign]
    with pytest.raises(StoreUnavailable, match="half way"):
        store.replace_all(protocol_nquads(BASE))
    assert len(calls) == 3
    assert data_graphs(engine) == set()
    assert meta_rows(engine) == []
    if engine[1] is oxigraph_endpoint:
        assert engine_rows(engine, COUNT) == [{"n": "0"}]  # the default graph, where the union went
    reader = store_of(engine, timeout=1)
    assert count(reader) == 0  # no mark left: readers read (nothing), they do not wait
    store._client.send = send  # type: ignore[method-assign]
    sent = recording(store)
    store.replace_all(protocol_nquads(BASE))
    assert not any(STAGING in text for text in sent)  # initial again
    reader._checked = None
    assert count(reader) == PROTOCOL_QUADS


def test_a_loader_killed_half_way_is_mended_by_the_next_load(engine):
    """Killed between its mark and its end: readers wait (503 past their limit) until a load ends;
    the next load is staged (the mark is there) and replaces the half-written graphs."""
    store = store_of(engine)
    base, reach = engine
    update_url = reach(base).update_url
    half = 'INSERT DATA { GRAPH <http://claimgraph.test/g/half> { <http://e/s> <http://e/p> "half" } }'
    for text in (mark_switching("killed"), half):
        store._client.update(update_url, text)
    reader = store_of(engine, timeout=1)
    with pytest.raises(QueryTimeout, match="switching"):
        count(reader)
    mender = store_of(engine, timeout=2)
    sent = recording(mender)
    mender.replace_all(b'<http://e/s> <http://e/p> "new" <http://claimgraph.test/g/half> .\n')
    assert any(STAGING in text or "DELETE DATA" in text for text in sent)
    reader._checked = None
    rows = reader.select("SELECT ?o WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert [str(row["o"]) for row in rows] == ["new"]
    assert [row["p"] for row in meta_rows(engine) if row["s"] == META] == [GENERATION]


def test_an_answer_read_as_an_initial_load_began_is_read_again(engine):
    """A reader that looked at the engine (no generation of ours) just before an initial load was
    marked may send its query during the load: its answer is checked against the state after it."""
    reader, loader = store_of(engine, timeout=1), store_of(engine)
    assert count(reader) == 0  # looked at: no generation, no mark (trusted for GENERATION_TTL)
    read = reader._read
    marked: list[bool] = []

    def read_then_mark(response, max_bytes, timeout):  # type: ignore[no-untyped-def]
        body = read(response, max_bytes, timeout)
        if not marked:
            loader._client.update(loader.endpoint.update_url, mark_switching("begun"))
            marked.append(True)
        return body

    reader._read = read_then_mark  # type: ignore[method-assign]
    with pytest.raises(QueryTimeout, match="switching"):
        count(reader)
    assert marked == [True]


def test_an_engine_holding_a_graph_the_data_names_is_loaded_the_staged_way(engine):
    """A graph of the same name (another application's) is replaced by the switch, as before: an
    initial load would add to it, and could not give it back if it failed."""
    store = store_of(engine)
    base, reach = engine
    theirs = 'INSERT DATA { GRAPH <http://claimgraph.test/g/half> { <http://e/s> <http://e/p> "theirs" } }'
    store._client.update(reach(base).update_url, theirs)
    sent = recording(store)
    store.replace_all(b'<http://e/s> <http://e/p> "ours" <http://claimgraph.test/g/half> .\n')
    assert any(STAGING in text or "DELETE DATA" in text for text in sent)
    rows = store.select("SELECT ?o WHERE { GRAPH <http://claimgraph.test/g/half> { ?s ?p ?o } }")
    assert [str(row["o"]) for row in rows] == ["ours"]


def test_an_initial_load_overtaken_by_another_load_fails_and_the_other_is_served(engine):
    """A load that finds an initial load's mark waits out its time limit (a loader that died looks
    the same), then takes over; the overtaken load finds its mark gone at its end and fails."""
    slow, other = store_of(engine), store_of(engine, timeout=1)
    send = slow._send_piece
    overtaken: list[bool] = []

    def send_then_overtaken(*piece):  # type: ignore[no-untyped-def]
        send(*piece)
        other.replace_all(b'<http://e/s> <http://e/p> "other" <http://e/g> .\n')
        overtaken.append(True)

    slow._send_piece = send_then_overtaken  # type: ignore[method-assign]
    with pytest.raises(StoreUnavailable, match="took the remote store over"):
        slow.replace_all(protocol_nquads(BASE))
    assert overtaken == [True]
    reader = store_of(engine, timeout=1)
    rows = reader.select("SELECT ?o WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert [str(row["o"]) for row in rows] == ["other"]
    states = [(row["p"], row["o"]) for row in meta_rows(engine) if row["s"] == META]
    other._checked = None
    other.revision()
    assert other._generation is not None
    assert states == [(GENERATION, other._generation)]


def test_an_initial_load_sends_a_piece_at_a_time_and_the_union_is_a_set(engine, monkeypatch):
    """A triple in two graphs, in two pieces, is sent with each piece's union and counted once; the
    quads are read as they are sent, never all held (each piece is at most LOAD_PIECE quads)."""
    monkeypatch.setattr(sparql_content, "LOAD_PIECE", 2)
    store = store_of(engine)
    pieces: list[int] = []
    send = store._send_piece

    def counted(quads, triples, union):  # type: ignore[no-untyped-def]
        pieces.append(len(quads) + len(triples))
        send(quads, triples, union)

    store._send_piece = counted  # type: ignore[method-assign]
    store.replace_all(
        b'<http://e/s> <http://e/p> "shared" <http://claimgraph.test/g/1> .\n'
        b'<http://e/s> <http://e/p> "own" <http://claimgraph.test/g/1> .\n'
        b'<http://e/s> <http://e/p> "shared" <http://claimgraph.test/g/2> .\n'
    )
    assert pieces == [4, 2]  # two quads and their two union triples; one quad and its union triple
    assert count(store) == 3  # the named graphs' quads
    assert count(store, COUNT) == 2  # the union, as a set: "shared" once
    rows = store.select("SELECT ?o WHERE { ?s ?p ?o } ORDER BY ?o")
    assert [str(row["o"]) for row in rows] == ["own", "shared"]


def queries_of(store: SparqlStore) -> list[str]:
    """Every query ``store.select`` is given from now on."""
    asked: list[str] = []
    select = store.select

    def recorded(query: str) -> list[dict]:  # type: ignore[type-arg]
        asked.append(query)
        return select(query)

    store.select = recorded  # type: ignore[method-assign]
    return asked


def test_stats_read_the_quad_count_each_load_recorded(engine):
    """The engine is not asked to count (at 10M it took Oxigraph server past two minutes): the load
    counts the data's quads, a quad given twice once, and records it with the generation."""
    data = protocol_nquads(BASE)
    twice = data + data.splitlines(keepends=True)[0]
    loader = store_of(engine)
    for load in (twice, twice + b'<http://e/s> <http://e/p> "more" <http://claimgraph.test/g/more> .\n'):
        loader.replace_all(load)  # the first an initial load, the second staged (or marked)
        reader = store_of(engine)
        asked = queries_of(reader)
        quads = reader.stats().quads
        assert not any("COUNT" in query for query in asked)
        assert quads == count(loader) == PROTOCOL_QUADS + (load != twice)
        recorded_counts = [row["o"] for row in meta_rows(engine) if row["p"].endswith("quad-count")]
        assert str(quads) in recorded_counts


#: A released version's graph (nanopublication: iris.VERSION_GRAPH) and a current claim's graph.
RELEASED = "https://w3id.org/claimgraph/np/RA" + "a" * 43 + "#assertion"
CURRENT = "http://claimgraph.test/claims/c1/assertion"


@pytest.mark.parametrize("loads", [1, 2], ids=["initial", "staged"])
def test_a_released_version_is_read_by_graph_only_never_in_the_union(engine, loads):
    """Each piece's union leaves a released version's triples out (a superseded figure would
    otherwise answer beside the current one), whether loaded into an empty engine or staged."""
    store = store_of(engine)
    data = (
        f'<http://e/c1> <http://e/value> "12" <{RELEASED}> .\n'
        f'<http://e/c1> <http://e/value> "13" <{CURRENT}> .\n'
    ).encode()
    for _ in range(loads):
        store.replace_all(data)
    union = store.select("SELECT ?v WHERE { <http://e/c1> <http://e/value> ?v }")
    assert [str(row["v"]) for row in union] == ["13"]
    by_graph = store.select(
        f"SELECT ?v WHERE {{ GRAPH <{RELEASED}> {{ <http://e/c1> <http://e/value> ?v }} }}"
    )
    assert [str(row["v"]) for row in by_graph] == ["12"]


# -- sparql_load_stream: a load's N-Quads in one streamed request (Oxigraph server, ?no_transaction) --


@pytest.fixture
def streamed(tmp_path: Path) -> Iterator[tuple[str, Callable[..., Endpoint]]]:
    """A fresh Oxigraph server, reached with sparql_load_stream."""

    def reach(base: str, timeout: float = 30) -> Endpoint:
        return dataclasses.replace(oxigraph_endpoint(base, timeout), stream=True)

    with oxigraph_server(tmp_path) as base:
        yield base, reach


def streams(store: SparqlStore) -> tuple[list[int], list[str]]:
    """From now on: the documents of each streamed request, and every other data request."""
    documents: list[int] = []
    others: list[str] = []
    stream, send = store._client.stream, store._client.send

    def counted(method: str, url: str, chunks: Iterator[bytes], content_type: str) -> bytes:
        listed = list(chunks)
        documents.append(len(listed))
        return stream(method, url, iter(listed), content_type)

    def other(method: str, url: str, body: bytes, content_type: str, *args: str) -> bytes:
        if content_type != "application/x-www-form-urlencoded":
            others.append(f"{method} {url}")
        return send(method, url, body, content_type, *args)

    store._client.stream = counted  # type: ignore[method-assign]
    store._client.send = other  # type: ignore[method-assign]
    return documents, others


def test_a_streamed_load_is_one_request_initial_and_staged(streamed, monkeypatch):
    monkeypatch.setattr(sparql_content, "LOAD_PIECE", 7)
    store = store_of(streamed)
    documents, others = streams(store)
    store.replace_all(protocol_nquads(BASE))
    assert len(documents) == 1, "one request"
    assert documents[0] > 1, "of several documents (pieces of 7 quads)"
    assert others == []
    assert count(store) == PROTOCOL_QUADS
    assert count(store, COUNT) > 0  # the union, in the engine's default graph
    assert [row["p"] for row in meta_rows(streamed) if row["s"] == META] == [GENERATION]
    documents.clear()
    store.replace_all(b'<http://e/s> <http://e/p> "new" <http://e/g> .\n')  # staged: a generation is live
    assert documents == [1]
    assert others == []
    assert [str(row["o"]) for row in store.select("SELECT ?o WHERE { ?s ?p ?o }")] == ["new"]


def test_a_streamed_load_the_engine_refuses_half_way_leaves_it_as_it_was(streamed, monkeypatch):
    """A bad document after good ones: the load fails with the engine's answer and the engine is as
    it was (without a transaction, what its bulk loader wrote before is the undo's to drop: nothing
    at this size, whose quads are in the loader's first batch)."""
    monkeypatch.setattr(sparql_content, "LOAD_PIECE", 4)
    store = store_of(streamed)
    stream = store._client.stream

    def broken_half_way(method: str, url: str, chunks: Iterator[bytes], content_type: str) -> bytes:
        def documents() -> Iterator[bytes]:
            for number, document in enumerate(chunks):
                yield document if number < 2 else b"<http://e/s> <http://e/p> not-a-term .\n"

        return stream(method, url, documents(), content_type)

    store._client.stream = broken_half_way  # type: ignore[method-assign]
    with pytest.raises((StoreUnavailable, QueryRejected)):
        store.replace_all(protocol_nquads(BASE))
    assert data_graphs(streamed) == set()
    assert meta_rows(streamed) == []
    assert engine_rows(streamed, COUNT) == [{"n": "0"}]
    store._client.stream = stream  # type: ignore[method-assign]
    store.replace_all(protocol_nquads(BASE))
    assert count(store_of(streamed)) == PROTOCOL_QUADS


def test_a_front_end_with_the_readmes_settings_loads_an_empty_oxigraph_server(tmp_path):
    """`claimgraph serve` (not read-only) over an empty Oxigraph server, configured as the README's
    Production section says (?no_transaction, sparql_load_stream): the shipped data goes in by one
    streamed request at start, and the front end serves it."""
    (tmp_path / "engine").mkdir()
    with oxigraph_server(tmp_path / "engine") as base:
        port = free_port()
        env = {f"CLAIMGRAPH_{k.upper()}": v for k, v in sparql_settings(base).items()}
        env.update({"CLAIMGRAPH_PORT": str(port), "CLAIMGRAPH_BASE_IRI": "https://w3id.org/claimgraph/"})
        command = [str(BIN / "claimgraph"), "serve", "--port", str(port)]
        with running(command, env, port, tmp_path / "serve.log") as url:
            assert requests.get(f"{url}health", timeout=60).json()["quads"] > 1000
            assert requests.get(f"{url}claims/c013", timeout=60).status_code == 200
        states = engine_rows(
            (base, oxigraph_endpoint), f"SELECT ?p WHERE {{ GRAPH <{META}> {{ <{META}> ?p ?o }} }}"
        )
        assert [row["p"] for row in states] == [GENERATION]
