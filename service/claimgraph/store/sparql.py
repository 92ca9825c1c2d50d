"""A remote store: any SPARQL 1.1 endpoint with a Graph Store (Oxigraph server in the tests).

Queries go out with SPARQLWrapper (POST, form-encoded), each with an HTTP timeout
(the service's query_timeout): a remote timeout is QueryTimeout, an upstream 400
QueryRejected with the upstream text, a refused connection StoreUnavailable.

Loading is validated, then atomic for readers, by *staging graphs*: the N-Quads are
parsed here first (a syntax error sends nothing); each graph G is then posted, in
one N-Quads document, as ``urn:claimgraph:staging:GEN:G`` (the default graph as
``urn:claimgraph:staging-default:GEN``); one SPARQL Update request, which the
engine applies as one transaction, then drops the old graphs, moves the staged
ones to their names and records GEN in ``urn:claimgraph:meta``. A load that fails
before that update leaves the old graphs served, and its staging graphs are
dropped. Readers never see staging graphs: every query without FROM is sent with
an explicit dataset (default-graph-uri, named-graph-uri) naming the live graphs,
and a FROM may only name live graphs (the guard checks it against graph_names).
The engine is run without a union default graph; the union is this dataset.
"""

from __future__ import annotations

import contextlib
import functools
import re
import socket
import time
import urllib.error
import urllib.request
import uuid
import zlib
from base64 import b64encode
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox
from rdflib import Graph
from rdflib.term import Node
from SPARQLWrapper import POST, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

from claimgraph.errors import QueryRejected, QueryTimeout, ReadOnlyStore, ResultTooLarge, StoreUnavailable
from claimgraph.iris import Iris, is_version_graph
from claimgraph.settings import Settings
from claimgraph.store import QueryDataset, SparqlResult, StoreStats
from claimgraph.store.oxigraph_query import check_rows
from claimgraph.store.sparql_text import query_form, with_prologue
from claimgraph.terms import to_rdflib

INTERNAL = "urn:claimgraph:"
STAGING = INTERNAL + "staging:"
STAGING_DEFAULT = INTERNAL + "staging-default:"
META = INTERNAL + "meta"
GENERATION = INTERNAL + "generation"
JSON = "application/sparql-results+json"
NTRIPLES = "application/n-triples"
#: A FROM or FROM NAMED clause (outside IRIs and strings it is a keyword; a false positive only
#: means the query is sent without the explicit dataset, and the guard has checked its FROMs).
FROM_CLAUSE = re.compile(r"\bFROM\s+(NAMED\s+)?<", re.IGNORECASE)
READ_CHUNK = 1 << 16
#: Seconds a front end trusts the live generation it looked up: a load by another front end is
#: seen within this time (its own loads at once).
GENERATION_TTL = 1.0


