"""Every example query (queries/*.rq) answers the same on the embedded store, on Oxigraph server and on
Virtuoso, through the service's backends (OxigraphStore, SparqlStore), on two datasets: a small generated
one (bench/generate.py: every query but the history ones returns rows), the shipped data with its
released history, and a copy of it released twice more (c013's figure and source corrected, c082 removed)
so that every history query has rows.

Answers are compared as multisets of rows (ORDER BY is not what is compared), each term by value:
IRIs as IRIs, literals of a numeric, boolean or date/time datatype by value (engines may write another
lexical form of the same value: Virtuoso's 1 for true, 77 for 77.0), other literals by lexical form,
language and datatype (xsd:string and a simple literal alike). One exception, for a reason in the spec:
the order of the values a GROUP_CONCAT joins is left open by SPARQL 1.1 (section 18.5.1.7, "the order
of the strings is not specified"), and the engines do differ on it, so a GROUP_CONCAT column is compared
as the multiset of its parts.
"""

from __future__ import annotations

import re
import shutil
import warnings
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest
from claimgraph.build.pipeline import build_dataset, to_nquads
from claimgraph.build.sources import read_sources
from claimgraph.iris import Iris
from claimgraph.store import Store
from claimgraph.store.oxigraph import OxigraphStore
from claimgraph.store.sparql import Endpoint, SparqlStore
from live_server import oxigraph_server
from test_issue_11 import change_c013, claimgraph, remove_c082
from virtuoso_server import VIRTUOSO, virtuoso_endpoint

from bench.generate import BENCH_BASE, generate

QUERIES_DIR = Path(__file__).resolve().parent.parent / "queries"
QUERIES = sorted(QUERIES_DIR.glob("*.rq"))
CANONICAL = "https://w3id.org/claimgraph/"
JSON = "application/sparql-results+json"
#: Triples of the generated dataset: enough for every non-history query to return rows.
GENERATED_TRIPLES = 4000
XSD = "http://www.w3.org/2001/XMLSchema#"
NUMERIC = {
    f"{XSD}{name}"
    for name in [
        "integer",
        "decimal",
        "float",
        "double",
        "int",
        "long",
        "short",
        "byte",
        "nonNegativeInteger",
        "positiveInteger",
        "negativeInteger",
        "nonPositiveInteger",
        "unsignedInt",
        "unsignedLong",
        "unsignedShort",
        "unsignedByte",
    ]
}
_GROUP_CONCAT = re.compile(
    r"GROUP_CONCAT\s*\((?:[^()]|\([^()]*\))*?;\s*separator\s*=\s*(\"[^\"]*\"|'[^']*')\s*\)\s*AS\s*\?(\w+)",
    re.IGNORECASE,
)
ENGINES = ("embedded", "oxigraph-server", "virtuoso")


def group_concat_columns(query: str) -> dict[str, str]:
    """The variables a GROUP_CONCAT binds, with their separators.

    >>> group_concat_columns('SELECT (GROUP_CONCAT(DISTINCT STR(?d); separator=", ") AS ?on) {}')
    {'on': ', '}
    """
    return {match[2]: match[1][1:-1] for match in _GROUP_CONCAT.finditer(query)}


def term_value(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | None) -> object:
    """A term as compared across engines (the module's docstring)."""
    if term is None:
        return None
    if isinstance(term, ox.BlankNode):
        return ("blank",)  # a blank node's label is the engine's own
    if not isinstance(term, ox.Literal):
        return ("iri", term.value)
    datatype = term.datatype.value
    if datatype in NUMERIC:
        return ("number", Decimal(term.value))
    if datatype == f"{XSD}boolean":
        return ("boolean", term.value in ("true", "1"))
    if datatype == f"{XSD}dateTime":  # Z and +00:00 are one time zone
        return ("dateTime", datetime.fromisoformat(term.value))
    if term.language:
        return ("text", term.value, term.language.lower())
    return ("literal", term.value, datatype)


