"""Compile one claims.yaml entry: the claim with its anchor and provenance, and its assertion graph."""

from __future__ import annotations

import re
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, XSD

from claimgraph.build.builder import ATTRIBUTIONS, CLAIM_KINDS, QUANTIFIERS, TRENDS, DatasetBuilder
from claimgraph.build.changes import add_change
from claimgraph.build.literals import date_literal, number_literal
from claimgraph.build.review_status import DRAFT, add_attribution_phrase, is_draft
from claimgraph.build.yaml_source import Located
from claimgraph.errors import DataError
from claimgraph.iris import OA, SCHEMA

AFFIX_LENGTH = 32
#: Where a sentence of the article ends: . ! or ? (with any closing quote or bracket) before
#: white space, or a line end (headings and paragraphs are lines).
SENTENCE_END = re.compile(r"[.!?][”\"’)]?(?=\s)|\n")


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


def anchored_sentence(text: str, start: int, end: int) -> tuple[int, int]:
    """The code-point span of the sentence(s) holding ``text[start:end]`` (a quote may span several).

    >>> text = "One. Two, with 3.5% of it. Three."
    >>> s, e = anchored_sentence(text, text.index("3.5%"), text.index("3.5%") + 4)
    >>> text[s:e]
    'Two, with 3.5% of it.'
    """
    first, last = 0, len(text)
    for match in SENTENCE_END.finditer(text):
        if match.end() <= start:
            first = match.end()
        elif match.start() >= end:
            last = match.end()
            break
    while first < last and text[first].isspace():
        first += 1
    return first, last


def contains_word(text: str, word: str) -> bool:
    """Whether ``word`` (one or more words) stands in ``text`` as whole words, ignoring case.

    >>> contains_word("These findings suggest that", "suggest"), contains_word("suggests", "suggest")
    (True, False)
    """
    return re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text, re.IGNORECASE) is not None


def add_claim(b: DatasetBuilder, item: Located) -> None:
    file, line = item.where()
    cid = item["id"]
    cg = b.cg
    claim = b.claim_iri(cid)
    prov_graph = b.graph(b.iris.provenance_graph(cid, b.scope))
    assertion_iri = b.iris.assertion_graph(cid, b.scope)

    kind = b.require(item, "kind")
    if kind not in CLAIM_KINDS:
        raise DataError(f"claim {cid}: kind {kind!r} is not one of {CLAIM_KINDS}", file=file, line=line)
    attribution = b.require(item, "attribution")
    if attribution not in ATTRIBUTIONS:
        raise DataError(f"claim {cid}: attribution must be one of {ATTRIBUTIONS}", file=file, line=line)
    sources = item.get("sources") or []
    draft = is_draft(item)
    if attribution == "none" and sources:
        raise DataError(f"claim {cid}: attribution none but sources given", file=file, line=line)
    if attribution != "none" and not sources and not draft:
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
    if not sources and attribution == "none":
        g.add((claim, cg.notStated, PROV.wasDerivedFrom))
    if draft:
        g.add((claim, cg.reviewStatus, cg[DRAFT]))
    add_attribution_phrase(b, g, claim, cid, item)
    for about in item.get("about", []):
        g.add((claim, SCHEMA.about, b.entity_iri(about, item)))
    if item.get("note"):
        g.add((claim, RDFS.comment, Literal(str(item["note"]).strip(), lang="en")))
    for other in item.get("compares", []):
        g.add((claim, cg.compares, b.claim_iri(b.ref("claim", other, item))))
    b.not_stated(g, claim, item)
    add_anchor(b, g, claim, cid, item)
    add_hedges(b, g, claim, cid, item)

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
            f"claim {cid}: quote not found in {b.text_file.name}, its article's text: {quote!r}",
            file=file,
            line=line,
        )
    if "occurrence" not in item and find_quote(b.text, quote, 2) >= 0:
        raise DataError(f"claim {cid}: quote occurs more than once; add `occurrence:`", file=file, line=line)
    end = start + len(quote)
    annotation = b.claim_part(cid, "annotation")
    target = b.claim_part(cid, "target")
    quote_sel = b.claim_part(cid, "quote-selector")
    position_sel = b.claim_part(cid, "position-selector")
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


def add_hedges(b: DatasetBuilder, g: Graph, claim: URIRef, cid: str, item: Located) -> None:
    """The words that hedge the claim; each must stand in the quote, so a hedge is never invented."""
    hedges = item.get("hedge") or []
    for word in hedges if isinstance(hedges, list) else [hedges]:
        if not isinstance(word, str) or not contains_word(item["quote"], word):
            file, line = item.where()
            raise DataError(f"claim {cid}: hedge {word!r} is not a word of the quote", file=file, line=line)
        g.add((claim, b.cg.hedge, Literal(word)))


def claim_sentence(b: DatasetBuilder, item: Located) -> str:
    """The sentence(s) of the article that hold the claim's quote."""
    start = find_quote(b.text, item["quote"], item.get("occurrence", 1))
    first, last = anchored_sentence(b.text, start, start + len(item["quote"]))
    return b.text[first:last]


def add_assertion_item(b: DatasetBuilder, g: Graph, cid: str, n: int, part: Any, claim_item: Located) -> None:
    if not isinstance(part, Located) or len(part) != 1:
        file, line = claim_item.where()
        raise DataError(
            f"claim {cid}: assertion item {n} must be one of "
            "figure/event/rule/statement/quotation/quantifier/change",
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
        "quantifier": add_quantifier,
        "change": add_change,
    }
    if tag not in handlers:
        file, line = part.where()
        raise DataError(f"claim {cid}: unknown assertion item {tag!r}", file=file, line=line)
    handlers[tag](b, g, cid, n, body)


