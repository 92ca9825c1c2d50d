"""The text as lines and sentences, with code-point offsets into it.

A line is a paragraph, a heading, a list item or a byline (a plain-text article has one paragraph
per line); paragraphs and list items are split into sentences by pysbd, a rule-based segmenter
(the "Golden Rules" set: abbreviations, decimals, initials, quotations). pysbd is given one line at
a time, so a heading never runs into the sentence after it, and each sentence it returns is found
again in the line from where the previous one ended, so a repeated sentence keeps its own offsets.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import pysbd

#: A byline or credit line: who wrote it, whose photo. Its numbers are not claims.
BYLINE = re.compile(
    r"^\s*(?:Author|Authors|By|Written by|Photo|Photograph|Image|Credit|Credits|Editor|Edited by)\b\s*[:©]?",
    re.IGNORECASE,
)
LIST_MARKER = re.compile(r"^\s*(?:\(?(?P<ordinal>\d{1,3})[.)]|[-*•·–])\s+")
#: A line that ends like a sentence (or a quotation or bracket that closes one).
SENTENCE_END = re.compile(r"[.!?:;…][”\"’)\]]*\s*$|[”\"]\s*$")
CLOSING = re.compile(r"[”\"’)\]]+(?=\s|$)")
#: Longest line, in words, still taken for a heading when it does not end like a sentence.
HEADING_WORDS = 16


@dataclass(frozen=True)
class Line:
    start: int
    end: int
    #: paragraph | heading | list-item | byline
    role: str
    #: For a list item "3. ...": the span of its ordinal marker.
    marker: tuple[int, int] | None = None


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    text: str
    line: Line


def lines(text: str) -> list[Line]:
    """The non-blank lines of ``text``, each with its role.

    >>> text = "Author: A. B.\\nElections 2024\\nIt rose 5%.\\n1. First."
    >>> [l.role for l in lines(text)]
    ['byline', 'heading', 'paragraph', 'list-item']
    """
    found: list[Line] = []
    offset = 0
    for raw in text.splitlines(keepends=True):
        body = raw.rstrip("\r\n")
        stripped = body.strip()
        if stripped:
            start = offset + len(body) - len(body.lstrip())
            end = offset + len(body.rstrip())
            marker = LIST_MARKER.match(body)
            if BYLINE.match(body):
                found.append(Line(start, end, "byline"))
            elif marker:
                span = (offset + marker.start("ordinal"), offset + marker.end("ordinal"))
                # The item's sentences start after its marker ("1. ", "- ").
                found.append(
                    Line(offset + marker.end(), end, "list-item", span if marker["ordinal"] else None)
                )
            elif not SENTENCE_END.search(stripped) and len(stripped.split()) <= HEADING_WORDS:
                found.append(Line(start, end, "heading"))
            else:
                found.append(Line(start, end, "paragraph"))
        offset += len(raw)
    return found


def sentences(text: str, line: Line) -> list[Sentence]:
    """The sentences of a paragraph or list-item line, with their offsets in ``text``.

    >>> text = "It rose to 3.5% in 2024. Dr. Smith said so. It rose to 3.5% in 2024."
    >>> [(s.start, s.text) for s in sentences(text, lines(text)[0])]
    [(0, 'It rose to 3.5% in 2024.'), (25, 'Dr. Smith said so.'), (44, 'It rose to 3.5% in 2024.')]
    """
    body = text[line.start : line.end]
    found: list[Sentence] = []
    cursor = 0
    for piece in _segmenter().segment(body):
        piece_text = piece.strip()
        if not piece_text:
            continue
        at = body.find(piece_text, cursor)
        if at < 0:  # pysbd changed the text (it should not, with clean=False): keep what is left whole
            rest = body[cursor:].strip()
            if rest:
                at = body.index(rest, cursor)
                found.append(Sentence(line.start + at, line.start + at + len(rest), rest, line))
            break
        end = at + len(piece_text)
        closing = CLOSING.match(body, end)  # pysbd may leave a closing quote to the next piece
        if closing:
            end = closing.end()
        found.append(Sentence(line.start + at, line.start + end, body[at:end], line))
        cursor = end
    return found


@cache
def _segmenter() -> pysbd.Segmenter:
    return pysbd.Segmenter(language="en", clean=False)
