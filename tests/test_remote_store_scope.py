"""The `sparql` backend scopes named graphs without listing them (store/sparql_scope.py): a request is
the same size whatever the number of graphs, GRAPH patterns see exactly the live graphs (never a
staged or internal one), on Oxigraph server and on Virtuoso, with thousands of graphs."""

from __future__ import annotations

from collections.abc import Iterator

import pyoxigraph as ox
import pytest
from claimgraph.errors import QueryRejected, ResultTooLarge
from claimgraph.sparql_syntax import parse_tree_nodes
from claimgraph.store.oxigraph import OxigraphStore
from claimgraph.store.sparql import Endpoint, SparqlStore
from claimgraph.store.sparql_load import GRAPH_COUNT, INTERNAL, LIVE_GRAPH, META, NO_GRAPH, record
from claimgraph.store.sparql_scope import scoped
from claimgraph.store.sparql_switch import RECORD_PAGE, read_generation
from claimgraph.store.sparql_text import query_shape
from live_server import oxigraph_server
from rdflib.plugins.sparql.parser import parseQuery
from virtuoso_server import VIRTUOSO, virtuoso_endpoint

BASE = "http://claimgraph.test/"
#: Graphs in the large dataset: 431 made the request too large at 10k generated triples.
MANY = 3000
PER_GRAPH = f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s <{BASE}p> ?o }} }} GROUP BY ?g"
GRAPHS = "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
INTERNAL_GRAPHS = (
    f'SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), "{INTERNAL}")) }}'
)


def dataset(graphs: int, value: str = "v") -> bytes:
    """``graphs`` named graphs of two triples each, one of them also in the next graph."""
    lines = []
    for n in range(graphs):
        graph = f"<{BASE}graphs/g{n}>"
        lines.append(f'<{BASE}s{n}> <{BASE}p> "{value}{n}" {graph} .')
        lines.append(f"<{BASE}s{n + 1}> <{BASE}q> <{BASE}s{n}> {graph} .")
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with oxigraph_server(tmp_path_factory.mktemp("oxigraph-scope")) as url:
        yield url


@pytest.fixture(params=["oxigraph-server", "virtuoso"])
def endpoint(request: pytest.FixtureRequest) -> Endpoint:
    if request.param == "oxigraph-server":
        server = request.getfixturevalue("oxigraph")
        return Endpoint(f"{server}/query", f"{server}/update", f"{server}/store", timeout=60)
    if VIRTUOSO is None:
        pytest.skip("virtuoso-t is not installed (make virtuoso-deps)")
    return virtuoso_endpoint(request.getfixturevalue("virtuoso_url"), 60)


def rows(store: SparqlStore | OxigraphStore, query: str) -> set[tuple[str, ...]]:
    return {tuple(str(value) for value in row.values()) for row in store.select(query)}


def test_the_request_stays_the_same_size_whatever_the_number_of_graphs(endpoint):
    store = SparqlStore(endpoint, base_iri=BASE)
    sizes = []
    for graphs in (3, MANY):
        store.replace_all(dataset(graphs))
        store.revision()  # the live generation, as a reader looks it up
        text, parameters, _ = store.outgoing(GRAPHS, query_shape(GRAPHS), None)
        sizes.append((len(text), len(parameters)))
        assert len(parameters) <= 1  # at most the default graph: no named graph is listed
        assert rows(store, GRAPHS) == {(str(graphs),)}
    assert sizes[0] == sizes[1]


