"""A remote store: any SPARQL 1.1 endpoint with a Graph Store (Oxigraph server and Virtuoso in the
tests).

Queries go out with SPARQLWrapper (POST, form-encoded, content negotiation only), each with an
HTTP timeout (the service's query_timeout): a remote timeout, or the engine saying it stopped the
query at its own limit, is QueryTimeout; an upstream 400 QueryRejected with the upstream text; a
refused connection StoreUnavailable. A result the engine says it cut short at its own row limit
(Virtuoso answers 200 with the rows it had) is ResultTooLarge, never passed on.

Loading is validated, then atomic for readers, by *staging graphs*: the N-Quads are
parsed here first (a syntax error sends nothing); each graph G is then sent as
``urn:claimgraph:staging:GEN:G`` (the default graph as ``urn:claimgraph:staging-default:GEN``),
in one N-Quads document (``load="quads"``) or one Graph Store PUT per graph (``"graphs"``,
Virtuoso); one SPARQL Update request, which the engine applies as one transaction
(store/sparql_load.py), then drops the graphs of the live generation, moves each staged graph to
its name and records GEN and its graphs in ``urn:claimgraph:meta``. A load that fails before that
update leaves the old graphs served, and its staging graphs are dropped. Readers never see
staging graphs: every query is sent with an explicit dataset (default-graph-uri,
named-graph-uri): the one asked for, else the query's own FROM (from its parse, never a regular
expression), else the live graphs; a FROM may only name live graphs (the guard checks it
against graph_names). The engine is run without a union default graph; the union is this dataset.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import time
import uuid
import zlib
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlencode

import pyoxigraph as ox
from rdflib import Graph
from rdflib.term import Node
from SPARQLWrapper import DIGEST, POST, SPARQLWrapper

from claimgraph.errors import QueryRejected, QueryTimeout, ReadOnlyStore, ResultTooLarge, StoreUnavailable
from claimgraph.iris import Iris, is_version_graph
from claimgraph.settings import Settings
from claimgraph.store import QueryDataset, SparqlResult, StoreStats
from claimgraph.store.oxigraph_query import check_rows
from claimgraph.store.sparql_http import (
    Endpoint,
    Http,
    allow_headers,
    canonical_booleans,
    complete,
    read_capped,
    translate,
)
from claimgraph.store.sparql_load import (
    INTERNAL,
    NO_GRAPH,
    STAGING,
    STAGING_DEFAULT,
    UNION,
    check_graph_by_graph,
    drop_graphs,
    switch_update,
)
from claimgraph.store.sparql_switch import MarkedSwitch, State, read_generation, read_state
from claimgraph.store.sparql_text import QueryShape, query_shape, with_prologue
from claimgraph.terms import to_rdflib

JSON = "application/sparql-results+json"
NTRIPLES = "application/n-triples"
RESULTS_VIA_JSON = (ox.QueryResultsFormat.CSV, ox.QueryResultsFormat.TSV)
TRIPLES_AS = {"application/n-quads": NTRIPLES, "application/trig": "text/turtle"}
#: Seconds a front end trusts the live generation it looked up: a load by another front end is
#: seen within this time (its own loads at once).
GENERATION_TTL = 1.0
#: Seconds between looks at a marked switch that readers of named graphs wait for.
SWITCH_POLL = 0.1
#: Rows per query when a graph is read whole (below any engine's own result limit).
GRAPH_PAGE = 500


class SparqlStore:
    """The Store protocol over HTTP (see the module's docstring)."""

    def __init__(
        self,
        endpoint: Endpoint,
        *,
        base_iri: str | None = None,
        prefixes: dict[str, str] | None = None,
        union_default_graph: bool = True,
        read_only: bool = False,
    ) -> None:
        self.endpoint = endpoint
        self.base_iri = base_iri
        self.prefixes = dict(prefixes or {})  # declared for a query that does not declare them itself
        self.union_default_graph = union_default_graph
        self.read_only = read_only
        self._generation: str | None = None
        self._graphs: frozenset[str] = frozenset()
        self._stats: StoreStats | None = None
        self._known = False  # whether _graphs are those of _generation
        self._owned: frozenset[str] = frozenset()  # the graphs a load replaces
        self._union: str | None = None  # the graph holding the union of the live graphs, if recorded
        self._previous_union: str | None = None  # the previous generation's, kept one generation more
        self._checked: float | None = None  # when the live generation was last looked up
        self._switching = False  # whether a marked switch was under way when last looked up
        self._marked = endpoint.load == "graphs"  # whether loads use the marked switch
        self._client = Http(endpoint.user, endpoint.password, endpoint.auth, endpoint.timeout)

    @classmethod
    def from_settings(cls, settings: Settings) -> SparqlStore:
        if not settings.sparql_query_url:
            raise StoreUnavailable("store_backend sparql needs sparql_query_url")
        endpoint = Endpoint(
            settings.sparql_query_url,
            settings.sparql_update_url or settings.sparql_query_url,
            settings.sparql_graph_store_url or settings.sparql_query_url,
            settings.sparql_user,
            settings.sparql_password,
            settings.query_timeout,
            settings.sparql_auth,
            settings.sparql_load,
        )
        return cls(
            endpoint,
            base_iri=settings.base,
            prefixes=Iris(settings.base).prefixes(),
            union_default_graph=settings.union_default_graph,
            read_only=settings.store_read_only,
        )

    # -- HTTP ------------------------------------------------------------------------------------
    def _wrapper(self, url: str) -> SPARQLWrapper:
        wrapper = SPARQLWrapper(url)
        wrapper.setMethod(POST)
        # Content negotiation only: SPARQLWrapper would add format=xml&output=xml, which Virtuoso
        # obeys over the Accept header (and then answers 406).
        wrapper.setOnlyConneg(True)
        wrapper.setTimeout(max(1, round(self.endpoint.timeout)))
        if self.endpoint.user:
            if self.endpoint.auth == "digest":
                wrapper.setHTTPAuth(DIGEST)
            wrapper.setCredentials(self.endpoint.user, self.endpoint.password or "")
        return wrapper

    def _shape(self, query: str) -> tuple[str, QueryShape]:
        """The text sent (with the prologue the embedded store would assume) and its parsed shape."""
        text = with_prologue(query, self.base_iri, self.prefixes)
        return text, query_shape(text, self.base_iri)

    def _request(
        self, text: str, shape: QueryShape, media_type: str, dataset: QueryDataset | None
    ) -> tuple[Any, bool]:
        """The open HTTP response of ``text``, sent with the dataset readers may see: the one given,
        else the query's own FROM / FROM NAMED, else the live graphs; and whether that dataset names
        graphs a switch rewrites (not only the union graph of a generation, which none does)."""
        wrapper = self._wrapper(self.endpoint.query_url)
        wrapper.setQuery(text)
        # SPARQLWrapper guesses the form with a regular expression that also reads comments and
        # strings ("a claim added" made history-changes an ADD, sent as update=): the parsed form.
        wrapper.queryType = shape.form
        wrapper.addCustomHttpHeader("Accept", media_type)
        given = dataset if dataset and (dataset.default_graphs or dataset.named_graphs) else shape.dataset
        if given is not None:
            default, named = given.default_graphs, given.named_graphs
        else:
            # One graph holds the union of the live graphs, if the switch wrote it; the named graphs
            # are listed only when the query may say GRAPH (Virtuoso echoes each graph of the
            # dataset in a response header: a few hundred would be too many for http.client).
            graphs = sorted(self.graph_names())
            current = tuple(g for g in graphs if not is_version_graph(g))  # old versions: GRAPH only
            union = (self._union,) if self._union else current
            default = union if self.union_default_graph else ()
            named = tuple(graphs) if shape.names_graphs else ()
        # An empty default graph is one that cannot exist: an engine given no default-graph-uri
        # (Virtuoso) would take the union of all its graphs, staged ones included.
        allow_headers(len(default) + len(named))
        for graph in default or (NO_GRAPH,):
            wrapper.addParameter("default-graph-uri", graph)
        for graph in named or (NO_GRAPH,):
            wrapper.addParameter("named-graph-uri", graph)
        rewritten = given is not None or bool(named) or default != ((self._union,) if self._union else ())
        return complete(self._send(lambda: wrapper.query().response)), rewritten

    def _fetch(
        self,
        text: str,
        shape: QueryShape,
        media_type: str,
        dataset: QueryDataset | None,
        max_bytes: int | None,
    ) -> bytes:
        """The whole answer to ``text``. On an engine whose switch is marked (sparql_load graphs), an
        answer that read graphs a switch rewrites is read again if a switch was marked, or another
        generation live, when it ended (store/sparql_switch.py): never half of two generations."""
        deadline = time.monotonic() + self.endpoint.timeout
        given = bool(dataset and (dataset.default_graphs or dataset.named_graphs))
        named = given or shape.dataset is not None or shape.names_graphs
        while True:
            if self._marked:
                self._refresh()
                # A generation's union graph is never rewritten: a query of it alone need not wait.
                if named or not (self._known and self._union):
                    self._settled(deadline)
            generation = self._generation
            response, rewritten = self._request(text, shape, media_type, dataset)
            body = self._read(response, max_bytes)
            if not (self._marked and rewritten):
                return body
            if read_state(self._select_plain) == State(generation, True):
                return body
            if time.monotonic() > deadline:
                raise QueryTimeout("a load switched the store to new data while the query ran; try again")
            self._checked = None

    def _send(self, call: Callable[[], Any]) -> Any:
        return translate(call, self.endpoint.timeout)

    def _read(self, response: Any, max_bytes: int | None) -> bytes:
        return read_capped(response, max_bytes, self.endpoint.timeout)

    def _update(self, update: str) -> None:
        self._client.update(self.endpoint.update_url, update)

    # -- queries ---------------------------------------------------------------------------------
    def sparql(
        self,
        query: str,
        *,
        media_type: str,
        dataset: QueryDataset | None = None,
        max_rows: int | None = None,
        max_bytes: int | None = None,
    ) -> SparqlResult:
        text, shape = self._shape(query)
        form = shape.form
        rdf_format = ox.RdfFormat.from_media_type(media_type)
        results_format = ox.QueryResultsFormat.from_media_type(media_type)
        if form in ("CONSTRUCT", "DESCRIBE") and rdf_format is None:
            raise QueryRejected(f"a CONSTRUCT or DESCRIBE result cannot be sent as {media_type}")
        if form in ("SELECT", "ASK") and results_format is None:
            raise QueryRejected(f"a SELECT or ASK result cannot be sent as {media_type}")
        fmt = rdf_format if form in ("CONSTRUCT", "DESCRIBE") else results_format
        if fmt in RESULTS_VIA_JSON:
            # Engines differ on CSV and TSV (Virtuoso: a quoted TSV header, a boolean as 1): take
            # the standard JSON and write these formats here.
            body = self._fetch(text, shape, JSON, dataset, None if max_bytes is None else max_bytes * 8)
            parsed = ox.parse_query_results(canonical_booleans(body), format=ox.QueryResultsFormat.JSON)
            body = parsed.serialize(format=fmt) or b""  # type: ignore[arg-type]
            if max_bytes is not None and len(body) > max_bytes:
                raise ResultTooLarge(
                    f"the result is larger than {max_bytes} bytes (max_result_bytes); add a LIMIT"
                )
        else:
            # Triples as N-Quads or TriG: the engine's N-Triples or Turtle are documents of both.
            asked = (
                TRIPLES_AS.get(media_type, media_type) if form in ("CONSTRUCT", "DESCRIBE") else media_type
            )
            body = self._fetch(text, shape, asked, dataset, max_bytes)
            if fmt == ox.QueryResultsFormat.JSON:
                body = canonical_booleans(body)
        if form != "ASK" and fmt is not None:
            check_rows(body, fmt, max_rows)
        return SparqlResult(media_type, [body])

    def _results(self, query: str, form: str) -> ox.QuerySolutions | ox.QueryBoolean:
        text, shape = self._shape(query)
        if shape.form != form:
            raise QueryRejected(f"expected a {form} query")
        body = canonical_booleans(self._fetch(text, shape, JSON, None, None))
        return ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)

    def select(self, query: str) -> list[dict[str, Node]]:
        result = self._results(query, "SELECT")
        assert isinstance(result, ox.QuerySolutions)
        names = [v.value for v in result.variables]
        return [
            {name: to_rdflib(solution[name]) for name in names if solution[name] is not None}
            for solution in result
        ]

    def ask(self, query: str) -> bool:
        return bool(self._results(query, "ASK"))

    def construct(self, query: str) -> Graph:
        text, shape = self._shape(query)
        if shape.form not in ("CONSTRUCT", "DESCRIBE"):
            raise QueryRejected("expected a CONSTRUCT or DESCRIBE query")
        body = self._fetch(text, shape, NTRIPLES, None, None)
        graph = Graph()
        for triple in ox.parse(body, format=ox.RdfFormat.N_TRIPLES):
            graph.add((to_rdflib(triple.subject), to_rdflib(triple.predicate), to_rdflib(triple.object)))
        return graph

    # -- the live generation -----------------------------------------------------------------------
    def _select_plain(self, query: str) -> list[dict[str, str]]:
        """The rows of a SELECT of our own, sent as written (no dataset, no prologue), as strings."""
        wrapper = self._wrapper(self.endpoint.query_url)
        wrapper.setQuery(query)
        wrapper.addCustomHttpHeader("Accept", JSON)
        body = complete(self._send(lambda: wrapper.query().response)).read()
        solutions = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
        assert isinstance(solutions, ox.QuerySolutions)
        names = [v.value for v in solutions.variables]
        return [{n: s[n].value for n in names if s[n] is not None} for s in solutions]

    def _refresh(self) -> None:
        """Follow the generation live on the engine (another front end may have loaded one), looked
        up at most once every GENERATION_TTL seconds. While a switch is marked (or the record is
        caught half written), the generation known before stays the one read."""
        now = time.monotonic()
        if self._checked is not None and now - self._checked < GENERATION_TTL:
            return
        state = read_state(self._select_plain)
        self._checked = now
        self._switching = not state.stable
        if not state.stable or (state.generation == self._generation and self._known):
            return
        record = read_generation(self._select_plain, state.generation) if state.generation else None
        if record is not None and record.graphs is None:
            self._switching = True  # the record of a generation that is being written: look again
            return
        # The live graphs are those the switch recorded (always at least NO_GRAPH). An engine no load
        # of ours switched serves every graph it holds, and a load replaces none of them (Virtuoso's
        # own graphs, another application's).
        if record is not None and record.graphs is not None:
            names: frozenset[str] | set[str] = record.graphs
        else:
            names = {
                row["g"] for row in self._select_plain("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
            }
        self._union = record.union if record else None
        self._previous_union = record.previous if record else None
        self._graphs = frozenset(name for name in names if not name.startswith(INTERNAL))
        self._owned = self._graphs if state.generation is not None else frozenset()
        self._generation = state.generation
        self._known = True
        self._stats = None

    def _settled(self, deadline: float) -> str | None:
        """The live generation once no switch is marked (QueryTimeout past ``deadline``)."""
        self._refresh()
        while self._switching or not self._known:
            if time.monotonic() > deadline:
                raise QueryTimeout("a load is switching the store to new data; try again in a moment")
            time.sleep(SWITCH_POLL)
            self._checked = None
            self._refresh()
        return self._generation

    def graph_names(self) -> frozenset[str]:
        self._refresh()
        return self._graphs

    def revision(self) -> int:
        self._refresh()
        return zlib.crc32(self._generation.encode()) if self._generation else 0

    def stats(self) -> StoreStats:
        graphs = self.graph_names()
        if self._stats is None:
            [row] = self.select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
            version = self.select(
                "SELECT ?version WHERE { GRAPH ?g { ?dataset a <http://rdfs.org/ns/void#Dataset> ;"
                " <http://purl.org/dc/terms/hasVersion> ?version } } LIMIT 1"
            )
            self._stats = StoreStats(
                int(str(row["n"])), len(graphs), str(version[0]["version"]) if version else None
            )
        return self._stats

    # -- content ---------------------------------------------------------------------------------
    def replace_all(self, nquads: bytes) -> None:
        """Validate, stage beside the live graphs, then switch in one update (the module's docstring)."""
        if self.read_only:
            raise ReadOnlyStore("the remote store is configured read-only (store_read_only)")
        quads = list(ox.parse(nquads, format=ox.RdfFormat.N_QUADS))  # SyntaxError: nothing sent
        if self.endpoint.load == "graphs":
            check_graph_by_graph(quads)
        generation = uuid.uuid4().hex
        prefix, default = f"{STAGING}{generation}:", f"{STAGING_DEFAULT}{generation}"
        graphs: dict[str, list[ox.Quad]] = {}
        for q in quads:
            name = q.graph_name.value if isinstance(q.graph_name, ox.NamedNode) else ""
            staged = ox.NamedNode(prefix + name if name else default)
            graphs.setdefault(name, []).append(ox.Quad(q.subject, q.predicate, q.object, staged))
        # The union of the new graphs, as a set, goes in with them (readers see it once the switch
        # names it in urn:claimgraph:meta): the switch itself then only drops and moves graphs.
        union = ox.NamedNode(f"{UNION}:{generation}")
        # Released versions (nanopublications) stay out of it: GRAPH only, never mixed with current data.
        triples = dict.fromkeys(
            q.triple
            for q in quads
            if isinstance(q.graph_name, ox.NamedNode) and not is_version_graph(q.graph_name.value)
        )
        union_quads = [ox.Quad(t.subject, t.predicate, t.object, union) for t in triples]
        if self._marked:
            self._switch_marked(quads, generation, union.value, union_quads)
            return
        self._refresh()
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
                    self.endpoint.load == "quads",
                )
            )
        except BaseException:
            with contextlib.suppress(Exception):  # the engine may be gone; staged graphs stay unseen
                self._update(drop_graphs(staged_names))
            raise
        self._stats = None
        self._checked = None

    def _switch_marked(
        self, quads: list[ox.Quad], generation: str, union: str, union_quads: list[ox.Quad]
    ) -> None:
        """Load by the marked switch (store/sparql_switch.py): only what changed is rewritten."""
        try:
            live = self._settled(time.monotonic() + self.endpoint.timeout)
        except QueryTimeout:
            # A switch marked and never ended (its loader died): this load takes over; it reads the
            # live graphs as they are, and its end removes the old mark.
            live = self._generation
        named = sorted({q.graph_name.value for q in quads if isinstance(q.graph_name, ox.NamedNode)})
        try:
            old = self._graph_quads(sorted(self._owned | set(named)))
            # A small update first: with Digest auth, a large body sent before the challenge is
            # known is cut off by the engine's 401 (a broken pipe, not an answer).
            self._update(drop_graphs([]))
            if union_quads:
                self._stage({union: union_quads})
            MarkedSwitch(self._update, generation, live, self._union, self._previous_union).run(
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
        """Send the staged graphs: one N-Quads document, or one Turtle document per graph."""
        url = self.endpoint.graph_store_url
        if self.endpoint.load == "quads":
            body = ox.serialize([q for quads in graphs.values() for q in quads], format=ox.RdfFormat.N_QUADS)
            if body:
                self._client.send("POST", url, body, "application/n-quads")
            return
        for quads in graphs.values():
            body = ox.serialize([q.triple for q in quads], format=ox.RdfFormat.N_TRIPLES) or b""
            target = str(quads[0].graph_name.value)  # type: ignore[union-attr]  # staged: always named
            separator = "&" if "?" in url else "?"
            self._client.send("PUT", f"{url}{separator}{urlencode({'graph': target})}", body, "text/turtle")

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

    def child_opener(self) -> Callable[[], SparqlStore]:
        """A new client in the child: it holds no connection, only where the engine is."""
        return functools.partial(
            SparqlStore,
            self.endpoint,
            base_iri=self.base_iri,
            prefixes=self.prefixes,
            union_default_graph=self.union_default_graph,
            read_only=True,
        )

    def close(self) -> None:
        """Nothing held open: every request opens its own connection."""
