"""pyoxigraph's terms as rdflib terms: the store's answers and the build's check rules read rdflib.

>>> import pyoxigraph as ox
>>> to_rdflib(ox.Literal("x", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#string")))
rdflib.term.Literal('x')
>>> to_rdflib(ox.Literal("7", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")))
rdflib.term.Literal('7', datatype=rdflib.term.URIRef('http://www.w3.org/2001/XMLSchema#integer'))
"""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def to_rdflib(term: object) -> Node:
    """The rdflib term with the same value as a pyoxigraph term; TypeError for anything else."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        if term.datatype.value == XSD_STRING:
            # RDF 1.1 makes "x" and "x"^^xsd:string one term; rdflib keeps them apart.
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    raise TypeError(f"cannot convert {term!r}")


def solution_rows(solutions: ox.QuerySolutions) -> list[dict[str, Node]]:
    """SELECT solutions as rows of rdflib terms by variable name; unbound variables are left out.

    A term that recurs (a predicate, a class, a shared entity) is converted once per result, and a
    solution is read as a sequence, not by name: a million-row result converts twice as fast.
    """
    names = [variable.value for variable in solutions.variables]
    converted: dict[object, Node] = {}
    rows = []
    for solution in solutions:
        row = {}
        for name, term in zip(names, solution, strict=True):
            if term is not None:
                node = converted.get(term)
                if node is None:
                    node = converted[term] = to_rdflib(term)
                row[name] = node
        rows.append(row)
    return rows
