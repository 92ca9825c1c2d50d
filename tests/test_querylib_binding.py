"""querylib binds a query's parameters with a VALUES block at the top of its WHERE group (Virtuoso
refuses a trailing one, README "Virtuoso"). At the top the block joins first, at the end last: the
answers agree only when every bound variable is bound by the group's required patterns. This holds
every query the service binds, with every variable it binds, to the answers of the trailing form,
for every value the variable takes in the data (and one it never takes)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from claimgraph.ingestion import CLAIM_COUNT
from claimgraph.iris import Iris
from claimgraph.querylib import NamedQuery, where_group
from claimgraph.reading.descriptions import load_page_queries
from claimgraph.store.oxigraph import OxigraphStore
from rdflib import URIRef
from rdflib.plugins.sparql import prepareQuery
from rdflib.term import Node

DATA = Path(__file__).resolve().parent.parent / "data"
CANONICAL = "https://w3id.org/claimgraph/"
ASSERTION = URIRef("https://w3id.org/claimgraph/ontology#assertion")
NOWHERE = URIRef(CANONICAL + "claims/no-such-claim")

#: Every query the service binds (reading/, ingestion/), with the variables it binds.
BOUND = [
    ("claims", ("claim",)),
    ("claim-links", ("claim",)),
    ("claim-links", ("target",)),
    ("claim-assertions", ("claim",)),
    ("review-evidence", ("claim",)),
    ("reviews", ("claim",)),
    ("articles", ("article",)),
    ("source-facts", ("source",)),
    ("claim-versions", ("claim",)),
    ("claim-graphs", ("claim",)),
    ("graph-content", ("g",)),
    ("resource", ("resource",)),
    ("article-text", ("resource",)),
    ("graph", ("graph",)),
    ("claim", ("claim", "assertion_link")),
    ("claim-count", ("article",)),
]


@pytest.fixture(scope="module")
def store(released_nquads: bytes) -> OxigraphStore:
    loaded = OxigraphStore(base_iri=CANONICAL, prefixes=Iris(CANONICAL).prefixes())
    loaded.replace_all(released_nquads)
    return loaded


@pytest.fixture(scope="module")
def queries() -> dict[str, NamedQuery]:
    return {**load_page_queries(), "claim-count": CLAIM_COUNT}


def trailing(query: NamedQuery, values: dict[str, Node]) -> str:
    """The query as it was bound before: a VALUES block after the whole query."""
    names = " ".join(f"?{name}" for name in values)
    terms = " ".join(term.n3() for term in values.values())
    return f"{query.text.rstrip()}\nVALUES ({names}) {{ ({terms}) }}"


def candidates(store: OxigraphStore, variable: str) -> list[Node]:
    """What a variable is bound to: the claims, articles, sources, graphs and subjects of the data."""
    claims = [r["c"] for r in store.select("SELECT DISTINCT ?c WHERE { GRAPH ?g { ?c a schema:Claim } }")]
    if variable == "claim":
        return [*claims, NOWHERE]
    if variable == "article":
        rows = store.select("SELECT DISTINCT ?a WHERE { GRAPH ?g { ?c schema:appearance ?a } }")
        return [*(r["a"] for r in rows), NOWHERE]
    if variable in ("g", "graph"):
        return [*(r["g"] for r in store.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { } }")), NOWHERE]
    # Subjects of every kind (claims, sources, reviews, entities, graphs, articles, versions), and
    # the objects claims link to (for ?target); at most 6 of each namespace, to stay quick.
    rows = store.select(
        "SELECT DISTINCT ?x WHERE { { GRAPH ?g { ?x ?p ?o } }"
        " UNION { GRAPH ?g { ?c a schema:Claim ; ?p ?x } } FILTER(isIRI(?x)) }"
    )
    by_namespace: Counter[str] = Counter()
    chosen: list[Node] = []
    for row in rows:
        namespace = str(row["x"]).rsplit("/", 1)[0]
        by_namespace[namespace] += 1
        if by_namespace[namespace] <= 6:
            chosen.append(row["x"])
    return [*chosen, NOWHERE]


def as_multiset(rows: list[dict[str, Node]]) -> Counter[frozenset[tuple[str, Node]]]:
    return Counter(frozenset(row.items()) for row in rows)


@pytest.mark.parametrize(("name", "variables"), BOUND, ids=[f"{n}-{'-'.join(v)}" for n, v in BOUND])
def test_binding_at_the_top_gives_the_trailing_values_answers(store, queries, name, variables):
    query = queries[name]
    answered = 0
    for value in candidates(store, variables[0]):
        values: dict[str, Node] = {variables[0]: value}
        if "assertion_link" in variables:
            values["assertion_link"] = ASSERTION
        rows = store.select(query.bind(**values))
        assert as_multiset(rows) == as_multiset(store.select(trailing(query, values))), value
        answered += bool(rows)
    assert answered > 0  # the comparison saw answers, not only empty ones


def test_the_values_block_opens_the_where_group(queries):
    for query in queries.values():
        bound = query.bind(x=URIRef("http://example.org/x"))
        at = where_group(query.text)
        assert bound[: at + 1] == query.text[: at + 1]
        assert bound[at + 1 :].lstrip().startswith("VALUES (?x) { (<http://example.org/x>) }")


@pytest.mark.parametrize(
    "text",
    [
        "SELECT ?s WHERE { ?s ?p '}' }",
        'PREFIX a: <http://e/where> SELECT ?s # WHERE {\n WHERE { ?s ?p """{"""@en }',
        "SELECT * { ?s ?p ?o FILTER(?o < 3 && ?o > 1) }",
        "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }",
        "CONSTRUCT { ?s ?p ?o } { ?s ?p ?o }",
        "SELECT ?s WHERE { { SELECT ?s WHERE { ?s ?p ?o } } }",
    ],
)
def test_the_bound_query_parses_and_keeps_its_meaning(text):
    query = NamedQuery("x", "t", "d", text, {})
    bound = query.bind(s=URIRef("http://e/a"))
    prepareQuery(bound)
    assert bound.count("VALUES") == 1
    assert "VALUES (?s)" in bound[where_group(text) :]


def test_a_query_without_a_where_group_is_refused():
    with pytest.raises(ValueError, match="WHERE group"):
        NamedQuery("x", "t", "d", "ASK", {}).bind(s=URIRef("http://e/a"))
