"""The Oxigraph store: union default graph both ways, atomic loads, on-disk generations, the
read-only mode, and the sandbox that enforces the time limit and keeps queries off the network."""

from __future__ import annotations

import os
import socket
import threading
import time
from pathlib import Path

import pytest
from claimgraph import create_app
from claimgraph.build.sources import read_sources
from claimgraph.cli import main
from claimgraph.errors import (
    DataError,
    QueryRejected,
    QueryTimeout,
    ReadOnlyStore,
    ResultTooLarge,
    StoreUnavailable,
    ValidationFailed,
)
from claimgraph.loading import ensure_current
from claimgraph.settings import Settings
from claimgraph.store import QueryDataset
from claimgraph.store import oxigraph as oxigraph_store
from claimgraph.store.oxigraph import OxigraphStore
from live_server import protocol_nquads, slow_query

BASE = "http://claimgraph.test/"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
CSV = "text/csv"


def count(store: OxigraphStore, query: str = COUNT, **kwargs) -> int:
    return int(store.sparql(query, media_type=CSV, **kwargs).chunks[0].split()[1])  # type: ignore[index]


@pytest.fixture(scope="module")
def nquads() -> bytes:
    return protocol_nquads(BASE)


@pytest.fixture
def store(nquads):
    opened = OxigraphStore(base_iri=BASE)
    opened.replace_all(nquads)
    yield opened
    opened.close()


@pytest.fixture
def disk_store(tmp_path, nquads):
    opened = OxigraphStore(str(tmp_path / "store"), base_iri=BASE)
    opened.replace_all(nquads)
    yield opened
    opened.close()


# -- the default graph --------------------------------------------------------------------------------
@pytest.mark.parametrize(("union", "expected"), [(True, 20), (False, 0)])
@pytest.mark.parametrize("timeout", [None, 5.0])
def test_union_default_graph_both_ways(nquads, union, expected, timeout):
    store = OxigraphStore(base_iri=BASE, union_default_graph=union)
    store.replace_all(nquads)
    try:
        assert count(store, timeout=timeout) == expected
        assert count(store, "SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } }", timeout=timeout) == 20
        assert len(store.select("SELECT ?s WHERE { ?s a <http://schema.org/Claim> }")) == (2 if union else 0)
    finally:
        store.close()


def test_union_default_graph_setting_reaches_store_and_description(nquads):
    settings = Settings.from_mapping({"union_default_graph": "false", "base_iri": BASE}, environ={})
    store = OxigraphStore.from_settings(settings)
    store.replace_all(nquads)
    try:
        assert count(store) == 0
        client = create_app({"union_default_graph": False, "base_iri": BASE}, store=store).test_client()
        response = client.get("/sparql", headers={"Accept": "application/n-triples"})
        description = response.get_data(as_text=True)
        assert "sparql-service-description#endpoint" in description
        assert "UnionDefaultGraph" not in description
        answer = client.get("/sparql", query_string={"query": COUNT, "format": "csv"})
        assert answer.get_data(as_text=True).split()[1] == "0"
    finally:
        store.close()


def test_a_request_dataset_replaces_the_union(store):
    dataset = QueryDataset(default_graphs=(BASE + "claims/c1/provenance",))
    assert count(store, dataset=dataset, timeout=5.0) == 4
    assert count(store, dataset=QueryDataset(named_graphs=(BASE + "graphs/context",))) == 0


def test_graph_names_and_stats(store):
    assert store.graph_names() == {BASE + "graphs/context"} | {
        f"{BASE}claims/c{n}/{part}" for n in (1, 2) for part in ("assertion", "provenance")
    }
    stats = store.stats()
    assert (stats.quads, stats.named_graphs, stats.data_version) == (20, 5, "protocol-test-1")


# -- atomic loads and the on-disk store ------------------------------------------------------------
@pytest.mark.parametrize("fixture", ["store", "disk_store"])
def test_a_failed_load_keeps_what_the_store_had(request, fixture):
    store = request.getfixturevalue(fixture)
    with pytest.raises(SyntaxError):
        store.replace_all(b'<http://e/a> <http://e/b> "unterminated .\n')
    assert count(store) == 20
    assert count(store, timeout=5.0) == 20
    assert store.stats().data_version == "protocol-test-1"


@pytest.fixture
def sliced_loads(monkeypatch):
    """Every on-disk load counts as large, on four cores: it is parsed in four slices if it can be."""
    monkeypatch.setattr(oxigraph_store, "PARALLEL_LOAD_BYTES", 0)
    monkeypatch.setattr(oxigraph_store.os, "cpu_count", lambda: 4)


def test_a_large_on_disk_load_parsed_in_slices_holds_exactly_the_data(tmp_path, nquads, sliced_loads):
    assert len(oxigraph_store.line_slices(nquads, 4)) == 4
    disk = OxigraphStore(str(tmp_path / "store"), base_iri=BASE)
    try:
        disk.replace_all(nquads)
        dumped = b"".join(disk.export("application/n-quads"))
        assert sorted(dumped.splitlines()) == sorted(nquads.splitlines())
        with pytest.raises(SyntaxError):  # a bad statement in one slice fails the whole load
            disk.replace_all(nquads + b'<http://e/a> <http://e/b> "unterminated .\n' + nquads)
        assert count(disk) == 20
    finally:
        disk.close()


