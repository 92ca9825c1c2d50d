"""Citation mode on graphs whose lineage is known by construction."""

from __future__ import annotations

import csv
import io

import pyoxigraph as ox
import pytest
from claimgraph.build.pipeline import to_nquads
from claimgraph.errors import QueryRejected
from claimgraph.iris import SCHEMA, Iris
from claimgraph.media import SOLUTIONS
from claimgraph.protocol.lineage import plan, run_cited
from claimgraph.store.oxigraph import OxigraphStore
from conftest import runner_for
from rdflib import Dataset, Literal, URIRef
from rdflib.namespace import PROV, RDF

IRIS = Iris("http://cite.test/")
EX = "http://cite.test/things/"


def thing(name: str) -> URIRef:
    return URIRef(EX + name)


def add_claim(ds: Dataset, cid: str, source: str, triples) -> None:
    claim = IRIS.claim(cid)
    provenance = ds.graph(IRIS.provenance_graph(cid))
    provenance.add((claim, RDF.type, SCHEMA.Claim))
    provenance.add((claim, IRIS.cg.assertion, IRIS.assertion_graph(cid)))
    provenance.add((claim, PROV.wasDerivedFrom, IRIS.source(source)))
    assertion = ds.graph(IRIS.assertion_graph(cid))
    for triple in triples:
        assertion.add(triple)


@pytest.fixture(scope="module")
def store() -> OxigraphStore:
    ds = Dataset()
    name, age, knows, city = (SCHEMA.name, SCHEMA.age, SCHEMA.knows, SCHEMA.homeLocation)
    # ana's name is asserted by two claims from two sources: one answer, two supports.
    add_claim(ds, "a1", "registry", [(thing("ana"), name, Literal("Ana"))])
    add_claim(ds, "a2", "survey", [(thing("ana"), name, Literal("Ana")), (thing("ana"), age, Literal(30))])
    add_claim(ds, "b1", "survey", [(thing("bo"), name, Literal("Bo"))])
    add_claim(ds, "k1", "poll", [(thing("ana"), knows, thing("bo"))])
    add_claim(ds, "c1", "registry", [(thing("bo"), city, thing("novi-sad"))])
    store = OxigraphStore(base_iri=IRIS.base, prefixes=IRIS.prefixes())
    store.replace_all(to_nquads(ds))
    return store


@pytest.fixture(scope="module")
def runner(store):
    runner = runner_for(store)
    yield runner
    runner.close()


def cited(runner, query: str) -> list[dict[str, str]]:
    result = run_cited(runner, query, base=IRIS.base, prefixes=IRIS.prefixes(), media_type="text/csv")
    return list(csv.DictReader(io.StringIO(b"".join(result.chunks).decode())))


def ids(text: str) -> set[str]:
    return {iri.rsplit("/", 1)[-1] for iri in text.split()}


PREFIX = f"PREFIX ex: <{EX}> "


def test_two_claims_support_one_answer(runner):
    [row] = cited(runner, PREFIX + "SELECT DISTINCT ?n WHERE { ex:ana schema:name ?n }")
    assert row["n"] == "Ana"
    assert ids(row["citedClaims"]) == {"a1", "a2"}
    assert ids(row["citedSources"]) == {"registry", "survey"}


def test_join_cites_every_triple_it_used(runner):
    [row] = cited(
        runner,
        PREFIX
        + "SELECT DISTINCT ?n ?m WHERE { ex:ana schema:name ?n ; schema:knows ?f . ?f schema:name ?m }",
    )
    assert ids(row["citedClaims"]) == {"a1", "a2", "k1", "b1"}


def test_optional_that_stays_unbound_cites_only_what_matched(runner):
    rows = cited(
        runner,
        PREFIX
        + "SELECT DISTINCT ?p ?age WHERE { ?p schema:name ?n OPTIONAL { ?p schema:age ?age } } ORDER BY ?p",
    )
    by_person = {r["p"].rsplit("/", 1)[-1]: r for r in rows}
    assert by_person["ana"]["age"] == "30"
    assert ids(by_person["ana"]["citedClaims"]) == {"a1", "a2"}
    assert by_person["bo"]["age"] == ""
    assert ids(by_person["bo"]["citedClaims"]) == {"b1"}


def test_union_cites_the_branch_that_matched(runner):
    rows = cited(
        runner,
        PREFIX + "SELECT ?x WHERE { { ex:bo schema:homeLocation ?x } UNION { ex:ana schema:age ?x } }",
    )
    lineage = {r["x"].rsplit("/", 1)[-1]: ids(r["citedClaims"]) for r in rows}
    assert lineage == {"novi-sad": {"c1"}, "30": {"a2"}}


