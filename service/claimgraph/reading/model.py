"""What the pages and the JSON API show of claims, figures, sources and reviews (frozen dataclasses).

``to_json`` gives the documented JSON shapes of the API (service/claimgraph/web/openapi.py describes
them); the HTML templates read the same objects.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import Any

from claimgraph import wording

JsonObject = dict[str, Any]

#: Verdicts from worst to best: a claim with several reviews is marked by its worst verdict
#: (a reader should see the problem first). "unchecked" stands for a claim with no review.
VERDICT_ORDER = (
    "inconsistent",
    "unexplained-residual",
    "needs-context",
    "unverifiable",
    "method-not-stated",
    "unsourced",
    "consistent",
)
UNCHECKED = "unchecked"


@dataclass(frozen=True)
class Ref:
    """A resource another one links to: its IRI, a short id (notation or last path segment), a label."""

    iri: str
    id: str
    label: str

    def to_json(self) -> JsonObject:
        return {"id": self.id, "iri": self.iri, "label": self.label}


#: The legend's and the list's name for a claim no check has reviewed.
UNCHECKED_REF = Ref("", UNCHECKED, "not checked")


def _json_number(value: int | Decimal | None) -> int | float | None:
    return float(value) if isinstance(value, Decimal) else value


def _refs(refs: tuple[Ref, ...]) -> list[JsonObject]:
    return [ref.to_json() for ref in refs]


def _ref(ref: Ref | None) -> JsonObject | None:
    return ref.to_json() if ref else None


#: How many readings a page says an ambiguous figure has, in words.
NUMBER_WORDS = {2: "two", 3: "three", 4: "four", 5: "five"}


@dataclass(frozen=True)
class Reading:
    """One population an ambiguous figure may be a share of, and why the sentence allows it."""

    population: Ref
    note: str

    def to_json(self) -> JsonObject:
        return {"population": self.population.to_json(), "note": self.note}


@dataclass(frozen=True)
class Figure:
    """A value, range or bound with its unit, reference period, place and population."""

    iri: str
    value: int | Decimal | None = None
    minimum: int | Decimal | None = None
    maximum: int | Decimal | None = None
    min_inclusive: bool | None = None
    max_inclusive: bool | None = None
    approximate: bool = False
    unit: Ref | None = None
    period_start: str | None = None
    period_end: str | None = None
    place: Ref | None = None
    population: Ref | None = None
    measure: Ref | None = None
    question: Ref | None = None
    answer_mode: Ref | None = None
    readings: tuple[Reading, ...] = ()

    @property
    def ambiguity(self) -> str | None:
        """'ambiguous: two readings' when the sentence allows several denominators, else None."""
        if not self.readings:
            return None
        count = len(self.readings)
        return f"ambiguous: {NUMBER_WORDS.get(count, str(count))} readings"

    @property
    def text(self) -> str:
        """'73,197 applications', 'over 90%', '80,000 to 110,000 persons, approximate'."""
        return wording.figure(
            self.value,
            self.minimum,
            self.maximum,
            unit=self.unit.label if self.unit else None,
            min_inclusive=self.min_inclusive,
            max_inclusive=self.max_inclusive,
            approximate=self.approximate,
        )

    @property
    def period(self) -> str | None:
        return wording.period(self.period_start, self.period_end)

    def to_json(self) -> JsonObject:
        return {
            "iri": self.iri,
            "text": self.text,
            "value": _json_number(self.value),
            "minimum": _json_number(self.minimum),
            "maximum": _json_number(self.maximum),
            "minInclusive": self.min_inclusive,
            "maxInclusive": self.max_inclusive,
            "approximate": self.approximate,
            "unit": _ref(self.unit),
            "period": {"start": self.period_start, "end": self.period_end, "text": self.period}
            if self.period
            else None,
            "place": _ref(self.place),
            "population": _ref(self.population),
            "measure": _ref(self.measure),
            "question": _ref(self.question),
            "answerMode": _ref(self.answer_mode),
            "ambiguity": self.ambiguity,
            "populationReadings": [r.to_json() for r in self.readings],
        }


@dataclass(frozen=True)
class Fact:
    """One labelled detail of a statement: 'date: 21 September 2022', 'place: Russia'."""

    label: str
    text: str
    ref: Ref | None = None

    def to_json(self) -> JsonObject:
        return {"label": self.label, "text": self.text, "ref": _ref(self.ref)}


@dataclass(frozen=True)
class Statement:
    """An assertion item other than a figure: a proposition, event, legal rule or quotation."""

    iri: str
    kind: str
    text: str
    facts: tuple[Fact, ...] = ()

    def to_json(self) -> JsonObject:
        return {
            "iri": self.iri,
            "kind": self.kind,
            "text": self.text,
            "facts": [f.to_json() for f in self.facts],
        }


@dataclass(frozen=True)
class Review:
    """A ClaimReview: verdict, explanation, computation, the rule and the claims used as evidence."""

    iri: str
    claim: str
    verdict: Ref
    body: str
    name: str | None = None
    explanation: str | None = None
    computation: str | None = None
    rule: Ref | None = None
    date: str | None = None
    author: Ref | None = None
    url: str | None = None
    evidence: tuple[Ref, ...] = ()

    def to_json(self) -> JsonObject:
        return {
            "iri": self.iri,
            "name": self.name,
            "verdict": self.verdict.to_json(),
            "explanation": self.explanation,
            "body": self.body,
            "computation": self.computation,
            "rule": _ref(self.rule),
            "evidence": _refs(self.evidence),
            "author": _ref(self.author),
            "datePublished": self.date,
            "url": self.url,
        }


@dataclass(frozen=True)
class Claim:
    """A claim with its anchor, provenance, what it says and the reviews of it."""

    iri: str
    id: str
    quote: str
    kind: Ref
    attribution: Ref
    article: str
    start: int
    end: int
    prefix: str = ""
    suffix: str = ""
    note: str | None = None
    sources: tuple[Ref, ...] = ()
    about: tuple[Ref, ...] = ()
    compares: tuple[Ref, ...] = ()
    not_stated: tuple[Ref, ...] = ()
    hedges: tuple[str, ...] = ()
    figures: tuple[Figure, ...] = ()
    statements: tuple[Statement, ...] = ()
    reviews: tuple[Review, ...] = field(default=())
    #: The article it appears in, named (its headline, or its slug); None: named from its IRI.
    article_ref: Ref | None = None

    @property
    def key(self) -> str:
        """How lists name the claim: its id, or ``<slug>/<id>`` for a claim minted under
        articles/<slug>/claims/ (any article but the shipped one), since an id is unique only
        within its article.

        >>> Claim("http://x/articles/a-b/claims/c001", "c001", "", UNCHECKED_REF, UNCHECKED_REF, "", 0, 0).key
        'a-b/c001'
        """
        return claim_key(self.iri)

    @property
    def in_article(self) -> Ref:
        """The article it appears in, as a facet value: id the slug, label its headline or slug."""
        if self.article_ref is not None:
            return self.article_ref
        return article_ref(self.article, None)

    @property
    def verdicts(self) -> tuple[Ref, ...]:
        """The distinct verdicts of its reviews, worst first."""
        unique = {review.verdict.id: review.verdict for review in self.reviews}
        return tuple(sorted(unique.values(), key=lambda v: _rank(v.id)))

    @property
    def verdict(self) -> str:
        """The worst verdict's id, or 'unchecked'."""
        verdicts = self.verdicts
        return verdicts[0].id if verdicts else UNCHECKED

    @property
    def dates(self) -> tuple[str, ...]:
        """The periods and dates the claim's figures and statements refer to, as English."""
        found = [f.period for f in self.figures if f.period]
        found += [fact.text for s in self.statements for fact in s.facts if fact.label in ("date", "period")]
        return tuple(dict.fromkeys(found))

    @cached_property
    def periods(self) -> frozenset[tuple[str | None, str | None]]:
        return frozenset((f.period_start, f.period_end) for f in self.figures if f.period)

    @cached_property
    def measures(self) -> frozenset[str]:
        return frozenset(f.measure.iri for f in self.figures if f.measure)

    def to_json(self) -> JsonObject:
        """The shape of one item of /api/claims (the detail adds reviews in full)."""
        return {
            "id": self.id,
            "key": self.key,
            "iri": self.iri,
            "quote": self.quote,
            "kind": self.kind.to_json(),
            "attribution": self.attribution.to_json(),
            "note": self.note,
            "article": self.article,
            "anchor": {"start": self.start, "end": self.end, "prefix": self.prefix, "suffix": self.suffix},
            "sources": _refs(self.sources),
            "about": _refs(self.about),
            "compares": _refs(self.compares),
            "notStated": _refs(self.not_stated),
            "hedges": list(self.hedges),
            "figures": [f.to_json() for f in self.figures],
            "statements": [s.to_json() for s in self.statements],
            "verdicts": _refs(self.verdicts),
        }


def claim_key(iri: str) -> str:
    """A claim IRI's key: ``<slug>/<id>`` under articles/<slug>/claims/, else the last segment.

    >>> claim_key("http://x/claims/c001"), claim_key("http://x/articles/a/claims/c001")
    ('c001', 'a/c001')
    """
    parts = iri.rsplit("/", 4)
    if len(parts) == 5 and parts[1] == "articles" and parts[3] == "claims":
        return f"{parts[2]}/{parts[4]}"
    return parts[-1]


def article_ref(iri: str, headline: str | None) -> Ref:
    """An article as a Ref: its slug (the last segment of its IRI) and its headline, else the slug
    in words.

    >>> article_ref("http://x/articles/russians-in-serbia", None).label
    'article: russians in serbia'
    """
    slug = iri.rstrip("/").rsplit("/", 1)[-1]
    return Ref(iri, slug, headline or f"article: {wording.humanise(slug)}")


def _rank(verdict: str) -> int:
    return VERDICT_ORDER.index(verdict) if verdict in VERDICT_ORDER else len(VERDICT_ORDER)