@dataclass(frozen=True)
class Endpoint:
    """Where the engine is and how to reach it."""

    query_url: str
    update_url: str
    graph_store_url: str
    user: str | None = None
    password: str | None = None
    timeout: float = 10.0


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
        self._checked: float | None = None  # when the live generation was last looked up

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
        wrapper.setTimeout(max(1, round(self.endpoint.timeout)))
        if self.endpoint.user:
            wrapper.setCredentials(self.endpoint.user, self.endpoint.password or "")
        return wrapper

    def _request(self, query: str, media_type: str, dataset: QueryDataset | None) -> Any:
        """The open HTTP response of ``query``, sent with the dataset readers may see."""
        wrapper = self._wrapper(self.endpoint.query_url)
        query = with_prologue(query, self.base_iri, self.prefixes)
        wrapper.setQuery(query)
        wrapper.addCustomHttpHeader("Accept", media_type)
        if dataset and (dataset.default_graphs or dataset.named_graphs):
            default, named = dataset.default_graphs, dataset.named_graphs
        elif FROM_CLAUSE.search(query):
            default, named = (), ()
        else:
            graphs = sorted(self.graph_names())
            current = tuple(g for g in graphs if not is_version_graph(g))  # old versions: GRAPH only
            default, named = (current if self.union_default_graph else ()), tuple(graphs)
            if not graphs:  # an empty dataset: a graph that cannot exist keeps the protocol's meaning
                default, named = (META + "/none",), (META + "/none",)
        for graph in default:
            wrapper.addParameter("default-graph-uri", graph)
        for graph in named:
            wrapper.addParameter("named-graph-uri", graph)
        return self._send(lambda: wrapper.query().response)

    def _send(self, call: Callable[[], Any]) -> Any:
        try:
            return call()
        except SPARQLWrapperException as exc:
            text = str(exc)
            if "400" in text or "QueryBadFormed" in type(exc).__name__:
                raise QueryRejected(_upstream_text(text)) from exc
            raise StoreUnavailable(f"the SPARQL endpoint failed: {_upstream_text(text)}") from exc
        except urllib.error.HTTPError as exc:
            body = exc.read().decode("utf-8", "replace")
            if exc.code in (400, 406, 415):
                raise QueryRejected(body.strip() or exc.reason) from exc
            raise StoreUnavailable(f"the SPARQL endpoint answered {exc.code}: {body.strip()}") from exc
        except TimeoutError as exc:
            raise QueryTimeout(
                f"the SPARQL endpoint did not answer within {self.endpoint.timeout} s"
            ) from exc
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, (TimeoutError, socket.timeout)):
                raise QueryTimeout(
                    f"the SPARQL endpoint did not answer within {self.endpoint.timeout} s"
                ) from exc
            raise StoreUnavailable(f"the SPARQL endpoint cannot be reached: {exc.reason}") from exc
        except OSError as exc:
            raise StoreUnavailable(f"the SPARQL endpoint cannot be reached: {exc}") from exc

    def _read(self, response: Any, max_bytes: int | None) -> bytes:
        chunks, size = [], 0
        while True:
            try:
                chunk = response.read(READ_CHUNK)
            except TimeoutError as exc:
                raise QueryTimeout(
                    f"the SPARQL endpoint did not answer within {self.endpoint.timeout} s"
                ) from exc
            if not chunk:
                break
            size += len(chunk)
            if max_bytes is not None and size > max_bytes:
                response.close()
                raise ResultTooLarge(
                    f"the result is larger than {max_bytes} bytes (max_result_bytes); add a LIMIT"
                )
            chunks.append(chunk)
        return b"".join(chunks)

    def _update(self, update: str) -> None:
        wrapper = self._wrapper(self.endpoint.update_url)
        wrapper.setQuery(update)  # SPARQLWrapper tells an update by its first keyword
        self._send(lambda: wrapper.query().response.read())

    def _http(self, method: str, url: str, body: bytes, content_type: str) -> None:
        request = urllib.request.Request(url, data=body, method=method)
        request.add_header("Content-Type", content_type)
        if self.endpoint.user:
            token = b64encode(f"{self.endpoint.user}:{self.endpoint.password or ''}".encode()).decode()
            request.add_header("Authorization", f"Basic {token}")
        # A load may take longer than a query: it gets ten times the query limit.
        self._send(lambda: urllib.request.urlopen(request, timeout=self.endpoint.timeout * 10).read())

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
        form = query_form(query)
        rdf_format = ox.RdfFormat.from_media_type(media_type)
        results_format = ox.QueryResultsFormat.from_media_type(media_type)
        if form in ("CONSTRUCT", "DESCRIBE") and rdf_format is None:
            raise QueryRejected(f"a CONSTRUCT or DESCRIBE result cannot be sent as {media_type}")
        if form in ("SELECT", "ASK") and results_format is None:
            raise QueryRejected(f"a SELECT or ASK result cannot be sent as {media_type}")
        body = self._read(self._request(query, media_type, dataset), max_bytes)
        fmt = rdf_format if form in ("CONSTRUCT", "DESCRIBE") else results_format
        if form != "ASK" and fmt is not None:
            check_rows(body, fmt, max_rows)
        return SparqlResult(media_type, [body])

    def _results(self, query: str) -> ox.QuerySolutions | ox.QueryBoolean:
        body = self._read(self._request(query, JSON, None), None)
        return ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)

    def select(self, query: str) -> list[dict[str, Node]]:
        if query_form(query) != "SELECT":
            raise QueryRejected("expected a SELECT query")
        result = self._results(query)
        assert isinstance(result, ox.QuerySolutions)
        names = [v.value for v in result.variables]
        return [
            {name: to_rdflib(solution[name]) for name in names if solution[name] is not None}
            for solution in result
        ]

    def ask(self, query: str) -> bool:
        if query_form(query) != "ASK":
            raise QueryRejected("expected an ASK query")
        return bool(self._results(query))

    def construct(self, query: str) -> Graph:
        if query_form(query) not in ("CONSTRUCT", "DESCRIBE"):
            raise QueryRejected("expected a CONSTRUCT or DESCRIBE query")
        body = self._read(self._request(query, NTRIPLES, None), None)
        graph = Graph()
        for triple in ox.parse(body, format=ox.RdfFormat.N_TRIPLES):
            graph.add((to_rdflib(triple.subject), to_rdflib(triple.predicate), to_rdflib(triple.object)))
        return graph

    # -- the live generation -----------------------------------------------------------------------
    def _current_generation(self) -> str | None:
        query = f"SELECT ?gen WHERE {{ GRAPH <{META}> {{ <{META}> <{GENERATION}> ?gen }} }}"
        wrapper = self._wrapper(self.endpoint.query_url)
        wrapper.setQuery(query)
        wrapper.addCustomHttpHeader("Accept", JSON)
        body = self._send(lambda: wrapper.query().response.read())
        rows = list(ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON))  # type: ignore[arg-type]
        return rows[0]["gen"].value if rows else None

    def _refresh(self) -> None:
        """Follow the generation live on the engine (another front end may have loaded one), looked
        up at most once every GENERATION_TTL seconds."""
        now = time.monotonic()
        if self._checked is not None and now - self._checked < GENERATION_TTL:
            return
        generation = self._current_generation()
        self._checked = now
        if generation == self._generation and self._known:
            return
        wrapper = self._wrapper(self.endpoint.query_url)
        wrapper.setQuery("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        wrapper.addCustomHttpHeader("Accept", JSON)
        body = self._send(lambda: wrapper.query().response.read())
        names = {row["g"].value for row in ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)}  # type: ignore[union-attr]
        self._graphs = frozenset(name for name in names if not name.startswith(INTERNAL))
        self._generation = generation
        self._known = True
        self._stats = None

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
        generation = uuid.uuid4().hex
        prefix, default = f"{STAGING}{generation}:", f"{STAGING_DEFAULT}{generation}"
        staged = [
            ox.Quad(
                q.subject,
                q.predicate,
                q.object,
                ox.NamedNode(prefix + q.graph_name.value)
                if isinstance(q.graph_name, ox.NamedNode)
                else ox.NamedNode(default),
            )
            for q in quads
        ]
        try:
            if staged:
                body = ox.serialize(staged, format=ox.RdfFormat.N_QUADS) or b""
                self._http("POST", self.endpoint.graph_store_url, body, "application/n-quads")
            self._update(";\n".join(switch_updates(prefix, default, generation)))
        except BaseException:
            with contextlib.suppress(Exception):  # the engine may be gone; staged graphs stay unseen
                self._update(drop_staged(prefix, default))
            raise
        self._stats = None
        self._checked = None

    def export(self, media_type: str) -> Iterator[bytes]:
        fmt = ox.RdfFormat.from_media_type(media_type)
        if fmt is None:
            raise ValueError(f"no RDF format for {media_type}")
        graphs = sorted(self.graph_names())
        query = "SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
        body = self._read(
            self._request(query, JSON, QueryDataset(named_graphs=tuple(graphs) or (META,))), None
        )
        solutions = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
        quads = [ox.Quad(s["s"], s["p"], s["o"], s["g"]) for s in solutions]  # type: ignore[union-attr]
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


