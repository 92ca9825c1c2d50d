"""The annotated article: its text cut into paragraphs and highlights at the stored anchors.

Highlights come from each claim's oa:TextPositionSelector (code points into the
article text), never from searching the text again. Anchors may nest (a figure
inside a sentence-level claim) or cross (one claim starting inside another and
ending after it); HTML elements can only nest, so a crossing anchor is split into
fragments at the boundary of the one it crosses, and every claim keeps at least
one piece of text of its own to carry its link.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, replace

from rdflib import URIRef

from claimgraph.errors import NotFound
from claimgraph.reading.descriptions import StoreReader
from claimgraph.reading.model import UNCHECKED, UNCHECKED_REF, VERDICT_ORDER, Claim, Ref

#: A line is a section heading when it is short and does not end like a sentence.
HEADING = re.compile(r"^[^\n]{1,80}(?<![.!?:;,)\]”\"’'])$")


@dataclass(frozen=True)
class Span:
    """A claim's anchor, or a fragment of it: ``opens``/``closes`` say whether it holds the real ends."""

    start: int
    end: int
    key: str
    opens: bool = True
    closes: bool = True


@dataclass(frozen=True)
class Text:
    text: str
    kind: str = "text"


@dataclass(frozen=True)
class Mark:
    span: Span
    children: tuple[Text | Mark, ...]
    kind: str = "mark"

    @property
    def own_text(self) -> bool:
        """Whether some text belongs to this claim alone (not to a claim nested in it)."""
        return any(isinstance(child, Text) for child in self.children)


Piece = Text | Mark


@dataclass(frozen=True)
class Block:
    tag: str  # "p" or "h2"
    pieces: tuple[Piece, ...]


def nest(text: str, spans: list[Span], lo: int, hi: int) -> tuple[Piece, ...]:
    """``text[lo:hi]`` as plain text and marks; ``spans`` must lie within [lo, hi).

    >>> pieces = nest("abcdefgh", [Span(0, 6, "outer"), Span(2, 4, "inner")], 0, 8)
    >>> [p.kind for p in pieces], [c.kind for c in pieces[0].children]
    (['mark', 'text'], ['text', 'mark', 'text'])
    >>> crossing = nest("abcdefgh", [Span(0, 4, "a"), Span(2, 6, "b")], 0, 8)
    >>> [(p.span.key, p.span.start, p.span.end) for p in crossing if p.kind == "mark"]
    [('a', 0, 4), ('b', 4, 6)]
    >>> crossing[0].children[1].span  # the first fragment of b, nested in a
    Span(start=2, end=4, key='b', opens=True, closes=False)
    """
    pieces: list[Piece] = []
    queue = sorted((s for s in spans if s.end > s.start), key=_order)
    position = lo
    while queue:
        top, rest = queue[0], queue[1:]
        if top.start > position:
            pieces.append(Text(text[position : top.start]))
        inside, after = [], []
        for span in rest:
            if span.start >= top.end:
                after.append(span)
            elif span.end <= top.end:
                inside.append(span)
            else:  # crosses top's end: the part inside nests, the rest continues after it
                inside.append(replace(span, end=top.end, closes=False))
                after.append(replace(span, start=top.end, opens=False))
        pieces.append(Mark(top, nest(text, inside, top.start, top.end)))
        position = top.end
        queue = sorted(after, key=_order)
    if position < hi:
        pieces.append(Text(text[position:hi]))
    return tuple(pieces)


def _order(span: Span) -> tuple[int, int, str]:
    # Longest first at one start, so the sentence contains the figure rather than the reverse.
    return (span.start, -span.end, span.key)


