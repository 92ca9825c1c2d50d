"""Everything the page of one claim shows: the claim, its sources in full, related claims,
citations and the ClaimReview JSON-LD (the JSON API's claim detail is the same object)."""

from __future__ import annotations

import bisect
import heapq
import itertools
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import overload

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
    claims: Sequence[Claim]
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


class RelatedClaims(Sequence[Claim]):
    """The claims of one or more related-claim groups (each in_text_order) without ``claim``: its
    article's claims first, then the others', each claim once.

    Worked out as far as it is read, and not kept: a page shows the first few and the count, which
    cost a bisection and a merge of that many (at 240,000 claims a group holds tens of thousands; a
    claim with two periods made its page merge and sort all of them, 100 ms, and each page kept in
    the read model held its groups whole). The whole list (the JSON API) is made when asked for.
    """

    def __init__(self, claim: Claim, groups: list[tuple[Claim, ...]], count: int | None = None) -> None:
        """``count``: how many claims the groups hold together, this one included, if known."""
        self._claim = claim
        self._groups = groups
        self._count = None if count is None else count - 1

    def _article_span(self, group: tuple[Claim, ...]) -> tuple[int, int]:
        """Where ``group`` (in text order) holds the claims of this claim's article."""
        article = self._claim.article
        start = bisect.bisect_left(group, article, key=lambda c: c.article)
        return start, bisect.bisect_right(group, article, lo=start, key=lambda c: c.article)

    def _own(self, claims: Iterable[Claim]) -> tuple[Claim, ...]:
        return tuple(c for c in claims if c.iri != self._claim.iri)

    def __iter__(self) -> Iterator[Claim]:
        if len(self._groups) == 1:
            return iter(self.whole())
        same: list[tuple[Claim, ...]] = []
        other: list[Iterable[Claim]] = []
        for group in self._groups:
            start, end = self._article_span(group)
            same.append(group[start:end])
            # By index, not by slicing: a slice copies the tens of thousands a page never reads.
            other.append(map(group.__getitem__, itertools.chain(range(start), range(end, len(group)))))
        return itertools.chain(self._merged(same), self._merged(other))

    def _merged(self, parts: Sequence[Iterable[Claim]]) -> Iterator[Claim]:
        """``parts`` merged in text order, each claim once, never this one."""
        last = self._claim.iri
        for claim in heapq.merge(*parts, key=in_text_order):
            if claim.iri != last and claim.iri != self._claim.iri:
                yield claim
            last = claim.iri

    def whole(self) -> tuple[Claim, ...]:
        """Every claim, in order."""
        if len(self._groups) != 1:
            return tuple(iter(self))
        # One group (the common case) by slices, copied at C speed.
        group = self._groups[0]
        start, end = self._article_span(group)
        return self._own(group[start:end]) + group[:start] + group[end:]

    def __len__(self) -> int:
        if self._count is None:
            if len(self._groups) == 1:
                group = self._groups[0]
                self._count = len(group) - holds(group, self._claim)
            else:
                self._count = len({c.iri for group in self._groups for c in group} - {self._claim.iri})
        return self._count

    @overload
    def __getitem__(self, index: int) -> Claim: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[Claim, ...]: ...
    def __getitem__(self, index: int | slice) -> Claim | tuple[Claim, ...]:
        if isinstance(index, slice):
            start, stop, step = index.start or 0, index.stop, index.step or 1
            if start >= 0 and stop is not None and stop >= 0 and step > 0:
                if len(self._groups) == 1:  # this article's part, then the rest, by index
                    group = self._groups[0]
                    first, end = self._article_span(group)
                    own = self._own(group[first:end])
                    rest = map(group.__getitem__, itertools.chain(range(first), range(end, len(group))))
                    return tuple(itertools.islice(itertools.chain(own, rest), start, stop, step))
                return tuple(itertools.islice(iter(self), start, stop, step))
        return self.whole()[index]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, RelatedClaims | tuple | list):
            return tuple(self) == tuple(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.whole())

    def __repr__(self) -> str:
        return f"RelatedClaims({len(self)} claims)"


def holds(group: tuple[Claim, ...], claim: Claim) -> bool:
    """Whether ``group`` (in_text_order) holds ``claim`` (a bisection, not a scan)."""
    at = bisect.bisect_left(group, in_text_order(claim), key=in_text_order)
    return at < len(group) and group[at].iri == claim.iri


def related_claims(claim: Claim, catalogue: Catalogue) -> tuple[RelatedGroup, ...]:
    """Claims that share a source, a measure or a reference period with ``claim`` (never itself)."""
    index = catalogue.related_index
    groups = []

    def others(key: str, values: Iterable[object]) -> RelatedClaims:
        present = [value for value in set(values) if value in index[key]]
        # The count of several merged groups from the catalogue, not from walking them all.
        count = catalogue.sharing_count(key, present) if len(present) > 1 else None
        return RelatedClaims(claim, [index[key][value] for value in present], count)

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
