"""The search box's own small grammar, translated to SQLite FTS5 query syntax.

A user's search is never handed to FTS5 as written: FTS5's syntax has column filters
(``quote:``), operators (``AND``, ``OR``, ``NOT``, ``NEAR``), ``^`` and parentheses, and a
stray quote or ``*`` is a syntax error inside SQLite. The grammar here is:

- ``word``: the claims that contain the word (every term must match);
- ``"two words"``: the words next to each other, in that order (a phrase);
- ``word*`` or ``"two wo"*``: the last word as a prefix;
- ``-word`` or ``-"a phrase"``: the claims that do not contain it (not allowed alone).

Anything else between words (punctuation, ``:``, ``^``, parentheses) separates words, as
the index's tokenizer does: ``20,270`` is the phrase ``"20 270"``. Every word goes to FTS5
inside double quotes, so ``NEAR`` or ``OR`` is a word like any other. Bad input (an unclosed
quote, a ``*`` with no word, a search too long) raises SearchSyntaxError with a message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: The longest search accepted, in characters, and the most terms.
MAX_LENGTH = 500
MAX_TERMS = 32
WORD = re.compile(r"[^\W_]+", re.UNICODE)
TOKEN = re.compile(r'(-?)"([^"]*)"(\*?)|(\S+)')


class SearchSyntaxError(ValueError):
    """A search the grammar cannot read; the message says why, for a 400."""


@dataclass(frozen=True)
class Term:
    """A word or phrase, possibly a prefix, possibly excluded."""

    words: tuple[str, ...]
    prefix: bool = False
    negated: bool = False

    def fts(self) -> str:
        """The term in FTS5 syntax: one quoted string, a ``*`` after it for a prefix."""
        return '"' + " ".join(self.words) + '"' + ("*" if self.prefix else "")

    @property
    def text(self) -> str:
        shown = " ".join(self.words)
        shown = f'"{shown}"' if len(self.words) > 1 else shown
        return ("-" if self.negated else "") + shown + ("*" if self.prefix else "")


@dataclass(frozen=True)
class ParsedSearch:
    terms: tuple[Term, ...]

    def fts(self) -> str:
        """The FTS5 MATCH expression: the terms ANDed, the excluded ones after NOT."""
        wanted = " AND ".join(t.fts() for t in self.terms if not t.negated)
        excluded = [t.fts() for t in self.terms if t.negated]
        return wanted + "".join(f" NOT {t}" for t in excluded)

    @property
    def text(self) -> str:
        """The search as the grammar read it (shown back to the user)."""
        return " ".join(t.text for t in self.terms)


def parse(search: str) -> ParsedSearch:
    """Read a search; SearchSyntaxError for what the grammar does not allow.

    >>> parse('border police').fts()
    '"border" AND "police"'
    >>> parse('"Border Police" admin* -2022').fts()
    '"border police" AND "admin"* NOT "2022"'
    >>> parse('quote:NEAR(a b)').fts()
    '"quote near a" AND "b"'
    """
    if len(search) > MAX_LENGTH:
        raise SearchSyntaxError(f"the search is {len(search)} characters long; at most {MAX_LENGTH}")
    if search.count('"') % 2:
        raise SearchSyntaxError('a quote (") is not closed: put a phrase between two quotes')
    terms: list[Term] = []
    for match in TOKEN.finditer(search):
        negated, phrase, star, bare = match.groups()
        if bare is not None:
            negated = "-" if bare.startswith("-") and len(bare) > 1 else ""
            star = "*" if bare.endswith("*") else ""
            phrase = bare[len(negated) :]
        words = tuple(w.lower() for w in WORD.findall(phrase))
        if not words:
            if star or (bare is None):
                raise SearchSyntaxError(f"{match.group(0)!r} has no word to search for")
            continue
        terms.append(Term(words, prefix=bool(star), negated=bool(negated)))
    if not terms:
        raise SearchSyntaxError("give at least one word to search for")
    if len(terms) > MAX_TERMS:
        raise SearchSyntaxError(f"the search has {len(terms)} terms; at most {MAX_TERMS}")
    if all(t.negated for t in terms):
        raise SearchSyntaxError("a search cannot only exclude words: give one it must contain")
    return ParsedSearch(tuple(terms))
