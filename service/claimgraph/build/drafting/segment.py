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
#: Where a long paragraph may be cut before segmentation: after . ! or ? (and a closing quote)
#: that ends a word of two lower-case letters or digits (not "Dr.", "U.S."; nor a few common
#: abbreviations), white space, then a capital or an opening quote.
CHUNK_CUT = re.compile(
    r"(?<=[a-z0-9%)]{2})(?<!\bProf)(?<!\bGen)(?<!\bSen)(?<!\bRep)(?<!\bGov)(?<!\bvs)(?<!\bNo)"
    r"(?<!\bSt)(?<!\bJr)(?<!\bSr)(?<!\bCol)(?<!\bLt)[.!?][”\"’)]?\s+(?=[A-Z“\"])"
)
CHUNK = 4000
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
    pieces = [piece for chunk in _chunks(body) for piece in _segmenter().segment(chunk)]
    for piece in pieces:
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


def _chunks(body: str) -> list[str]:
    """``body`` in pieces of at most about CHUNK characters, cut after a sentence end followed by a
    capital (pysbd's time grows with the square of a paragraph's length: a 50 kB paragraph took
    it 20 s); a paragraph of ordinary length is one piece, segmented by pysbd alone.

    >>> [len(c) for c in _chunks("A b. " * 600)] == [len("A b. " * 600)]
    True
    >>> chunks = _chunks("It rose. " * 1000)
    >>> "".join(chunks) == "It rose. " * 1000, max(len(c) for c in chunks) <= CHUNK
    (True, True)
    """
    chunks = []
    while len(body) > CHUNK:
        cut = None
        for match in CHUNK_CUT.finditer(body, 0, CHUNK):
            cut = match.end()
        if cut is None:  # no sentence end in the first CHUNK characters: leave the rest whole
            break
        chunks.append(body[:cut])
        body = body[cut:]
    return [*chunks, body]


@cache
def _segmenter() -> pysbd.Segmenter:
    return pysbd.Segmenter(language="en", clean=False)
