"""Draft claims in the build: a claim's `status:` (reviewed by default, or draft), what a draft may
leave out (sources behind a guessed attribution, a figure's measure and unit) and what it says
about itself (`cg:reviewStatus cg:status-draft` on the claim and its figures, the attribution
phrase it found). ontology/shapes.ttl relaxes the same requirements for drafts only."""

from __future__ import annotations

from rdflib import Graph, Literal, URIRef

from claimgraph.build.builder import DatasetBuilder
from claimgraph.build.yaml_source import Located
from claimgraph.errors import DataError

#: A claim's `status:` values; a draft's claim and figures say `cg:reviewStatus cg:status-draft`.
REVIEW_STATUSES = ("reviewed", "draft")
DRAFT = "status-draft"


def is_draft(item: Located) -> bool:
    """Whether a claim is a draft (`status: draft`); a claim with no status is reviewed."""
    status = item.get("status", "reviewed")
    if status not in REVIEW_STATUSES:
        file, line = item.where()
        raise DataError(
            f"claim {item.get('id')}: status must be one of {REVIEW_STATUSES}", file=file, line=line
        )
    return bool(status == "draft")


def add_attribution_phrase(b: DatasetBuilder, g: Graph, claim: URIRef, cid: str, item: Located) -> None:
    """The attribution phrase a draft found: verbatim from the quote, so it is never invented."""
    phrase = item.get("attribution_phrase")
    if phrase is None:
        return
    if not isinstance(phrase, str) or not phrase or phrase not in str(item.get("quote", "")):
        file, line = item.where()
        raise DataError(f"claim {cid}: attribution_phrase must be words of the quote", file=file, line=line)
    g.add((claim, b.cg.attributionPhrase, Literal(phrase)))