def test_graph_patterns_see_the_live_graphs_only_and_answer_as_the_embedded_store(endpoint):
    data = dataset(MANY)
    store = SparqlStore(endpoint, base_iri=BASE)
    store.replace_all(dataset(MANY, "old"))
    store.replace_all(data)  # the previous generation's record and union graph are kept beside it
    embedded = OxigraphStore(base_iri=BASE)
    embedded.replace_all(data)
    assert rows(store, PER_GRAPH) == rows(embedded, PER_GRAPH)
    assert len(rows(store, PER_GRAPH)) == MANY
    assert rows(store, INTERNAL_GRAPHS) == set()
    assert rows(store, f"SELECT * WHERE {{ GRAPH <{META}> {{ ?s ?p ?o }} }}") == set()
    # A graph by name, inside OPTIONAL and NOT EXISTS, and the default graph beside them.
    query = (
        f"SELECT ?o ?other WHERE {{ GRAPH <graphs/g7> {{ ?s <{BASE}p> ?o }}"
        f" OPTIONAL {{ GRAPH ?h {{ ?t <{BASE}q> ?s }} BIND(STR(?h) AS ?other) }}"
        f" FILTER NOT EXISTS {{ GRAPH <graphs/g8> {{ ?s <{BASE}p> ?o }} }} ?s <{BASE}p> ?o }}"
    )
    assert rows(store, query) == rows(embedded, query) == {("v7", f"{BASE}graphs/g7")}
    old = 'ASK { GRAPH ?g { ?s ?p "old7" } }'
    assert not store.ask(old)


def test_a_stale_front_end_scopes_by_the_generation_it_knows(endpoint):
    reader = SparqlStore(endpoint, base_iri=BASE, read_only=True)
    writer = SparqlStore(endpoint, base_iri=BASE)
    writer.replace_all(dataset(5))
    reader._checked = None
    assert rows(reader, GRAPHS) == {("5",)}
    writer.replace_all(dataset(6))
    # Within GENERATION_TTL the reader still scopes by the generation before: its record is kept.
    assert rows(reader, GRAPHS) in ({("5",)}, {("6",)})
    reader._checked = None
    assert rows(reader, GRAPHS) == {("6",)}


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * { GRAPH ?g { ?s ?p 'GRAPH ?h { }' } }",
        "SELECT * { # GRAPH ?x {\n GRAPH <http://e/g> { ?s ?p ?o } }",
        "PREFIX graph: <http://e/> SELECT * { ?graph graph:p ?o . GRAPH graph:g { ?s ?p ?o } }",
        "SELECT * { GRAPH ?g { GRAPH ?h { ?s ?p ?o } } FILTER EXISTS { GRAPH ?g { ?a ?b ?c } } }",
        "SELECT * { ?s ?p ?o . graph ?g { ?s ?p '}' } }",
    ],
)
@pytest.mark.parametrize("iris_as_variables", [False, True])
def test_every_graph_pattern_is_scoped_and_nothing_else(query, iris_as_variables):
    text = scoped(query, "urn:n", graph_iris_as_variables=iris_as_variables)
    patterns = graph_patterns(query)
    assert text.count("FILTER EXISTS { GRAPH ?_cg_record") == patterns
    assert graph_patterns(text) == 2 * patterns  # each scoped, the filters' own GRAPH left alone
    assert all(s in text for s in ("'GRAPH ?h { }'", "'}'") if s in query)
    assert query_shape(text).form == "SELECT"


def graph_patterns(query: str) -> int:
    return sum(1 for n in parse_tree_nodes(parseQuery(query)) if n.name == "GraphGraphPattern")


def test_a_query_the_scanner_cannot_read_is_refused():
    with pytest.raises(QueryRejected):
        scoped("SELECT * { GRAPH ?g ", "urn:n")
    with pytest.raises(QueryRejected, match="reserved"):
        scoped("SELECT * { GRAPH ?_cg_record { ?s ?p ?o } }", "urn:n")
    assert scoped("SELECT * { GRAPH ?g { ?s ?p '?_cg_1' } }", "urn:n")  # in a string: not a variable


def _recorded_engine(named: list[str]) -> ox.Store:
    engine = ox.Store()
    for update in record("gen", named, "urn:claimgraph:union:gen", None):
        engine.update(update)
    return engine


def _engine_select(engine: ox.Store, limit: int | None, *, refuse: bool, sent: list[str]):
    """An engine's SELECT with a result limit: refused at ``limit`` rows (Virtuoso's ResultSetMaxRows)
    or, ``refuse`` false, cut to ``limit`` rows without a word."""

    def select(query: str) -> list[dict[str, str]]:
        sent.append(query)
        solutions = engine.query(query)
        assert isinstance(solutions, ox.QuerySolutions)
        names = [v.value for v in solutions.variables]
        rows = [{n: s[n].value for n in names if s[n] is not None} for s in solutions]
        if limit is not None and len(rows) >= limit:
            if refuse:
                raise ResultTooLarge(f"the engine's own limit of {limit} rows")
            return rows[:limit]
        return rows

    return select


