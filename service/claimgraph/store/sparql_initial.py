"""An initial load: the first load into an engine that holds nothing of ours, sent straight to the
graphs' own names under a switch mark, instead of staged beside them and switched.

There is no old generation to keep serving, so nothing needs to be staged and moved: the stage and
switch of store/sparql_content.py would cost the whole load twice over, and on Oxigraph server the
switch is one transaction holding every staged graph (8.1 GB of engine memory at 1M triples: out of
reach at 10M), on Virtuoso the marked switch one INSERT DATA per 400 quads (31 s per 100k quads
measured; each graph by its own Graph Store request: 2.8 ms a graph). Readers wait instead:

1. ``<META> SWITCHING "GEN"`` (no ``GENERATION`` row: the engine had none), so every reader waits
   (and answers 503 past its time limit) until step 4;
2. the generation's record: its graphs, how many, its union graph;
3. the data, read again as it is sent (never all held), in pieces of LOAD_PIECE quads (an N-Quads
   document, or each graph's triples added by its Graph Store address), each with the union of its
   triples in the engine's default graph (``load="quads"``) or the record's union graph;
4. ``<META> GENERATION "GEN"`` in place of the mark, if the mark is still there.

Only an engine that holds no generation, no mark, none of the data's graphs and (with
``load="quads"``) an empty default graph is loaded this way (SparqlContent._initial decides): so a
load that fails leaves it as it was. What this load wrote is dropped, its record and mark removed.
A loader killed half way leaves the mark: readers wait (and answer 503) until the next load, which
waits out its time limit on the mark, then takes over the staged way (its switch removes the mark)
and replaces the graphs of the same names. A loader that was only slow finds its mark gone at step
4 and fails (StoreUnavailable): the other load's data is served. Two initial loads at once (both
found the engine empty) write the same names; the last to end is live, and one that fails leaves
the graphs to the other.
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import pyoxigraph as ox

from claimgraph.errors import StoreUnavailable
from claimgraph.iris import is_version_graph
from claimgraph.store.sparql_load import (
    GENERATION,
    MARKS,
    SWITCHING,
    drop_graphs_chunked,
    drop_other_generations,
    end_mark,
    mark_switching,
    record,
    record_quads,
    remove_mark,
)


class UnionTriples:
    """The triples of some quads that belong in the union of the current graphs (the default graph
    readers see): any named graph's but a released version's (nanopublications: GRAPH only), each
    once. Whether a graph belongs is decided once per graph: asked per quad (a regular expression on
    each quad's graph name) it was two thirds of an initial load's own time at 1M triples."""

    def __init__(self) -> None:
        self._graphs: dict[ox.NamedNode | ox.BlankNode | ox.DefaultGraph, bool] = {}

    def __call__(self, quads: Iterable[ox.Quad]) -> list[ox.Triple]:
        return list(dict.fromkeys(q.triple for q in quads if self._belongs(q.graph_name)))

    def _belongs(self, graph: ox.NamedNode | ox.BlankNode | ox.DefaultGraph) -> bool:
        known = self._graphs.get(graph)
        if known is None:
            known = self._graphs[graph] = isinstance(graph, ox.NamedNode) and not is_version_graph(
                graph.value
            )
        return known


#: A piece of a load: quads for their own graphs, and the union's triples for one graph (the
#: engine's default graph, or the generation's union graph).
Piece = tuple[list[ox.Quad], list[ox.Triple], ox.NamedNode | ox.DefaultGraph]


def nquads_of(quads: list[ox.Quad], triples: list[ox.Triple], union: ox.NamedNode | ox.DefaultGraph) -> bytes:
    """A piece as one N-Quads document (a triple in one is in the default graph)."""
    united: list[ox.Quad] | list[ox.Triple] = (
        triples
        if isinstance(union, ox.DefaultGraph)
        else [ox.Quad(t.subject, t.predicate, t.object, union) for t in triples]
    )
    return ox.serialize([*quads, *united], format=ox.RdfFormat.N_QUADS) or b""


@dataclass
class InitialLoad:
    """One initial load. ``update`` sends one SPARQL Update, ``select`` one query of ours (rows as
    strings); ``send`` sends every piece as they are read (SparqlContent._send_pieces: a request
    each, or one streamed request; or the bulk loader's file: store/virtuoso_bulk.py);
    ``in_default``: the union goes to the engine's default graph; ``piece``: quads read per piece."""

    update: Callable[[str], object]
    select: Callable[[str], list[dict[str, str]]]
    send: Callable[[Iterator[Piece]], None]
    in_default: bool
    piece: int
    #: The record's graphs sent with the data, as the first piece (Virtuoso's bulk loader: as SPARQL
    #: updates they cost ~1,200 requests of 400 graphs at 10M), only its head as an update.
    record_with_data: bool = False

    def run(
        self, quads: Iterable[ox.Quad], named: list[str], count: int, generation: str, union: ox.NamedNode
    ) -> None:
        """Load ``quads`` (read once, as they come; their named graphs are ``named``, holding ``count``
        quads) as ``generation``."""
        try:
            self.update(mark_switching(generation))
            target = ox.DefaultGraph() if self.in_default else union
            with_data = self.record_with_data
            for text in record(
                generation,
                named,
                union.value,
                None,
                in_default=self.in_default,
                quads=count,
                graphs_too=not with_data,
            ):
                self.update(text)
            first: list[Piece] = [(record_quads(generation, named), [], target)] if with_data else []
            self.send(itertools.chain(first, self._pieces(quads, target)))
        except BaseException:
            with contextlib.suppress(Exception):  # the engine may be gone: the mark then stays
                self._undo(generation, named, union)
            raise
        self._end(generation)

    def _pieces(self, quads: Iterable[ox.Quad], target: ox.NamedNode | ox.DefaultGraph) -> Iterator[Piece]:
        united, stream = UnionTriples(), iter(quads)
        while batch := list(itertools.islice(stream, self.piece)):
            # Each piece with the union of its triples: a triple of two pieces is sent twice, and the
            # engine keeps it once (a graph is a set), so nothing is held from piece to piece.
            yield batch, united(batch), target

    def _marks(self) -> tuple[list[str], list[str]]:
        """The generations marked under way, and those live."""
        rows = self.select(MARKS)
        return (
            [row["o"] for row in rows if row["p"] == SWITCHING],
            [row["o"] for row in rows if row["p"] == GENERATION],
        )

    def _end(self, generation: str) -> None:
        """``generation`` live in place of its mark; StoreUnavailable if the mark was gone (another
        load took the engine over, having waited its time limit on this one)."""
        self.update(end_mark(generation))
        if generation not in self._marks()[1]:
            raise StoreUnavailable(
                "another load took the remote store over while this initial load ran (it waited out its"
                " time limit on this load's mark): that load's data is served, not this one's, and pieces"
                " this one sent after it may have gone into its graphs: load again"
            )
        self.update(drop_other_generations(generation))

    def _undo(self, generation: str, named: list[str], union: ox.NamedNode) -> None:
        """Drop what this load may have written (the engine held none of it: SparqlContent._initial),
        forget its record and remove its mark; only while its mark is there. Its graphs are left when
        another load is marked too (two initial loads at once write the same names) or took over."""
        marked, _live = self._marks()
        if generation not in marked:
            return
        if marked == [generation]:
            for text in drop_graphs_chunked([*named, union.value]):
                self.update(text)
            if self.in_default:
                self.update("DROP SILENT DEFAULT")
        self.update(remove_mark(generation))
