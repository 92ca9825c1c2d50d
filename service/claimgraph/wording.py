"""Plain-English wording of figures, dates and periods, for pages a fact-checker reads (no Flask here)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

#: What every automated check says of itself: on review bodies, the checks page, the claim pages, the CLI.
HONESTY = (
    "This automated check compares the article with itself and with the sources it cites, "
    "not with the world: it says whether the article's figures hold together, not whether they are true."
)
#: The same, for a check that sets one article's claim against another article's.
HONESTY_ACROSS = (
    "This automated check compares the figures of two articles of the dataset with each other, "
    "not with the world: it says whether they hold together, not whether either is true."
)

Number = int | Decimal
PERCENT = "percent"


def number(value: Number) -> str:
    """A number as an English reader writes it.

    >>> number(73197)
    '73,197'
    >>> number(Decimal("83.40"))
    '83.4'
    >>> number(Decimal("100"))
    '100'
    """
    if isinstance(value, Decimal):
        return format(value.normalize(), ",f")
    return f"{value:,}"


def quantity(value: Number, unit: str | None) -> str:
    """A number with its unit: percentages take a sign, everything else a word.

    >>> quantity(Decimal("83.4"), "percent")
    '83.4%'
    >>> quantity(73197, "applications")
    '73,197 applications'
    >>> quantity(3, None)
    '3'
    """
    if unit == PERCENT:
        return f"{number(value)}%"
    return f"{number(value)} {unit}" if unit else number(value)


def figure(
    value: Number | None,
    minimum: Number | None,
    maximum: Number | None,
    *,
    unit: str | None,
    min_inclusive: bool | None = None,
    max_inclusive: bool | None = None,
    approximate: bool = False,
) -> str:
    """A value, range or bound as the article would say it.

    >>> figure(None, 90, None, unit="percent", min_inclusive=False)
    'over 90%'
    >>> figure(None, 80000, 110000, unit="persons", approximate=True)
    '80,000 to 110,000 persons, approximate'
    >>> figure(None, None, 30, unit="days")
    'up to 30 days'
    >>> figure(None, 24, 39, unit="years of age")
    '24 to 39 years of age'
    >>> figure(None, 5, None, unit=None)
    'at least 5'
    """
    if value is not None:
        text = quantity(value, unit)
    elif minimum is not None and maximum is not None:
        low = number(minimum) if unit != PERCENT else f"{number(minimum)}%"
        text = f"{low} to {quantity(maximum, unit)}"
    elif minimum is not None:
        text = f"{'at least' if min_inclusive is not False else 'over'} {quantity(minimum, unit)}"
    elif maximum is not None:
        text = f"{'up to' if max_inclusive is not False else 'under'} {quantity(maximum, unit)}"
    else:
        text = "no figure"
    return f"{text}, approximate" if approximate else text


def date(lexical: str) -> str:
    """An xsd:date, xsd:gYearMonth or xsd:gYear as English.

    >>> date("2024-08-05")
    '5 August 2024'
    >>> date("2024-06")
    'June 2024'
    >>> date("2009")
    '2009'
    >>> date("2026-11-26T02:06:09+00:00")
    '26 November 2026'
    """
    if re.fullmatch(r"\d{4}-\d{2}", lexical):
        return dt.date.fromisoformat(f"{lexical}-01").strftime("%B %Y")
    if re.match(r"\d{4}-\d{2}-\d{2}", lexical):
        day = dt.date.fromisoformat(lexical[:10])
        return f"{day.day} {day.strftime('%B %Y')}"
    return lexical


def period(start: str | None, end: str | None) -> str | None:
    """A reference period, or None when neither end is known.

    >>> period("2022-02-24", "2024-12-31")
    '24 February 2022 to 31 December 2024'
    >>> period("2024-06", "2024-06")
    'June 2024'
    >>> period(None, "2024")
    'until 2024'
    """
    if start and end:
        return date(start) if start == end else f"{date(start)} to {date(end)}"
    if start:
        return f"from {date(start)}"
    if end:
        return f"until {date(end)}"
    return None


def humanise(name: str) -> str:
    """A camelCase or hyphenated local name as lower-case words.

    >>> humanise("wasDerivedFrom")
    'was derived from'
    >>> humanise("estimationMethod")
    'estimation method'
    >>> humanise("AccessToInformationResponse")
    'access to information response'
    """
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name).replace("-", " ").replace("_", " ")
    return spaced.lower()


def local_name(iri: str) -> str:
    """The part of an IRI after its last '#' or '/'.

    >>> local_name("http://example.org/ontology#kind-statistic")
    'kind-statistic'
    >>> local_name("http://example.org/claims/c013")
    'c013'
    """
    return re.split(r"[#/]", iri.rstrip("/#"))[-1]
