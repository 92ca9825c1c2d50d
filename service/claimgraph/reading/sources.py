"""Sources and entities as a reader sees them: what a source is, who issued it, how and when it was
obtained (and what the article leaves unstated), and the claims that rest on it or mention it."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF
from rdflib.term import Node

from claimgraph import wording
from claimgraph.errors import NotFound
from claimgraph.iris import SCHEMA, Iris
from claimgraph.reading.catalogue import Vocabulary
from claimgraph.reading.descriptions import StoreReader, describe
from claimgraph.reading.model import Claim, JsonObject, Ref

#: Types every source or activity has; a page names the specific one.
GENERIC_TYPES = {str(PROV.Entity), str(PROV.Activity), str(SCHEMA.CreativeWork), str(PROV.Agent)}


@dataclass(frozen=True)
class Activity:
    """How a source came about: a request, a study, a poll's fieldwork."""

    ref: Ref
    types: tuple[Ref, ...]
    requesters: tuple[Ref, ...]
    addressees: tuple[Ref, ...]
    started: str | None
    ended: str | None
    period: str | None
    population: Ref | None
    not_stated: tuple[Ref, ...]

    def to_json(self) -> JsonObject:
        return {
            **self.ref.to_json(),
            "types": [t.to_json() for t in self.types],
            "requesters": [r.to_json() for r in self.requesters],
            "addressees": [r.to_json() for r in self.addressees],
            "started": self.started,
            "ended": self.ended,
            "period": self.period,
            "population": self.population.to_json() if self.population else None,
            "notStated": [n.to_json() for n in self.not_stated],
        }


@dataclass(frozen=True)
class Source:
    """A source with its issuer, dates, the activity that generated it and what is not stated."""

    ref: Ref
    types: tuple[Ref, ...]
    issuers: tuple[Ref, ...]
    received: str | None
    date: str | None
    part_of: Ref | None
    activity: Activity | None
    not_stated: tuple[Ref, ...]

    @property
    def unknowns(self) -> tuple[Ref, ...]:
        """What the article does not state about the source or the activity behind it."""
        return self.not_stated + (self.activity.not_stated if self.activity else ())

    def to_json(self) -> JsonObject:
        return {
            **self.ref.to_json(),
            "types": [t.to_json() for t in self.types],
            "issuers": [i.to_json() for i in self.issuers],
            "received": self.received,
            "date": self.date,
            "partOf": self.part_of.to_json() if self.part_of else None,
            "activity": self.activity.to_json() if self.activity else None,
            "notStated": [n.to_json() for n in self.unknowns],
        }


@dataclass(frozen=True)
class Entity:
    """A place, person or organisation, its Wikidata identity where verified, and the claims about it."""

    ref: Ref
    types: tuple[Ref, ...]
    same_as: tuple[str, ...]
    description: tuple[tuple[str, Ref], ...]  # a literal is a Ref without an IRI
    claims: tuple[Claim, ...]

    def to_json(self) -> JsonObject:
        return {
            **self.ref.to_json(),
            "types": [t.to_json() for t in self.types],
            "sameAs": list(self.same_as),
            "description": [{"label": label, "text": value.label} for label, value in self.description],
            "claims": [claim.key for claim in self.claims],
        }


def read_sources(
    reader: StoreReader, iris: Iris, vocabulary: Vocabulary, source: URIRef | None = None
) -> tuple[Source, ...]:
    """Every source (or only ``source``), sorted by IRI."""
    bound = {"source": source} if source is not None else {}
    graphs: dict[str, Graph] = defaultdict(Graph)
    for row in reader.select("source-facts", **bound):
        graphs[str(row["source"])].add((row["s"], row["p"], row["o"]))
    cg = str(iris.cg)
    return tuple(_source(URIRef(iri), graphs[iri], vocabulary, cg) for iri in sorted(graphs))


