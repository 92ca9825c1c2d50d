"""The embedded default: Oxigraph through pyoxigraph, in memory or on disk."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from service.errors import QueryRejected
from service.store import QueryDataset, SparqlResult, StoreStats

if TYPE_CHECKING:
    from service.settings import Settings

#: The data version is the dataset description's dcterms:hasVersion (a hash of the source files).
VERSION_QUERY = """
SELECT ?version WHERE {
  GRAPH ?g { ?dataset a <http://rdfs.org/ns/void#Dataset> ;
                      <http://purl.org/dc/terms/hasVersion> ?version }
} LIMIT 1
"""


def to_rdflib(term: object) -> Node:
    """Convert a pyoxigraph term into the rdflib term with the same value."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    raise TypeError(f"cannot convert {term!r}")


class OxigraphStore:
    """A pyoxigraph Store; ``replace_all`` swaps in a fully built store, so readers never see half."""

    def __init__(
        self,
        path: str | None = None,
        *,
        base_iri: str | None = None,
        prefixes: dict[str, str] | None = None,
        union_default_graph: bool = True,
    ) -> None:
        self.path = Path(path) if path else None
        if self.path is not None:
            self.path.mkdir(parents=True, exist_ok=True)
        self._store = ox.Store(str(self.path)) if self.path else ox.Store()
        self.base_iri = base_iri
        self.prefixes = prefixes or {}
        self.union_default_graph = union_default_graph
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings) -> OxigraphStore:
        return cls(
            settings.store_path,
            base_iri=settings.base,
            prefixes=settings_prefixes(settings),
            union_default_graph=settings.union_default_graph,
        )

    # -- queries ---------------------------------------------------------------------------------
    def _query(self, query: str, dataset: QueryDataset | None = None) -> object:
        kwargs: dict[str, object] = {
            "base_iri": self.base_iri,
            "prefixes": self.prefixes,
            "use_default_graph_as_union": self.union_default_graph,
        }
        if dataset and dataset.default_graphs:
            kwargs["default_graph"] = [ox.NamedNode(g) for g in dataset.default_graphs]
            kwargs["use_default_graph_as_union"] = False
        if dataset and dataset.named_graphs:
            kwargs["named_graphs"] = [ox.NamedNode(g) for g in dataset.named_graphs]
        try:
            return self._store.query(query, **kwargs)
        except SyntaxError as exc:
            raise QueryRejected(str(exc)) from exc

    def sparql(
        self,
        query: str,
        *,
        media_type: str,
        dataset: QueryDataset | None = None,
        timeout: float | None = None,
        max_rows: int | None = None,
    ) -> SparqlResult:
        result = self._query(query, dataset)
        if isinstance(result, ox.QueryTriples):
            fmt = ox.RdfFormat.from_media_type(media_type)
            body = result.serialize(format=fmt)
        else:
            fmt = ox.QueryResultsFormat.from_media_type(media_type)
            body = result.serialize(format=fmt)  # type: ignore[attr-defined]
        return SparqlResult(media_type, [body or b""])

    def select(self, query: str) -> list[dict[str, Node]]:
        result = self._query(query)
        if not isinstance(result, ox.QuerySolutions):
            raise QueryRejected("expected a SELECT query")
        names = [v.value for v in result.variables]
        rows = []
        for solution in result:
            row = {}
            for name in names:
                term = solution[name]
                if term is not None:
                    row[name] = to_rdflib(term)
            rows.append(row)
        return rows

    def ask(self, query: str) -> bool:
        return bool(self._query(query))

    def construct(self, query: str) -> Graph:
        result = self._query(query)
        if not isinstance(result, ox.QueryTriples):
            raise QueryRejected("expected a CONSTRUCT or DESCRIBE query")
        graph = Graph()
        for triple in result:
            graph.add((to_rdflib(triple.subject), to_rdflib(triple.predicate), to_rdflib(triple.object)))
        return graph

    # -- content ---------------------------------------------------------------------------------
    def replace_all(self, nquads: bytes) -> None:
        with self._lock:
            if self.path is None:
                fresh = ox.Store()
                fresh.bulk_load(nquads, format=ox.RdfFormat.N_QUADS)
                self._store = fresh
                return
            # On disk one store owns the directory: clear and bulk-load in one go.
            self._store.clear()
            self._store.bulk_load(nquads, format=ox.RdfFormat.N_QUADS)
            self._store.flush()

    def export(self, media_type: str) -> Iterator[bytes]:
        fmt = ox.RdfFormat.from_media_type(media_type)
        if fmt is None:
            raise ValueError(f"no RDF format for {media_type}")
        quads = iter(self._store)
        if fmt.supports_datasets:
            yield ox.serialize(quads, format=fmt) or b""
        else:
            triples = (ox.Triple(q.subject, q.predicate, q.object) for q in quads)
            yield ox.serialize(triples, format=fmt) or b""

    def data_version(self) -> str | None:
        rows = self.select(VERSION_QUERY)
        return str(rows[0]["version"]) if rows else None

    def stats(self) -> StoreStats:
        graphs = sum(1 for _ in self._store.named_graphs())
        return StoreStats(quads=len(self._store), named_graphs=graphs, data_version=self.data_version())

    def close(self) -> None:
        if self.path is not None:
            self._store.flush()


def settings_prefixes(settings: Settings) -> dict[str, str]:
    from service.namespaces import Iris

    return Iris(settings.base).prefixes()
