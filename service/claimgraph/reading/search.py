"""Full-text search of claims: an SQLite FTS5 index in memory, one per store content.

The read model (reading/read_model.py) builds one SearchIndex from its catalogue, so a new
store content (an ingestion, a rebuild) gets a new index and the old one goes with the old
model. A claim is one row: its quote, note, measures (with their figures), populations,
sources (with issuers' labels as the catalogue names them), entities and article label,
one FTS5 column each, ranked by bm25() with the quote weighted highest. The user's search
is read by reading/search_query.py, never passed to FTS5 as written. Facets (article, kind,
verdict, source, attribution, status: draft or reviewed) filter the matches and count over
what the other facets leave, as the claim list does.
"""

from __future__ import annotations

import sqlite3
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from claimgraph import wording
from claimgraph.errors import QueryRejected
from claimgraph.reading.listing import FacetValue
from claimgraph.reading.model import (
    STATUS_REFS,
    UNCHECKED,
    UNCHECKED_REF,
    VERDICT_ORDER,
    Claim,
    JsonObject,
    Ref,
)
from claimgraph.reading.search_query import ParsedSearch, SearchSyntaxError, parse

#: The indexed fields and their bm25() weights: a word in the quote counts most.
COLUMNS: dict[str, float] = {
    "quote": 10.0,
    "notes": 2.0,
    "measure": 5.0,
    "population": 3.0,
    "source": 4.0,
    "entity": 4.0,
    "article": 1.0,
}
#: Fields shown whole with their matches marked; the others as a snippet around the match.
WHOLE = ("quote", "measure", "population", "source", "entity", "article")
#: Markers put around a match by highlight() and snippet(); control characters, never in the data.
OPEN, CLOSE = "\x02", "\x03"
#: Most results one search returns.
LIMIT = 200


def _article(claim: Claim, labels: Mapping[str, str]) -> tuple[Ref, ...]:
    iri = claim.article
    name = wording.local_name(iri)
    return (Ref(iri, name, labels.get(iri) or f"article: {wording.humanise(name)}"),)


def facet_functions(labels: Mapping[str, str]) -> dict[str, Callable[[Claim], tuple[Ref, ...]]]:
    """What each facet reads of a claim (the article's label comes from the vocabulary)."""
    return {
        "article": lambda claim: _article(claim, labels),
        "kind": lambda claim: (claim.kind,),
        "verdict": lambda claim: claim.verdicts or (UNCHECKED_REF,),
        "source": lambda claim: claim.sources,
        "attribution": lambda claim: (claim.attribution,),
        "status": lambda claim: (STATUS_REFS[claim.status],),
    }


FACET_NAMES = ("article", "kind", "verdict", "source", "attribution", "status")


@dataclass(frozen=True)
class Segment:
    """A piece of a highlighted field: matched or not."""

    text: str
    match: bool

    def to_json(self) -> JsonObject:
        return {"text": self.text, "match": self.match}


@dataclass(frozen=True)
class Hit:
    """One matching claim, its rank (1 is best), its bm25 score and its highlighted fields."""

    claim: Claim
    rank: int
    score: float
    fields: dict[str, tuple[Segment, ...]]

    def to_json(self) -> JsonObject:
        return {
            "rank": self.rank,
            "score": self.score,
            "claim": self.claim.to_json(),
            "highlights": {name: [s.to_json() for s in segs] for name, segs in self.fields.items()},
        }


@dataclass(frozen=True)
class SearchResult:
    query: str
    parsed: ParsedSearch
    selected: dict[str, tuple[str, ...]]
    hits: tuple[Hit, ...]
    matched: int
    facets: dict[str, tuple[FacetValue, ...]]

    @property
    def claim_iris(self) -> tuple[str, ...]:
        return tuple(hit.claim.iri for hit in self.hits)

    def to_json(self) -> JsonObject:
        """The documented shape of /api/search (SearchResult in /openapi.json)."""
        return {
            "query": self.query,
            "parsed": self.parsed.text,
            "fts": self.parsed.fts(),
            "filters": {name: list(self.selected.get(name, ())) for name in FACET_NAMES},
            "total": self.matched,
            "count": len(self.hits),
            "facets": {name: [v.to_json() for v in values] for name, values in self.facets.items()},
            "hits": [hit.to_json() for hit in self.hits],
        }


def _segments(marked: str) -> tuple[Segment, ...]:
    """Split text marked with OPEN/CLOSE into segments."""
    found: list[Segment] = []
    for i, part in enumerate(marked.replace(CLOSE, OPEN).split(OPEN)):
        if part:
            found.append(Segment(part, i % 2 == 1))
    return tuple(found)


