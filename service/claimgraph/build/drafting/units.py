"""Which unit a draft figure gets: a unit of the shared context when the word after the number names
one ("applications" -> ``application``, "days" -> ``day``), or a unit the draft defines in its
article.yaml when the word is a percent, a currency, a span of time or people; otherwise none (the
reviewer chooses one; the figure keeps the word under ``noun:``)."""

from __future__ import annotations

from dataclasses import dataclass

#: Units a draft may define when the shared context lacks them: id -> (label, unit code or None).
DRAFT_UNITS: dict[str, tuple[str, str | None]] = {
    "percent": ("percent", "P1"),
    "percentage-point": ("percentage points", None),
    "eur": ("euros (EUR)", None),
    "usd": ("US dollars (USD)", None),
    "gbp": ("pounds sterling (GBP)", None),
    "rsd": ("Serbian dinars (RSD)", None),
    "rub": ("Russian roubles (RUB)", None),
    "chf": ("Swiss francs (CHF)", None),
    "jpy": ("Japanese yen (JPY)", None),
    "person": ("persons", None),
    "minute": ("minutes", "MIN"),
    "hour": ("hours", "HUR"),
    "day": ("days", "DAY"),
    "week": ("weeks", "WEE"),
    "month": ("months", "MON"),
    "year": ("years", "ANN"),
}
#: Nouns that count people.
PEOPLE = {
    "people", "persons", "person", "individuals", "residents", "citizens", "nationals", "immigrants",
    "migrants", "refugees", "respondents", "voters", "workers", "children", "adults", "men", "women",
    "students", "employees", "patients", "members", "inhabitants", "expatriates", "emigrants",
}  # fmt: skip
TIME = {"minute": "minute", "hour": "hour", "day": "day", "week": "week", "month": "month", "year": "year"}


@dataclass(frozen=True)
class UnitChoice:
    #: The unit id the figure uses, or None.
    unit: str | None
    #: A unit the draft must define (not in the shared context): (id, label, code).
    defines: tuple[str, str, str | None] | None = None


def singular(word: str) -> str:
    """A plain English singular, enough for unit nouns.

    >>> [singular(w) for w in ["applications", "denials", "hours", "registries", "buses", "days"]]
    ['application', 'denial', 'hour', 'registry', 'bus', 'day']
    """
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("ses", "xes", "ches", "shes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def choose_unit(word: str | None, known: dict[str, str]) -> UnitChoice:
    """The unit for ``word`` given the shared context's units (id -> label).

    >>> known = {"application": "applications", "percent": "percent", "day": "days"}
    >>> choose_unit("applications", known), choose_unit("days", known)
    (UnitChoice(unit='application', defines=None), UnitChoice(unit='day', defines=None))
    >>> choose_unit("eur", known)
    UnitChoice(unit='eur', defines=('eur', 'euros (EUR)', None))
    >>> choose_unit("reasons", known)
    UnitChoice(unit=None, defines=None)
    """
    if not word:
        return UnitChoice(None)
    lowered = word.lower()
    one = singular(lowered)
    for known_id, label in known.items():
        label_words = label.lower().split()
        if known_id in (lowered, one) or label_words == [lowered]:
            return UnitChoice(known_id)
    ident: str | None = lowered if lowered in DRAFT_UNITS else TIME.get(one)
    if ident is None and lowered in PEOPLE:
        ident = "person"
    if ident is None:
        return UnitChoice(None)
    if ident in known:
        return UnitChoice(ident)
    label, code = DRAFT_UNITS[ident]
    return UnitChoice(ident, (ident, label, code))
