"""Candidate claims: every sentence that carries something checkable, read for its figures, dates,
count and quantifier words, attribution phrase, hedges and a guessed kind; and the account of every
number token of the text (in a candidate, or left out and why) for the coverage report.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, field
from typing import TypeVar

from claimgraph.build.drafting.attribution import Attribution, find_phrase, guess_attribution
from claimgraph.build.drafting.dates import DateMention, date_mentions
from claimgraph.build.drafting.figures import BOUNDS, DraftFigure, read_figures
from claimgraph.build.drafting.segment import Line, Sentence, lines, sentences
from claimgraph.build.drafting.tokens import NumberToken, number_tokens

#: Quantifier words and their meaning in the ontology's quantifier scheme. "most" after "the" is a
#: superlative ("the most attractive"), not a quantifier.
QUANTIFIERS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(rf"\b{words}\b", re.IGNORECASE), meaning)
    for words, meaning in (
        (r"(?:the |a )?(?:vast |large |slim |clear )?majority", "majority"),
        (r"(?:a |the )?minority", "minority"),
        (r"(?<!the )(?<!at )most", "most"),
        (r"predominantly", "predominantly"),
        (r"(?:nearly|almost|virtually) all", "nearly-all"),
        (r"(?:a|one)[-\s]third", "a-third"),
        (r"half", "half"),
        (r"a few", "a-few"),
    )
)
#: The article's own hedging words, kept as the claim's `hedge`.
HEDGES = re.compile(
    r"\b(?:suggests?|suggested|likely|unlikely|possible|possibly|perhaps|may|might|could|appears?|"
    r"seems?|probably|apparently|reportedly|allegedly|estimated)\b",
    re.IGNORECASE,
)
KIND_RULES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern, re.IGNORECASE))
    for kind, pattern in (
        ("quotation", r"[“\"][^”\"]{25,}[”\"]"),
        ("poll-result", r"\bpolls?\b"),
        ("survey-finding", r"\b(?:respondents?|surveyed|survey)\b"),
        ("estimate", r"\b(?:estimates?|estimated|projected|forecast)\b"),
        ("legal-rule", r"\b(?:must|shall|law|laws|legal|required|obliged|allowed|allowing|permitted|"
                       r"prohibited|banned|regulation|decree|agreement|treaty|visa-free)\b"),
        ("interpretation", r"\b(?:suggests?|likely|indicates?|implies|reflects?|means)\b"),
        ("research-finding", r"\b(?:research|study|findings|interviews)\b"),
    )
)  # fmt: skip
#: A number glued to a word or closing punctuation ("policy.12", "text[3]", "word²") is a footnote.
FOOTNOTE = re.compile(r"\[\d{1,3}\]|(?<=[a-z.,;:)”\"])\d{1,3}(?=\s|$)")
ORDINAL_SUFFIX = re.compile(r"(?:st|nd|rd|th)\b")


@dataclass
class Candidate:
    sentence: Sentence
    figures: list[DraftFigure]
    dates: list[DateMention]
    quantifiers: list[tuple[str, str]]
    attribution: Attribution
    kind: str
    hedges: list[str]
    #: Why the kind was guessed.
    kind_reason: str


@dataclass
class TokenAccount:
    """One number token and what the draft did with it."""

    token: NumberToken
    #: figure | date | quantifier | left-out
    use: str
    reason: str = ""


@dataclass
class Reading:
    candidates: list[Candidate] = field(default_factory=list)
    accounts: list[TokenAccount] = field(default_factory=list)
    sentence_count: int = 0


def read_text(text: str) -> Reading:
    """The candidates of ``text`` and the account of every number token in it."""
    tokens = number_tokens(text)
    dates = date_mentions(text)
    reading = Reading()
    accounted: dict[int, TokenAccount] = {}
    for line in lines(text):
        if line.role in ("byline", "heading"):
            for token in _within(tokens, line.start, line.end):
                accounted[token.start] = TokenAccount(token, "left-out", _line_reason(line))
            continue
        if line.marker:
            for token in _within(tokens, *line.marker):
                accounted[token.start] = TokenAccount(token, "left-out", "a list ordinal")
        earlier_phrase: str | None = None
        for sentence in sentences(text, line):
            reading.sentence_count += 1
            candidate = _read_sentence(text, sentence, tokens, dates, earlier_phrase, accounted)
            phrase = find_phrase(sentence.text)
            earlier_phrase = phrase or earlier_phrase
            if candidate is not None:
                reading.candidates.append(candidate)
    for token in tokens:
        accounted.setdefault(token.start, TokenAccount(token, "left-out", "outside any sentence"))
    reading.accounts = [accounted[t.start] for t in tokens]
    return reading


T = TypeVar("T", NumberToken, DateMention)


def _within(items: list[T], start: int, end: int) -> list[T]:
    """The items (sorted by start) that start in [start, end)."""
    first = bisect_left(items, start, key=lambda item: item.start)
    last = bisect_left(items, end, key=lambda item: item.start)
    return items[first:last]


def _line_reason(line: Line) -> str:
    return "in a byline or credit line" if line.role == "byline" else "in a title or heading"


def _read_sentence(
    text: str,
    sentence: Sentence,
    tokens: list[NumberToken],
    dates: list[DateMention],
    earlier_phrase: str | None,
    accounted: dict[int, TokenAccount],
) -> Candidate | None:
    inside = _within(tokens, sentence.start, sentence.end)
    sentence_dates = [d for d in _within(dates, sentence.start, sentence.end) if d.end <= sentence.end]
    figure_tokens: list[NumberToken] = []
    for token in inside:
        reason = _left_out(text, token, sentence)
        if any(d.start <= token.start < d.end for d in sentence_dates):
            accounted[token.start] = TokenAccount(token, "date")
        elif reason:
            accounted[token.start] = TokenAccount(token, "left-out", reason)
        else:
            figure_tokens.append(token)
    quantifiers = _quantifiers(sentence.text)
    for token in list(figure_tokens):
        bounded = any(pattern.search(text, max(0, token.start - 30), token.start) for pattern, *_ in BOUNDS)
        if token.form == "fraction" and any(
            token.text.lower().endswith(word.lower().split()[-1]) for word, _ in quantifiers
        ):
            if bounded:  # "more than a third": a bound on a share, read as a figure
                quantifiers = [
                    q for q in quantifiers if not token.text.lower().endswith(q[0].lower().split()[-1])
                ]
                continue
            figure_tokens.remove(token)
            accounted[token.start] = TokenAccount(token, "quantifier")
    figures = read_figures(text, figure_tokens, sentence_dates)
    for figure in figures:
        for token in figure.tokens:
            accounted[token.start] = TokenAccount(token, "figure")
    attribution = guess_attribution(sentence.text, earlier_phrase)
    if not (figures or sentence_dates or quantifiers or attribution.phrase):
        return None
    kind, why = _guess_kind(sentence.text, figures, sentence_dates, attribution)
    hedges = list(dict.fromkeys(m.group() for m in HEDGES.finditer(sentence.text)))
    return Candidate(sentence, figures, sentence_dates, quantifiers, attribution, kind, hedges, why)


def _left_out(text: str, token: NumberToken, sentence: Sentence) -> str:
    """Why a number token of a sentence is not a figure or date, or "" if it is one."""
    if token.form != "digits":
        return ""
    before = text[token.start - 1] if token.start else " "
    after = text[token.end] if token.end < len(text) else " "
    if text[max(0, token.start - 1) : token.end + 1] == f"[{token.text}]" or (
        FOOTNOTE.match(text, token.start)
        and before in 'abcdefghijklmnopqrstuvwxyz.,;:)”"'
        and after.isspace()
    ):
        return "a footnote number"
    if ORDINAL_SUFFIX.match(text, token.end):
        return "an ordinal (1st, 2nd ...)"
    if (
        before.isalpha()
        or after.isalpha()
        or (before == "-" and text[token.start - 2 : token.start - 1].isalpha())
    ):
        return "part of a name or code (letters glued to it)"
    return ""


def _quantifiers(sentence: str) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    taken: list[tuple[int, int]] = []
    for pattern, meaning in QUANTIFIERS:
        for match in pattern.finditer(sentence):
            if any(match.start() < end and start < match.end() for start, end in taken):
                continue
            taken.append(match.span())
            found.append((match.group(), meaning))
    return found


def _guess_kind(
    sentence: str, figures: list[DraftFigure], dates: list[DateMention], attribution: Attribution
) -> tuple[str, str]:
    for kind, pattern in KIND_RULES:
        match = pattern.search(sentence)
        if kind == "quotation" and match:
            return kind, "a quotation of 25 characters or more"
        if match and (kind != "survey-finding" or any(f.unit_word == "percent" for f in figures)):
            return kind, f"the words {match.group()!r}"
    if figures:
        return "statistic", "it gives figures and no more specific word"
    if any(d.form == "date" for d in dates):
        return "event", "it gives a date and no figure"
    return "factual-statement", "no figure, date or more specific word"
