"""The claim list: filters (article, kind, source, attribution status, verdict, free text) and counts
per facet.

Values of one facet are alternatives (kind=statistic&kind=estimate), facets combine
(kind and verdict), and the free text must match every word. A facet's counts are
taken over the claims the *other* filters leave, so each count says how many claims
ticking that value would show.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from claimgraph.errors import QueryRejected
from claimgraph.reading.model import UNCHECKED, UNCHECKED_REF, VERDICT_ORDER, Claim, JsonObject, Ref

FACETS: dict[str, Callable[[Claim], tuple[Ref, ...]]] = {
    "article": lambda claim: (claim.in_article,),
    "kind": lambda claim: (claim.kind,),
    "source": lambda claim: claim.sources,
    "attribution": lambda claim: (claim.attribution,),
    "verdict": lambda claim: claim.verdicts or (UNCHECKED_REF,),
}
TEXT = "q"


@dataclass(frozen=True)
class Filters:
    """The selected values per facet and the free text (``q``), as given in the URL."""

    selected: dict[str, tuple[str, ...]]
    text: str = ""

    @classmethod
    def from_args(cls, args: Mapping[str, Iterable[str]]) -> Filters:
        """Read GET parameters; anything that is not a facet or ``q`` is ignored.

        >>> Filters.from_args({"kind": ["statistic", ""], "q": [" over 90% "], "page": ["2"]})
        Filters(selected={'kind': ('statistic',)}, text='over 90%')
        """
        selected = {facet: tuple(v for v in args.get(facet, ()) if v) for facet in FACETS}
        text = " ".join(v.strip() for v in args.get(TEXT, ()) if v.strip())
        return cls({k: v for k, v in selected.items() if v}, text)

    @property
    def active(self) -> bool:
        return bool(self.selected or self.text)

    def to_json(self) -> JsonObject:
        return {**{facet: list(self.selected.get(facet, ())) for facet in FACETS}, TEXT: self.text}


@dataclass(frozen=True)
class FacetValue:
    id: str
    label: str
    count: int
    selected: bool

    def to_json(self) -> JsonObject:
        return {"id": self.id, "label": self.label, "count": self.count, "selected": self.selected}


@dataclass(frozen=True)
class Listing:
    claims: tuple[Claim, ...]
    total: int
    filters: Filters
    facets: dict[str, tuple[FacetValue, ...]]

    def to_json(self) -> JsonObject:
        """The documented shape of /api/claims (ClaimList in /openapi.json)."""
        return {
            "total": self.total,
            "count": len(self.claims),
            "filters": self.filters.to_json(),
            "facets": {name: [v.to_json() for v in values] for name, values in self.facets.items()},
            "claims": [claim.to_json() for claim in self.claims],
        }


def list_claims(claims: tuple[Claim, ...], filters: Filters) -> Listing:
    """The claims that pass ``filters``, with facet counts; QueryRejected for an unknown facet value."""
    known = {facet: _values(claims, facet) for facet in FACETS}
    for facet, chosen in filters.selected.items():
        unknown = [value for value in chosen if value not in known[facet]]
        if unknown:
            raise QueryRejected(f"unknown {facet} {unknown[0]!r}; known: {', '.join(known[facet])}")
    texts = {claim.iri: _haystack(claim) for claim in claims}
    words = filters.text.lower().split()
    by_text = [c for c in claims if all(word in texts[c.iri] for word in words)]
    matching = tuple(c for c in by_text if all(_passes(c, f, v) for f, v in filters.selected.items()))
    facets = {}
    for facet, labels in known.items():
        others = [
            c for c in by_text if all(_passes(c, f, v) for f, v in filters.selected.items() if f != facet)
        ]
        counts = Counter(ref.id for claim in others for ref in FACETS[facet](claim))
        chosen = filters.selected.get(facet, ())
        facets[facet] = tuple(FacetValue(v, labels[v], counts[v], v in chosen) for v in labels)
    return Listing(matching, len(claims), filters, facets)


def _values(claims: tuple[Claim, ...], facet: str) -> dict[str, str]:
    found = {ref.id: ref.label for claim in claims for ref in FACETS[facet](claim)}
    if facet == "verdict":
        order = [*VERDICT_ORDER, UNCHECKED]
        return dict(sorted(found.items(), key=lambda item: order.index(item[0]) if item[0] in order else 99))
    return dict(sorted(found.items(), key=lambda item: item[1].lower()))


def _passes(claim: Claim, facet: str, chosen: tuple[str, ...]) -> bool:
    return any(ref.id in chosen for ref in FACETS[facet](claim))


def _haystack(claim: Claim) -> str:
    parts = [claim.id, claim.quote, claim.note or "", claim.kind.label, claim.attribution.label]
    parts += [ref.label for ref in (*claim.sources, *claim.about)]
    parts += [figure.text for figure in claim.figures]
    parts += [
        f"{f.measure.label if f.measure else ''} {f.population.label if f.population else ''}"
        for f in claim.figures
    ]
    parts += [statement.text for statement in claim.statements]
    return " ".join(parts).lower()
