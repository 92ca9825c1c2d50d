"""bench/generate.py: the synthetic dataset is deterministic, has the shipped data's shape, and every
example query returns rows on it at the smallest size. No timings here: those are `make bench`'s.
"""

from __future__ import annotations

import doctest
import importlib
import re

import pyoxigraph as ox
import pytest
from claimgraph.build.pipeline import build_reviewed, to_nquads
from claimgraph.build.sources import read_sources
from claimgraph.build.validation import load_ontology, load_shapes, merged_graph
from claimgraph.iris import ONTOLOGY, Iris
from claimgraph.querylib import load_library
from claimgraph.store.oxigraph import VERSION_QUERY
from pyshacl import validate as shacl_validate
from rdflib import Dataset

from bench.generate import BENCH_BASE, SIZES, generate, parse_size

SMALLEST = SIZES["10k"]
OPTIONS = {
    "base_iri": BENCH_BASE,
    "prefixes": Iris(BENCH_BASE).prefixes(),
    "use_default_graph_as_union": True,
}
ANCHORS = """
SELECT ?exact ?start ?end ?text WHERE {
  ?target oa:hasSource ?source ; oa:hasSelector ?quote, ?position .
  ?quote oa:exact ?exact . ?position oa:start ?start ; oa:end ?end .
  ?source schema:text ?text .
}
"""


@pytest.fixture(scope="module")
def synthetic():
    return generate(SMALLEST)


@pytest.fixture(scope="module")
def store(synthetic) -> ox.Store:
    loaded = ox.Store()
    loaded.bulk_load(synthetic.nquads, format=ox.RdfFormat.N_QUADS)
    return loaded


def test_generator_is_deterministic(synthetic):
    again = generate(SMALLEST)
    assert again.nquads == synthetic.nquads
    assert again.sha256 == synthetic.sha256


def test_another_seed_gives_other_data(synthetic):
    assert generate(SMALLEST, seed=1).nquads != synthetic.nquads


def test_size_is_about_the_target_without_duplicates(synthetic, store):
    assert SMALLEST <= synthetic.quads < SMALLEST * 1.05
    assert len(store) == synthetic.quads == synthetic.nquads.count(b"\n")
    assert synthetic.articles >= 1
    assert synthetic.claims >= 100


def test_sizes_parse():
    assert [parse_size(name) for name in ("10k", "100k", "1m", "1M", "5000")] == [
        10_000,
        100_000,
        1_000_000,
        1_000_000,
        5_000,
    ]
    with pytest.raises(ValueError, match="not a size"):
        parse_size("big")


#: The release-history queries (issue 11) read released versions; the synthetic data has none.
HISTORY = "history-"


@pytest.mark.parametrize("name", sorted(n for n in load_library() if not n.startswith(HISTORY)))
def test_example_query_returns_rows_on_synthetic_data(store, name):
    rows = list(store.query(load_library()[name].text, **OPTIONS))
    assert rows, f"{name} returns nothing on the synthetic data"


def test_figure_lookup_value_exists(store):
    query = "SELECT ?claim WHERE { GRAPH ?a { ?f schema:value 73197 } ?claim cg:assertion ?a }"
    assert list(store.query(query, **OPTIONS))


def test_anchors_point_into_the_article_text(store):
    rows = list(store.query(ANCHORS, **OPTIONS))
    assert len(rows) >= 100
    for row in rows:
        start, end = int(row["start"].value), int(row["end"].value)
        assert row["text"].value[start:end] == row["exact"].value


def test_data_version_is_stated(store, synthetic):
    rows = list(store.query(VERSION_QUERY))
    assert [row["version"].value for row in rows] == [synthetic.version]


#: Where the ontology's persistent IRI is minted (its graph is named by it whatever the data's base).
ONTOLOGY_BASE = ONTOLOGY.removesuffix("ontology")


def _shape(nquads: bytes, base: str) -> dict[str, set[str]]:
    """Per kind of graph (one claim's graphs stand for all), its predicates and classes."""
    shape: dict[str, set[str]] = {}
    for quad in ox.parse(nquads, format=ox.RdfFormat.N_QUADS):
        graph = re.sub(r"^claims/[^/]+/", "claims/*/", str(quad.graph_name.value).removeprefix(base))
        graph = graph.removeprefix(ONTOLOGY_BASE)  # the ontology's graph, the same under every base
        term = quad.predicate.value.removeprefix(base)
        if term.endswith("#type"):
            term = f"a {quad.object.value.removeprefix(base)}"
        shape.setdefault(graph, set()).add(term)
    return shape


def test_synthetic_data_has_the_shipped_shape():
    shipped_base = "http://claimgraph.test/"
    built = build_reviewed(read_sources(), Iris(shipped_base))
    shipped = _shape(to_nquads(built.dataset), shipped_base)
    synthetic = _shape(generate(2_500).nquads, BENCH_BASE)
    assert synthetic.keys() == shipped.keys()
    allowed = {"claims/*/assertion": {"http://schema.org/endDate"}}  # events may end (compile_claims.py)
    for graph, terms in synthetic.items():
        assert terms - shipped[graph] <= allowed.get(graph, set()), graph


def test_synthetic_data_satisfies_the_shapes():
    iris = Iris(BENCH_BASE)
    dataset = Dataset()
    dataset.parse(data=generate(2_500).nquads, format="nquads")
    conforms, _, text = shacl_validate(
        merged_graph(dataset),
        shacl_graph=load_shapes(iris),
        ont_graph=load_ontology(iris),
        inference="none",
        allow_warnings=True,
    )
    assert conforms, text


@pytest.mark.parametrize("module", ["bench.terms", "bench.generate", "bench.measure"])
def test_bench_doctests(module):
    failed, attempted = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert attempted
    assert not failed
