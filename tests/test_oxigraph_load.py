"""The union of the named graphs written into the default graph from the input's text
(store/oxigraph_load.py) is the union Oxigraph's own update writes, on the shipped data (released
versions left out of it) and on generated data, in memory and on disk; input the text rules do not
read falls back to the update."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from claimgraph.store import oxigraph_load
from claimgraph.store.oxigraph_load import UNION_UPDATE, load_with_union, union_text

from bench.generate import generate


def as_set(store: ox.Store) -> set[tuple[object, ...]]:
    """The store's quads, a blank node's label (each load's own) as one marker (the data below has
    at most one blank node)."""
    return {
        tuple(
            "_:" if isinstance(t, ox.BlankNode) else t
            for t in (q.subject, q.predicate, q.object, q.graph_name)
        )
        for q in store
    }


def by_update(nquads: bytes) -> set[tuple[object, ...]]:
    store = ox.Store()
    store.bulk_load(nquads, format=ox.RdfFormat.N_QUADS)
    store.update(UNION_UPDATE)
    return as_set(store)


def loaded(nquads: bytes, tmp_path=None) -> set[tuple[object, ...]]:
    store = ox.Store(str(tmp_path)) if tmp_path else ox.Store()
    load_with_union(store, nquads, on_disk=tmp_path is not None)
    return as_set(store)


@pytest.fixture(scope="module")
def generated() -> bytes:
    return generate(4000).nquads


def test_the_shipped_data_has_released_versions_and_its_text_is_cut(released_nquads):
    union = union_text(released_nquads)
    assert union is not None
    assert b"/np/RA" in released_nquads
    default = list(ox.parse(union, format=ox.RdfFormat.N_QUADS))
    assert default
    assert all(isinstance(q.graph_name, ox.DefaultGraph) for q in default)


@pytest.mark.parametrize("on_disk", [False, True])
def test_the_union_from_text_is_the_update_s_union(released_nquads, generated, tmp_path, on_disk):
    for n, data in enumerate([released_nquads, generated]):
        assert loaded(data, tmp_path / str(n) if on_disk else None) == by_update(data)


def test_statements_the_rules_do_not_read_fall_back_to_the_update(monkeypatch):
    updates: list[str] = []
    real = ox.Store.update
    monkeypatch.setattr(ox.Store, "update", lambda self, text: updates.append(text) or real(self, text))
    # A comment after a statement, and a blank node: the text is not cut, the update writes the union.
    for data in [
        b'<http://e/s> <http://e/p> "o" <http://e/g> . # note\n',
        b'_:b <http://e/p> "o" <http://e/g> .\n<http://e/s> <http://e/p> _:b <http://e/h> .\n',
    ]:
        assert union_text(data) is None
        assert loaded(data) == by_update(data)
    assert updates.count(UNION_UPDATE) == 4  # two loads, two references


def test_a_triple_in_the_default_graph_is_refused_before_any_union():
    with pytest.raises(ValueError, match="default graph"):
        loaded(b'<http://e/s> <http://e/p> <http://e/o> .\n<http://e/s> <http://e/p> "x" <http://e/g> .\n')


def test_a_sliced_load_gets_the_same_union(released_nquads, tmp_path, monkeypatch):
    monkeypatch.setattr(oxigraph_load, "PARALLEL_LOAD_BYTES", 0)
    monkeypatch.setattr(oxigraph_load.os, "cpu_count", lambda: 4)
    assert loaded(released_nquads, tmp_path / "sliced") == by_update(released_nquads)