def test_filter_keeps_the_lineage_of_the_rows_it_keeps(runner):
    [row] = cited(runner, PREFIX + 'SELECT ?p WHERE { ?p schema:name ?n FILTER(?n = "Bo") }')
    assert ids(row["citedClaims"]) == {"b1"}


def test_property_paths_of_length_one(runner):
    [row] = cited(runner, PREFIX + "SELECT ?p WHERE { ex:bo ^schema:knows ?p }")
    assert ids(row["citedClaims"]) == {"k1"}
    rows = cited(runner, PREFIX + "SELECT ?o WHERE { ex:bo schema:name|schema:homeLocation ?o }")
    assert {ids(r["citedClaims"]).pop() for r in rows} == {"b1", "c1"}


def test_sequence_path_cites_every_step(runner):
    [row] = cited(runner, PREFIX + "SELECT DISTINCT ?n WHERE { ex:ana schema:knows/schema:name ?n }")
    assert row["n"] == "Bo"
    assert ids(row["citedClaims"]) == {"k1", "b1"}


def test_bind_in_union_branches_keeps_each_branchs_lineage(runner):
    rows = cited(
        runner,
        PREFIX
        + """SELECT ?who ?what WHERE {
               { ex:bo schema:homeLocation ?x BIND("home" AS ?what) BIND(ex:bo AS ?who) }
               UNION { ex:ana schema:age ?x BIND("age" AS ?what) BIND(ex:ana AS ?who) } }""",
    )
    lineage = {r["what"]: ids(r["citedClaims"]) for r in rows}
    assert lineage == {"home": {"c1"}, "age": {"a2"}}


def test_aggregate_cites_the_union_of_its_group(runner):
    rows = cited(runner, "SELECT (COUNT(DISTINCT ?p) AS ?people) WHERE { ?p schema:name ?n }")
    [row] = rows
    assert row["people"] == "2"  # the aggregate itself is unchanged by citation mode
    assert ids(row["citedClaims"]) == {"a1", "a2", "b1"}


def test_grouped_aggregate_cites_each_group(runner):
    rows = cited(runner, "SELECT ?p (COUNT(?o) AS ?facts) WHERE { ?p schema:name|schema:age ?o } GROUP BY ?p")
    by_person = {r["p"].rsplit("/", 1)[-1]: r for r in rows}
    assert ids(by_person["ana"]["citedClaims"]) == {"a1", "a2"}
    assert ids(by_person["bo"]["citedClaims"]) == {"b1"}


def test_user_graph_variable_is_cited(runner):
    [row] = cited(runner, PREFIX + "SELECT ?age WHERE { GRAPH ?g { ex:ana schema:age ?age } }")
    assert ids(row["citedClaims"]) == {"a2"}


def test_grouped_sub_query_cites_each_group(runner):
    rows = cited(
        runner,
        "SELECT ?p ?facts WHERE { { SELECT ?p (COUNT(?o) AS ?facts) "
        "WHERE { ?p schema:name|schema:age ?o } GROUP BY ?p } }",
    )
    by_person = {r["p"].rsplit("/", 1)[-1]: r for r in rows}
    assert by_person["ana"]["facts"] == "2"  # the sub-query's aggregate, as it is without citations
    assert ids(by_person["ana"]["citedClaims"]) == {"a1", "a2"}
    assert ids(by_person["bo"]["citedClaims"]) == {"b1"}


def test_union_of_grouped_sub_queries_cites_each_branch(runner):
    """The shape of not-stated: each branch counted in a sub-query of its own."""
    rows = cited(
        runner,
        PREFIX
        + """SELECT ?what ?n WHERE {
               { SELECT ?what (COUNT(?o) AS ?n) WHERE { ?p schema:name ?o BIND("names" AS ?what) }
                 GROUP BY ?what }
               UNION
               { SELECT ?what (COUNT(?o) AS ?n) WHERE { ?p schema:homeLocation ?o BIND("homes" AS ?what) }
                 GROUP BY ?what } }""",
    )
    lineage = {r["what"]: (r["n"], ids(r["citedClaims"])) for r in rows}
    assert lineage == {"names": ("2", {"a1", "a2", "b1"}), "homes": ("1", {"c1"})}


def test_sub_query_keeps_its_own_variables_inside(runner):
    """The sub-query's ?g is not the outer ?g: citing its graph must not join the two."""
    [row] = cited(
        runner,
        PREFIX
        + """SELECT ?g ?age WHERE { BIND("outer" AS ?g)
               { SELECT ?age WHERE { GRAPH ?g { ex:ana schema:age ?age } } } }""",
    )
    assert (row["g"], row["age"]) == ("outer", "30")
    assert ids(row["citedClaims"]) == {"a2"}


