"""What a synthetic claim says (figures, events, rules, statements, quotations) and how it is written.

Each item is plain data planned by bench/articles.py and written into the
claim's assertion graph as service/claimgraph/build/claims.py writes the real ones.
"""

from __future__ import annotations

from dataclasses import dataclass

from bench.terms import DCTERMS, PROV, RDF_TYPE, SCHEMA, Quads, literal, typed


@dataclass(frozen=True)
class Figure:
    measure: str  # measure id
    unit: str  # unit id
    value: tuple[str, str] | None = None  # (lexical form, xsd datatype)
    bounds: tuple[tuple[str, str] | None, tuple[str, str] | None] = (None, None)  # (min, max)
    min_inclusive: bool = True
    approximate: bool = False
    period: tuple[str, str] | None = None  # xsd:date start and end
    place: str | None = None  # entity id
    population: str | None = None
    question: str | None = None


@dataclass(frozen=True)
class Event:
    ident: str
    name: str
    start: str
    end: str | None
    place: str
    agents: tuple[str, ...]


@dataclass(frozen=True)
class Rule:
    ident: str
    name: str
    instrument: str  # source id
    jurisdiction: str  # entity id


@dataclass(frozen=True)
class Statement:
    description: str
    period: tuple[str, str] | None = None
    trend: str | None = None
    about: tuple[str, ...] = ()  # measure ids


@dataclass(frozen=True)
class Quotation:
    text: str
    speaker: str  # entity id


Item = Figure | Event | Rule | Statement | Quotation


def write_items(q: Quads, cid: str, items: tuple[Item, ...]) -> None:
    """The assertion graph of claim ``cid``."""
    graph = q.iri(f"claims/{cid}/assertion")
    for n, item in enumerate(items, start=1):
        if isinstance(item, Figure):
            write_figure(q, graph, q.iri(f"claims/{cid}/figure-{n}"), item)
        elif isinstance(item, Event):
            write_event(q, graph, item)
        elif isinstance(item, Rule):
            write_rule(q, graph, item)
        elif isinstance(item, Statement):
            write_statement(q, graph, q.iri(f"claims/{cid}/statement-{n}"), item)
        else:
            write_quotation(q, graph, q.iri(f"claims/{cid}/quotation-{n}"), item)


def write_figure(q: Quads, g: str, node: str, fig: Figure) -> None:
    q.add(node, RDF_TYPE, SCHEMA("Observation"), g)
    q.add(node, RDF_TYPE, q.cg("Figure"), g)
    q.add(node, SCHEMA("variableMeasured"), q.iri(f"measures/{fig.measure}"), g)
    if fig.value is not None:
        q.add(node, SCHEMA("value"), typed(*fig.value), g)
    low, high = fig.bounds
    if low is not None:
        q.add(node, SCHEMA("minValue"), typed(*low), g)
        q.add(node, q.cg("minInclusive"), typed(fig.min_inclusive, "boolean"), g)
    if high is not None:
        q.add(node, SCHEMA("maxValue"), typed(*high), g)
        q.add(node, q.cg("maxInclusive"), typed(True, "boolean"), g)
    q.add(node, q.cg("approximate"), typed(fig.approximate, "boolean"), g)
    q.add(node, q.cg("unit"), q.iri(f"units/{fig.unit}"), g)
    if fig.period:
        q.add(node, q.cg("periodStart"), typed(fig.period[0], "date"), g)
        q.add(node, q.cg("periodEnd"), typed(fig.period[1], "date"), g)
    if fig.place:
        q.add(node, SCHEMA("observationAbout"), q.iri(f"entities/{fig.place}"), g)
    if fig.population:
        q.add(node, q.cg("population"), q.iri(f"populations/{fig.population}"), g)
    if fig.question:
        q.add(node, q.cg("question"), q.iri(f"questions/{fig.question}"), g)


def write_event(q: Quads, g: str, event: Event) -> None:
    node = q.iri(f"events/{event.ident}")
    q.add(node, RDF_TYPE, SCHEMA("Event"), g)
    q.add(node, RDF_TYPE, PROV("Activity"), g)
    q.add(node, SCHEMA("name"), literal(event.name), g)
    q.add(node, SCHEMA("startDate"), typed(event.start, "date"), g)
    if event.end:
        q.add(node, SCHEMA("endDate"), typed(event.end, "date"), g)
    q.add(node, SCHEMA("location"), q.iri(f"entities/{event.place}"), g)
    for agent in event.agents:
        q.add(node, PROV("wasAssociatedWith"), q.iri(f"entities/{agent}"), g)
    q.add(node, SCHEMA("description"), literal(event.name, "en"), g)


def write_rule(q: Quads, g: str, rule: Rule) -> None:
    node = q.iri(f"rules/{rule.ident}")
    q.add(node, RDF_TYPE, q.cg("LegalRule"), g)
    q.add(node, SCHEMA("name"), literal(rule.name), g)
    q.add(node, DCTERMS("source"), q.iri(f"sources/{rule.instrument}"), g)
    q.add(node, SCHEMA("legislationJurisdiction"), q.iri(f"entities/{rule.jurisdiction}"), g)


def write_statement(q: Quads, g: str, node: str, statement: Statement) -> None:
    q.add(node, RDF_TYPE, q.cg("Proposition"), g)
    q.add(node, SCHEMA("description"), literal(statement.description, "en"), g)
    if statement.period:
        q.add(node, q.cg("periodStart"), typed(statement.period[0], "date"), g)
        q.add(node, q.cg("periodEnd"), typed(statement.period[1], "date"), g)
    if statement.trend:
        q.add(node, q.cg("trend"), q.cg(f"trend-{statement.trend}"), g)
    for measure in statement.about:
        q.add(node, SCHEMA("about"), q.iri(f"measures/{measure}"), g)


def write_quotation(q: Quads, g: str, node: str, quotation: Quotation) -> None:
    q.add(node, RDF_TYPE, SCHEMA("Quotation"), g)
    q.add(node, SCHEMA("text"), literal(quotation.text), g)
    q.add(node, SCHEMA("spokenByCharacter"), q.iri(f"entities/{quotation.speaker}"), g)
