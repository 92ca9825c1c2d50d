"""The remote store's content, as a mixin of SparqlStore (which supplies the HTTP and the live
generation): a load, and an export.

Loading is validated, then atomic for readers, by *staging graphs*: the N-Quads are parsed here
first (a syntax error sends nothing); each graph G is then sent as ``urn:claimgraph:staging:GEN:G``
(the default graph as ``urn:claimgraph:staging-default:GEN``) with the union of the new graphs as
``urn:claimgraph:union:GEN``, as N-Quads in pieces (``load="quads"``), and one SPARQL Update
request, which the engine applies as one transaction (store/sparql_load.py's switch_update), drops
the graphs of the live generation, moves each staged graph to its name and the union into the
engine's default graph, and records GEN and its graphs in ``urn:claimgraph:meta``. A load that
fails before that update leaves the old graphs served, and its staging graphs are dropped. With
``load="graphs"`` (Virtuoso: each graph by its own Graph Store address, in pieces) only the union
graph is staged, and the marked switch (store/sparql_switch.py) rewrites what changed. Into an
engine that holds nothing of ours the load is an initial one (store/sparql_initial.py): no staging.
"""

from __future__ import annotations

import contextlib
import itertools
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlencode

import pyoxigraph as ox
from SPARQLWrapper import SPARQLWrapper

from claimgraph.errors import QueryTimeout, ReadOnlyStore
from claimgraph.iris import is_version_graph
from claimgraph.store.sparql_http import Endpoint, Http, canonical_booleans, complete
from claimgraph.store.sparql_initial import InitialLoad, Piece, UnionTriples, nquads_of
from claimgraph.store.sparql_load import (
    STAGING,
    STAGING_DEFAULT,
    UNION,
    check_graph_by_graph,
    drop_graphs,
    switch_update,
)
from claimgraph.store.sparql_switch import MarkedSwitch
from claimgraph.store.virtuoso_bulk import BulkFile

JSON = "application/sparql-results+json"
#: Rows per query when a graph is read whole (below any engine's own result limit).
GRAPH_PAGE = 500
#: Triples per Graph Store request when a graph is sent (sparql_load=graphs: Virtuoso). One PUT of a
#: 1M-triple union graph stalled Virtuoso 7.2 ("Locks are held for a long time", no CPU, no answer in
#: 9 minutes); 100k went through. A staged graph is unseen until the switch names it, so its
#: pieces need not be one transaction.
GRAPH_PIECE = 20_000
#: Quads per N-Quads request when graphs are sent in one stream (sparql_load=quads: Oxigraph server).
LOAD_PIECE = 100_000


