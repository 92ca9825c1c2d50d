"""The remote store's generations as ``urn:claimgraph:meta`` records them (store/sparql_load.py), and
the marked switch, for an engine on which readers may see an update half done (Virtuoso).

Virtuoso 7.2 runs a SPARQL query at read committed without a snapshot: a query whose scan crosses
the commit of a switch counts part of the old generation and part of the new (measured: 6,499 quads
between generations of 5,237 and 6,961), and an update must end within the engine's
MaxQueryExecutionTime (SR171 otherwise; over HTTP no client can raise it). So the marked switch
rewrites no more than what changed, in updates of CHUNK quads, and tells readers while it does:

1. the new generation's union graph is staged under its own name, and its record written beside the
   live one's (``<urn:claimgraph:generation:GEN> …``);
2. ``<META> GENERATION "OLD"`` becomes ``<META> SWITCHING "GEN"``;
3. the quads of the live graphs that the new data does not have are deleted, then the new ones
   inserted (DELETE DATA / INSERT DATA, CHUNK quads an update);
4. ``<META> SWITCHING "GEN"`` becomes ``<META> GENERATION "GEN"``; records and union graphs of
   generations before the previous one are dropped.

A reader of named graphs (store/sparql.py) waits while a switch is marked, and after each answer
looks at the state again: an answer read while a switch was marked, or under another generation,
is read again. A switch that fails in step 3 undoes what it may have applied (the removed quads
back, the added ones out) and marks the old generation live again: the old data stays served.
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import pyoxigraph as ox

from claimgraph.errors import ResultTooLarge
from claimgraph.store.sparql_load import (
    GENERATION,
    GRAPH_COUNT,
    LIVE_GRAPH,
    MARKS,
    META,
    PREVIOUS,
    QUAD_COUNT,
    UNION,
    UNION_IN_DEFAULT,
    changes,
    forget,
    generation_node,
    mark_switching,
    record,
    undo,
    unmark,
)


@dataclass(frozen=True)
class State:
    """What ``urn:claimgraph:meta`` says now: the live generation (None: no load of ours), and whether
    it can be read as it is (no switch marked, not caught half way through a change of row)."""

    generation: str | None
    stable: bool


@dataclass(frozen=True)
class Generation:
    """A generation's record: its union graph, the previous generation's, and its graphs (None: the
    engine holds no record of them); the subject of its LIVE_GRAPH rows, and whether its union is the
    engine's default graph."""

    union: str | None
    previous: str | None
    graphs: frozenset[str] | None
    node: str | None = None
    in_default: bool = False
    quads: int | None = None  # how many quads its graphs hold, if the load recorded it


Select = Callable[[str], list[dict[str, str]]]
#: Rows per query when a record's graphs are read (below any engine's own result limit).
RECORD_PAGE = 500


def read_state(select: Select) -> State:
    """One query: ``<META> GENERATION`` and ``<META> SWITCHING``; stable when there is exactly one row
    and it is a GENERATION (a reader crossing the commit of a change of row sees both or neither)."""
    rows = select(MARKS)
    if not rows:
        return State(None, True)
    live = [row["o"] for row in rows if row["p"] == GENERATION]
    return State(live[0] if live else None, len(rows) == 1 and len(live) == 1)


def read_generation(select: Select, generation: str) -> Generation:
    """The record of ``generation`` (or, written before records had their own subject, META's own rows).
    Its graphs are None unless their number agrees with the count recorded with them (_live_graphs
    says how they are read)."""
    for subject in (generation_node(generation), META):
        rows = select(
            f"SELECT ?p ?o WHERE {{ GRAPH <{META}> {{ <{subject}> ?p ?o FILTER(?p != <{LIVE_GRAPH}>) }} }}"
        )
        values: dict[str, list[str]] = {}
        for row in rows:
            values.setdefault(row["p"], []).append(row["o"])
        count = values.get(GRAPH_COUNT)
        expected = int(count[0]) if count and count[0].isdecimal() else None
        live = _live_graphs(select, subject, expected)
        if not live and UNION not in values:
            continue
        graphs = frozenset(live)
        complete = bool(graphs) and (count is None or [str(len(graphs))] == count)
        return Generation(
            values.get(UNION, [None])[0],
            values.get(PREVIOUS, [None])[0],
            graphs if complete else None,
            subject,
            values.get(UNION_IN_DEFAULT) in (["true"], ["1"]),
            _count(values.get(QUAD_COUNT)),
        )
    return Generation(None, None, None)


def _count(values: list[str] | None) -> int | None:
    """A count the record holds once, as a number (None: none, or not one)."""
    return int(values[0]) if values and len(values) == 1 and values[0].isdecimal() else None


def _live_graphs(select: Select, subject: str, expected: int | None) -> list[str]:
    """The LIVE_GRAPH rows of a record: in one query, or RECORD_PAGE at a time when the engine
    refuses that many rows (Virtuoso's ResultSetMaxRows, 10,000 by default: 47,594 graphs at 1M
    triples), gives fewer than the record counts (an engine that cuts a result short unsaid), or
    the record has no count to hold the answer to (one written before counts were).

    Not paged first: each page sorts the whole record, which on Oxigraph server took 5 s a page at
    1M triples (96 pages: a front end's start waited 8 minutes) where the whole list took 0.3 s.
    A record caught half written reads short both ways (read_generation says so)."""
    query = f"SELECT ?o WHERE {{ GRAPH <{META}> {{ <{subject}> <{LIVE_GRAPH}> ?o }} }}"
    names: list[str] | None = None
    if expected is not None:
        with contextlib.suppress(ResultTooLarge):
            names = [row["o"] for row in select(query)]
    if names is not None and expected is not None and len(names) >= expected:
        return names
    names = []
    for offset in itertools.count(0, RECORD_PAGE):
        page = select(f"{query} ORDER BY ?o LIMIT {RECORD_PAGE} OFFSET {offset}")
        names += [row["o"] for row in page]
        if len(page) < RECORD_PAGE:
            return names
    raise AssertionError("unreachable")  # pragma: no cover


@dataclass
class MarkedSwitch:
    """One marked switch (steps in the module's docstring); ``update`` sends one SPARQL Update."""

    update: Callable[[str], object]
    generation: str
    live: str | None
    live_union: str | None
    previous_union: str | None
    quads: int | None = None  # how many quads the new generation's graphs hold (its record says)

    def run(self, old: Iterable[ox.Quad], new: list[ox.Quad], named: list[str], union: str) -> None:
        old_set = set(old)
        new_set = set(new)
        removed = [q for q in old_set if q not in new_set]
        added = list(dict.fromkeys(q for q in new if q not in old_set))
        marked = False
        try:
            for text in record(self.generation, named, union, self.live_union, quads=self.quads):
                self.update(text)
            marked = True  # from here on, undo: each step is safe to apply whatever happened before
            self.update(mark_switching(self.generation))
            for text in changes(removed, added):
                self.update(text)
        except BaseException:
            # Whatever was applied, even half of one update, the undo is safe to apply whole.
            with contextlib.suppress(Exception):
                if marked:
                    for text in undo(removed, added):
                        self.update(text)
                    self.update(unmark(self.live))
                self.update(forget([g for g in [self.live] if g], [union]))
            raise
        self.update(unmark(self.generation))
        with contextlib.suppress(Exception):  # housekeeping: a later switch drops them as well
            self.update(
                forget(
                    [g for g in [self.generation, self.live] if g],
                    [self.previous_union] if self.previous_union else [],
                )
            )
