"""The ontology as documentation: classes, properties and concept schemes with their concepts,
labels and comments, generated from the ontology graph in the store (one anchor per term)."""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS
from rdflib.term import Node

from claimgraph import wording
from claimgraph.iris import STANDARD_PREFIXES, Iris
from claimgraph.reading.descriptions import StoreReader, describe_graph
from claimgraph.reading.model import Ref

#: What a term's documentation lists besides its label and comment, in this order.
FACTS = (
    ("subclass of", RDFS.subClassOf),
    ("domain", RDFS.domain),
    ("range", RDFS.range),
    ("sub-property of", RDFS.subPropertyOf),
    ("notation", SKOS.notation),
)


@dataclass(frozen=True)
class Fact:
    label: str
    text: str
    href_iri: str | None = None


@dataclass(frozen=True)
class TermDoc:
    iri: str
    anchor: str | None
    label: str
    comment: str
    facts: tuple[Fact, ...]
    concepts: tuple[TermDoc, ...] = ()


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    terms: tuple[TermDoc, ...]


@dataclass(frozen=True)
class OntologyDoc:
    iri: str
    title: str
    comment: str
    version: str | None
    version_iri: str | None
    license: str | None
    created: str | None
    sections: tuple[Section, ...]


def read_ontology(reader: StoreReader, iris: Iris) -> OntologyDoc:
    """The documentation of this deployment's ontology; NotFound when the store has no ontology graph."""
    dataset = describe_graph(reader, iris.ontology)
    graph = _merged(dataset)
    namer = _Namer(graph, str(iris.cg))
    onto = iris.ontology

    def value(predicate: URIRef) -> str | None:
        found = graph.value(onto, predicate)
        return str(found) if found is not None else None

    sections = (
        Section("classes", "Classes", namer.terms(OWL.Class)),
        Section("object-properties", "Object properties", namer.terms(OWL.ObjectProperty)),
        Section("datatype-properties", "Datatype properties", namer.terms(OWL.DatatypeProperty)),
        Section("concept-schemes", "Concept schemes", namer.schemes()),
        Section("borrowed", "Terms used from other vocabularies", namer.borrowed()),
    )
    return OntologyDoc(
        iri=str(onto),
        title=value(DCTERMS.title) or value(RDFS.label) or "Ontology",
        comment=value(RDFS.comment) or "",
        version=value(OWL.versionInfo),
        version_iri=value(OWL.versionIRI),
        license=value(DCTERMS.license),
        created=value(DCTERMS.created),
        sections=tuple(section for section in sections if section.terms),
    )


def _merged(dataset: Dataset) -> Graph:
    graph = Graph()
    for s, p, o, _ in dataset.quads((None, None, None, None)):
        graph.add((s, p, o))
    return graph


class _Namer:
    def __init__(self, graph: Graph, namespace: str) -> None:
        self.graph = graph
        self.namespace = namespace

    def anchor(self, iri: Node) -> str | None:
        text = str(iri)
        return text[len(self.namespace) :] if text.startswith(self.namespace) else None

    def label(self, node: Node) -> str:
        for predicate in (SKOS.prefLabel, RDFS.label):
            found = self.graph.value(node, predicate)
            if isinstance(found, Literal):
                return str(found)
        return self.anchor(node) or wording.local_name(str(node))

    def term(self, node: Node, concepts: tuple[TermDoc, ...] = ()) -> TermDoc:
        facts = []
        for name, predicate in FACTS:
            for target in sorted(self.graph.objects(node, predicate), key=str):
                if isinstance(target, URIRef):
                    facts.append(Fact(name, self.ref(target).label, str(target)))
                else:
                    facts.append(Fact(name, str(target)))
        comment = self.graph.value(node, SKOS.definition) or self.graph.value(node, RDFS.comment)
        return TermDoc(
            str(node), self.anchor(node), self.label(node), str(comment or ""), tuple(facts), concepts
        )

    def ref(self, node: URIRef) -> Ref:
        anchor = self.anchor(node)
        return Ref(str(node), anchor or wording.local_name(str(node)), anchor or _prefixed(str(node)))

    def terms(self, rdf_type: URIRef) -> tuple[TermDoc, ...]:
        nodes = [n for n in self.graph.subjects(RDF.type, rdf_type) if self.anchor(n)]
        return tuple(self.term(n) for n in sorted(nodes, key=lambda n: self.label(n).lower()))

    def borrowed(self) -> tuple[TermDoc, ...]:
        """Standard terms our terms point at (schema:Claim as a domain): each gets an anchor by its
        local name where that is free, so /ontology#Claim lands on what a claim is here."""
        taken = {self.anchor(s) for s in self.graph.subjects() if self.anchor(s)}
        uses: dict[URIRef, list[Fact]] = {}
        for name, predicate in FACTS[:4]:
            for subject, target in self.graph.subject_objects(predicate):
                if isinstance(target, URIRef) and not self.anchor(target) and self.anchor(subject):
                    uses.setdefault(target, []).append(Fact(f"{name} of", self.label(subject), str(subject)))
        docs = []
        for target in sorted(uses, key=lambda t: wording.local_name(str(t)).lower()):
            local = wording.local_name(str(target))
            anchor = local if local not in taken else None
            taken.add(local)
            facts = (Fact("defined by", _prefixed(str(target)), str(target)), *sorted(uses[target], key=str))
            docs.append(TermDoc(str(target), anchor, local, "", facts))
        return tuple(docs)

    def schemes(self) -> tuple[TermDoc, ...]:
        docs = []
        for scheme in sorted(self.graph.subjects(RDF.type, SKOS.ConceptScheme), key=str):
            members = sorted(self.graph.subjects(SKOS.inScheme, scheme), key=str)
            docs.append(self.term(scheme, tuple(self.term(m) for m in members)))
        return tuple(docs)


def _prefixed(iri: str) -> str:
    """A short name for a term of another vocabulary.

    >>> _prefixed("http://schema.org/Observation")
    'schema:Observation'
    >>> _prefixed("http://www.w3.org/ns/prov#Entity")
    'prov:Entity'
    """
    for prefix, namespace in STANDARD_PREFIXES.items():
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace) :]}"
    return iri