def quad_values(nquads: bytes) -> Counter[tuple[object, ...]]:
    """The quads of an N-Quads document, each term as ``term_value`` compares it."""
    return Counter(
        (
            term_value(q.subject),
            term_value(q.predicate),
            term_value(q.object),
            None if isinstance(q.graph_name, ox.DefaultGraph) else term_value(q.graph_name),
        )
        for q in ox.parse(nquads, format=ox.RdfFormat.N_QUADS)
    )


def content_difference(store: Store, loaded: bytes) -> tuple[list[object], list[object]]:
    """What the store's live graphs lack of the loaded named-graph quads, and what they hold beyond
    them (the default graph is the engine's union of the named graphs, not compared)."""
    named = Counter({q: n for q, n in quad_values(loaded).items() if q[3] is not None})
    held = quad_values(b"".join(store.export("application/n-quads")))
    return list((named - held).elements()), list((held - named).elements())


def answers(store: Store, query: str) -> Counter[tuple[object, ...]]:
    body = b"".join(store.sparql(query, media_type=JSON).chunks)
    solutions = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
    assert isinstance(solutions, ox.QuerySolutions)
    names = [v.value for v in solutions.variables]
    joined = group_concat_columns(query)
    rows: Counter[tuple[object, ...]] = Counter()
    for solution in solutions:
        row: list[object] = []
        for name in names:
            term = solution[name]
            if name in joined and isinstance(term, ox.Literal):
                row.append(("parts", tuple(sorted(term.value.split(joined[name]))), term.language))
            else:
                row.append(term_value(term))
        rows[tuple(row)] += 1
    return rows


def open_stores(nquads: bytes, base: str, oxigraph: str, virtuoso: str) -> dict[str, Store]:
    """The three engines holding ``nquads``, as the service opens them for ``base``."""
    options = {"base_iri": base, "prefixes": Iris(base).prefixes()}
    embedded = OxigraphStore(**options)  # type: ignore[arg-type]
    embedded.replace_all(nquads)
    remote = {
        "oxigraph-server": Endpoint(
            f"{oxigraph}/query", f"{oxigraph}/update", f"{oxigraph}/store", timeout=60
        ),
        "virtuoso": virtuoso_endpoint(virtuoso, 60),
    }
    stores: dict[str, Store] = {"embedded": embedded}
    for name, endpoint in remote.items():
        store = SparqlStore(endpoint, **options)  # type: ignore[arg-type]
        store.replace_all(nquads)
        stores[name] = store
    return stores


@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with oxigraph_server(tmp_path_factory.mktemp("oxigraph-answers")) as url:
        yield url


def released_again(folder: Path) -> bytes:
    """The shipped data released twice more: c013 corrected (73,198; one source), then c082 removed."""
    data = folder / "data"
    shutil.copytree(Path(__file__).resolve().parent.parent / "data", data)
    change_c013(data)
    assert claimgraph("release", "-m", "c013 corrected", data=data).returncode == 0
    remove_c082(data)
    assert claimgraph("release", "-m", "c082 removed", data=data).returncode == 0
    return to_nquads(build_dataset(read_sources(data), Iris(CANONICAL)).dataset)


@dataclass
class Answers:
    """Per engine, the answer (or error text) of every example query on one dataset, and the stores,
    open while the tests of that dataset run."""

    dataset: str
    results: dict[str, dict[str, Counter[tuple[object, ...]] | str]]
    stores: dict[str, Store]
    nquads: bytes


@pytest.fixture(scope="module", params=["generated", "shipped", "released-again"])
def engines(
    request: pytest.FixtureRequest,
    oxigraph: str,
    virtuoso_url: str,
    released_nquads: bytes,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Answers]:
    """Per engine, the answer (or error text) of every example query on one dataset."""
    if request.param == "generated":
        nquads, base = generate(GENERATED_TRIPLES).nquads, BENCH_BASE
    elif request.param == "shipped":
        nquads, base = released_nquads, CANONICAL
    else:
        nquads, base = released_again(tmp_path_factory.mktemp("released-again")), CANONICAL
    stores = open_stores(nquads, base, oxigraph, virtuoso_url)
    results: dict[str, dict[str, Counter[tuple[object, ...]] | str]] = {}
    for name, store in stores.items():
        results[name] = {}
        for path in QUERIES:
            try:
                results[name][path.stem] = answers(store, path.read_text(encoding="utf-8"))
            except Exception as exc:  # reported by the test of that query
                results[name][path.stem] = f"{type(exc).__name__}: {str(exc)[:300]}"
    yield Answers(request.param, results, stores, nquads)
    for store in stores.values():
        store.close()


