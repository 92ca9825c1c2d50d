"""Dates and periods in a text: "September 21, 2022", "21 September 2022", "June 2024", "in 2022",
"2022-2024", "the 1990s", and the periods two of them make ("between February 24, 2022, and
December 31, 2024", "from 2022 to 2024").

A date's value is what the YAML of a claim takes for a period end: an ISO date, "YYYY-MM" or a year.
A day and month with no year ("on 5 August") is a date whose year the text does not give: it is
found (so the sentence is a candidate) but has no value.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

MONTHS = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9,
    "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
_MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>1[89]\d\d|20\d\d)"
PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("iso", re.compile(rf"\b{_YEAR}-(?P<m>[01]\d)-(?P<d>[0-3]\d)\b")),
    ("date", re.compile(rf"\b{_MONTH}\s+{_DAY},?\s+{_YEAR}\b", re.IGNORECASE)),
    ("date", re.compile(rf"\b{_DAY}\s+(?:of\s+)?{_MONTH},?\s+{_YEAR}\b", re.IGNORECASE)),
    ("year-month", re.compile(rf"\b(?:(?:early|mid|late)-)?{_MONTH},?\s+{_YEAR}\b", re.IGNORECASE)),
    ("years", re.compile(rf"\b{_YEAR}\s*(?:-|–|—|/)\s*(?P<to>1[89]\d\d|20\d\d|\d\d)\b")),
    ("decade", re.compile(r"\b(?P<decade>1[89]\d0|20\d0)s\b")),
    ("day-month", re.compile(rf"\b{_MONTH}\s+{_DAY}\b(?!,?\s*\d)", re.IGNORECASE)),
    ("day-month", re.compile(rf"\b{_DAY}\s+(?:of\s+)?{_MONTH}\b", re.IGNORECASE)),
    ("year", re.compile(rf"(?<![\d,.$€£])\b{_YEAR}\b(?![.,]\d|\s*%|\s*(?:-|\s)?(?:thousand|million)\b)")),
)
#: Two dates that make one period: "between A and B", "from A to B", "A to B", "A until B".
PERIOD_GLUE = re.compile(r",?\s*(?P<word>and|to|until|till|through|-|–|—)\s*", re.IGNORECASE)
PERIOD_OPEN = re.compile(r"\b(?:between|from)\s+$", re.IGNORECASE)
#: "may" with no day or year after it is the verb, not the month.
_MAY_VERB = re.compile(r"^may$", re.IGNORECASE)


@dataclass(frozen=True)
class DateMention:
    start: int
    end: int
    text: str
    #: date | year-month | year | period | day-month
    form: str
    #: Start and end of what it covers, as period values ("2022-09-21", "2024-06", 2022); None if
    #: the text gives no year.
    first: str | int | None
    last: str | int | None


def date_mentions(text: str) -> list[DateMention]:
    """Every date and period of ``text`` in text order, none overlapping (the longest form wins).

    >>> [(m.form, m.first, m.last) for m in date_mentions("between February 24, 2022, and December 31, 2024")]
    [('period', '2022-02-24', '2024-12-31')]
    >>> [(m.text, m.first) for m in date_mentions("In June 2024, 87% of 2,000; in 2023 too")]
    [('June 2024', '2024-06'), ('2023', 2023)]
    """
    found: list[DateMention] = []
    taken = bytearray(len(text))  # 1 where a mention already stands: the longer forms come first
    for form, pattern in PATTERNS:
        for match in pattern.finditer(text):
            mention = _mention(form, match)
            if mention is None or any(taken[mention.start : mention.end]):
                continue
            taken[mention.start : mention.end] = b"\x01" * (mention.end - mention.start)
            found.append(mention)
    found.sort(key=lambda m: m.start)
    return _join_periods(text, found)


def _mention(form: str, match: re.Match[str]) -> DateMention | None:
    start, end, surface = match.start(), match.end(), match.group()
    try:
        if form == "iso":
            day = dt.date(int(match["year"]), int(match["m"]), int(match["d"])).isoformat()
            return DateMention(start, end, surface, "date", day, day)
        if form == "date":
            month = MONTHS[match["month"].lower()]
            day = dt.date(int(match["year"]), month, int(match["day"])).isoformat()
            return DateMention(start, end, surface, "date", day, day)
    except ValueError:  # "February 31": not a date
        return None
    if form == "year-month":
        value = f"{match['year']}-{MONTHS[match['month'].lower()]:02d}"
        return DateMention(start, end, surface, "year-month", value, value)
    if form == "years":
        first, to = int(match["year"]), match["to"]
        last = int(to) if len(to) == 4 else first // 100 * 100 + int(to)
        if last <= first:
            return None
        return DateMention(start, end, surface, "period", first, last)
    if form == "decade":
        decade = int(match["decade"])
        return DateMention(start, end, surface, "period", decade, decade + 9)
    if form == "day-month":
        if _MAY_VERB.match(match["month"]) or not 1 <= int(match["day"]) <= 31:
            return None
        return DateMention(start, end, surface, "day-month", None, None)
    year = int(match["year"])
    return DateMention(start, end, surface, "year", year, year)


def _join_periods(text: str, mentions: list[DateMention]) -> list[DateMention]:
    joined: list[DateMention] = []
    i = 0
    while i < len(mentions):
        first = mentions[i]
        second = mentions[i + 1] if i + 1 < len(mentions) else None
        if second is not None and first.first is not None and second.last is not None:
            glue = PERIOD_GLUE.fullmatch(text, first.end, second.start)
            opened = PERIOD_OPEN.search(text, max(0, first.start - 10), first.start)
            if glue and (opened or glue["word"].lower() != "and"):
                start = opened.start() if opened else first.start
                surface = text[start : second.end]
                joined.append(DateMention(start, second.end, surface, "period", first.first, second.last))
                i += 2
                continue
        joined.append(first)
        i += 1
    return joined