def add_figure(b: DatasetBuilder, g: Graph, cid: str, n: int, item: Located) -> None:
    cg = b.cg
    node = b.claim_part(cid, f"figure-{n}")
    g.add((node, RDF.type, SCHEMA.Observation))
    g.add((node, RDF.type, cg.Figure))
    # A draft's figure may lack what only a reviewer can tell (measure, unit); it says it is a draft.
    draft = cid in b.claim_items and is_draft(b.claim_items[cid])
    if draft:
        g.add((node, cg.reviewStatus, cg[DRAFT]))
    if "measure" in item or not draft:
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
    if "unit" in item or not draft:
        unit = b.ref("unit", b.require(item, "unit"), item)
        g.add((node, cg.unit, b.iris.unit(unit)))
    add_period(b, g, cid, node, item)
    if "place" in item:
        g.add((node, SCHEMA.observationAbout, b.entity_iri(item["place"], item)))
    if "population" in item:
        population = b.ref("population", item["population"], item)
        g.add((node, cg.population, b.iris.population(population)))
    add_population_readings(b, g, cid, node, item)
    if "question" in item:
        question = b.ref("question", item["question"], item)
        g.add((node, cg.question, b.iris.question(question)))


def add_population_readings(b: DatasetBuilder, g: Graph, cid: str, node: URIRef, item: Located) -> None:
    """An ambiguous denominator: every population the sentence allows, each with why; the figure
    itself then has no population, and says so (`cg:notStated cg:population`)."""
    readings = item.get("population_readings")
    if readings is None:
        return
    file, line = item.where()
    if "population" in item:
        raise DataError(f"claim {cid}: give either population or population_readings", file=file, line=line)
    if not isinstance(readings, list) or len(readings) < 2:
        raise DataError(f"claim {cid}: population_readings needs two or more readings", file=file, line=line)
    g.add((node, b.cg.notStated, b.cg.population))
    for k, reading in enumerate(readings, start=1):
        reading_node = URIRef(f"{node}-reading-{k}")
        population = b.ref("population", b.require(reading, "population"), reading)
        g.add((node, b.cg.populationReading, reading_node))
        g.add((reading_node, RDF.type, b.cg.PopulationReading))
        g.add((reading_node, b.cg.population, b.iris.population(population)))
        g.add((reading_node, RDFS.comment, Literal(str(b.require(reading, "note")).strip(), lang="en")))


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
    ident = b.require(item, "id")
    b.shared_part("event", ident, item)
    node = b.iris.event(ident)
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
    b.not_stated(g, node, item)
    add_description(b, g, node, item)


def add_rule(b: DatasetBuilder, g: Graph, cid: str, n: int, item: Located) -> None:
    ident = b.require(item, "id")
    b.shared_part("rule", ident, item)
    node = b.iris.rule(ident)
    g.add((node, RDF.type, b.cg.LegalRule))
    g.add((node, SCHEMA.name, Literal(b.require(item, "name"))))
    if "instrument" in item:
        g.add((node, DCTERMS.source, b.iris.source(b.ref("source", item["instrument"], item))))
    if "jurisdiction" in item:
        g.add((node, SCHEMA.legislationJurisdiction, b.entity_iri(item["jurisdiction"], item)))
    add_description(b, g, node, item)


def add_statement(b: DatasetBuilder, g: Graph, cid: str, n: int, item: Located) -> None:
    node = b.claim_part(cid, f"statement-{n}")
    g.add((node, RDF.type, b.cg.Proposition))
    g.add((node, SCHEMA.description, Literal(b.require(item, "text"), lang="en")))
    add_period(b, g, cid, node, item)
    if "trend" in item:
        if item["trend"] not in TRENDS:
            file, line = item.where()
            raise DataError(f"claim {cid}: trend must be one of {TRENDS}", file=file, line=line)
        g.add((node, b.cg.trend, b.cg[f"trend-{item['trend']}"]))
    add_description(b, g, node, item, text_key=None)


def add_quantifier(b: DatasetBuilder, g: Graph, cid: str, n: int, item: Located) -> None:
    """A quantifier word of the claim's sentence, its meaning as a share, and the claims whose
    percentages it is attached to (by default the claim's own; `figures: []` for none)."""
    file, line = item.where()
    word = b.require(item, "word")
    claim_item = b.claim_items[cid]
    if not contains_word(claim_sentence(b, claim_item), word):
        raise DataError(
            f"claim {cid}: quantifier {word!r} is not in the claim's sentence", file=file, line=line
        )
    meaning = b.require(item, "meaning")
    if meaning not in QUANTIFIERS:
        raise DataError(f"claim {cid}: quantifier meaning must be one of {QUANTIFIERS}", file=file, line=line)
    node = b.claim_part(cid, f"quantifier-{n}")
    g.add((node, RDF.type, b.cg.Quantifier))
    g.add((node, b.cg.quantifierWord, Literal(word)))
    g.add((node, b.cg.quantifierMeaning, b.cg[f"quantifier-{meaning}"]))
    for other in item.get("figures", [cid]):
        g.add((node, b.cg.appliesTo, b.claim_iri(b.ref("claim", other, item))))


def add_quotation(b: DatasetBuilder, g: Graph, cid: str, n: int, item: Located) -> None:
    node = b.claim_part(cid, f"quotation-{n}")
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