pytestmark = pytest.mark.skipif(VIRTUOSO is None, reason="virtuoso-t is not installed (make virtuoso-deps)")


def test_the_generated_data_gives_rows_to_every_query_but_the_history_ones(engines):
    dataset, results = engines.dataset, engines.results
    if dataset != "generated":
        pytest.skip("the generated dataset only")
    embedded = results["embedded"]
    empty = {name for name, rows in embedded.items() if not rows}
    assert empty == {name for name in embedded if name.startswith("history-")}


def test_the_history_released_again_gives_rows_to_every_history_query(engines):
    dataset, results = engines.dataset, engines.results
    if dataset != "released-again":
        pytest.skip("the data released again only")
    embedded = results["embedded"]
    assert all(embedded[path.stem] for path in QUERIES if path.stem.startswith("history-"))


def test_a_store_short_of_a_quad_is_told_from_one_that_answers_otherwise(released_nquads):
    """The fault finder of the test below: a store loaded with one quad less, or one more, differs."""
    quads = list(ox.parse(released_nquads, format=ox.RdfFormat.N_QUADS))
    named = next(i for i, q in enumerate(quads) if not isinstance(q.graph_name, ox.DefaultGraph))
    short = ox.serialize(quads[:named] + quads[named + 1 :], format=ox.RdfFormat.N_QUADS) or b""
    store = OxigraphStore(base_iri=CANONICAL, prefixes=Iris(CANONICAL).prefixes())
    store.replace_all(short)
    lost, extra = content_difference(store, released_nquads)
    assert lost == [
        quad_values(ox.serialize([quads[named]], format=ox.RdfFormat.N_QUADS) or b"").popitem()[0]
    ]
    assert extra == []
    assert content_difference(store, short) == ([], [])


@pytest.mark.parametrize("engine", ENGINES[1:])
@pytest.mark.parametrize("query", [path.stem for path in QUERIES])
def test_every_example_query_answers_alike_on_every_engine(engines, engine, query):
    dataset, results = engines.dataset, engines.results
    expected, got = results["embedded"][query], results[engine][query]
    assert not isinstance(expected, str), f"embedded store on {dataset}: {expected}"
    assert not isinstance(got, str), f"{engine} on {dataset}: {got}"
    if got != expected:
        # Asked once more, of the same data: an answer the engine gives only sometimes is reported.
        again = answers(engines.stores[engine], (QUERIES_DIR / f"{query}.rq").read_text(encoding="utf-8"))
        if again == expected:
            warnings.warn(f"{engine} answered {query} on {dataset} otherwise once, then alike", stacklevel=1)
            return
        # Given again: the store's content decides whose fault it is. A quad lost or added by the load
        # (ours) fails. On Virtuoso, the very quads the embedded store holds answered otherwise are the
        # engine's evaluation (7.2 has left an OPTIONAL value out of history-as-of-release, README): an
        # expected failure that names the rows, never a pass. Oxigraph server gets the same query text
        # (the same generation scoping) and must answer alike.
        lost, extra = content_difference(engines.stores[engine], engines.nquads)
        assert (lost, extra) == ([], []), f"{engine} holds other data than was loaded on {dataset}"
        if engine == "virtuoso":
            pytest.xfail(
                f"{engine} holds every quad loaded, yet answered {query} on {dataset} otherwise twice:"
                f" only embedded: {list((expected - got).items())[:3]}; only {engine}:"
                f" {list((got - expected).items())[:3]}"
            )
    assert got == expected, (
        f"{query} on {dataset}: {sum(expected.values())} rows embedded, {sum(got.values())} on {engine};"
        f" only embedded: {list((expected - got).items())[:3]};"
        f" only {engine}: {list((got - expected).items())[:3]}"
    )
