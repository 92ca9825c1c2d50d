"""What an HTML page of a resource shows, worked out from its description (no Flask here).

The page names every IRI by its label where the description has one, else by a
prefixed name; the caller supplies ``href``, which turns an IRI into a link.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from rdflib import BNode, Dataset, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS
from rdflib.term import Node

from claimgraph.iris import SCHEMA

LABELS = (RDFS.label, SKOS.prefLabel, SCHEMA.name, DCTERMS.title, SCHEMA.identifier)
SUMMARIES = (SCHEMA.text, RDFS.comment, SCHEMA.description, DCTERMS.description)
Href = Callable[[str], str]


@dataclass(frozen=True)
class Term:
    text: str
    href: str | None = None
    iri: str | None = None
    note: str = ""  # a literal's datatype or language


@dataclass(frozen=True)
class Row:
    subject: Term
    predicate: Term
    object: Term
    anchor: str | None = None  # set on the first row of a hash-IRI subject (/ontology#Claim)


@dataclass(frozen=True)
class Section:
    graph: Term
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class Page:
    iri: str
    label: str
    summary: str | None
    types: tuple[Term, ...]
    same_as: tuple[Term, ...]
    properties: tuple[Row, ...]
    sections: tuple[Section, ...]


def build_page(dataset: Dataset, iri: URIRef, prefixes: Mapping[str, str], href: Href, base: str) -> Page:
    """The page of ``iri``: its own triples first, then every other triple grouped by graph.

    An IRI without a label is named by a prefixed name, or by its path under ``base``.
    """
    namer = _Namer(dataset, {**prefixes, "": base}, href)
    own = sorted({(p, o) for _, p, o, _ in dataset.quads((iri, None, None, None))}, key=_order)
    properties = tuple(Row(namer.term(iri), namer.term(p), namer.term(o)) for p, o in own)
    return Page(
        iri=str(iri),
        label=namer.label(iri),
        summary=_first_literal(dataset, iri, SUMMARIES),
        types=tuple(namer.term(o) for p, o in own if p == RDF.type),
        same_as=tuple(namer.term(o) for p, o in own if p == OWL.sameAs),
        properties=properties,
        sections=_sections(dataset, iri, namer),
    )


def compact(iri: str, prefixes: Mapping[str, str]) -> str:
    """A prefixed name for ``iri`` with the longest matching namespace, else the IRI itself.

    >>> compact("http://schema.org/Claim", {"schema": "http://schema.org/"})
    'schema:Claim'
    >>> compact("http://example.org/x", {"schema": "http://schema.org/"})
    'http://example.org/x'
    >>> compact("http://example.org/claims/c1", {"": "http://example.org/"})  # the empty prefix: a path
    'claims/c1'
    """
    matches = [(ns, prefix) for prefix, ns in prefixes.items() if iri.startswith(ns) and len(iri) > len(ns)]
    if not matches:
        return iri
    namespace, prefix = max(matches, key=lambda match: len(match[0]))
    local = iri[len(namespace) :]
    return f"{prefix}:{local}" if prefix else local


def _sections(dataset: Dataset, iri: URIRef, namer: _Namer) -> tuple[Section, ...]:
    sections = []
    for graph in sorted(dataset.graphs(), key=lambda g: str(g.identifier)):
        triples = sorted((t for t in graph if t[0] != iri), key=lambda t: (str(t[0]), *_order(t[1:])))
        if not triples:
            continue
        rows, seen = [], set()
        for s, p, o in triples:
            anchor = str(s).partition("#")[2] if str(s).startswith(f"{iri}#") and s not in seen else None
            seen.add(s)
            rows.append(Row(namer.term(s), namer.term(p), namer.term(o), anchor))
        sections.append(Section(namer.term(graph.identifier), tuple(rows)))
    return tuple(sections)


def _order(pair: tuple[Node, Node]) -> tuple[int, str, str]:
    # rdf:type first, then by predicate and object: a stable, readable table.
    predicate, obj = pair
    return (predicate != RDF.type, str(predicate), str(obj))


def _first_literal(dataset: Dataset, iri: URIRef, predicates: tuple[URIRef, ...]) -> str | None:
    for predicate in predicates:
        for _, _, value, _ in dataset.quads((iri, predicate, None, None)):
            if isinstance(value, Literal):
                return str(value)
    return None


class _Namer:
    """Labels and links for the terms of one description."""

    def __init__(self, dataset: Dataset, prefixes: Mapping[str, str], href: Href) -> None:
        self.dataset = dataset
        self.prefixes = prefixes
        self.href = href

    def label(self, iri: Node) -> str:
        found = _first_literal(self.dataset, iri, LABELS) if isinstance(iri, URIRef) else None
        return found or compact(str(iri), self.prefixes)

    def term(self, node: Node) -> Term:
        if isinstance(node, Literal):
            note = f"@{node.language}" if node.language else ""
            if node.datatype:
                note = compact(str(node.datatype), self.prefixes)
            return Term(str(node), note=note)
        if isinstance(node, BNode):
            return Term(f"_:{node}")
        return Term(self.label(node), href=self.href(str(node)), iri=str(node))
