"""One synthetic claim: its plan (what it says, where from, how it is reviewed) and its two graphs.

The provenance graph holds the claim node, its Web Annotation anchor with both
selectors, its sources (or an explicit "not stated") and attribution status;
the assertion graph what it says (bench/assertions.py); a review of it, when it
has one, goes to the reviews graph as service/claimgraph/build/checks.py writes them.
"""

from __future__ import annotations

from dataclasses import dataclass

from bench.assertions import Item, write_items
from bench.context import CHECK_RUN, CHECKER, REVIEWS
from bench.terms import OA, PROV, RDF_TYPE, RDFS, SCHEMA, SKOS, Quads, literal, typed

AFFIX = 32
VERDICT_LABELS = {
    "consistent": "consistent",
    "inconsistent": "inconsistent",
    "needs-context": "needs context",
    "unsourced": "unsourced",
    "method-not-stated": "method not stated",
}


@dataclass(frozen=True)
class Review:
    rule: str
    verdict: str
    explanation: str
    computation: str | None = None
    evidence: tuple[str, ...] = ()  # claim ids


@dataclass(frozen=True)
class ClaimPlan:
    cid: str
    kind: str
    attribution: str  # stated | inferred | none
    sources: tuple[str, ...]
    quote: str
    items: tuple[Item, ...]
    about: tuple[str, ...] = ()
    note: str | None = None
    not_stated: tuple[str, ...] = ()  # own properties (estimationMethod, …)
    review: Review | None = None
    compares: tuple[str, ...] = ()  # claim ids


def write_claim(q: Quads, plan: ClaimPlan, article: str, text: str, start: int) -> None:
    """Both graphs of the claim whose quote sits at code point ``start`` of the article ``text``."""
    cid = plan.cid
    claim, g = q.iri(f"claims/{cid}"), q.iri(f"claims/{cid}/provenance")
    assertion = q.iri(f"claims/{cid}/assertion")
    q.add(claim, RDF_TYPE, SCHEMA("Claim"), g)
    q.add(claim, SCHEMA("identifier"), literal(cid), g)
    q.add(claim, SCHEMA("appearance"), q.iri(f"articles/{article}"), g)
    q.add(claim, q.cg("kind"), q.cg(f"kind-{plan.kind}"), g)
    q.add(claim, q.cg("attribution"), q.cg(f"attribution-{plan.attribution}"), g)
    q.add(claim, q.cg("assertion"), assertion, g)
    q.add(assertion, RDF_TYPE, q.cg("Assertion"), g)
    q.add(assertion, PROV("wasDerivedFrom"), q.iri(f"articles/{article}"), g)
    for source in plan.sources:
        q.add(claim, PROV("wasDerivedFrom"), q.iri(f"sources/{source}"), g)
    if not plan.sources:
        q.add(claim, q.cg("notStated"), PROV("wasDerivedFrom"), g)
    for about in plan.about:
        q.add(claim, SCHEMA("about"), q.iri(f"entities/{about}"), g)
    if plan.note:
        q.add(claim, RDFS("comment"), literal(plan.note, "en"), g)
    for other in plan.compares:
        q.add(claim, q.cg("compares"), q.iri(f"claims/{other}"), g)
    for name in plan.not_stated:
        q.add(claim, q.cg("notStated"), q.cg(name), g)
    write_anchor(q, cid, article, text, start, len(plan.quote))
    write_items(q, cid, plan.items)
    if plan.review:
        write_review(q, cid, plan.review)


def write_anchor(q: Quads, cid: str, article: str, text: str, start: int, length: int) -> None:
    """The oa:Annotation, its target and the quote and position selectors of one claim."""
    g, claim = q.iri(f"claims/{cid}/provenance"), q.iri(f"claims/{cid}")
    annotation, target = q.iri(f"claims/{cid}/annotation"), q.iri(f"claims/{cid}/target")
    quote_sel, position_sel = q.iri(f"claims/{cid}/quote-selector"), q.iri(f"claims/{cid}/position-selector")
    end = start + length
    q.add(claim, SCHEMA("text"), literal(text[start:end]), g)
    q.add(claim, q.cg("anchor"), target, g)
    q.add(annotation, RDF_TYPE, OA("Annotation"), g)
    q.add(annotation, OA("motivatedBy"), OA("identifying"), g)
    q.add(annotation, OA("hasBody"), claim, g)
    q.add(annotation, OA("hasTarget"), target, g)
    q.add(target, RDF_TYPE, OA("SpecificResource"), g)
    q.add(target, OA("hasSource"), q.iri(f"articles/{article}/text"), g)
    q.add(target, OA("hasSelector"), quote_sel, g)
    q.add(target, OA("hasSelector"), position_sel, g)
    q.add(quote_sel, RDF_TYPE, OA("TextQuoteSelector"), g)
    q.add(quote_sel, OA("exact"), literal(text[start:end]), g)
    q.add(quote_sel, OA("prefix"), literal(text[max(0, start - AFFIX) : start]), g)
    q.add(quote_sel, OA("suffix"), literal(text[end : end + AFFIX]), g)
    q.add(position_sel, RDF_TYPE, OA("TextPositionSelector"), g)
    q.add(position_sel, OA("start"), typed(start, "nonNegativeInteger"), g)
    q.add(position_sel, OA("end"), typed(end, "nonNegativeInteger"), g)


def write_review(q: Quads, cid: str, review: Review) -> None:
    """A schema:ClaimReview of the claim with its rating, in the reviews graph."""
    g, checker = q.iri(REVIEWS), q.iri(CHECKER)
    node = q.iri(f"reviews/{cid}-{review.rule}")
    rating = q.iri(f"reviews/{cid}-{review.rule}#rating")
    verdict, label = q.cg(f"verdict-{review.verdict}"), VERDICT_LABELS[review.verdict]
    q.add(node, RDF_TYPE, SCHEMA("ClaimReview"), g)
    q.add(node, RDF_TYPE, PROV("Entity"), g)
    q.add(node, SCHEMA("itemReviewed"), q.iri(f"claims/{cid}"), g)
    q.add(node, SCHEMA("url"), node, g)
    q.add(node, SCHEMA("name"), literal(f"{review.rule}: {label}", "en"), g)
    q.add(node, SCHEMA("reviewBody"), literal(review.explanation, "en"), g)
    q.add(node, SCHEMA("reviewRating"), rating, g)
    q.add(node, q.cg("verdict"), verdict, g)
    q.add(node, q.cg("rule"), q.iri(f"checks/{review.rule}"), g)
    q.add(node, SCHEMA("author"), checker, g)
    q.add(node, SCHEMA("datePublished"), typed("2026-01-01", "date"), g)
    q.add(node, PROV("wasGeneratedBy"), q.iri(CHECK_RUN), g)
    q.add(node, PROV("wasAttributedTo"), checker, g)
    if review.computation:
        q.add(node, q.cg("computation"), literal(review.computation), g)
    for other in review.evidence:
        q.add(node, q.cg("evidence"), q.iri(f"claims/{other}"), g)
        q.add(node, PROV("wasDerivedFrom"), q.iri(f"claims/{other}"), g)
    q.add(rating, RDF_TYPE, SCHEMA("Rating"), g)
    q.add(rating, SCHEMA("alternateName"), literal(label, "en"), g)
    q.add(rating, SCHEMA("ratingExplanation"), literal(review.explanation, "en"), g)
    q.add(rating, SKOS("related"), verdict, g)