def test_a_blank_node_named_in_two_places_stays_one_node(tmp_path, nquads, sliced_loads):
    # Each parse renames blank nodes: a file that may hold one is parsed whole, not in slices.
    first = b'_:same <http://e/first> "1" <http://e/g> .\n'
    data = first + nquads + b'_:same <http://e/last> "2" <http://e/g> .\n'
    disk = OxigraphStore(str(tmp_path / "store"), base_iri=BASE)
    try:
        disk.replace_all(data)
        assert count(disk) == 22
        one_node = "SELECT (COUNT(*) AS ?n) WHERE { ?b <http://e/first> ?one ; <http://e/last> ?two }"
        assert count(disk, one_node) == 1
    finally:
        disk.close()


def test_on_disk_store_persists_across_reopening(disk_store, tmp_path):
    disk_store.close()
    reopened = OxigraphStore(str(tmp_path / "store"), base_iri=BASE)
    try:
        assert reopened.stats().quads == 20
        assert count(reopened, timeout=5.0) == 20
    finally:
        reopened.close()


def test_each_load_publishes_a_new_generation_and_prunes_old_ones(disk_store, tmp_path, nquads):
    root = tmp_path / "store"
    first = (root / "ACTIVE").read_text().strip()
    for _ in range(3):
        disk_store.replace_all(nquads)
    generations = sorted(p.name for p in root.glob("gen-*"))
    assert len(generations) == 2  # the active one and the one before, for readers still on it
    assert (root / "ACTIVE").read_text().strip() in generations
    assert first not in generations


def test_read_only_store_refuses_writes(disk_store, tmp_path, nquads):
    reader = OxigraphStore(str(tmp_path / "store"), base_iri=BASE, read_only=True)
    try:
        assert count(reader, timeout=5.0) == 20
        with pytest.raises(ReadOnlyStore):
            reader.replace_all(nquads)
    finally:
        reader.close()


def test_read_only_open_of_a_missing_store_says_how_to_build_it(tmp_path):
    with pytest.raises(StoreUnavailable, match="claimgraph build-store"):
        OxigraphStore(str(tmp_path / "nothing"), read_only=True)


def test_read_only_needs_a_store_path():
    with pytest.raises(ValueError, match="store_read_only needs store_path"):
        Settings.from_mapping({"store_read_only": True}, environ={})


def test_invalid_data_is_never_loaded(disk_store, data_copy):
    claims = data_copy / "claims.yaml"
    claims.write_text(claims.read_text().replace("quote: ", "quote: NOT IN THE ARTICLE ", 1))
    with pytest.raises(DataError, match="quote not found"):
        ensure_current(disk_store, disk_store_iris(), str(data_copy))
    assert disk_store.stats().data_version == "protocol-test-1"


def test_data_failing_validation_is_never_loaded(disk_store, data_copy, monkeypatch):
    from claimgraph.build import pipeline

    class Failing:
        conforms = False

    monkeypatch.setattr(pipeline, "validate_dataset", lambda *args: Failing())
    with pytest.raises(ValidationFailed):
        ensure_current(disk_store, disk_store_iris(), str(data_copy))
    assert disk_store.stats().data_version == "protocol-test-1"
    assert count(disk_store) == 20


def disk_store_iris():
    from claimgraph.iris import Iris

    return Iris(BASE)


def test_build_store_rebuilds_only_when_the_data_changed(tmp_path, data_copy, monkeypatch, capsys):
    monkeypatch.setenv("CLAIMGRAPH_DATA_DIR", str(data_copy))
    path = str(tmp_path / "store")
    assert main(["build-store", path, "--base-iri", BASE]) == 0
    assert "built" in capsys.readouterr().out
    assert main(["build-store", path, "--base-iri", BASE]) == 0
    assert "already current" in capsys.readouterr().out
    with (data_copy / "context.yaml").open("a") as context:
        context.write("\n# a change to the source files changes the data version\n")
    assert main(["build-store", path, "--base-iri", BASE]) == 0
    assert "built" in capsys.readouterr().out
    reader = OxigraphStore(path, read_only=True)
    try:
        assert reader.stats().data_version == read_sources(data_copy).fingerprint
    finally:
        reader.close()


# -- the result size cap -----------------------------------------------------------------------------
@pytest.mark.parametrize("timeout", [None, 5.0], ids=["in process", "sandbox"])
@pytest.mark.parametrize("media_type", ["application/sparql-results+json", "application/n-triples"])
def test_max_bytes_stops_a_runaway_result_while_it_is_written(store, timeout, media_type):
    # 20**3 = 8,000 solutions (or triples built from them), hundreds of kilobytes once written.
    where = "WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    select = media_type.startswith("application/sparql-results")
    runaway = ("SELECT * " if select else "CONSTRUCT { ?a ?b ?i . ?g ?h ?c . ?d ?e ?f } ") + where
    with pytest.raises(ResultTooLarge, match=r"larger than 10000 bytes \(max_result_bytes\)"):
        store.sparql(runaway, media_type=media_type, max_bytes=10_000, timeout=timeout)
    # Under the cap, the answer is the same as without one.
    small = "SELECT * WHERE { ?s ?p ?o }" if select else "CONSTRUCT WHERE { ?s ?p ?o }"
    capped = store.sparql(small, media_type=media_type, max_bytes=100_000, timeout=timeout)
    assert capped.chunks == store.sparql(small, media_type=media_type, timeout=timeout).chunks


