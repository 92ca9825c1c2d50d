"""Number tokens of a text: digit runs ("73,197", "83.4", "1.5 million") and number words ("two",
"dozens", "hundreds of thousands", "a third"), each with its code-point span and value.

Every digit run is a token, even one the drafter leaves out (a footnote mark, a list ordinal, a
code such as "COVID-19"): the coverage report accounts for each. "one" alone is not a token (it is
mostly a pronoun: "one of the most attractive"); "one hundred" and "one third" are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

#: A digit run: thousands separated by commas (or a space, thin or no-break: "48 000"), then a decimal part.
DIGITS = re.compile(r"(?<!\d)(?<!\d[.,])(?:\d{1,3}(?:(?:,|\u202f|\u00a0| )\d{3})+|\d+)(?:\.\d+)?(?![\d])")
#: A digit run's value is multiplied by the scale word after it ("1.5 million").
SCALES = {
    "thousand": 1_000,
    "million": 1_000_000,
    "billion": 1_000_000_000,
    "trillion": 1_000_000_000_000,
}
SCALE_AFTER = re.compile(r"\s*-?\s*(thousand|million|billion|trillion)\b", re.IGNORECASE)
#: Short scales written after a currency amount ("€3m", "$2bn", "5k").
SHORT_SCALE_AFTER = re.compile(r"(k|m|mn|bn)\b", re.IGNORECASE)
SHORT_SCALES = {"k": 1_000, "m": 1_000_000, "mn": 1_000_000, "bn": 1_000_000_000}

SMALL = {
    "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}  # fmt: skip
TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
    "ninety": 90,
}  # fmt: skip
_UNIT_WORDS = "one|two|three|four|five|six|seven|eight|nine"
_SMALL = "|".join(sorted(SMALL, key=len, reverse=True))
_TENS = "|".join(TENS)
#: "twenty-five", "twelve", "three hundred", "a thousand", "one million" (not "one" alone).
WORD_NUMBER = re.compile(
    rf"\b(?:(?P<tens>{_TENS})(?:[-\s](?P<unit>{_UNIT_WORDS}))?|(?P<small>{_SMALL})"
    rf"|(?P<one>one|a)(?=\s+(?:hundred|thousand|million|billion)\b))"
    r"(?:\s+(?P<scale>hundred|thousand|million|billion)\b)?\b",
    re.IGNORECASE,
)
#: Count words: plural magnitudes that say "at least two of these" ("thousands of people").
COUNT_WORDS = re.compile(
    r"\b(?:(?P<many>tens|hundreds|dozens)\s+of\s+(?P<of>thousands|millions|billions)"
    r"|(?P<plain>dozens|hundreds|thousands|millions|billions|a\s+dozen))\b",
    re.IGNORECASE,
)
MAGNITUDES = {
    "dozens": 12, "a dozen": 12, "tens": 10, "hundreds": 100, "thousands": 1_000,
    "millions": 1_000_000, "billions": 1_000_000_000,
}  # fmt: skip
#: Fractions of a whole: "a quarter", "two thirds", "three-quarters" (a share, in percent).
FRACTION = re.compile(
    r"\b(?P<count>a|one|two|three|four)[-\s](?P<part>thirds?|quarters?|fifths?|tenths?)\b",
    re.IGNORECASE,
)
PARTS = {"third": 3, "quarter": 4, "fifth": 5, "tenth": 10}
#: "one in five", "3 out of 10": a share (20%, 30%). Not "309 in 2022" (a year) nor "5 in 12 months".
_COUNT = r"one|a|two|three|four|five|six|seven|eight|nine|ten|\d{1,3}"
RATIO = re.compile(
    rf"\b(?P<part>{_COUNT})\s+(?:in|out\s+of)\s+(?:every\s+)?(?P<whole>{_COUNT}|\d{{1,3}}(?:,\d{{3}})+)\b"
    r"(?!\s*(?:%|percent|per\s?cent|minutes?|hours?|days?|weeks?|months?|years?)\b)",
    re.IGNORECASE,
)
COUNTS = {"a": 1, "one": 1, "two": 2, "three": 3, "four": 4}


@dataclass(frozen=True)
class NumberToken:
    """A number as it stands in the text; ``value`` after its scale word, if any."""

    start: int
    end: int
    text: str
    value: Decimal
    #: digits | word | count-word | fraction | ratio
    form: str
    #: For a count word: it stands for at least ``value`` (``thousands`` -> at least 2,000).
    at_least: bool = False
    #: For a fraction or ratio: the share of a whole in percent ("a third" -> 33.33, "one in five" -> 20).
    share: bool = False


def number_tokens(text: str) -> list[NumberToken]:
    """Every number token of ``text``, in text order, none overlapping.

    >>> [(t.text, str(t.value)) for t in number_tokens("73,197 cases, 1.5 million and twenty-five")]
    [('73,197', '73197'), ('1.5 million', '1500000.0'), ('twenty-five', '25')]
    >>> [(t.text, str(t.value), t.at_least) for t in number_tokens("hundreds of thousands fled")]
    [('hundreds of thousands', '200000', True)]
    """
    tokens: list[NumberToken] = []
    taken = bytearray(len(text))  # 1 where a token already stands: the first pattern to claim a span wins

    def add(token: NumberToken) -> None:
        if any(taken[token.start : token.end]):
            return
        taken[token.start : token.end] = b"\x01" * (token.end - token.start)
        tokens.append(token)

    for match in RATIO.finditer(text):
        numerator, denominator = _count(match["part"]), _count(match["whole"])
        if 0 < numerator < denominator:
            share = (Decimal(100 * numerator) / Decimal(denominator)).quantize(Decimal("0.01"))
            add(NumberToken(match.start(), match.end(), match.group(), share, "ratio", share=True))
    for match in COUNT_WORDS.finditer(text):
        add(_count_word(match))
    for match in FRACTION.finditer(text):
        count, part = match["count"].lower(), match["part"].lower().rstrip("s")
        share = (Decimal(100 * COUNTS[count]) / Decimal(PARTS[part])).quantize(Decimal("0.01"))
        add(NumberToken(match.start(), match.end(), match.group(), share, "fraction", share=True))
    for match in DIGITS.finditer(text):
        add(_digits(text, match))
    for match in WORD_NUMBER.finditer(text):
        add(_word(match))
    return sorted(tokens, key=lambda t: t.start)


def _count(word: str) -> int:
    lowered = word.lower()
    if lowered in ("a", "one"):
        return 1
    if lowered in SMALL:
        return SMALL[lowered]
    return int(lowered.replace(",", ""))


def parse_digits(text: str) -> Decimal:
    """The value of a digit run as written ("73,197" -> 73197, "83.4" -> 83.4).

    >>> parse_digits("1,465"), parse_digits("12.70")
    (Decimal('1465'), Decimal('12.70'))
    """
    return Decimal(re.sub(r"[, \u202f\u00a0]", "", text))


def _digits(text: str, match: re.Match[str]) -> NumberToken:
    value, end = parse_digits(match.group()), match.end()
    scale = SCALE_AFTER.match(text, end)
    if scale:
        value *= SCALES[scale[1].lower()]
        end = scale.end()
    else:
        short = SHORT_SCALE_AFTER.match(text, end)
        if short and _currency_before(text, match.start()):
            value *= SHORT_SCALES[short[1].lower()]
            end = short.end()
    return NumberToken(match.start(), end, text[match.start() : end], value, "digits")


def _currency_before(text: str, start: int) -> bool:
    return re.search(r"(?:[€$£₽¥]|\b[A-Z]{3})\s?$", text[max(0, start - 5) : start]) is not None


def _word(match: re.Match[str]) -> NumberToken:
    if match["tens"]:
        value = TENS[match["tens"].lower()] + (_unit(match["unit"]) if match["unit"] else 0)
    elif match["small"]:
        value = SMALL[match["small"].lower()]
    else:
        value = 1
    if match["scale"]:
        value *= {"hundred": 100, **SCALES}[match["scale"].lower()]
    return NumberToken(match.start(), match.end(), match.group(), Decimal(value), "word")


def _unit(word: str) -> int:
    return {"one": 1, **SMALL}[word.lower()]


def _count_word(match: re.Match[str]) -> NumberToken:
    """``dozens`` -> at least 24; ``hundreds of thousands`` -> at least 200,000; ``a dozen`` -> 12."""
    if match["many"]:
        magnitude = MAGNITUDES[match["many"].lower()] * MAGNITUDES[match["of"].lower()]
    else:
        plain = re.sub(r"\s+", " ", match["plain"].lower())
        magnitude = MAGNITUDES[plain]
        if plain == "a dozen":
            return NumberToken(match.start(), match.end(), match.group(), Decimal(12), "count-word")
    return NumberToken(
        match.start(), match.end(), match.group(), Decimal(2 * magnitude), "count-word", at_least=True
    )