class SparqlContent:
    """replace_all and export over what SparqlStore declares below."""

    endpoint: Endpoint
    read_only: bool
    _client: Http
    _marked: bool
    _owned: frozenset[str]
    _union: str | None
    _previous_union: str | None
    _generation: str | None
    _stats: Any
    _checked: float | None
    _switching: bool
    _known: bool

    def _refresh(self) -> None:
        raise NotImplementedError

    def _settled(self, deadline: float) -> str | None:
        raise NotImplementedError

    def _update(self, update: str) -> None:
        raise NotImplementedError

    def _wrapper(self, url: str, timeout: float | None = None) -> SPARQLWrapper:
        raise NotImplementedError

    def _send(self, call: Callable[[], Any], timeout: float | None = None) -> Any:
        raise NotImplementedError

    def graph_names(self) -> frozenset[str]:
        raise NotImplementedError

    def _select_plain(self, query: str) -> list[dict[str, str]]:
        raise NotImplementedError

    # -- content ---------------------------------------------------------------------------------
    def replace_all(self, nquads: bytes) -> None:
        """Validate, stage beside the live graphs, then switch in one update (the module's docstring);
        into an engine that holds nothing of ours, an initial load (store/sparql_initial.py)."""
        if self.read_only:
            raise ReadOnlyStore("the remote store is configured read-only (store_read_only)")
        # Read through once before anything is sent (a SyntaxError, or what a load graph by graph
        # refuses, sends nothing), keeping only the graph names: an initial load reads it again as it
        # sends, so the quads are never all held (at 10M triples they took the loader to 15 GB).
        # The quads of named graphs, as a set (a quad given twice is held once), by their hashes: the
        # count stats() reports, recorded with the generation (64-bit hashes: a collision among 10M
        # quads is a one in 10^5 chance, and costs one in the count).
        hashes: set[int] = set()
        named_graphs: set[ox.NamedNode] = set()
        by_graph = self.endpoint.load == "graphs"
        for q in ox.parse(nquads, format=ox.RdfFormat.N_QUADS):
            if by_graph:
                check_graph_by_graph([q])
            graph = q.graph_name
            if isinstance(graph, ox.NamedNode):
                named_graphs.add(graph)
                hashes.add(hash(q))
        named, count = sorted(g.value for g in named_graphs), len(hashes)
        del named_graphs, hashes
        generation = uuid.uuid4().hex
        union = ox.NamedNode(f"{UNION}:{generation}")
        if self._initial(named):
            bulk = BulkFile(self.endpoint.bulk, generation, union) if self.endpoint.bulk else None
            try:
                InitialLoad(
                    self._update,
                    self._select_plain,
                    bulk.load if bulk else self._send_pieces,
                    self.endpoint.load == "quads",
                    LOAD_PIECE,
                    record_with_data=bulk is not None,
                ).run(ox.parse(nquads, format=ox.RdfFormat.N_QUADS), named, count, generation, union)
            finally:
                if bulk:
                    bulk.remove()
                self._stats = None
                self._checked = None
            return
        quads = list(ox.parse(nquads, format=ox.RdfFormat.N_QUADS))
        # The union of the new graphs, as a set, goes in with them (readers see it once the switch
        # names it in urn:claimgraph:meta): the switch itself then only drops and moves graphs.
        # Released versions (nanopublications) stay out of it: GRAPH only, never mixed with current data.
        union_quads = [ox.Quad(t.subject, t.predicate, t.object, union) for t in UnionTriples()(quads)]
        if self._marked:
            self._switch_marked(quads, (named, count), generation, union.value, union_quads)
            return
        if self._switching:
            # An initial load is marked: wait for it (then replace what it loaded), or take over
            # past the time limit, as from a loader that died (its mark goes with the switch).
            with contextlib.suppress(QueryTimeout):
                self._settled(time.monotonic() + self.endpoint.timeout)
        prefix, default = f"{STAGING}{generation}:", f"{STAGING_DEFAULT}{generation}"
        graphs: dict[str, list[ox.Quad]] = {}
        for q in quads:
            name = q.graph_name.value if isinstance(q.graph_name, ox.NamedNode) else ""
            staged = ox.NamedNode(prefix + name if name else default)
            graphs.setdefault(name, []).append(ox.Quad(q.subject, q.predicate, q.object, staged))
        old = self._owned
        staged_names = [prefix + name if name else default for name in graphs] + [union.value]
        try:
            self._stage({**graphs, union.value: union_quads} if union_quads else graphs)
            self._update(
                switch_update(
                    old,
                    (self._union, self._previous_union),
                    graphs,
                    prefix,
                    default,
                    generation,
                    self._generation,
                    count,
                )
            )
        except BaseException:
            with contextlib.suppress(Exception):  # the engine may be gone; staged graphs stay unseen
                self._update(drop_graphs(staged_names))
            raise
        self._stats = None
        self._checked = None

    def _initial(self, named: list[str]) -> bool:
        """Whether this load is an initial one (store/sparql_initial.py): the engine, looked at now,
        holds no generation of ours and no switch mark, none of the graphs the data names, and (with
        ``load="quads"``, whose union goes to the engine's default graph) an empty default graph."""
        self._checked = None
        self._refresh()
        if self._generation is not None or self._switching or not self._known:
            return False
        if not set(named).isdisjoint(self.graph_names()):
            return False
        if self.endpoint.load != "quads":
            return True
        return not self._select_plain("SELECT ?s WHERE { ?s ?p ?o } LIMIT 1")

    def _switch_marked(
        self,
        quads: list[ox.Quad],
        graphs: tuple[list[str], int],
        generation: str,
        union: str,
        union_quads: list[ox.Quad],
    ) -> None:
        """Load by the marked switch (store/sparql_switch.py): only what changed is rewritten.
        ``graphs``: the named graphs of the data, and how many quads they hold."""
        named, count = graphs
        try:
            live = self._settled(time.monotonic() + self.endpoint.timeout)
        except QueryTimeout:
            # A switch marked and never ended (its loader died): this load takes over; it reads the
            # live graphs as they are, and its end removes the old mark.
            live = self._generation
        try:
            old = self._graph_quads(sorted(self._owned | set(named)))
            # A small update first: with Digest auth, a large body sent before the challenge is
            # known is cut off by the engine's 401 (a broken pipe, not an answer).
            self._update(drop_graphs([]))
            if union_quads:
                self._stage({union: union_quads})
            MarkedSwitch(self._update, generation, live, self._union, self._previous_union, count).run(
                old, quads, named, union
            )
        except BaseException:
            with contextlib.suppress(Exception):
                self._update(drop_graphs([union]))
            raise
        finally:
            self._stats = None
            self._checked = None

    def _graph_quads(self, names: list[str]) -> list[ox.Quad]:
        """The quads of these graphs, read GRAPH_PAGE at a time (an engine's result limit, such as
        Virtuoso's ResultSetMaxRows, would cut a whole graph short, its Graph Store GET included)."""
        quads: list[ox.Quad] = []
        for name in names:
            graph = ox.NamedNode(name)
            for offset in itertools.count(0, GRAPH_PAGE):
                wrapper = self._wrapper(self.endpoint.query_url)
                wrapper.setQuery(
                    f"SELECT ?s ?p ?o WHERE {{ GRAPH <{name}> {{ ?s ?p ?o }} }}"
                    f" ORDER BY ?s ?p ?o LIMIT {GRAPH_PAGE} OFFSET {offset}"
                )
                wrapper.addCustomHttpHeader("Accept", JSON)
                body = self._page(wrapper)
                rows = ox.parse_query_results(canonical_booleans(body), format=ox.QueryResultsFormat.JSON)
                assert isinstance(rows, ox.QuerySolutions)
                page = [ox.Quad(row["s"], row["p"], row["o"], graph) for row in rows]
                quads += page
                if len(page) < GRAPH_PAGE:
                    break
        return quads

    def _page(self, wrapper: SPARQLWrapper) -> bytes:
        return bytes(complete(self._send(lambda: wrapper.query().response)).read())

    def _stage(self, graphs: dict[str, list[ox.Quad]]) -> None:
        """Send these graphs (each list's quads name their graph, the default graph included with
        ``load="quads"``): N-Quads documents of LOAD_PIECE quads (``load="quads"``), or each graph by
        ``?graph=`` in pieces of GRAPH_PIECE triples (a PUT, then POSTs)."""
        url = self.endpoint.graph_store_url
        if self.endpoint.load == "quads":
            # In pieces, each its own transaction: a staged graph is unseen until the switch names it,
            # and the engine holds one piece's changes at a time (or all in one streamed request).
            everything = [q for quads in graphs.values() for q in quads]
            self._post_nquads(
                ox.serialize(everything[start : start + LOAD_PIECE], format=ox.RdfFormat.N_QUADS) or b""
                for start in range(0, len(everything), LOAD_PIECE)
            )
            return
        for quads in graphs.values():
            target = str(quads[0].graph_name.value)  # type: ignore[union-attr]  # staged: always named
            separator = "&" if "?" in url else "?"
            address = f"{url}{separator}{urlencode({'graph': target})}"
            # In pieces, each its own transaction: the first replaces (PUT), the others add (POST).
            for start in range(0, len(quads), GRAPH_PIECE):
                piece = [q.triple for q in quads[start : start + GRAPH_PIECE]]
                body = ox.serialize(piece, format=ox.RdfFormat.N_TRIPLES) or b""
                self._client.send("PUT" if start == 0 else "POST", address, body, "text/turtle")

    def _send_pieces(self, pieces: Iterator[Piece]) -> None:
        """Send an initial load's pieces as they come: a request or more each (``_send_piece``), or
        (``stream``) all in one request."""
        if self.endpoint.stream:
            self._post_nquads(nquads_of(*piece) for piece in pieces)
            return
        for piece in pieces:
            self._send_piece(*piece)

    def _post_nquads(self, documents: Iterator[bytes]) -> None:
        """POST these N-Quads documents to the Graph Store: a request each, or (``stream``) all as
        one request's body, sent as they are made (an engine that bulk-loads a request without a
        transaction, Oxigraph server's ``?no_transaction``, then runs its bulk loader once)."""
        url = self.endpoint.graph_store_url
        if self.endpoint.stream:
            self._client.stream("POST", url, documents, "application/n-quads")
            return
        for document in documents:
            self._client.send("POST", url, document, "application/n-quads")

    def _send_piece(
        self, quads: list[ox.Quad], triples: list[ox.Triple], union: ox.NamedNode | ox.DefaultGraph
    ) -> None:
        """Add these quads to their graphs and ``triples`` to ``union`` (an initial load's piece:
        every graph is new, so each is added to, never replaced): one N-Quads document, or each
        graph's triples by ``?graph=`` in pieces of GRAPH_PIECE."""
        url = self.endpoint.graph_store_url
        if self.endpoint.load == "quads":
            self._client.send("POST", url, nquads_of(quads, triples, union), "application/n-quads")
            return
        by_graph: dict[str, list[ox.Triple]] = {}
        for q in quads:
            by_graph.setdefault(q.graph_name.value, []).append(q.triple)  # type: ignore[union-attr]
        if triples:
            if isinstance(union, ox.DefaultGraph):
                raise ValueError(
                    "sparql_load=graphs sends each graph by name: the union needs a graph of its own"
                )
            by_graph.setdefault(union.value, []).extend(triples)
        separator = "&" if "?" in url else "?"
        for graph, triples in by_graph.items():
            address = f"{url}{separator}{urlencode({'graph': graph})}"
            for start in range(0, len(triples), GRAPH_PIECE):
                body = (
                    ox.serialize(triples[start : start + GRAPH_PIECE], format=ox.RdfFormat.N_TRIPLES) or b""
                )
                self._client.send("POST", address, body, "text/turtle")

    def export(self, media_type: str) -> Iterator[bytes]:
        """Every live graph (``_graph_quads``)."""
        fmt = ox.RdfFormat.from_media_type(media_type)
        if fmt is None:
            raise ValueError(f"no RDF format for {media_type}")
        quads = self._graph_quads(sorted(self.graph_names()))
        if fmt.supports_datasets:
            yield ox.serialize(quads, format=fmt) or b""
        else:
            # Without graphs an old version's triples would merge into the current claim: leave them out.
            current = [q.triple for q in quads if not is_version_graph(q.graph_name.value)]  # type: ignore[union-attr]
            yield ox.serialize(current, format=fmt) or b""
