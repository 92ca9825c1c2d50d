"""Compile one claims.yaml entry: the claim with its anchor and provenance, and its assertion graph."""

from __future__ import annotations

from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, XSD

from claimgraph.build.builder import ATTRIBUTIONS, CLAIM_KINDS, TRENDS, DatasetBuilder
from claimgraph.build.literals import date_literal, number_literal
from claimgraph.build.yaml_source import Located
from claimgraph.errors import DataError
from claimgraph.iris import OA, SCHEMA

AFFIX_LENGTH = 32


def find_quote(text: str, quote: str, occurrence: int = 1) -> int:
    """Code-point offset of the ``occurrence``-th ``quote`` in ``text``; -1 if absent.

    >>> find_quote("a b a b", "a b", 2)
    4
    """
    start = -1
    for _ in range(occurrence):
        start = text.find(quote, start + 1)
        if start < 0:
            return -1
    return start


def add_claim(b: DatasetBuilder, item: Located) -> None:
    file, line = item.where()
    cid = item["id"]
    cg = b.cg
    claim = b.iris.claim(cid)
    prov_graph = b.graph(b.iris.provenance_graph(cid))
    assertion_iri = b.iris.assertion_graph(cid)

    kind = b.require(item, "kind")
    if kind not in CLAIM_KINDS:
        raise DataError(f"claim {cid}: kind {kind!r} is not one of {CLAIM_KINDS}", file=file, line=line)
    attribution = b.require(item, "attribution")
    if attribution not in ATTRIBUTIONS:
        raise DataError(f"claim {cid}: attribution must be one of {ATTRIBUTIONS}", file=file, line=line)
    sources = item.get("sources") or []
    if attribution == "none" and sources:
        raise DataError(f"claim {cid}: attribution none but sources given", file=file, line=line)
    if attribution != "none" and not sources:
        raise DataError(f"claim {cid}: attribution {attribution} needs sources", file=file, line=line)

    g = prov_graph
    g.add((claim, RDF.type, SCHEMA.Claim))
    g.add((claim, SCHEMA.identifier, Literal(cid)))
    g.add((claim, SCHEMA.appearance, b.article_iri))
    g.add((claim, cg.kind, cg[f"kind-{kind}"]))
    g.add((claim, cg.attribution, cg[f"attribution-{attribution}"]))
    g.add((claim, cg.assertion, assertion_iri))
    g.add((assertion_iri, RDF.type, cg.Assertion))
    g.add((assertion_iri, PROV.wasDerivedFrom, b.article_iri))
    for source in sources:
        g.add((claim, PROV.wasDerivedFrom, b.iris.source(b.ref("source", source, item))))
    if not sources:
        g.add((claim, cg.notStated, PROV.wasDerivedFrom))
    for about in item.get("about", []):
        g.add((claim, SCHEMA.about, b.entity_iri(about, item)))
    if item.get("note"):
        g.add((claim, RDFS.comment, Literal(str(item["note"]).strip(), lang="en")))
    for other in item.get("compares", []):
        g.add((claim, cg.compares, b.iris.claim(b.ref("claim", other, item))))
    b.not_stated(g, claim, item)
    add_anchor(b, g, claim, cid, item)

    assertion = b.graph(assertion_iri)
    parts = item.get("assertion") or []
    if not parts:
        raise DataError(f"claim {cid}: needs at least one assertion item", file=file, line=line)
    for n, part in enumerate(parts, start=1):
        add_assertion_item(b, assertion, cid, n, part, item)


