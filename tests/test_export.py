"""`claimgraph export` writes the whole dataset, and it parses back to the same quads."""

from __future__ import annotations

import subprocess
import sys

import pytest
from rdflib import Dataset, Graph

from service.namespaces import Iris

BASE = "http://127.0.0.1:5000/"  # the CLI's default base


def export(fmt: str, tmp_path) -> bytes:
    out = tmp_path / f"export.{fmt}"
    result = subprocess.run(
        [sys.executable, "-m", "service.cli", "export", "--format", fmt, "-o", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return out.read_bytes()


@pytest.fixture(scope="module")
def expected_quads():
    from service.dataset import build_dataset

    built = build_dataset(Iris(BASE))
    return set(built.dataset.quads((None, None, None, None)))


def _quads(ds: Dataset) -> set:
    # The data has no blank nodes, so isomorphism is equality of quad sets.
    return {(s, p, o, g.identifier if isinstance(g, Graph) else g) for s, p, o, g in ds.quads()}


@pytest.mark.parametrize(("fmt", "parser"), [("trig", "trig"), ("nquads", "nquads"), ("jsonld", "json-ld")])
def test_export_round_trips(fmt, parser, tmp_path, expected_quads):
    data = export(fmt, tmp_path)
    parsed = Dataset().parse(data=data, format=parser)
    quads = _quads(parsed)
    expected = {(s, p, o, g.identifier if isinstance(g, Graph) else g) for s, p, o, g in expected_quads}
    assert len(quads) > 3000
    assert quads == expected


def test_export_turtle_is_the_union_of_all_graphs(tmp_path, expected_quads):
    graph = Graph().parse(data=export("turtle", tmp_path), format="turtle")
    assert set(graph) == {(s, p, o) for s, p, o, _ in expected_quads}
