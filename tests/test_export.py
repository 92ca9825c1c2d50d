"""`claimgraph export` writes the whole dataset (claims, context, ontology, reviews), and every
format parses back to the same quads."""

from __future__ import annotations

import subprocess
import sys

import pytest
from claimgraph.build.pipeline import build_reviewed, serialize_dataset
from claimgraph.build.sources import read_sources
from claimgraph.iris import SCHEMA, Iris
from claimgraph.settings import declared_base
from rdflib import Dataset, Graph
from rdflib.namespace import RDF

IRIS = Iris(declared_base(None))  # the CLI's default base: the one data/context.yaml declares


@pytest.fixture(scope="module")
def reviewed():
    built = build_reviewed(read_sources(), IRIS)
    return built.dataset


def quad_set(ds: Dataset) -> set:
    # The data has no blank nodes, so isomorphism is equality of quad sets.
    return {(s, p, o, g.identifier if isinstance(g, Graph) else g) for s, p, o, g in ds.quads()}


@pytest.mark.parametrize(("fmt", "parser"), [("trig", "trig"), ("nquads", "nquads"), ("jsonld", "json-ld")])
def test_export_round_trips(fmt, parser, reviewed):
    parsed = Dataset().parse(data=serialize_dataset(reviewed, fmt), format=parser)
    assert quad_set(parsed) == quad_set(reviewed)
    assert len(quad_set(parsed)) > 3000


def test_turtle_export_is_the_union_of_all_graphs(reviewed):
    graph = Graph().parse(data=serialize_dataset(reviewed, "turtle"), format="turtle")
    assert set(graph) == {(s, p, o) for s, p, o, _ in quad_set(reviewed)}


def test_cli_export_writes_claims_reviews_and_ontology(tmp_path, reviewed):
    out = tmp_path / "export.trig"
    result = subprocess.run(
        [sys.executable, "-m", "claimgraph.cli", "export", "--format", "trig", "-o", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    parsed = Dataset().parse(out, format="trig")
    graphs = {g.identifier for g in parsed.graphs()}
    assert {IRIS.graph("reviews"), IRIS.ontology, IRIS.assertion_graph("c013")} <= graphs
    claims = {s for s, _, _, _ in parsed.quads((None, RDF.type, SCHEMA.Claim, None))}
    assert len(claims) == 82
    # Same content as built in process, but for the check run's clock.
    assert len(quad_set(parsed)) == len(quad_set(reviewed))
