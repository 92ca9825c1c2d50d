"""Figures that belong together: a series over periods, and shares of one whole.

Groups are drawn within one article (its figures set side by side, as the checks do).
A **series** is the figures of one measure, place, population, unit and question over
several periods (applications: 20,270 in 2022, 24,704 in 2023, 28,223 in 2024). A figure
whose period contains another's (the 2022-2024 total, 73,197) is an aggregate of the
series, not one of its points, so it is left out. A **share group** is percentages of one
question (or one measure over several places) and one population for the same period: the
motivations for leaving, the cities people live in. Both are computed once per store
content from the catalogue (reading/read_model.py) and drawn by web/charts.py.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from claimgraph.reading.model import Claim, Figure, Ref

Key = tuple[str, ...]


@dataclass(frozen=True)
class Point:
    """One figure of a group, with the claim that states it."""

    claim: Claim
    figure: Figure
    label: str

    def csv_row(self) -> list[str]:
        f = self.figure
        return [
            self.label,
            f.period_start or "",
            f.period_end or "",
            _plain(f.value),
            _plain(f.minimum),
            _plain(f.maximum),
            "" if f.min_inclusive is None else str(f.min_inclusive).lower(),
            "" if f.max_inclusive is None else str(f.max_inclusive).lower(),
            str(f.approximate).lower(),
            f.text,
            f.unit.label if f.unit else "",
            self.claim.id,
            self.claim.iri,
        ]


def _plain(value: object) -> str:
    return "" if value is None else str(value)


CSV_HEADER = [
    "label",
    "period_start",
    "period_end",
    "value",
    "minimum",
    "maximum",
    "min_inclusive",
    "max_inclusive",
    "approximate",
    "as_stated",
    "unit",
    "claim",
    "claim_iri",
]


@dataclass(frozen=True)
class Group:
    """A series (kind 'series') or shares of one whole (kind 'shares')."""

    id: str
    kind: str
    title: str
    unit: Ref | None
    population: Ref | None
    place: Ref | None
    points: tuple[Point, ...]
    multiple_answers: bool = False
    #: The article does not say whether the question allowed several answers.
    answers_not_stated: bool = False

    @property
    def share_note(self) -> str:
        """What a reader must know before adding up the shares (empty when nothing)."""
        if self.multiple_answers:
            return "Several answers were allowed: the shares need not add up to 100%."
        total = sum(p.figure.value for p in self.points if p.figure.value is not None)
        if self.answers_not_stated and total > 100:
            return (
                f"These shares add up to {total}%, more than 100%, and the article does not say whether"
                " several answers were allowed: either they were, or a figure is wrong."
            )
        return ""

    @property
    def claims(self) -> tuple[str, ...]:
        """The IRIs of the claims of its points (all of one article)."""
        return tuple(dict.fromkeys(p.claim.iri for p in self.points))

    def to_csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(CSV_HEADER)
        writer.writerows(point.csv_row() for point in self.points)
        return out.getvalue()


def _iri(ref: Ref | None) -> str:
    return ref.iri if ref else ""


def _contains(outer: Figure, inner: Figure) -> bool:
    """Whether ``outer``'s period strictly contains ``inner``'s (ISO dates and years compare as text)."""
    if not (outer.period_start and outer.period_end and inner.period_start and inner.period_end):
        return False
    same = (outer.period_start, outer.period_end) == (inner.period_start, inner.period_end)
    return (
        not same and outer.period_start[:4] <= inner.period_start[:4] and outer.period_end >= inner.period_end
    )


def find_groups(claims: Iterable[Claim]) -> tuple[Group, ...]:
    """Every series and share group among the claims' figures, in a stable order."""
    figures = [(claim, figure) for claim in claims for figure in claim.figures]
    groups = list(_series(figures)) + list(_shares(figures))
    return tuple(groups)


def _series(figures: list[tuple[Claim, Figure]]) -> Iterable[Group]:
    by_key: dict[Key, list[tuple[Claim, Figure]]] = defaultdict(list)
    for claim, f in figures:
        if f.measure and f.period_start:
            key = (
                claim.article,
                f.measure.iri,
                _iri(f.place),
                _iri(f.population),
                _iri(f.unit),
                _iri(f.question),
            )
            by_key[key].append((claim, f))
    for n, (_key, members) in enumerate(sorted(by_key.items())):
        points = [m for m in members if not any(_contains(m[1], other[1]) for other in members)]
        if len({(f.period_start, f.period_end) for _, f in points}) < 2:
            continue
        points.sort(key=lambda m: (m[1].period_start or "", m[1].period_end or ""))
        first = points[0][1]
        yield Group(
            id=f"series-{n + 1}",
            kind="series",
            title=first.measure.label if first.measure else "Series",
            unit=first.unit,
            population=first.population,
            place=first.place,
            points=tuple(Point(c, f, f.period or "") for c, f in points),
        )


def _shares(figures: list[tuple[Claim, Figure]]) -> Iterable[Group]:
    by_key: dict[Key, list[tuple[Claim, Figure]]] = defaultdict(list)
    for claim, f in figures:
        if f.unit and f.unit.id == "percent" and (f.question or f.measure):
            whole = _iri(f.question) or _iri(f.measure)
            period = (f.period_start or "", f.period_end or "")
            by_key[(claim.article, whole, _iri(f.population), *period)].append((claim, f))
    for n, (_key, members) in enumerate(sorted(by_key.items())):
        if len(members) < 2:
            continue
        one_measure = len({_iri(f.measure) for _, f in members}) == 1
        first = members[0][1]

        def label(f: Figure, one_measure: bool = one_measure) -> str:
            if one_measure and f.place:
                return f.place.label
            return f.measure.label if f.measure else f.text

        title = first.question.label if first.question else (first.measure.label if first.measure else "")
        yield Group(
            id=f"shares-{n + 1}",
            kind="shares",
            title=title,
            unit=first.unit,
            population=first.population,
            place=None if one_measure else first.place,
            points=tuple(
                Point(c, f, text)
                for (c, f), text in zip(members, _distinct([label(f) for _, f in members]), strict=True)
            ),
            multiple_answers=bool(first.answer_mode and first.answer_mode.id == "multiple"),
            answers_not_stated=bool(first.answer_mode and first.answer_mode.id == "not-stated"),
        )


def _distinct(labels: list[str]) -> list[str]:
    """The labels without the words they all begin with ("Share of respondents who give ...")."""
    words = [label.split() for label in labels]
    common = 0
    while all(len(w) > common + 1 and w[common] == words[0][common] for w in words):
        common += 1
    return [" ".join(w[common:]) if common else label for w, label in zip(words, labels, strict=True)]


def groups_of(claim_iri: str, groups: Iterable[Group]) -> tuple[Group, ...]:
    """The groups one claim's figures belong to."""
    return tuple(group for group in groups if claim_iri in group.claims)
