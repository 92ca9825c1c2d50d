"""The Store protocol's promises (service/claimgraph/store/__init__.py), held against every backend.

Each test runs once per entry of BACKENDS, on the small protocol dataset
(tests/data/protocol.trig). A new backend is one more entry: a function that
yields a store of that backend holding the N-Quads given, and whether it loads.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import os
import signal
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest
from claimgraph.errors import QueryRejected, ReadOnlyStore, ResultTooLarge
from claimgraph.store import QueryDataset, Store
from claimgraph.store.oxigraph import OxigraphStore
from claimgraph.store.sparql import Endpoint, SparqlStore
from live_server import oxigraph_graph_store, oxigraph_server, protocol_nquads
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD
from virtuoso_server import virtuoso_endpoint

BASE = "http://claimgraph.test/"
SCHEMA = "http://schema.org/"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
COUNT_NAMED = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
CSV = "text/csv"
JSON = "application/sparql-results+json"
CLAIMS = f"SELECT ?claim ?text WHERE {{ ?claim <{SCHEMA}text> ?text }} ORDER BY ?claim"
CLAIM_TRIPLES = f"CONSTRUCT {{ ?c ?p ?o }} WHERE {{ ?c a <{SCHEMA}Claim> ; ?p ?o }}"
OTHER_DATA = b'<http://e/s> <http://e/p> "other" <http://e/g> .\n'


# -- the backends -------------------------------------------------------------------------------------
@contextmanager
def oxigraph_in_memory(folder: Path, nquads: bytes, *, read_only: bool, **options: object) -> Iterator[Store]:
    if read_only:
        pytest.skip("an in-memory Oxigraph store is never read-only")
    store = OxigraphStore(**options)  # type: ignore[arg-type]
    store.replace_all(nquads)
    try:
        yield store
    finally:
        store.close()


@contextmanager
def oxigraph_on_disk(folder: Path, nquads: bytes, *, read_only: bool, **options: object) -> Iterator[Store]:
    path = str(folder / "store")
    writer = OxigraphStore(path, **options)  # type: ignore[arg-type]
    writer.replace_all(nquads)
    if read_only:
        writer.close()
        store = OxigraphStore(path, read_only=True, **options)  # type: ignore[arg-type]
    else:
        store = writer
    try:
        yield store
    finally:
        store.close()


@contextmanager
def oxigraph_disk_copied_to_memory(
    folder: Path, nquads: bytes, *, read_only: bool, **options: object
) -> Iterator[Store]:
    """An on-disk store served from an in-memory copy (store_memory_mb), as opened read-only or after
    a load of its own."""
    path = str(folder / "store")
    writer = OxigraphStore(path, memory_mb=1000, **options)  # type: ignore[arg-type]
    writer.replace_all(nquads)
    if read_only:
        writer.close()
        writer = OxigraphStore(path, read_only=True, memory_mb=1000, **options)  # type: ignore[arg-type]
    assert writer.in_memory_copy
    try:
        yield writer
    finally:
        writer.close()


@pytest.fixture(scope="session")
def oxigraph_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with oxigraph_server(tmp_path_factory.mktemp("oxigraph-server")) as url:
        yield url


@contextmanager
def sparql_oxigraph_server(
    folder: Path, nquads: bytes, *, read_only: bool, server: str, **options: object
) -> Iterator[Store]:
    endpoint = Endpoint(f"{server}/query", f"{server}/update", oxigraph_graph_store(server), timeout=30)
    writer = SparqlStore(endpoint, **options)  # type: ignore[arg-type]
    writer.replace_all(nquads)
    store = SparqlStore(endpoint, read_only=True, **options) if read_only else writer  # type: ignore[arg-type]
    try:
        yield store
    finally:
        store.close()


@contextmanager
def sparql_virtuoso(
    folder: Path, nquads: bytes, *, read_only: bool, server: str, **options: object
) -> Iterator[Store]:
    endpoint = virtuoso_endpoint(server)
    writer = SparqlStore(endpoint, **options)  # type: ignore[arg-type]
    writer.replace_all(nquads)
    store = SparqlStore(endpoint, read_only=True, **options) if read_only else writer  # type: ignore[arg-type]
    try:
        yield store
    finally:
        store.close()


@dataclass(frozen=True)
class Backend:
    """``open(folder, nquads, read_only=…, **options)``: a context holding a store of this backend with
    those quads (``options``: base_iri, union_default_graph); ``loads``: whether replace_all works
    (a remote store refuses it)."""

    open: Callable[..., AbstractContextManager[Store]]
    loads: bool = True
    server: str | None = None  # opened with ``server``: the URL this fixture gives (a running engine)


BACKENDS = {
    "oxigraph-memory": Backend(oxigraph_in_memory),
    "oxigraph-disk": Backend(oxigraph_on_disk),
    "oxigraph-disk-in-memory": Backend(oxigraph_disk_copied_to_memory),
    "sparql-oxigraph-server": Backend(sparql_oxigraph_server, server="oxigraph_url"),
    "sparql-virtuoso": Backend(sparql_virtuoso, server="virtuoso_url"),
}


@pytest.fixture(scope="module")
def nquads() -> bytes:
    return protocol_nquads(BASE)


@pytest.fixture(params=list(BACKENDS))
def backend(request: pytest.FixtureRequest) -> Backend:
    return BACKENDS[request.param]


@pytest.fixture
def open_store(
    backend: Backend, tmp_path: Path, nquads: bytes, request: pytest.FixtureRequest
) -> Iterator[Callable[..., Store]]:
    """``open_store(read_only=False, **options)``: a store of the backend with the protocol dataset."""
    numbers = itertools.count()
    extra = {"server": request.getfixturevalue(backend.server)} if backend.server else {}
    with ExitStack() as stack:

        def opened(*, read_only: bool = False, **options: object) -> Store:
            folder = tmp_path / f"store-{next(numbers)}"
            folder.mkdir()
            context = backend.open(
                folder, nquads, read_only=read_only, **{"base_iri": BASE, **extra, **options}
            )
            return stack.enter_context(context)

        yield opened


@pytest.fixture
def store(open_store: Callable[..., Store]) -> Store:
    return open_store()


@pytest.fixture
def loading_store(backend: Backend, store: Store) -> Store:
    if not backend.loads:
        pytest.skip("this backend does not load data")
    return store


def count(store: Store, query: str = COUNT, **kwargs: object) -> int:
    body = b"".join(store.sparql(query, media_type=CSV, **kwargs).chunks)  # type: ignore[arg-type]
    return int(body.split()[1])


# -- select, ask, construct ---------------------------------------------------------------------------
def test_select_gives_rows_of_rdflib_terms_with_simple_literals_plain(store):
    rows = store.select(CLAIMS)
    assert rows == [
        {"claim": URIRef(BASE + "claims/c1"), "text": Literal("a total of 73,197 applications")},
        {"claim": URIRef(BASE + "claims/c2"), "text": Literal("over 90%")},
    ]
    assert all(row["text"].datatype is None for row in rows)  # not "x"^^xsd:string


def test_select_keeps_languages_and_datatypes_and_leaves_unbound_variables_out(store):
    labels = store.select(
        f"SELECT ?label WHERE {{ <{BASE}sources/border-police> ?p ?label FILTER(isLiteral(?label)) }}"
    )
    assert {row["label"] for row in labels} == {
        Literal("Border Police response", lang="en"),
        Literal("Odgovor granične policije", lang="sr"),
        Literal("2024-03-01", datatype=XSD.date),
    }
    [row] = store.select(
        f"SELECT ?v ?missing WHERE {{ ?f <{SCHEMA}value> ?v OPTIONAL {{ ?f <http://e/no> ?missing }} }}"
    )
    assert row == {"v": Literal("73197", datatype=XSD.integer)}


def test_ask_gives_a_bool(store):
    assert store.ask(f"ASK {{ ?c a <{SCHEMA}Claim> }}") is True
    assert store.ask("ASK { <http://e/nothing> ?p ?o }") is False


def test_construct_gives_an_rdflib_graph(store):
    graph = store.construct(CLAIM_TRIPLES)
    assert isinstance(graph, Graph)
    assert len(graph) == 8
    assert (URIRef(BASE + "claims/c2"), RDF.type, URIRef(SCHEMA + "Claim")) in graph
    assert (URIRef(BASE + "claims/c2"), URIRef(SCHEMA + "text"), Literal("over 90%")) in graph


def test_the_trusted_methods_refuse_another_query_form(store):
    with pytest.raises(QueryRejected):
        store.select(CLAIM_TRIPLES)
    with pytest.raises(QueryRejected):
        store.construct(CLAIMS)


def test_a_syntax_error_is_rejected(store):
    with pytest.raises(QueryRejected):
        store.sparql("SELECT ?s WHERE { ?s ?p }", media_type=CSV)
    with pytest.raises(QueryRejected):
        store.select("SELECT ?s WHERE { ?s ?p }")


# -- sparql: every media type, the size caps ------------------------------------------------------------
@pytest.mark.parametrize(
    "media_type", [JSON, "application/sparql-results+xml", CSV, "text/tab-separated-values"]
)
def test_sparql_serialises_solutions_in_each_results_type(store, media_type):
    result = store.sparql(CLAIMS, media_type=media_type)
    assert result.media_type == media_type
    body = b"".join(result.chunks)
    if media_type == CSV:  # pyoxigraph reads every results format but CSV
        rows = list(csv.DictReader(io.StringIO(body.decode())))
        assert [row["text"] for row in rows] == ["a total of 73,197 applications", "over 90%"]
        return
    parsed = ox.parse_query_results(body, format=ox.QueryResultsFormat.from_media_type(media_type))
    assert [solution["text"].value for solution in parsed] == ["a total of 73,197 applications", "over 90%"]


@pytest.mark.parametrize(("media_type", "expected"), [(JSON, b'"boolean":true'), (CSV, b"true")])
def test_sparql_serialises_a_boolean(store, media_type, expected):
    body = b"".join(store.sparql(f"ASK {{ ?c a <{SCHEMA}Claim> }}", media_type=media_type).chunks)
    assert expected in body.replace(b" ", b"")


@pytest.mark.parametrize(
    "media_type",
    [
        "text/turtle",
        "application/n-triples",
        "application/rdf+xml",
        "application/ld+json",
        "application/n-quads",
    ],
)
def test_sparql_serialises_triples_in_each_rdf_type(store, media_type):
    result = store.sparql(CLAIM_TRIPLES, media_type=media_type)
    assert result.media_type == media_type
    triples = list(ox.parse(b"".join(result.chunks), format=ox.RdfFormat.from_media_type(media_type)))
    assert len(triples) == 8


def test_a_result_the_media_type_cannot_carry_is_rejected(store):
    with pytest.raises(QueryRejected):
        store.sparql(CLAIMS, media_type="text/turtle")
    with pytest.raises(QueryRejected):
        store.sparql(CLAIM_TRIPLES, media_type=JSON)


@pytest.mark.parametrize(
    "media_type", [JSON, "application/sparql-results+xml", CSV, "text/tab-separated-values"]
)
def test_max_rows_caps_solutions(store, media_type):
    query = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"
    assert store.sparql(query, media_type=media_type, max_rows=20).chunks
    with pytest.raises(ResultTooLarge, match="more than 19"):
        store.sparql(query, media_type=media_type, max_rows=19)


@pytest.mark.parametrize("media_type", ["text/turtle", "application/ld+json", "application/rdf+xml"])
def test_max_rows_caps_triples(store, media_type):
    query = "CONSTRUCT WHERE { ?s ?p ?o }"
    assert store.sparql(query, media_type=media_type, max_rows=20).chunks
    with pytest.raises(ResultTooLarge):
        store.sparql(query, media_type=media_type, max_rows=19)


@pytest.mark.parametrize("media_type", [JSON, "application/n-triples"])
def test_max_bytes_stops_a_runaway_result(store, media_type):
    # 20**3 = 8,000 solutions (or triples built from them), hundreds of kilobytes once written.
    where = "WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    select = media_type == JSON
    runaway = ("SELECT * " if select else "CONSTRUCT { ?a ?b ?i . ?g ?h ?c . ?d ?e ?f } ") + where
    with pytest.raises(ResultTooLarge, match=r"larger than 10000 bytes \(max_result_bytes\)"):
        store.sparql(runaway, media_type=media_type, max_bytes=10_000)
    # Under the cap, the answer is the same as without one.
    small = "SELECT * WHERE { ?s ?p ?o }" if select else "CONSTRUCT WHERE { ?s ?p ?o }"
    capped = store.sparql(small, media_type=media_type, max_bytes=100_000)
    assert b"".join(capped.chunks) == b"".join(store.sparql(small, media_type=media_type).chunks)


# -- the default graph and the protocol's dataset --------------------------------------------------------
@pytest.mark.parametrize(("union", "expected"), [(True, 20), (False, 0)])
def test_union_default_graph_both_ways(open_store, union, expected):
    store = open_store(union_default_graph=union)
    assert count(store) == expected
    assert count(store, COUNT_NAMED) == 20
    assert len(store.select(f"SELECT ?s WHERE {{ ?s a <{SCHEMA}Claim> }}")) == (2 if union else 0)


def test_a_protocol_dataset_replaces_the_default_graph(store):
    provenance, context = BASE + "claims/c1/provenance", BASE + "graphs/context"
    assert count(store, dataset=QueryDataset(default_graphs=(provenance,))) == 4
    # Only named graphs given: the default graph is empty, and GRAPH sees only those named.
    assert count(store, dataset=QueryDataset(named_graphs=(context,))) == 0
    assert count(store, COUNT_NAMED, dataset=QueryDataset(named_graphs=(context,))) == 8
    both = QueryDataset(default_graphs=(provenance,), named_graphs=(context,))
    assert (count(store, dataset=both), count(store, COUNT_NAMED, dataset=both)) == (4, 8)


def test_graph_names(store):
    assert store.graph_names() == {BASE + "graphs/context"} | {
        f"{BASE}claims/c{n}/{part}" for n in (1, 2) for part in ("assertion", "provenance")
    }


def test_stats_count_quads_and_graphs_and_give_the_data_version(store):
    stats = store.stats()
    assert (stats.quads, stats.named_graphs, stats.data_version) == (20, 5, "protocol-test-1")


# -- loading and exporting ------------------------------------------------------------------------------
def test_replace_all_replaces_everything_and_changes_the_revision(loading_store):
    revision = loading_store.revision()
    loading_store.replace_all(OTHER_DATA)
    assert loading_store.revision() != revision
    assert count(loading_store) == 1
    assert loading_store.graph_names() == {"http://e/g"}
    stats = loading_store.stats()
    assert (stats.quads, stats.named_graphs, stats.data_version) == (1, 1, None)


def test_a_failed_load_keeps_the_old_content_and_revision(loading_store):
    revision = loading_store.revision()
    with pytest.raises(SyntaxError):
        loading_store.replace_all(OTHER_DATA + b'<http://e/a> <http://e/b> "unterminated .\n')
    assert count(loading_store) == 20
    assert loading_store.stats().data_version == "protocol-test-1"
    assert loading_store.revision() == revision


def test_a_read_only_store_refuses_to_load(open_store):
    reader = open_store(read_only=True)
    with pytest.raises(ReadOnlyStore):
        reader.replace_all(OTHER_DATA)
    assert count(reader) == 20


@pytest.mark.parametrize("media_type", ["application/n-quads", "application/trig"])
def test_export_gives_every_quad(store, nquads, media_type):
    body = b"".join(store.export(media_type))
    exported = set(ox.parse(body, format=ox.RdfFormat.from_media_type(media_type)))
    assert exported == set(ox.parse(nquads, format=ox.RdfFormat.N_QUADS))


def test_export_as_triples_merges_the_graphs(store, nquads):
    body = b"".join(store.export("application/n-triples"))
    triples = {q.triple for q in ox.parse(body, format=ox.RdfFormat.N_TRIPLES)}
    assert triples == {q.triple for q in ox.parse(nquads, format=ox.RdfFormat.N_QUADS)}


# -- what a process-based runner needs ------------------------------------------------------------------
def test_a_forked_child_opens_the_same_content(store):
    opener = store.child_opener()  # taken before the fork, as the sandbox does
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        try:
            signal.alarm(20)  # a store that cannot be used after a fork would hang here
            os.close(read_fd)
            child_store = opener()
            os.write(write_fd, json.dumps([count(child_store), sorted(child_store.graph_names())]).encode())
        finally:
            os._exit(0)
    os.close(write_fd)
    with os.fdopen(read_fd, "rb") as answer:
        reported = answer.read()
    os.waitpid(pid, 0)
    assert json.loads(reported) == [20, sorted(store.graph_names())]
