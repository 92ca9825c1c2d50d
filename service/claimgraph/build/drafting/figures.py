"""The figures of one sentence: each number token read with its unit (%, a currency, a noun such
as "applications" or "days"), its bounds ("over 90%", "up to 30 days", "nearly half"), its
hedging ("approximately") and ranges ("80,000 to 110,000", "between 20 and 30", "24–39").

What a figure measures, whom it is about and where are left to the reviewer: a draft figure has a
value or bounds, a unit where the text shows one, and the words it was read from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from claimgraph.build.drafting.dates import DateMention
from claimgraph.build.drafting.tokens import NumberToken

#: Bound words before a number: (min or max, inclusive, approximate).
BOUNDS: tuple[tuple[re.Pattern[str], str, bool, bool], ...] = tuple(
    (re.compile(rf"(?:^|\W)(?:{words})\s*$", re.IGNORECASE), side, inclusive, approximate)
    for words, side, inclusive, approximate in (
        (r"more than|over|above|exceeding|in excess of|upwards of|just over", "min", False, False),
        (r"at least|no fewer than|no less than|not less than|a minimum of|minimum of", "min", True, False),
        (r"less than|fewer than|under|below|just under|just shy of", "max", False, False),
        (r"up to|at most|no more than|not more than|a maximum of|maximum of|within|as many as", "max", True,
         False),
        (r"nearly|almost|close to|approaching", "max", False, True),
    )
)  # fmt: skip
HEDGE_BEFORE = re.compile(
    r"(?:^|\W)(?:about|approximately|approx\.|around|roughly|some|an estimated|estimated|circa|~|ca\.)\s*$",
    re.IGNORECASE,
)
#: After a number: "or more" / "or over" make it a lower bound, "or fewer" / "or less" an upper one.
BOUND_AFTER = re.compile(
    r"(?:\s*(?P<min>or more|or over|or above|plus)\b|(?P<plus>\+)|\s*(?P<max>or fewer|or less)\b)"
)
PERCENT_AFTER = re.compile(r"\s?(?:%|per\s?cent\b|percent\b)", re.IGNORECASE)
POINTS_AFTER = re.compile(r"\s?(?:percentage points?|pp)\b", re.IGNORECASE)
CURRENCY_SYMBOLS = {"€": "eur", "$": "usd", "US$": "usd", "£": "gbp", "₽": "rub", "¥": "jpy"}
CURRENCY_CODES = {"EUR": "eur", "USD": "usd", "GBP": "gbp", "RSD": "rsd", "RUB": "rub", "CHF": "chf"}
CURRENCY_WORDS = {
    "euro": "eur", "euros": "eur", "dollar": "usd", "dollars": "usd", "pound": "gbp", "pounds": "gbp",
    "dinar": "rsd", "dinars": "rsd", "ruble": "rub", "rubles": "rub", "rouble": "rub", "roubles": "rub",
}  # fmt: skip
CURRENCY_BEFORE = re.compile(r"(?P<symbol>US\$|[€$£₽¥])\s?$|\b(?P<code>EUR|USD|GBP|RSD|RUB|CHF)\s?$")
CURRENCY_AFTER = re.compile(r"\s?(?:(?P<code>EUR|USD|GBP|RSD|RUB|CHF)\b|(?P<word>[A-Za-z]+)\b)")
#: Between two numbers of one range. "and" only after "between" (else "245 in 2023 and 309").
RANGE_GLUE = re.compile(r"\s*(?:%\s*)?(?P<word>to|-|–|—|and)\s*(?=\S)", re.IGNORECASE)
RANGE_OPEN = re.compile(r"(?:^|\W)(?P<word>between|from)\s*$", re.IGNORECASE)
#: "rose from 245 to 1,465" is a change between two figures, not a range.
CHANGE_BEFORE = re.compile(
    r"\b(?:rose|risen|rising|increased?|increasing|grew|grown|fell|fallen|dropped|declined?|went|climbed|"
    r"jumped|doubled|tripled|decreased?|changed?|soared|plunged)\b[^.;]{0,30}\bfrom\s*$",
    re.IGNORECASE,
)
#: Words that may stand between a number and the noun it counts ("948,934 such registrations").
NOUN_FILLERS = {
    "such", "more", "new", "additional", "other", "further", "registered", "official", "total", "of", "the",
}  # fmt: skip
NOT_NOUNS = {
    "in", "of", "per", "were", "was", "have", "has", "had", "are", "is", "be", "been", "the", "a", "an",
    "and", "or", "to", "from", "with", "by", "for", "at", "on", "as", "than", "this", "that", "who",
    "which", "also", "only", "still", "not", "will", "would", "could", "may", "might", "can", "believe",
    "say", "said", "support", "view", "feel", "disapprove", "approve", "avoided", "compared", "each",
    "every", "all", "over", "under", "about", "into", "after", "before", "since", "while", "whereas",
    "but", "so", "its", "their", "his", "her", "our", "times", "percent", "cent", "above", "below",
    "mentioned", "more", "less", "fewer", "then", "there", "these", "those", "out",
    # common verbs that do not end in -ed or -ing ("4 came", "12 fell")
    "came", "went", "fell", "rose", "grew", "did", "made", "got", "took", "saw", "left", "met", "ran",
    "won", "lost", "paid", "sold", "spent", "gave", "found", "became", "remain", "do", "does", "get",
    "make", "take", "come", "go", "think", "want", "live", "work", "know", "knew", "voted", "agree",
}  # fmt: skip
NOUN_AFTER = re.compile(r"(?:\s*-\s*|\s+)(?P<words>(?:[A-Za-z]+\s+){0,2}[A-Za-z]+)")


@dataclass
class DraftFigure:
    """A figure found in a sentence: a value, or bounds, with what the text says about them."""

    start: int
    end: int
    #: The words the figure was read from ("over 90%", "approximately 80,000 to 110,000").
    found: str
    value: Decimal | None = None
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    min_inclusive: bool = True
    max_inclusive: bool = True
    approximate: bool = False
    #: "percent", a currency ("eur"), or the noun after the number ("applications"); None if none.
    unit_word: str | None = None
    #: A period the sentence ties to the figure ("20,270 filed in 2022").
    period: tuple[str | int, str | int] | None = None
    tokens: list[NumberToken] = field(default_factory=list)


def read_figures(text: str, tokens: list[NumberToken], dates: list[DateMention]) -> list[DraftFigure]:
    """The figures of a sentence from its number tokens (those not inside a date), in text order.

    >>> from claimgraph.build.drafting.tokens import number_tokens
    >>> s = "an approval rate of over 90%, and approximately 80,000 to 110,000 people"
    >>> over, about = read_figures(s, number_tokens(s), [])
    >>> over.found, over.minimum, over.maximum, over.min_inclusive, over.approximate, over.unit_word
    ('over 90%', Decimal('90'), None, False, False, 'percent')
    >>> about.found, about.minimum, about.maximum, about.approximate, about.unit_word
    ('approximately 80,000 to 110,000 people', Decimal('80000'), Decimal('110000'), True, 'people')
    """
    figures: list[DraftFigure] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        figure = DraftFigure(token.start, token.end, token.text, tokens=[token])
        end = token.end
        following = tokens[i + 1] if i + 1 < len(tokens) else None
        glue = RANGE_GLUE.match(text, end) if following else None
        opened = RANGE_OPEN.search(text, max(0, token.start - 10), token.start)
        if (
            following is not None
            and glue is not None
            and glue.end() == following.start
            and (glue["word"].lower() != "and" or (opened and opened["word"].lower() == "between"))
            and not CHANGE_BEFORE.search(text, max(0, token.start - 60), token.start)
        ):
            figure.minimum, figure.maximum = token.value, following.value
            figure.tokens.append(following)
            end = following.end
            i += 1
        elif token.at_least:
            figure.minimum, figure.approximate = token.value, True
        else:
            figure.value = token.value
        start = opened.start("word") if opened and figure.minimum is not None else token.start
        currency = CURRENCY_BEFORE.search(text, max(0, start - 4), start)  # "about RSD 1,150"
        if currency:
            start = currency.start()
        start, end = _bounds_and_hedges(text, figure, start, end)
        start, end = _unit(text, figure, start, end, token, currency)
        figure.start, figure.end, figure.found = start, end, text[start:end]
        figure.period = _period_after(text, end, dates, tokens[i + 1 :])
        figures.append(figure)
        i += 1
    periods = [d for d in dates if d.form == "period" and d.first is not None and d.last is not None]
    for figure in figures:
        if figure.period is None and len(periods) == 1:
            figure.period = (periods[0].first, periods[0].last)  # type: ignore[assignment]
    return figures


def _bounds_and_hedges(text: str, figure: DraftFigure, start: int, end: int) -> tuple[int, int]:
    before = text[max(0, start - 30) : start]
    if figure.value is not None:
        for pattern, side, inclusive, approximate in BOUNDS:
            match = pattern.search(before)
            if match:
                value, figure.value = figure.value, None
                if side == "min":
                    figure.minimum, figure.min_inclusive = value, inclusive
                else:
                    figure.maximum, figure.max_inclusive = value, inclusive
                figure.approximate = figure.approximate or approximate
                return start - len(before) + match.start() + (1 if match.group()[:1].isspace() else 0), end
        after = BOUND_AFTER.match(text, end)
        if after:
            value, figure.value = figure.value, None
            if after["min"] or after["plus"]:
                figure.minimum = value
            else:
                figure.maximum = value
            return start, after.end()
    hedge = HEDGE_BEFORE.search(before)
    if hedge:
        figure.approximate = True
        start = start - len(before) + hedge.start() + (0 if hedge.group()[:1].isalnum() else 1)
    return start, end


def _unit(
    text: str, figure: DraftFigure, start: int, end: int, token: NumberToken, currency: re.Match[str] | None
) -> tuple[int, int]:
    """Read the unit around the figure; return where the figure's words start and end."""
    if token.share:  # "a third" is a rounded share; "one in five" an exact one
        figure.unit_word = "percent"
        figure.approximate = figure.approximate or token.form == "fraction"
        return start, end
    if currency:
        figure.unit_word = CURRENCY_SYMBOLS.get(currency["symbol"] or "") or CURRENCY_CODES[currency["code"]]
        return start, end
    percent = PERCENT_AFTER.match(text, end)
    if percent:
        figure.unit_word = "percent"
        return start, percent.end()
    points = POINTS_AFTER.match(text, end)
    if points:
        figure.unit_word = "percentage-point"
        return start, points.end()
    after = CURRENCY_AFTER.match(text, end)
    if after and (after["code"] or (after["word"] or "").lower() in CURRENCY_WORDS):
        figure.unit_word = CURRENCY_CODES.get(after["code"] or "") or CURRENCY_WORDS[after["word"].lower()]
        return start, after.end()
    noun = NOUN_AFTER.match(text, end)
    if noun:
        for word in noun["words"].split():
            if word.lower() in NOUN_FILLERS:
                continue
            if _looks_like_noun(word):
                words = noun["words"].split()
                at = words.index(word)
                if word.lower() in ("cubic", "square") and at + 1 < len(words):  # "10 cubic metres"
                    word = f"{word} {words[at + 1]}"
                figure.unit_word = word.lower()
                return start, end + noun.group().index(word) + len(word)
            break
    return start, end


def _looks_like_noun(word: str) -> bool:
    """A lower-case word that is neither a function word nor, by its ending, a verb or adverb."""
    return (
        word.islower() and len(word) > 1 and word not in NOT_NOUNS and not re.search(r"(?:ed|ing|ly)$", word)
    )


def _period_after(
    text: str, end: int, dates: list[DateMention], later: list[NumberToken]
) -> tuple[str | int, str | int] | None:
    """A year or date right after the figure ("20,270 filed in 2022", "309 in 2022")."""
    for date in dates:
        if date.start < end or date.first is None or date.last is None:
            continue
        gap = text[end : date.start]
        if len(gap) > 30 or any(end <= t.start < date.start for t in later):
            return None
        if re.fullmatch(r"\s+(?:[a-z]+\s+)?(?:in|during|for|by)\s+(?:the\s+(?:year\s+)?)?", gap):
            return (date.first, date.last)
        return None
    return None