@pytest.mark.parametrize(
    "media_type",
    ["application/sparql-results+json", "application/sparql-results+xml", CSV, "text/tab-separated-values"],
)
def test_max_rows_caps_solutions(store, media_type):
    query = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"
    assert store.sparql(query, media_type=media_type, max_rows=20, timeout=5.0).chunks
    with pytest.raises(ResultTooLarge, match="more than 19"):
        store.sparql(query, media_type=media_type, max_rows=19, timeout=5.0)


@pytest.mark.parametrize("media_type", ["text/turtle", "application/ld+json", "application/rdf+xml"])
def test_max_rows_caps_triples(store, media_type):
    query = "CONSTRUCT WHERE { ?s ?p ?o }"
    assert store.sparql(query, media_type=media_type, max_rows=20).chunks
    with pytest.raises(ResultTooLarge):
        store.sparql(query, media_type=media_type, max_rows=19)


# -- the sandbox: time limit, crashes, no network ----------------------------------------------------------
def test_a_query_past_the_time_limit_is_stopped(store):
    started = time.monotonic()
    with pytest.raises(QueryTimeout, match="did not finish within 1 s"):
        store.sparql(slow_query(), media_type=CSV, timeout=1.0)
    assert time.monotonic() - started < 3
    assert store.sparql("ASK {}", media_type=CSV, timeout=1.0).chunks == [b"true"]


def test_syntax_errors_come_back_from_the_worker(store):
    with pytest.raises(QueryRejected, match="error at 1:"):
        store.sparql("SELECT ?s WHERE { ?s ?p }", media_type=CSV, timeout=5.0)


def test_a_worker_that_crashes_costs_one_answer(store):
    # Far deeper than the guard admits: pyoxigraph's parser overflows its stack and the worker dies.
    nested = "ASK { " + "{ " * 200_000 + "}" * 200_000 + " }"
    with pytest.raises(StoreUnavailable, match="died"):
        store.sparql(nested, media_type=CSV, timeout=10.0)
    assert store.sparql("ASK {}", media_type=CSV, timeout=5.0).chunks == [b"true"]


@pytest.fixture
def listener():
    server = socket.create_server(("127.0.0.1", 0))
    connections: list[object] = []

    def accept() -> None:
        while True:
            try:
                conn, peer = server.accept()
            except OSError:
                return
            connections.append(peer)
            conn.close()

    threading.Thread(target=accept, daemon=True).start()
    yield server.getsockname()[1], connections
    server.close()


def test_the_engine_fetches_service_in_process_but_not_from_the_sandbox(store, listener):
    port, connections = listener
    query = f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}"
    # Why the guard exists: in process, pyoxigraph makes the request (our listener sees it).
    with pytest.raises(ConnectionError):  # the listener closes without answering
        store.sparql(query, media_type=CSV)
    assert len(connections) == 1
    # Behind the guard, the sandbox is a second wall: its workers have no network at all.
    store.sparql("ASK {}", media_type=CSV, timeout=5.0)
    if not store.sandbox_isolated():
        pytest.skip("this kernel does not let unprivileged processes leave the network")
    with pytest.raises(RuntimeError, match="unreachable"):
        store.sparql(query, media_type=CSV, timeout=5.0)
    time.sleep(0.2)
    assert len(connections) == 1


def test_close_stops_every_query_process(nquads):
    store = OxigraphStore(base_iri=BASE, query_workers=2)
    store.replace_all(nquads)
    store.sparql("ASK {}", media_type=CSV, timeout=5.0)
    pids = store.query_process_ids()
    assert len(pids) == 2  # the zygote and one worker
    store.close()
    time.sleep(0.1)
    for pid in pids:
        assert not _alive(pid)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    status = Path(f"/proc/{pid}/status")
    return not (status.exists() and "zombie" in status.read_text())


def test_health_reports_the_store(store):
    client = create_app({"base_iri": BASE}, store=store).test_client()
    assert client.get("/health").get_json() == {
        "status": "ok",
        "quads": 20,
        "named_graphs": 5,
        "data_version": "protocol-test-1",
    }


def test_select_gives_simple_literals_as_plain_rdflib_literals():
    from rdflib import Literal as RdfLiteral

    store = OxigraphStore()
    store.replace_all(b'<http://x/s> <http://x/p> "plain" <http://x/g> .\n')
    [row] = store.select("SELECT ?o WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert row["o"] == RdfLiteral("plain")
    assert row["o"].datatype is None
