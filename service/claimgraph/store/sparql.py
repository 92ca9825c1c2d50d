"""A remote store: any SPARQL 1.1 endpoint with a Graph Store (Oxigraph server and Virtuoso in the
tests).

Queries go out with SPARQLWrapper (POST, form-encoded, content negotiation only), each with an
HTTP timeout (the service's query_timeout): a remote timeout, or the engine saying it stopped the
query at its own limit, is QueryTimeout; an upstream 400 QueryRejected with the upstream text; a
refused connection StoreUnavailable. A result the engine says it cut short at its own row limit
(Virtuoso answers 200 with the rows it had) is ResultTooLarge, never passed on.

Loading (store/sparql_content.py) is validated, then atomic for readers: staged graphs beside the
live ones, then one switching update (``load="quads"``: Oxigraph server) or the marked switch
(``"graphs"``: Virtuoso, store/sparql_switch.py); ``urn:claimgraph:meta`` records the live
generation and its graphs. Readers never see staged or internal graphs, and a request never lists
the live graphs (``outgoing``): GRAPH patterns are scoped by the generation's record
(store/sparql_scope.py), the default graph is the engine's own (holding the union) or the
generation's union graph; a dataset asked for, or the query's own FROM (from its parse, never a
regular expression), is sent as named, and may only name live graphs (the guard checks it
against graph_names). The engine is run without a union default graph of its own.
"""

from __future__ import annotations

import functools
import time
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import Graph
from rdflib.term import Node
from SPARQLWrapper import DIGEST, POST, SPARQLWrapper

from claimgraph.errors import QueryRejected, QueryTimeout, ResultTooLarge, StoreUnavailable
from claimgraph.iris import Iris, is_version_graph
from claimgraph.querylib import BoundQuery, insert_values
from claimgraph.settings import Settings
from claimgraph.store import QueryDataset, SparqlResult, StoreStats, reading_own
from claimgraph.store.oxigraph_query import check_rows
from claimgraph.store.sparql_content import SparqlContent
from claimgraph.store.sparql_http import (
    Endpoint,
    Http,
    allow_headers,
    canonical_booleans,
    complete,
    read_capped,
    translate,
)
from claimgraph.store.sparql_load import INTERNAL, NO_GRAPH
from claimgraph.store.sparql_load import STAGING as STAGING  # the staged graphs' prefix, for the tests
from claimgraph.store.sparql_scope import plain_terms, scoped_cached
from claimgraph.store.sparql_switch import State, read_generation, read_state
from claimgraph.store.sparql_text import QueryShape, query_shape, with_prologue
from claimgraph.store.virtuoso_bulk import VirtuosoBulk
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