def _rows(claim: Claim, labels: Mapping[str, str]) -> dict[str, str]:
    measures = [f"{f.measure.label} {f.text}" if f.measure else f.text for f in claim.figures]
    return {
        "quote": claim.quote,
        "notes": claim.note or "",
        "measure": " · ".join(dict.fromkeys(measures)),
        "population": " · ".join(dict.fromkeys(f.population.label for f in claim.figures if f.population)),
        "source": " · ".join(ref.label for ref in claim.sources),
        "entity": " · ".join(ref.label for ref in claim.about),
        "article": _article(claim, labels)[0].label,
    }


class SearchIndex:
    """An FTS5 index of claims, in memory; one connection, used under a lock."""

    def __init__(self, claims: Iterable[Claim], labels: Mapping[str, str]) -> None:
        self.claims = tuple(claims)
        self._by_row = dict(enumerate(self.claims, start=1))
        self._facets = facet_functions(labels)
        self._known = {name: self._values(name) for name in FACET_NAMES}
        self._lock = threading.Lock()
        self._db = sqlite3.connect(":memory:", check_same_thread=False)
        columns = ", ".join(COLUMNS)
        self._db.execute(
            f"CREATE VIRTUAL TABLE claims USING fts5({columns}, tokenize='unicode61 remove_diacritics 2')"
        )
        self._db.executemany(
            f"INSERT INTO claims(rowid, {columns}) VALUES (?, {', '.join('?' * len(COLUMNS))})",
            [(row, *_rows(claim, labels).values()) for row, claim in self._by_row.items()],
        )
        self._db.commit()

    def _values(self, facet: str) -> dict[str, str]:
        if facet == "status":  # draft or reviewed: both always known, with or without drafts
            return {ref.id: ref.label for ref in STATUS_REFS.values()}
        found = {ref.id: ref.label for claim in self.claims for ref in self._facets[facet](claim)}
        if facet == "verdict":
            order = [*VERDICT_ORDER, UNCHECKED]
            return dict(sorted(found.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else 99))
        return dict(sorted(found.items(), key=lambda kv: kv[1].lower()))

    def search(self, query: str, selected: Mapping[str, Iterable[str]] | None = None) -> SearchResult:
        """The claims matching ``query``, best first, filtered by facet values.

        QueryRejected (a 400) for a search the grammar cannot read or an unknown facet value.
        """
        try:
            parsed = parse(query)
        except SearchSyntaxError as error:
            raise QueryRejected(f"cannot read the search {query[:80]!r}: {error}") from error
        chosen = {name: tuple(v for v in (selected or {}).get(name, ()) if v) for name in FACET_NAMES}
        chosen = {name: values for name, values in chosen.items() if values}
        for name, values in chosen.items():
            unknown = [v for v in values if v not in self._known[name]]
            if unknown:
                known = ", ".join(self._known[name])
                raise QueryRejected(f"unknown {name} {unknown[0]!r}; known: {known}")
        matches = self._match(parsed)
        passing = [m for m in matches if self._passes(self._by_row[m[0]], chosen)]
        hits = tuple(
            Hit(self._by_row[row], rank, score, fields)
            for rank, (row, score, fields) in enumerate(passing[:LIMIT], start=1)
        )
        facets = {}
        for name, labels in self._known.items():
            others = {k: v for k, v in chosen.items() if k != name}
            claims = [self._by_row[m[0]] for m in matches if self._passes(self._by_row[m[0]], others)]
            counts = Counter(ref.id for claim in claims for ref in self._facets[name](claim))
            facets[name] = tuple(
                FacetValue(v, labels[v], counts[v], v in chosen.get(name, ())) for v in labels
            )
        return SearchResult(query, parsed, chosen, hits, len(passing), facets)

    def _passes(self, claim: Claim, chosen: Mapping[str, tuple[str, ...]]) -> bool:
        return all(any(ref.id in values for ref in self._facets[f](claim)) for f, values in chosen.items())

    def _match(self, parsed: ParsedSearch) -> list[tuple[int, float, dict[str, tuple[Segment, ...]]]]:
        weights = ", ".join(str(w) for w in COLUMNS.values())
        shown = []
        for i, name in enumerate(COLUMNS):
            if name in WHOLE:
                shown.append(f"highlight(claims, {i}, '{OPEN}', '{CLOSE}')")
            else:
                shown.append(f"snippet(claims, {i}, '{OPEN}', '{CLOSE}', '…', 24)")
        sql = (
            f"SELECT rowid, bm25(claims, {weights}) AS score, {', '.join(shown)} FROM claims "
            "WHERE claims MATCH ? ORDER BY score, rowid"
        )
        try:
            with self._lock:
                rows = self._db.execute(sql, (parsed.fts(),)).fetchall()
        except sqlite3.OperationalError as error:  # the grammar should make this unreachable
            raise QueryRejected(f"cannot run the search {parsed.text!r}: {error}") from error
        found = []
        for row, score, *texts in rows:
            fields = {
                name: _segments(text) for name, text in zip(COLUMNS, texts, strict=True) if OPEN in text
            }
            found.append((row, -float(score), fields))
        return found