def drop_staged(prefix: str, default: str) -> str:
    """The update that removes the graphs one load staged."""
    return (
        "DELETE { GRAPH ?g { ?s ?p ?o } } WHERE { GRAPH ?g { ?s ?p ?o }"
        f' FILTER(STRSTARTS(STR(?g), "{prefix}") || ?g = <{default}>) }}'
    )


def switch_updates(prefix: str, default: str, generation: str) -> list[str]:
    """The operations of the one update that makes a staged load live (one transaction in the engine)."""
    live = f'!STRSTARTS(STR(?g), "{STAGING}") && !STRSTARTS(STR(?g), "{STAGING_DEFAULT}")'
    return [
        "DELETE WHERE { ?s ?p ?o }",
        f"DELETE {{ GRAPH ?g {{ ?s ?p ?o }} }} WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER({live}) }}",
        f"INSERT {{ GRAPH ?real {{ ?s ?p ?o }} }} WHERE {{ GRAPH ?g {{ ?s ?p ?o }}"
        f' FILTER(STRSTARTS(STR(?g), "{prefix}")) BIND(IRI(SUBSTR(STR(?g), {len(prefix) + 1})) AS ?real) }}',
        f"INSERT {{ ?s ?p ?o }} WHERE {{ GRAPH <{default}> {{ ?s ?p ?o }} }}",
        drop_staged(prefix, default),
        f'INSERT DATA {{ GRAPH <{META}> {{ <{META}> <{GENERATION}> "{generation}" }} }}',
    ]


def _upstream_text(text: str) -> str:
    """The engine's own message out of a SPARQLWrapper exception's text."""
    marker = "Response:\n"
    return text.split(marker, 1)[1].strip() if marker in text else text