def test_a_record_is_read_in_one_query_when_the_engine_gives_it_whole():
    # Paging sorts the whole record for each page: 5 s a page on Oxigraph server at 1M triples.
    named = [f"{BASE}graphs/g{n}" for n in range(2 * RECORD_PAGE + 7)]
    sent: list[str] = []
    generation = read_generation(_engine_select(_recorded_engine(named), None, refuse=True, sent=sent), "gen")
    assert generation.graphs == frozenset([*named, NO_GRAPH])
    assert len(sent) == 2
    assert not any("OFFSET" in query for query in sent)


def test_a_record_cut_short_without_a_word_is_read_in_pages():
    named = [f"{BASE}graphs/g{n}" for n in range(2 * RECORD_PAGE + 7)]
    sent: list[str] = []
    select = _engine_select(_recorded_engine(named), RECORD_PAGE + 1, refuse=False, sent=sent)
    assert read_generation(select, "gen").graphs == frozenset([*named, NO_GRAPH])
    assert sum("OFFSET" in query for query in sent) == 3


def test_a_record_without_a_count_is_read_in_pages():
    # Nothing to hold one query's answer to: an engine that cut it short unsaid would go unnoticed.
    named = [f"{BASE}graphs/g{n}" for n in range(RECORD_PAGE + 7)]
    engine = _recorded_engine(named)
    engine.update(f"DELETE WHERE {{ GRAPH <{META}> {{ ?node <{GRAPH_COUNT}> ?n }} }}")
    sent: list[str] = []
    assert read_generation(_engine_select(engine, None, refuse=True, sent=sent), "gen").graphs == frozenset(
        [*named, NO_GRAPH]
    )
    assert sum("OFFSET" in query for query in sent) == 2


def test_a_record_of_more_graphs_than_the_engines_result_limit_is_read_whole():
    # An engine as Virtuoso with ResultSetMaxRows: a result of LIMIT rows or more is refused.
    named = [f"{BASE}graphs/g{n}" for n in range(2 * RECORD_PAGE + 7)]
    engine = _recorded_engine(named)
    select = _engine_select(engine, RECORD_PAGE + 1, refuse=True, sent=[])
    generation = read_generation(select, "gen")
    assert generation.graphs == frozenset([*named, NO_GRAPH])
    assert generation.union == "urn:claimgraph:union:gen"
    # A record caught half written (its count says more graphs than it has) is not taken as whole.
    node = "urn:claimgraph:generation:gen"
    engine.update(f"DELETE DATA {{ GRAPH <{META}> {{ <{node}> <{LIVE_GRAPH}> <{named[3]}> }} }}")
    assert read_generation(select, "gen").graphs is None


def test_a_graph_is_sent_in_pieces_each_its_own_request(monkeypatch):
    # sparql_load=graphs (Virtuoso): one PUT of a 1M-triple graph stalled the engine; pieces go through.
    import claimgraph.store.sparql_content as content

    monkeypatch.setattr(content, "GRAPH_PIECE", 3)
    store = SparqlStore(
        Endpoint("http://engine.test/q", "http://engine.test/u", "http://engine.test/gsp", load="graphs"),
        base_iri=BASE,
    )
    sent: list[tuple[str, str, bytes]] = []
    monkeypatch.setattr(
        store._client, "send", lambda method, url, body, _type: sent.append((method, url, body))
    )
    staged = ox.NamedNode("urn:claimgraph:union:gen")
    quads = [
        ox.Quad(ox.NamedNode(f"{BASE}s{n}"), ox.NamedNode(f"{BASE}p"), ox.Literal(str(n)), staged)
        for n in range(7)
    ]
    store._stage({staged.value: quads})
    assert [method for method, _, _ in sent] == ["PUT", "POST", "POST"]
    assert {url for _, url, _ in sent} == {"http://engine.test/gsp?graph=urn%3Aclaimgraph%3Aunion%3Agen"}
    received = [t for _, _, body in sent for t in ox.parse(body, format=ox.RdfFormat.N_TRIPLES)]
    assert sorted(map(str, received)) == sorted(str(q.triple) for q in quads)
