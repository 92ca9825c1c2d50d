"""Everything the page of one claim shows: the claim, its sources in full, related claims,
citations and the ClaimReview JSON-LD (the JSON API's claim detail is the same object)."""

from __future__ import annotations

import bisect
import json
from collections.abc import Iterable
from dataclasses import dataclass

from claimgraph.reading.bibliography import (
    DatasetInfo,
    Version,
    Work,
    bibtex,
    citation_text,
    claim_review_jsonld,
    csl_json,
)
from claimgraph.reading.catalogue import Catalogue, in_text_order
from claimgraph.reading.model import Claim, JsonObject
from claimgraph.reading.sources import Source
from claimgraph.reading.versions import NOT_RELEASED, ClaimVersions
from claimgraph.wording import HONESTY

#: How many related claims a group shows before pointing to the filtered list.
RELATED_SHOWN = 8


@dataclass(frozen=True)
class RelatedGroup:
    """Claims related to this one in one way, and the claim-list filter that shows them all."""

    name: str
    title: str
    claims: tuple[Claim, ...]
    filter: dict[str, str]

    def to_json(self) -> JsonObject:
        return {"name": self.name, "title": self.title, "claims": [c.key for c in self.claims]}


@dataclass(frozen=True)
class ClaimPage:
    claim: Claim
    sources: tuple[Source, ...]
    related: tuple[RelatedGroup, ...]
    work: Work
    dataset: DatasetInfo
    honesty: str
    #: Its released versions; citations and the ClaimReview JSON-LD cite the current one.
    versions: ClaimVersions = NOT_RELEASED

    @property
    def citation(self) -> str:
        return citation_text(self.claim, self.work, self.dataset, self.version)

    @property
    def bibtex(self) -> str:
        return bibtex(self.claim, self.work, self.dataset, self.version)

    @property
    def csl(self) -> list[JsonObject]:
        return csl_json(self.claim, self.work, self.dataset, self.version)

    @property
    def version(self) -> Version | None:
        """The version to cite: the current release of the claim, if it is what is served."""
        entry = self.versions.current_entry
        if entry is None or self.versions.cited is None:
            return None
        return Version(entry.iri, entry.created[:10])

    @property
    def csl_text(self) -> str:
        """The CSL-JSON as a reader copies it (characters as they are, not \\u escapes)."""
        return json.dumps(self.csl, indent=2, ensure_ascii=False)

    @property
    def jsonld(self) -> JsonObject:
        return claim_review_jsonld(self.claim, self.work, self.dataset, self.version)

    def to_json(self) -> JsonObject:
        """The documented shape of /api/claims/{id} (ClaimDetail in /openapi.json)."""
        return {
            **self.claim.to_json(),
            "sourceDetails": [source.to_json() for source in self.sources],
            "reviews": [review.to_json() for review in self.claim.reviews],
            "related": {group.name: [c.key for c in group.claims] for group in self.related},
            "citation": {"text": self.citation, "bibtex": self.bibtex, "csl": self.csl},
            "versions": self.versions.to_json(),
            "honesty": self.honesty,
        }


def build_claim_page(
    claim: Claim,
    catalogue: Catalogue,
    sources: tuple[Source, ...],
    work: Work,
    dataset: DatasetInfo,
    versions: ClaimVersions = NOT_RELEASED,
) -> ClaimPage:
    """The page of ``claim``, with its sources in full, the article and the dataset it cites, and
    its released versions."""
    return ClaimPage(
        claim=claim,
        sources=sources,
        related=related_claims(claim, catalogue),
        work=work,
        dataset=dataset,
        honesty=HONESTY,
        versions=versions,
    )


def this_article_first(claim: Claim, group: tuple[Claim, ...]) -> tuple[Claim, ...]:
    """``group`` (in_text_order) without ``claim``: its article's claims first, then the others'."""
    start = bisect.bisect_left(group, claim.article, key=lambda c: c.article)
    end = bisect.bisect_right(group, claim.article, lo=start, key=lambda c: c.article)
    same = tuple(c for c in group[start:end] if c.iri != claim.iri)
    return same + group[:start] + group[end:]


def related_claims(claim: Claim, catalogue: Catalogue) -> tuple[RelatedGroup, ...]:
    """Claims that share a source, a measure or a reference period with ``claim`` (never itself)."""
    index = catalogue.related_index
    groups = []

    def others(key: str, values: Iterable[object]) -> tuple[Claim, ...]:
        sharing = [index[key][value] for value in set(values) if value in index[key]]
        if len(sharing) == 1:  # the common case: the group is in order already, only moved about
            return this_article_first(claim, sharing[0])
        found = {c.iri: c for group in sharing for c in group}
        return this_article_first(claim, tuple(sorted(found.values(), key=in_text_order)))

    source_ids = {ref.id for ref in claim.sources}
    if same := others("source", source_ids):
        groups.append(
            RelatedGroup("sameSource", "From the same source", same, {"source": sorted(source_ids)[0]})
        )
    if same := others("measure", claim.measures):
        groups.append(RelatedGroup("sameMeasure", "Same measure", same, {}))
    if same := others("period", claim.periods):
        groups.append(RelatedGroup("samePeriod", "Same reference period", same, {}))
    return tuple(groups)