def add_anchor(b: DatasetBuilder, g: Graph, claim: URIRef, cid: str, item: Located) -> None:
    file, line = item.where()
    quote = b.require(item, "quote")
    occurrence = item.get("occurrence", 1)
    start = find_quote(b.text, quote, occurrence)
    if start < 0:
        raise DataError(
            f"claim {cid}: quote not found in {b.text_file.name}: {quote!r}", file=file, line=line
        )
    if "occurrence" not in item and find_quote(b.text, quote, 2) >= 0:
        raise DataError(f"claim {cid}: quote occurs more than once; add `occurrence:`", file=file, line=line)
    end = start + len(quote)
    annotation = b.iris.claim_part(cid, "annotation")
    target = b.iris.claim_part(cid, "target")
    quote_sel = b.iris.claim_part(cid, "quote-selector")
    position_sel = b.iris.claim_part(cid, "position-selector")
    g.add((claim, SCHEMA.text, Literal(quote)))
    g.add((claim, b.cg.anchor, target))
    g.add((annotation, RDF.type, OA.Annotation))
    g.add((annotation, OA.motivatedBy, OA.identifying))
    g.add((annotation, OA.hasBody, claim))
    g.add((annotation, OA.hasTarget, target))
    g.add((target, RDF.type, OA.SpecificResource))
    g.add((target, OA.hasSource, b.article_text_iri))
    g.add((target, OA.hasSelector, quote_sel))
    g.add((target, OA.hasSelector, position_sel))
    g.add((quote_sel, RDF.type, OA.TextQuoteSelector))
    g.add((quote_sel, OA.exact, Literal(quote)))
    g.add((quote_sel, OA.prefix, Literal(b.text[max(0, start - AFFIX_LENGTH) : start])))
    g.add((quote_sel, OA.suffix, Literal(b.text[end : end + AFFIX_LENGTH])))
    g.add((position_sel, RDF.type, OA.TextPositionSelector))
    g.add((position_sel, OA.start, Literal(start, datatype=XSD.nonNegativeInteger)))
    g.add((position_sel, OA.end, Literal(end, datatype=XSD.nonNegativeInteger)))


def add_assertion_item(b: DatasetBuilder, g: Graph, cid: str, n: int, part: Any, claim_item: Located) -> None:
    if not isinstance(part, Located) or len(part) != 1:
        file, line = claim_item.where()
        raise DataError(
            f"claim {cid}: assertion item {n} must be one of figure/event/rule/statement/quotation",
            file=file,
            line=line,
        )
    ((tag, body),) = part.items()
    if not isinstance(body, Located):
        file, line = part.where()
        raise DataError(f"claim {cid}: `{tag}` must be a mapping", file=file, line=line)
    handlers = {
        "figure": add_figure,
        "event": add_event,
        "rule": add_rule,
        "statement": add_statement,
        "quotation": add_quotation,
    }
    if tag not in handlers:
        file, line = part.where()
        raise DataError(f"claim {cid}: unknown assertion item {tag!r}", file=file, line=line)
    handlers[tag](b, g, cid, n, body)


def add_figure(b: DatasetBuilder, g: Graph, cid: str, n: int, item: Located) -> None:
    cg = b.cg
    node = b.iris.claim_part(cid, f"figure-{n}")
    g.add((node, RDF.type, SCHEMA.Observation))
    g.add((node, RDF.type, cg.Figure))
    measure = b.ref("measure", b.require(item, "measure"), item)
    g.add((node, SCHEMA.variableMeasured, b.iris.measure(measure)))
    has_value = False
    for key, prop in (("value", SCHEMA.value), ("min", SCHEMA.minValue), ("max", SCHEMA.maxValue)):
        if key in item:
            g.add((node, prop, number_literal(item[key], item)))
            has_value = True
    if not has_value:
        file, line = item.where()
        raise DataError(f"claim {cid}: a figure needs value, min or max", file=file, line=line)
    if "value" in item and ("min" in item or "max" in item):
        file, line = item.where()
        raise DataError(f"claim {cid}: give either value or min/max", file=file, line=line)
    if "min" in item:
        g.add((node, cg.minInclusive, Literal(bool(item.get("min_inclusive", True)))))
    if "max" in item:
        g.add((node, cg.maxInclusive, Literal(bool(item.get("max_inclusive", True)))))
    g.add((node, cg.approximate, Literal(bool(item.get("approximate", False)))))
    unit = b.ref("unit", b.require(item, "unit"), item)
    g.add((node, cg.unit, b.iris.unit(unit)))
    add_period(b, g, cid, node, item)
    if "place" in item:
        g.add((node, SCHEMA.observationAbout, b.entity_iri(item["place"], item)))
    if "population" in item:
        population = b.ref("population", item["population"], item)
        g.add((node, cg.population, b.iris.population(population)))
    if "question" in item:
        question = b.ref("question", item["question"], item)
        g.add((node, cg.question, b.iris.question(question)))