def get_source(reader: StoreReader, iris: Iris, vocabulary: Vocabulary, source_id: str) -> Source:
    """One source by id; NotFound when there is none."""
    found = read_sources(reader, iris, vocabulary, iris.source(source_id))
    if not found:
        raise NotFound(f"no source {source_id}")
    return found[0]


def claims_from(source: Source, claims: tuple[Claim, ...]) -> tuple[Claim, ...]:
    """The claims the article derives from ``source``."""
    return tuple(claim for claim in claims if any(ref.iri == source.ref.iri for ref in claim.sources))


def get_entity(reader: StoreReader, vocabulary: Vocabulary, iri: URIRef, claims: tuple[Claim, ...]) -> Entity:
    """An entity and the claims about it; NotFound when the data says nothing about ``iri``."""
    graph = Graph()
    for s, p, o, _ in describe(reader, iri).quads((iri, None, None, None)):
        graph.add((s, p, o))
    description = tuple(
        (vocabulary.ref(p).label, vocabulary.ref(o) if isinstance(o, URIRef) else Ref("", "", str(o)))
        for p, o in sorted(graph.predicate_objects(iri))
        if p not in (RDF.type, OWL.sameAs)
        and not (isinstance(o, Literal) and str(o) == vocabulary.ref(iri).label)
    )
    return Entity(
        ref=vocabulary.ref(iri),
        types=_types(graph, iri, vocabulary),
        same_as=tuple(sorted(str(o) for o in graph.objects(iri, OWL.sameAs))),
        description=description,
        claims=tuple(claim for claim in claims if any(ref.iri == str(iri) for ref in claim.about)),
    )


def _source(iri: URIRef, graph: Graph, vocabulary: Vocabulary, cg: str) -> Source:
    activity = graph.value(iri, PROV.wasGeneratedBy)
    part_of = graph.value(iri, DCTERMS.isPartOf)
    return Source(
        ref=vocabulary.ref(iri),
        types=_types(graph, iri, vocabulary),
        issuers=_refs(graph, iri, PROV.wasAttributedTo, vocabulary),
        received=_date(graph.value(iri, URIRef(f"{cg}receivedOn"))),
        date=_date(graph.value(iri, DCTERMS.date)),
        part_of=vocabulary.ref(part_of) if part_of is not None else None,
        activity=_activity(activity, graph, vocabulary, cg) if isinstance(activity, URIRef) else None,
        not_stated=_refs(graph, iri, URIRef(f"{cg}notStated"), vocabulary),
    )


def _activity(iri: URIRef, graph: Graph, vocabulary: Vocabulary, cg: str) -> Activity:
    population = graph.value(iri, URIRef(f"{cg}population"))
    return Activity(
        ref=vocabulary.ref(iri),
        types=_types(graph, iri, vocabulary),
        requesters=_refs(graph, iri, URIRef(f"{cg}requester"), vocabulary),
        addressees=_refs(graph, iri, URIRef(f"{cg}addressee"), vocabulary),
        started=_date(graph.value(iri, SCHEMA.startDate)),
        ended=_date(graph.value(iri, SCHEMA.endDate)),
        period=_date(graph.value(iri, DCTERMS.temporal)),
        population=vocabulary.ref(population) if population is not None else None,
        not_stated=_refs(graph, iri, URIRef(f"{cg}notStated"), vocabulary),
    )


def _types(graph: Graph, iri: Node, vocabulary: Vocabulary) -> tuple[Ref, ...]:
    found = [vocabulary.ref(t) for t in graph.objects(iri, RDF.type) if str(t) not in GENERIC_TYPES]
    specific = [t for t in found if not t.iri.endswith("#Source")] or found
    return tuple(sorted(specific, key=lambda ref: ref.label))


def _refs(graph: Graph, iri: Node, predicate: URIRef, vocabulary: Vocabulary) -> tuple[Ref, ...]:
    return tuple(
        sorted((vocabulary.ref(o) for o in graph.objects(iri, predicate)), key=lambda ref: ref.label)
    )


def _date(node: Node | None) -> str | None:
    return wording.date(str(node)) if isinstance(node, Literal) else None
