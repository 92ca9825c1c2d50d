"""What a claim says, read from the triples of its assertion graph: figures and other statements."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from decimal import Decimal

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS
from rdflib.term import Node

from claimgraph import wording
from claimgraph.iris import SCHEMA
from claimgraph.reading.model import Fact, Figure, Reading, Ref, Statement

RefOf = Callable[[Node], Ref]


def read_assertion(
    triples: Iterable[tuple[Node, Node, Node]], cg: URIRef, ref: RefOf, modes: dict[str, Ref]
) -> tuple[tuple[Figure, ...], tuple[Statement, ...]]:
    """The figures and statements in one assertion graph (``cg`` is this deployment's namespace)."""
    graph = Triples(triples)
    figures, statements = [], []
    for subject in sorted(graph.subjects(RDF.type), key=_order):
        types = set(graph.objects(subject, RDF.type))
        if URIRef(f"{cg}Figure") in types:
            figures.append(_figure(graph, subject, URIRef(cg), ref, modes))
        else:
            statement = _statement(graph, subject, types, URIRef(cg), ref)
            if statement:
                statements.append(statement)
    return tuple(figures), tuple(statements)


class Triples:
    """The triples of one assertion graph, indexed by subject and predicate: what read_assertion asks
    of them, without building an rdflib Graph per claim (the catalogue reads every claim at start)."""

    def __init__(self, triples: Iterable[tuple[Node, Node, Node]]) -> None:
        self._index: dict[tuple[Node, Node], list[Node]] = {}
        for subject, predicate, obj in triples:
            found = self._index.setdefault((subject, predicate), [])
            if obj not in found:  # a graph is a set
                found.append(obj)

    def subjects(self, predicate: Node) -> set[Node]:
        """Every subject with at least one ``predicate``."""
        return {subject for subject, p in self._index if p == predicate}

    def objects(self, subject: Node, predicate: Node) -> list[Node]:
        return list(self._index.get((subject, predicate), ()))

    def value(self, subject: Node, predicate: Node) -> Node | None:
        """One object of ``subject predicate`` (the data has at most one), or None."""
        found = self._index.get((subject, predicate))
        return found[0] if found else None


def _order(node: Node) -> tuple[int, str]:
    # Claim parts are numbered in the order the YAML gives them (figure-2 after the rule of item 1).
    match = re.search(r"-(\d+)$", str(node))
    return (int(match.group(1)) if match else 0, str(node))


def _python(node: Node | None) -> object:
    return node.toPython() if isinstance(node, Literal) else None


def _number(node: Node | None) -> int | Decimal | None:
    value = _python(node)
    if isinstance(value, bool) or not isinstance(value, int | Decimal | float):
        return None
    return Decimal(str(value)) if isinstance(value, float) else value


def _flag(node: Node | None) -> bool | None:
    value = _python(node)
    return value if isinstance(value, bool) else None


def _text(node: Node | None) -> str | None:
    return str(node) if isinstance(node, Literal) else None


def _figure(graph: Triples, node: Node, cg: URIRef, ref: RefOf, modes: dict[str, Ref]) -> Figure:
    def linked(predicate: URIRef) -> Ref | None:
        target = graph.value(node, predicate)
        return ref(target) if target is not None else None

    question = linked(URIRef(f"{cg}question"))
    readings = []
    for reading in sorted(graph.objects(node, URIRef(f"{cg}populationReading")), key=str):
        population = graph.value(reading, URIRef(f"{cg}population"))
        if population is not None:
            readings.append(Reading(ref(population), str(graph.value(reading, RDFS.comment) or "")))
    return Figure(
        iri=str(node),
        value=_number(graph.value(node, SCHEMA.value)),
        minimum=_number(graph.value(node, SCHEMA.minValue)),
        maximum=_number(graph.value(node, SCHEMA.maxValue)),
        min_inclusive=_flag(graph.value(node, URIRef(f"{cg}minInclusive"))),
        max_inclusive=_flag(graph.value(node, URIRef(f"{cg}maxInclusive"))),
        approximate=bool(_flag(graph.value(node, URIRef(f"{cg}approximate")))),
        unit=linked(URIRef(f"{cg}unit")),
        period_start=_text(graph.value(node, URIRef(f"{cg}periodStart"))),
        period_end=_text(graph.value(node, URIRef(f"{cg}periodEnd"))),
        place=linked(SCHEMA.observationAbout),
        population=linked(URIRef(f"{cg}population")),
        measure=linked(SCHEMA.variableMeasured),
        question=question,
        answer_mode=modes.get(question.iri) if question else None,
        readings=tuple(readings),
    )


def _statement(graph: Triples, node: Node, types: set[Node], cg: URIRef, ref: RefOf) -> Statement | None:
    def facts(*pairs: tuple[str, URIRef]) -> list[Fact]:
        found = []
        for label, predicate in pairs:
            for target in sorted(graph.objects(node, predicate), key=str):
                linked = ref(target) if isinstance(target, URIRef) else None
                found.append(Fact(label, linked.label if linked else str(target), linked))
        return found

    if URIRef(f"{cg}Proposition") in types:
        kind, text = "statement", graph.value(node, SCHEMA.description)
        details = facts(("about", SCHEMA.about), ("trend", URIRef(f"{cg}trend")))
        details += _when(
            graph.value(node, URIRef(f"{cg}periodStart")), graph.value(node, URIRef(f"{cg}periodEnd"))
        )
    elif SCHEMA.Event in types:
        kind, text = "event", graph.value(node, SCHEMA.name)
        details = _when(graph.value(node, SCHEMA.startDate), graph.value(node, SCHEMA.endDate), "date")
        details += facts(
            ("place", SCHEMA.location),
            ("agent", PROV.wasAssociatedWith),
            ("not stated", URIRef(f"{cg}notStated")),
        )
    elif URIRef(f"{cg}LegalRule") in types:
        kind, text = "legal rule", graph.value(node, SCHEMA.name)
        details = facts(("jurisdiction", SCHEMA.legislationJurisdiction), ("instrument", DCTERMS.source))
    elif SCHEMA.Quotation in types:
        kind, text = "quotation", graph.value(node, SCHEMA.text)
        details = facts(("speaker", SCHEMA.spokenByCharacter))
    elif URIRef(f"{cg}Quantifier") in types:
        kind, text = "quantifier", graph.value(node, URIRef(f"{cg}quantifierWord"))
        details = facts(("meaning", URIRef(f"{cg}quantifierMeaning")), ("set on", URIRef(f"{cg}appliesTo")))
    else:
        return None
    return Statement(str(node), kind, str(text or ""), tuple(details))


def _when(start: Node | None, end: Node | None, label: str = "period") -> list[Fact]:
    text = wording.period(_text(start), _text(end) or _text(start))
    return [Fact(label, text)] if text else []