def add_period(b: DatasetBuilder, g: Graph, cid: str, node: URIRef, item: Located) -> None:
    """The reference period ``[start, end]`` of a figure or statement; one value means both ends."""
    if "period" not in item:
        return
    period = item["period"]
    if not isinstance(period, list):
        period = [period, period]
    if len(period) != 2:
        file, line = item.where()
        raise DataError(f"claim {cid}: period must be [start, end]", file=file, line=line)
    g.add((node, b.cg.periodStart, date_literal(period[0], item)))
    g.add((node, b.cg.periodEnd, date_literal(period[1], item)))


def add_event(b: DatasetBuilder, g: Graph, cid: str, n: int, item: Located) -> None:
    node = b.iris.event(b.require(item, "id"))
    g.add((node, RDF.type, SCHEMA.Event))
    g.add((node, RDF.type, PROV.Activity))
    g.add((node, SCHEMA.name, Literal(b.require(item, "name"))))
    start = item.get("date", item.get("start"))
    if start is not None:
        g.add((node, SCHEMA.startDate, date_literal(start, item)))
    if "end" in item:
        g.add((node, SCHEMA.endDate, date_literal(item["end"], item)))
    if "place" in item:
        g.add((node, SCHEMA.location, b.entity_iri(item["place"], item)))
    agents = item.get("agent", [])
    for agent in agents if isinstance(agents, list) else [agents]:
        g.add((node, PROV.wasAssociatedWith, b.entity_iri(agent, item)))
    add_description(b, g, node, item)


def add_rule(b: DatasetBuilder, g: Graph, cid: str, n: int, item: Located) -> None:
    node = b.iris.rule(b.require(item, "id"))
    g.add((node, RDF.type, b.cg.LegalRule))
    g.add((node, SCHEMA.name, Literal(b.require(item, "name"))))
    if "instrument" in item:
        g.add((node, DCTERMS.source, b.iris.source(b.ref("source", item["instrument"], item))))
    if "jurisdiction" in item:
        g.add((node, SCHEMA.legislationJurisdiction, b.entity_iri(item["jurisdiction"], item)))
    add_description(b, g, node, item)


def add_statement(b: DatasetBuilder, g: Graph, cid: str, n: int, item: Located) -> None:
    node = b.iris.claim_part(cid, f"statement-{n}")
    g.add((node, RDF.type, b.cg.Proposition))
    g.add((node, SCHEMA.description, Literal(b.require(item, "text"), lang="en")))
    add_period(b, g, cid, node, item)
    if "trend" in item:
        if item["trend"] not in TRENDS:
            file, line = item.where()
            raise DataError(f"claim {cid}: trend must be one of {TRENDS}", file=file, line=line)
        g.add((node, b.cg.trend, b.cg[f"trend-{item['trend']}"]))
    add_description(b, g, node, item, text_key=None)


def add_quotation(b: DatasetBuilder, g: Graph, cid: str, n: int, item: Located) -> None:
    node = b.iris.claim_part(cid, f"quotation-{n}")
    g.add((node, RDF.type, SCHEMA.Quotation))
    g.add((node, SCHEMA.text, Literal(b.require(item, "text"))))
    speaker = b.entity_iri(b.require(item, "speaker"), item)
    g.add((node, SCHEMA.spokenByCharacter, speaker))
    add_description(b, g, node, item, text_key=None)


def add_description(
    b: DatasetBuilder, g: Graph, node: URIRef, item: Located, text_key: str | None = "text"
) -> None:
    """Common optional fields: a paraphrase, the subjects, a measure the item is about."""
    if text_key and item.get(text_key):
        g.add((node, SCHEMA.description, Literal(item[text_key], lang="en")))
    for about in item.get("about", []) or []:
        if isinstance(about, str) and about in b.known.get("measure", set()):
            g.add((node, SCHEMA.about, b.iris.measure(about)))
        else:
            g.add((node, SCHEMA.about, b.entity_iri(about, item)))
