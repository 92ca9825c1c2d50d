"""A library query bound to values (NamedQuery.bind) goes to a remote engine exactly as before, but is
read as its template: parsed once, not once per value (store/sparql.py _shape and _scoped). Every
query of both libraries, bound to an IRI and to a literal, on both kinds of engine (the union in the
engine's default graph, or a graph of its own with GRAPH <iri> sent as a variable)."""

from __future__ import annotations

import math
import re

import pytest
from claimgraph import paths
from claimgraph.errors import QueryRejected
from claimgraph.iris import Iris
from claimgraph.querylib import BoundQuery, NamedQuery, load_library
from claimgraph.store.sparql import Endpoint, SparqlStore
from rdflib import Literal, URIRef

BASE = "http://claimgraph.test/"
LIBRARY = {
    **{f"rq/{name}": query for name, query in load_library(paths.package_dir() / "rq").items()},
    **{f"queries/{name}": query for name, query in load_library().items()},
}
VALUES = [URIRef("http://claimgraph.test/claims/c1"), Literal('a "quoted" value', lang="en")]


def store(union_in_default: bool) -> SparqlStore:
    """A store that believes a generation is live (nothing is sent: the engine's address is closed)."""
    endpoint = Endpoint("http://127.0.0.1:9/q", "http://127.0.0.1:9/u", "http://127.0.0.1:9/s")
    remote = SparqlStore(endpoint, base_iri=BASE, prefixes=Iris(BASE).prefixes())
    remote._node, remote._generation, remote._known = "urn:claimgraph:generation:x", "x", True
    remote._union, remote._in_default = "urn:claimgraph:union:x", union_in_default
    remote._checked = math.inf  # never looked up again
    return remote


def bindings(query: NamedQuery) -> list[dict[str, URIRef | Literal]]:
    names = list(dict.fromkeys(re.findall(r"[?$](\w+)", query.text)))[:2]
    return [{name: value} for name in names for value in VALUES]


@pytest.mark.parametrize("union_in_default", [True, False], ids=["default-graph", "union-graph"])
@pytest.mark.parametrize("name", sorted(LIBRARY))
def test_a_bound_query_goes_out_as_it_did(name, union_in_default):
    remote = store(union_in_default)
    compared = 0
    for values in bindings(LIBRARY[name]):
        bound = LIBRARY[name].bind(**values)
        assert isinstance(bound, BoundQuery)
        plain = str(bound)
        assert type(plain) is str
        try:
            old_text, old_shape = remote._shape(plain)
        except QueryRejected:
            continue  # this variable cannot be bound at the top of this query's group: not a query
        text, shape = remote._shape(bound)
        assert isinstance(text, BoundQuery)  # read as its template
        assert shape == old_shape
        assert remote.outgoing(text, shape, None) == remote.outgoing(old_text, old_shape, None)
        compared += 1
    if not compared:
        pytest.skip("no variable of this query can be bound at the top of its group")


def test_a_value_that_is_not_one_term_is_read_as_a_whole_query():
    """A term that would close the VALUES block (rdflib refuses to write such an IRI; the check stands
    behind it) is not trusted to the template's reading: the whole text is read, and refused."""
    remote = store(True)
    crafted = URIRef('x"> ?p ?o } GRAPH ?g { ?s ?p ?o } #"')
    with pytest.raises(Exception, match="valid URI"):
        crafted.n3()
    bound = BoundQuery.of("SELECT ?s WHERE { ?s ?p ?o }", ["s"], [f"<{crafted}>"])
    with pytest.raises(QueryRejected):
        remote._shape(bound)
    injected = "<http://e/a>) } GRAPH ?g { ?s ?p ?o } VALUES (?z) { (1"
    bound = BoundQuery.of("SELECT ?s WHERE { ?s ?p ?o }", ["s"], [injected])
    text, shape = remote._shape(bound)
    assert not isinstance(text, BoundQuery)
    assert shape.names_graphs
    sent, _, _ = remote.outgoing(text, shape, None)
    assert "FILTER EXISTS" in sent  # the injected GRAPH pattern scoped, as any query's
