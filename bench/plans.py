"""What a synthetic claim says and where from: one planner per claim kind, from the article's RNG.

Every third sourced claim is attributed by inference (with a note saying so),
unsourced kinds say "not stated", and some claims get the review the shipped
data's checks would give them (sum of parts, comparison, unsourced, estimate).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from bench.assertions import Event, Figure, Item, Quotation, Rule, Statement
from bench.claims import ClaimPlan, Review
from bench.context import COUNT_UNITS, POLL_MEASURES, SURVEY_MEASURES, UNITS

LOOKUP_VALUE = 73197
#: Every article states one claim of each kind first (so each has every shape), then draws by weight.
KINDS = (
    "statistic",
    "survey-finding",
    "poll-result",
    "event",
    "legal-rule",
    "estimate",
    "quotation",
    "interpretation",
    "factual-statement",
    "research-finding",
)
WEIGHTS = (15, 20, 5, 5, 3, 2, 2, 15, 10, 5)
UNIT_LABELS = {ident: label for ident, label, _ in UNITS}


@dataclass
class Article:
    """What the claims of article ``k`` may refer to."""

    k: int
    rng: random.Random
    shared: bool
    country: str
    city: str
    sources: dict[str, tuple[str, ...]]
    count_measures: tuple[str, ...]
    share_measures: tuple[str, ...]
    questions: tuple[str, ...]
    populations: dict[str, str]
    names: dict[str, str] = field(default_factory=dict)
    lookup_pending: bool = False
    statistics: list[str] = field(default_factory=list)
    surveys: list[str] = field(default_factory=list)

    @property
    def aid(self) -> str:
        return f"a{self.k:05d}"

    def year(self) -> int:
        return self.rng.randint(2016, 2025)


def claim_kinds(art: Article) -> list[str]:
    count = art.rng.randint(20, 80)
    return [*KINDS, *art.rng.choices(KINDS, WEIGHTS, k=count - len(KINDS))]


def plan_claim(art: Article, n: int, kind: str) -> ClaimPlan:
    cid = f"{art.aid}-c{n:03d}"
    planner = PLANNERS[kind]
    return planner(art, cid, n)


def sourced(art: Article, n: int, role: str) -> tuple[str, tuple[str, ...], str | None]:
    """Attribution, sources and note of a sourced claim: every third one is inferred from context."""
    sources = art.sources[role]
    if n % 3 == 0:
        note = f"The sentence names no source; the paragraph before attributes it to {sources[0]}."
        return "inferred", sources, note
    return "stated", sources, None


def plan_statistic(art: Article, cid: str, n: int) -> ClaimPlan:
    year, place = art.year(), art.rng.choice((art.country, art.city))
    if art.lookup_pending:
        art.lookup_pending = False
        measure, unit, value, period = (
            "residence-permit-applications",
            "application",
            LOOKUP_VALUE,
            ("2022-02-24", "2024-12-31"),
        )
    else:
        measure, unit = art.rng.choice(art.count_measures), art.rng.choice(COUNT_UNITS)
        value, period = art.rng.randint(100, 250_000), (f"{year}-01-01", f"{year}-12-31")
    figures = [
        Figure(
            measure,
            unit,
            (str(value), "integer"),
            period=period,
            place=place,
            population=art.populations["general"],
        )
    ]
    for extra in range(art.rng.choice((0, 0, 0, 1, 2))):
        other = year - extra - 1
        period = (f"{other}-01-01", f"{other}-12-31")
        figures.append(
            Figure(measure, unit, (str(art.rng.randint(100, 250_000)), "integer"), period=period, place=place)
        )
    attribution, sources, note = sourced(art, n, "ati")
    review = None
    if art.statistics and art.rng.random() < 0.3:
        verdict = art.rng.choice(("consistent", "consistent", "inconsistent"))
        review = Review(
            "sum-of-parts",
            verdict,
            f"The parts {verdict} with the total {value}.",
            f"parts = {value}",
            tuple(art.statistics[-2:]),
        )
    art.statistics.append(cid)
    authority = art.names["border-police-administration" if art.shared else f"{art.aid}-authority"]
    quote = f"{authority} recorded {value:,} {UNIT_LABELS[unit]} in {year} ({cid})"
    return ClaimPlan(
        cid, "statistic", attribution, sources, quote, tuple(figures), (place,), note, review=review
    )


def plan_share(art: Article, cid: str, n: int, kind: str) -> ClaimPlan:
    """A survey finding or a poll result: a percentage of a named population, maybe with its question."""
    role = "survey" if kind == "survey-finding" else "poll"
    measures = art.share_measures
    if art.shared:
        measures = SURVEY_MEASURES if role == "survey" and n % 2 == 0 else measures
        measures = POLL_MEASURES if role == "poll" else measures
    measure = art.rng.choice(measures)
    share = art.rng.randint(30, 990)
    value, bounds = (f"{share // 10}.{share % 10}", "decimal"), (None, None)
    if art.rng.random() < 0.08:
        value, bounds = None, ((str(share // 10), "integer"), None)
    question = art.rng.choice((*art.questions, None))
    if measure == "share-support-putin":
        question = "support-putin"
    figure = Figure(
        measure,
        "percent",
        value,
        bounds,
        min_inclusive=False,
        population=art.populations[role],
        question=question,
    )
    attribution, sources, note = sourced(art, n, role)
    compares = (art.surveys[-1],) if role == "poll" and art.surveys else ()
    if role == "survey":
        art.surveys.append(cid)
    review = None
    if compares or art.rng.random() < 0.15:
        explanation = "The compared figures come from different pollsters and populations."
        review = Review("comparison-needs-context", "needs-context", explanation, evidence=compares)
    quote = f"{share / 10:.1f}% of the {role} respondents agreed ({cid})"
    return ClaimPlan(
        cid,
        kind,
        attribution,
        sources,
        quote,
        (figure,),
        (art.country,),
        note,
        review=review,
        compares=compares,
    )


def plan_event(art: Article, cid: str, n: int) -> ClaimPlan:
    year = art.year()
    start = f"{year}-{art.rng.randint(1, 12):02d}-{art.rng.randint(1, 28):02d}"
    end = f"{year + 1}-01-15" if art.rng.random() < 0.3 else None
    name = f"Border measures announced in {art.names[art.city]} ({cid})"
    event = Event(f"{cid}-event", name, start, end, art.city, (f"{art.aid}-authority",))
    review = (
        Review("unsourced", "unsourced", "The article gives no source for this event.") if n % 2 else None
    )
    quote = f"On {start} the authorities announced new border measures ({cid})"
    return ClaimPlan(cid, "event", "none", (), quote, (event,), (art.country,), review=review)


def plan_rule(art: Article, cid: str, n: int) -> ClaimPlan:
    law = art.sources["law"][0]
    items: tuple[Item, ...] = (Rule(f"{cid}-rule", f"Visa-free stay rule ({cid})", law, art.country),)
    if art.rng.random() < 0.5:
        items = (*items, Figure("visa-free-stay-limit", "day", ("30", "integer"), place=art.country))
    attribution, sources, note = sourced(art, n, "law")
    quote = f"Under the agreement, citizens may stay up to 30 days without a visa ({cid})"
    return ClaimPlan(cid, "legal-rule", attribution, sources, quote, items, (art.country,), note)


def plan_estimate(art: Article, cid: str, n: int) -> ClaimPlan:
    low = art.rng.randint(10, 90) * 1000
    high = low + art.rng.randint(5, 40) * 1000
    figure = Figure(
        art.count_measures[0],
        "person",
        None,
        ((str(low), "integer"), (str(high), "integer")),
        approximate=True,
        place=art.country,
    )
    review = Review(
        "estimate-without-method", "method-not-stated", "The article states no estimation method."
    )
    quote = f"An estimated {low:,} to {high:,} people arrived ({cid})"
    return ClaimPlan(
        cid,
        "estimate",
        "none",
        (),
        quote,
        (figure,),
        (art.country,),
        not_stated=("estimationMethod", "estimator"),
        review=review,
    )


def plan_quotation(art: Article, cid: str, n: int) -> ClaimPlan:
    said = f"We did not plan to stay this long ({cid})"
    attribution, sources, note = sourced(art, n, "interviews")
    quotation = Quotation(said, f"{art.aid}-respondent")
    return ClaimPlan(
        cid, "quotation", attribution, sources, f'"{said}", one respondent said', (quotation,), note=note
    )


def plan_statement(art: Article, cid: str, n: int, kind: str) -> ClaimPlan:
    """An interpretation (never sourced), a factual statement or a research finding."""
    year = art.year()
    trend = art.rng.choice((None, None, "increase", "peak")) if kind == "factual-statement" else None
    statement = Statement(
        f"A {kind.replace('-', ' ')} about migration in {year} ({cid})",
        period=(f"{year}-01-01", f"{year}-12-31") if trend else None,
        trend=trend,
        about=(art.count_measures[0],) if trend else (),
    )
    quote = f"Migration to {art.names[art.city]} changed markedly in {year} ({cid})"
    if kind == "interpretation" or (kind == "factual-statement" and n % 2):
        review = (
            Review("unsourced", "unsourced", "The article names no source.")
            if kind != "interpretation" and n % 4 == 1
            else None
        )
        return ClaimPlan(cid, kind, "none", (), quote, (statement,), (art.country,), review=review)
    role = "survey" if kind == "research-finding" else "ati"
    attribution, sources, note = sourced(art, n, role)
    return ClaimPlan(cid, kind, attribution, sources, quote, (statement,), (art.country,), note)


PLANNERS = {
    "statistic": plan_statistic,
    "survey-finding": lambda art, cid, n: plan_share(art, cid, n, "survey-finding"),
    "poll-result": lambda art, cid, n: plan_share(art, cid, n, "poll-result"),
    "event": plan_event,
    "legal-rule": plan_rule,
    "estimate": plan_estimate,
    "quotation": plan_quotation,
    "interpretation": lambda art, cid, n: plan_statement(art, cid, n, "interpretation"),
    "factual-statement": lambda art, cid, n: plan_statement(art, cid, n, "factual-statement"),
    "research-finding": lambda art, cid, n: plan_statement(art, cid, n, "research-finding"),
}