def blocks(text: str, spans: list[Span]) -> tuple[Block, ...]:
    """The text's lines as paragraphs and headings, each with the spans (or fragments) inside it.

    >>> [b.tag for b in blocks("By A\\nA heading\\nA sentence.\\nCredit", [])]
    ['p', 'h2', 'p', 'p']
    """
    lines, start = [], 0
    for line in text.split("\n"):
        lines.append((start, start + len(line)))
        start += len(line) + 1
    result = []
    for number, (lo, hi) in enumerate(lines):
        if lo == hi:
            continue
        inside = [
            replace(
                s,
                start=max(s.start, lo),
                end=min(s.end, hi),
                opens=s.opens and s.start >= lo,
                closes=s.closes and s.end <= hi,
            )
            for s in spans
            if s.start < hi and s.end > lo
        ]
        # The first line is the byline and the last the photo credit, whatever they look like.
        heading = 0 < number < len(lines) - 1 and HEADING.match(text[lo:hi]) is not None
        result.append(Block("h2" if heading else "p", nest(text, inside, lo, hi)))
    return tuple(result)


def unreachable(pieces: tuple[Piece, ...]) -> set[str]:
    """Claims with no text of their own anywhere (every character is also a nested claim's)."""
    reachable: set[str] = set()
    seen: set[str] = set()

    def walk(items: tuple[Piece, ...]) -> None:
        for item in items:
            if isinstance(item, Mark):
                seen.add(item.span.key)
                if item.own_text:
                    reachable.add(item.span.key)
                walk(item.children)

    walk(pieces)
    return seen - reachable


@dataclass(frozen=True)
class LegendEntry:
    ref: Ref
    count: int


@dataclass(frozen=True)
class ArticleView:
    iri: str
    text_iri: str
    blocks: tuple[Block, ...]
    claims: dict[str, Claim]
    needs_marker: frozenset[str]
    kinds: tuple[LegendEntry, ...]
    verdicts: tuple[LegendEntry, ...]

    def block_of(self, claim_iri: str) -> int | None:
        """The index of the block in which the claim ``claim_iri`` ends (None if not this article's)."""
        keys = {claim.iri: key for key, claim in self.claims.items()}
        key = keys.get(claim_iri)
        last = None
        for index, block in enumerate(self.blocks):
            if key in _keys(block.pieces):
                last = index
        return last


def _keys(pieces: tuple[Piece, ...]) -> set[str]:
    """The claims highlighted anywhere in ``pieces``."""
    found: set[str] = set()
    for piece in pieces:
        if isinstance(piece, Mark):
            found.add(piece.span.key)
            found |= _keys(piece.children)
    return found


def article_texts(reader: StoreReader, article: URIRef | None = None) -> dict[str, tuple[str, str]]:
    """Article IRI -> (text resource IRI, text) for every article, or only ``article``."""
    bound = {"article": article} if article is not None else {}
    rows = reader.select("articles", **bound)
    return {str(row["article"]): (str(row["media"]), str(row["text"])) for row in rows}


def read_article(reader: StoreReader, article: URIRef, claims: tuple[Claim, ...]) -> ArticleView:
    """The article with its claims' highlights and a legend; NotFound when it has no text."""
    texts = article_texts(reader, article)
    if str(article) not in texts:
        raise NotFound(f"no article text for <{article}>")
    text_iri, text = texts[str(article)]
    own = [claim for claim in claims if claim.article == str(article)]
    laid_out = blocks(text, [Span(c.start, c.end, c.id) for c in own])
    missing = set().union(*(unreachable(block.pieces) for block in laid_out)) if laid_out else set()
    kinds = Counter(claim.kind for claim in own)
    verdicts = Counter(claim.verdicts[0] if claim.verdicts else UNCHECKED_REF for claim in own)
    order = [*VERDICT_ORDER, UNCHECKED]
    return ArticleView(
        iri=str(article),
        text_iri=text_iri,
        blocks=laid_out,
        claims={claim.id: claim for claim in own},
        needs_marker=frozenset(missing),
        kinds=tuple(LegendEntry(k, n) for k, n in sorted(kinds.items(), key=lambda kv: kv[0].label)),
        verdicts=tuple(
            LegendEntry(v, n)
            for v, n in sorted(
                verdicts.items(), key=lambda kv: order.index(kv[0].id) if kv[0].id in order else 99
            )
        ),
    )