class SparqlStore(SparqlContent):
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
        self._node: str | None = None  # the subject of the live generation's record (GRAPH scoping)
        self._in_default = False  # whether the union is the engine's own default graph
        self._quads: int | None = None  # the quads of the live graphs, as the load recorded them
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
            VirtuosoBulk(
                settings.virtuoso_sql,
                Path(settings.virtuoso_load_dir or "."),
                settings.sparql_user or "",
                settings.sparql_password or "",
                settings.virtuoso_isql,
            )
            if settings.virtuoso_sql
            else None,
            settings.sparql_load_stream,
            settings.sparql_read_timeout or None,
            settings.sparql_time_parameter,
            settings.sparql_time_unit,
        )
        return cls(
            endpoint,
            base_iri=settings.base,
            prefixes=Iris(settings.base).prefixes(),
            union_default_graph=settings.union_default_graph,
            read_only=settings.store_read_only,
        )

    # -- HTTP ------------------------------------------------------------------------------------
    def _wrapper(self, url: str, timeout: float | None = None) -> SPARQLWrapper:
        wrapper = SPARQLWrapper(url)
        wrapper.setMethod(POST)
        # Content negotiation only: SPARQLWrapper would add format=xml&output=xml, which Virtuoso
        # obeys over the Accept header (and then answers 406).
        wrapper.setOnlyConneg(True)
        wrapper.setTimeout(max(1, round(timeout or self.endpoint.timeout)))
        if self.endpoint.user:
            if self.endpoint.auth == "digest":
                wrapper.setHTTPAuth(DIGEST)
            wrapper.setCredentials(self.endpoint.user, self.endpoint.password or "")
        return wrapper

    def _shape(self, query: str) -> tuple[str, QueryShape]:
        """The text sent (with the prologue the embedded store would assume) and its parsed shape.
        A library query bound to plain terms is read as its template (parsed once, not once per
        value: at 10M triples rdflib's parser was 78% of a front end's start, for the read model's
        per-resource queries); its VALUES block can add no group (sparql_scope.plain_terms)."""
        if isinstance(query, BoundQuery) and plain_terms(query.terms):
            template = with_prologue(query.template, self.base_iri, self.prefixes)
            return BoundQuery.made(template, query.block, query.terms), query_shape(template, self.base_iri)
        text = with_prologue(query, self.base_iri, self.prefixes)
        return text, query_shape(text, self.base_iri)

    def _request(
        self, text: str, shape: QueryShape, media_type: str, dataset: QueryDataset | None, timeout: float
    ) -> tuple[Any, bool]:
        """The open HTTP response of ``text``, sent as ``outgoing`` says; and whether its dataset
        names graphs a switch rewrites (not only the union graph of a generation, which none does)."""
        sent, parameters, rewritten = self.outgoing(text, shape, dataset)
        wrapper = self._wrapper(self.endpoint.query_url, timeout)
        # Not setQuery: SPARQLWrapper guesses the form there with regular expressions that also read
        # comments and strings ("a claim added" made history-changes an ADD, sent as update=), and
        # they cost 0.2-1 ms a query of the library (30% of a worker's CPU on a short one, py-spy).
        # Its two public attributes instead, the form the one parsed already.
        wrapper.queryString = str(sent)
        wrapper.queryType = shape.form
        wrapper.addCustomHttpHeader("Accept", media_type)
        # The engine's own limit for this query (sparql_time_parameter): the time this request waits.
        parameters = [*parameters, *self.endpoint.time_limit(timeout)]
        # Virtuoso echoes each graph of the dataset in a response header.
        allow_headers(len(parameters))
        for name, value in parameters:
            wrapper.addParameter(name, value)
        return complete(self._send(lambda: wrapper.query().response, timeout)), rewritten

    def outgoing(
        self, text: str, shape: QueryShape, dataset: QueryDataset | None
    ) -> tuple[str, list[tuple[str, str]], bool]:
        """The query text and dataset parameters sent for ``text``, with the dataset readers may see:
        the one given, else the query's own FROM / FROM NAMED, else the live graphs; and whether
        that dataset names graphs a switch rewrites."""
        given = dataset if dataset and (dataset.default_graphs or dataset.named_graphs) else shape.dataset
        if given is None:
            self._refresh()  # the live generation's record (at most once every GENERATION_TTL)
        own_default = self._in_default and self.union_default_graph
        if given is None and self._node is not None and (self._marked or own_default):
            # The live graphs without a list (store/sparql_scope.py): each GRAPH pattern scoped by
            # the generation's record, no named-graph-uri (the engine's own named graphs: all it
            # holds); the default graph the engine's own, holding the union (sparql_load quads), or
            # the generation's union graph (Virtuoso, which keeps every graph named beside a
            # default-graph-uri, but for GRAPH <iri>; an empty graph if union_default_graph is off).
            sent = self._scoped(text, not own_default) if shape.names_graphs else text
            union = self._union if self._union and self.union_default_graph else None
            parameters = [] if own_default else [("default-graph-uri", union or NO_GRAPH)]
            return sent, parameters, shape.names_graphs or not (own_default or union)
        default: tuple[str, ...]
        named: tuple[str, ...]
        if given is not None:
            default, named = given.default_graphs, given.named_graphs
        else:
            # No record of a generation, or an engine whose default graph is not the union and that
            # drops its named graphs beside a default-graph-uri (the SPARQL protocol's reading):
            # the live graphs listed; the union graph as the default graph, if the switch wrote one.
            graphs = sorted(self.graph_names())
            current = tuple(g for g in graphs if not is_version_graph(g))  # old versions: GRAPH only
            union_graphs = (self._union,) if self._union else current
            default = union_graphs if self.union_default_graph else ()
            named = tuple(graphs) if shape.names_graphs else ()
        # An empty default graph is one that cannot exist: an engine given no default-graph-uri
        # (Virtuoso) would take the union of all its graphs, staged ones included.
        parameters = [("default-graph-uri", graph) for graph in default or (NO_GRAPH,)]
        parameters += [("named-graph-uri", graph) for graph in named or (NO_GRAPH,)]
        rewritten = given is not None or bool(named) or default != ((self._union,) if self._union else ())
        return text, parameters, rewritten

    def _scoped(self, text: str, iris_as_variables: bool) -> str:
        """``text`` scoped to the live generation (store/sparql_scope.py); a bound library query by
        its template's scoping (remembered), its VALUES block then put back in the same place."""
        assert self._node is not None
        if isinstance(text, BoundQuery):
            return insert_values(scoped_cached(text.template, self._node, iris_as_variables), text.block)
        return scoped_cached(text, self._node, iris_as_variables)

    def _fetch(
        self,
        text: str,
        shape: QueryShape,
        media_type: str,
        dataset: QueryDataset | None,
        max_bytes: int | None,
        timeout: float,
    ) -> bytes:
        """The whole answer to ``text``, within ``timeout`` seconds. On an engine whose switch is
        marked (sparql_load graphs), an answer that read graphs a switch rewrites is read again if a
        switch was marked, or another generation live, when it ended (store/sparql_switch.py): never
        half of two generations.
        On any engine, while an initial load is marked (store/sparql_initial.py) readers wait, and
        an answer read from an engine with no generation of ours is read again if one began."""
        deadline = time.monotonic() + timeout
        given = bool(dataset and (dataset.default_graphs or dataset.named_graphs))
        named = given or shape.dataset is not None or shape.names_graphs
        while True:
            self._refresh()
            if self._marked:
                # A generation's union graph is never rewritten: a query of it alone need not wait.
                if named or not (self._known and self._union):
                    self._settled(deadline)
            elif self._switching or not self._known:
                self._settled(deadline)  # sparql_load quads marks an initial load only
            generation = self._generation
            response, rewritten = self._request(text, shape, media_type, dataset, timeout)
            body = self._read(response, max_bytes, timeout)
            # An engine with no generation of ours may have begun an initial load since it was looked
            # at (up to GENERATION_TTL ago): that answer could hold part of it.
            checked = rewritten if self._marked else generation is None
            if not checked:
                return body
            if read_state(self._select_plain) == State(generation, True):
                return body
            if time.monotonic() > deadline:
                raise QueryTimeout("a load switched the store to new data while the query ran; try again")
            self._checked = None

    def _reads_timeout(self) -> float:
        """The service's own reads (store.own_reads: the read model's build) may take
        ``sparql_read_timeout``; whatever a request asks for, ``query_timeout``."""
        return self.endpoint.read_seconds if reading_own() else self.endpoint.timeout

    def _send(self, call: Callable[[], Any], timeout: float | None = None) -> Any:
        return translate(call, timeout or self.endpoint.timeout)

    def _read(self, response: Any, max_bytes: int | None, timeout: float) -> bytes:
        return read_capped(response, max_bytes, timeout)

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
            capped = None if max_bytes is None else max_bytes * 8
            body = self._fetch(text, shape, JSON, dataset, capped, self.endpoint.timeout)
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
            body = self._fetch(text, shape, asked, dataset, max_bytes, self.endpoint.timeout)
            if fmt == ox.QueryResultsFormat.JSON:
                body = canonical_booleans(body)
        if form != "ASK" and fmt is not None:
            check_rows(body, fmt, max_rows)
        return SparqlResult(media_type, [body])

    def _results(self, query: str, form: str) -> ox.QuerySolutions | ox.QueryBoolean:
        text, shape = self._shape(query)
        if shape.form != form:
            raise QueryRejected(f"expected a {form} query")
        body = canonical_booleans(self._fetch(text, shape, JSON, None, None, self._reads_timeout()))
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
        body = self._fetch(text, shape, NTRIPLES, None, None, self._reads_timeout())
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
        for name, value in self.endpoint.time_limit(self.endpoint.timeout):
            wrapper.addParameter(name, value)
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
        self._node = record.node if record is not None and record.graphs is not None else None
        self._in_default = bool(record and record.in_default)
        self._quads = record.quads if record else None
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
            # Counted by the load, and recorded: Oxigraph server did not count the 10M quads of the
            # generated data's graphs (each checked against the record) within two minutes. Counted
            # here for a record without it (one written before loads recorded it).
            quads = self._quads
            if quads is None:
                [row] = self.select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
                quads = int(str(row["n"]))
            version = self.select(
                "SELECT ?version WHERE { GRAPH ?g { ?dataset a <http://rdfs.org/ns/void#Dataset> ;"
                " <http://purl.org/dc/terms/hasVersion> ?version } } LIMIT 1"
            )
            self._stats = StoreStats(quads, len(graphs), str(version[0]["version"]) if version else None)
        return self._stats

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
