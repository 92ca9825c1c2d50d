"""The Oxigraph store beyond the Store contract (tests/test_store_contract.py): settings, on-disk
generations, loads parsed in slices, the read-only mode, loading only valid data, /health."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from claimgraph import create_app
from claimgraph.build.sources import read_sources
from claimgraph.cli import main
from claimgraph.errors import (
    DataError,
    ReadOnlyStore,
    StoreUnavailable,
    ValidationFailed,
)
from claimgraph.loading import ensure_current
from claimgraph.settings import Settings
from claimgraph.store import oxigraph as oxigraph_store
from claimgraph.store import oxigraph_load
from claimgraph.store.oxigraph import OxigraphStore
from conftest import SHIPPED
from live_server import protocol_nquads

BASE = "http://claimgraph.test/"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
CSV = "text/csv"


def count(store, query: str = COUNT, **kwargs) -> int:
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


# -- atomic loads and the on-disk store ------------------------------------------------------------
@pytest.fixture
def sliced_loads(monkeypatch):
    """Every on-disk load counts as large, on four cores: it is parsed in four slices if it can be."""
    monkeypatch.setattr(oxigraph_load, "PARALLEL_LOAD_BYTES", 0)
    monkeypatch.setattr(oxigraph_load.os, "cpu_count", lambda: 4)


def test_a_large_on_disk_load_parsed_in_slices_holds_exactly_the_data(tmp_path, nquads, sliced_loads):
    assert len(oxigraph_load.line_slices(nquads, 4)) == 4
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


def test_on_disk_store_persists_across_reopening(disk_store, tmp_path, make_runner):
    disk_store.close()
    reopened = OxigraphStore(str(tmp_path / "store"), base_iri=BASE)
    try:
        assert reopened.stats().quads == 20
        assert count(make_runner(reopened)) == 20  # also in the query processes, which reopen it
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


def test_on_disk_a_child_process_opens_the_same_generation_read_only(disk_store, nquads):
    # The inherited handle's RocksDB threads do not survive a fork: a query process opens anew
    # the generation that was current when it was forked, even if a load published another since.
    opener = disk_store.child_opener()
    disk_store.replace_all(b'<http://e/s> <http://e/p> "other" <http://e/g> .\n')
    opened = opener()
    assert opened is not disk_store
    assert count(opened) == 20
    with pytest.raises(ReadOnlyStore):
        opened.replace_all(nquads)


def test_read_only_open_of_a_missing_store_says_how_to_build_it(tmp_path):
    with pytest.raises(StoreUnavailable, match="claimgraph build-store"):
        OxigraphStore(str(tmp_path / "nothing"), read_only=True)


def test_read_only_needs_a_store_path():
    with pytest.raises(ValueError, match="store_read_only needs store_path"):
        Settings.from_mapping({"store_read_only": True}, environ={})


def test_invalid_data_is_never_loaded(disk_store, data_copy):
    claims = data_copy / SHIPPED / "claims.yaml"
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


def test_health_reports_the_store(store):
    client = create_app({"base_iri": BASE}, store=store).test_client()
    assert client.get("/health").get_json() == {
        "status": "ok",
        "quads": 20,
        "named_graphs": 5,
        "data_version": "protocol-test-1",
        "query_cache": {"hits": 0, "misses": 0, "entries": 0, "bytes": 0},
        "page_cache": {"hits": 0, "misses": 0, "entries": 0, "bytes": 0},
        "intake_cache": {"hits": 0, "misses": 0, "entries": 0, "bytes": 0},
    }


def test_store_memory_mb_serves_a_generation_that_fits_from_memory(tmp_path, nquads):
    OxigraphStore(str(tmp_path / "store"), base_iri=BASE).replace_all(nquads)
    settings = {"store_path": str(tmp_path / "store"), "store_read_only": True, "base_iri": BASE}
    on_disk = OxigraphStore.from_settings(Settings.from_mapping(settings, environ={}))
    copied = OxigraphStore.from_settings(
        Settings.from_mapping({**settings, "store_memory_mb": 100}, environ={})
    )
    too_small = OxigraphStore(str(tmp_path / "store"), read_only=True, base_iri=BASE, memory_mb=0)
    assert (on_disk.in_memory_copy, copied.in_memory_copy, too_small.in_memory_copy) == (False, True, False)
    assert oxigraph_store.generation_mb(copied._generation) < 100  # type: ignore[arg-type]
    query = "SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?s ?p ?o ?g"
    assert copied.select(query) == on_disk.select(query)
    assert count(copied) == count(on_disk) == 20
    assert copied.child_opener()() is copied  # a forked child shares the copy, copy-on-write

    with pytest.raises(ValueError, match="store_memory_mb"):
        Settings.from_mapping({"store_memory_mb": "-1"}, environ={})


def test_the_memory_copy_holds_every_quad_of_the_generation(tmp_path):
    disk = ox.Store(str(tmp_path / "disk"))
    s, p = ox.NamedNode("http://e/s"), ox.NamedNode("http://e/p")
    quads = [
        ox.Quad(s, p, ox.Literal("in the default graph")),
        ox.Quad(s, p, ox.Literal("Granična policija", language="sr-latn"), ox.NamedNode("http://e/g")),
        ox.Quad(s, p, ox.Literal("0.90", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal")),
                ox.NamedNode("http://e/g2")),
        ox.Quad(ox.BlankNode("b1"), p, ox.BlankNode("b2"), ox.NamedNode("http://e/g")),
    ]  # fmt: skip
    disk.extend(quads)
    memory = oxigraph_store.memory_copy(disk)
    copied = list(memory)
    assert len(copied) == len(quads)
    named = {q for q in disk if not isinstance(q.subject, ox.BlankNode)}  # as the store keeps them (0.9)
    assert len(named) == 3
    assert {q for q in copied if not isinstance(q.subject, ox.BlankNode)} == named
    [blank] = [q for q in copied if isinstance(q.subject, ox.BlankNode)]
    assert isinstance(blank.object, ox.BlankNode)
    assert blank.object != blank.subject


def test_rows_are_counted_from_chunks_without_joining_them_even_across_a_split_character():
    from claimgraph.store.oxigraph_query import count_rows

    body = 'x\n"Čačak"\n"Niš"\nŽ\n'.encode()
    chunks = [body[i : i + 1] for i in range(len(body))]  # every byte its own chunk: characters split
    assert count_rows(chunks, ox.QueryResultsFormat.CSV) == 3
    json = b'{"head":{"vars":["x"]},"results":{"bindings":[{"x":{"type":"literal","value":"\xc5\xbd"}}]}}'
    assert count_rows([json[:40], json[40:70], json[70:]], ox.QueryResultsFormat.JSON) == 1
    triples = b'<x:a> <x:b> "\xc5\xbd" .\n<x:a> <x:b> "c" .\n'
    assert count_rows([triples[:15], triples[15:]], ox.RdfFormat.N_TRIPLES) == 2