def test_sub_query_projecting_an_expression(runner):
    query = "SELECT ?n WHERE { { SELECT (STR(?x) AS ?n) WHERE { ex:bo schema:name ?x } } }"
    [row] = cited(runner, PREFIX + query)
    assert row["n"] == "Bo"
    assert ids(row["citedClaims"]) == {"b1"}


@pytest.mark.parametrize(
    ("query", "construct"),
    [
        ("SELECT ?x WHERE { ?x schema:knows+ ?n }", "length one"),
        ("SELECT ?n WHERE { { SELECT (COUNT(*) AS ?n) WHERE { ?x ?p ?o } GROUP BY (STR(?x)) } }", "plain"),
        ("SELECT ?n WHERE { { SELECT (COUNT(*) AS ?n) WHERE { ?x ?p ?o } GROUP BY ?x } }", "SELECT clause"),
        ("SELECT ?x WHERE { { SELECT ?x WHERE { ?x schema:knows+ ?n } } }", "length one"),
        ("ASK { ?x ?p ?o }", "SELECT queries only"),
        ("SELECT ?x WHERE { ?x ?p ?o } GROUP BY (STR(?x))", "plain variables"),
    ],
)
def test_unsupported_constructs_are_refused_by_name(query, construct):
    with pytest.raises(QueryRejected, match=construct):
        plan(query, base=IRIS.base, prefixes=IRIS.prefixes())


def test_shipped_data_figure_cites_its_claim_and_sources(loaded_store, iris, make_runner):
    result = run_cited(
        make_runner(loaded_store),
        "SELECT ?value WHERE { ?f a cg:Figure ; schema:value ?value FILTER(?value = 67236) }",
        base=iris.base,
        prefixes=iris.prefixes(),
        media_type="application/sparql-results+json",
    )
    import json

    [binding] = json.loads(b"".join(result.chunks))["results"]["bindings"]
    assert ids(binding["citedClaims"]["value"]) == {"c014"}
    assert ids(binding["citedSources"]["value"]) == {"bpa-response-2024-08-05", "bpa-response-2025-02-12"}


def test_every_example_query_runs_in_citation_mode(reviewed_store, iris, make_runner):
    from claimgraph.querylib import load_library

    runner = make_runner(reviewed_store)
    for name, query in load_library().items():
        plain = reviewed_store.select(query.text)
        result = run_cited(
            runner, query.text, base=iris.base, prefixes=iris.prefixes(), media_type="text/csv"
        )
        rows = list(csv.DictReader(io.StringIO(b"".join(result.chunks).decode())))
        assert len(rows) == len(plain), name
        if name not in {"article-metadata", "not-stated"}:  # about the article and sources, not claims
            assert all(row["citedClaims"] for row in rows), name


@pytest.mark.parametrize("fmt", list(SOLUTIONS), ids=lambda fmt: fmt.media_type)
def test_citation_mode_answers_in_every_results_format(runner, fmt):
    """TSV was a 500: rdflib writes no TSV results, so citation mode writes them as any query does."""
    query = PREFIX + "SELECT DISTINCT ?n WHERE { ex:ana schema:name ?n }"
    result = run_cited(runner, query, base=IRIS.base, prefixes=IRIS.prefixes(), media_type=fmt.media_type)
    body = b"".join(result.chunks)
    solutions = ox.parse_query_results(body, format=fmt.oxigraph) if fmt.media_type != "text/csv" else None
    if solutions is None:
        [row] = list(csv.DictReader(io.StringIO(body.decode())))
        assert ids(row["citedClaims"]) == {"a1", "a2"}
        return
    [solution] = list(solutions)
    assert solution["n"] == ox.Literal("Ana")
    assert {c.rsplit("/", 1)[-1] for c in solution["citedClaims"].value.split()} == {"a1", "a2"}


def test_citation_mode_takes_results_up_to_a_share_of_max_result_bytes(runner):
    from claimgraph.errors import ResultTooLarge
    from claimgraph.protocol.lineage import CITED_SHARE

    query = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"
    size = len(b"".join(runner.sparql(query, media_type="application/sparql-results+json").chunks))
    enough = size * CITED_SHARE * 8  # the lineage query's result is larger than the query's
    rows = run_cited(
        runner, query, base=IRIS.base, prefixes=IRIS.prefixes(), media_type="text/csv", max_bytes=enough
    )
    assert rows.chunks
    with pytest.raises(ResultTooLarge, match=rf"1/{CITED_SHARE} of max_result_bytes"):
        run_cited(
            runner, query, base=IRIS.base, prefixes=IRIS.prefixes(), media_type="text/csv", max_bytes=size
        )
