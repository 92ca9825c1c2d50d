"""The storage seam: one small query-level interface, the same return types from every backend.

Policy (the query guard, size limits) runs before a store sees a query; each
backend translates its own errors into claimgraph.errors.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Protocol

from rdflib import Graph
from rdflib.term import Node


@dataclass(frozen=True)
class SparqlResult:
    """A serialised query result: its media type and the bytes, in chunks."""

    media_type: str
    chunks: Iterable[bytes]


@dataclass(frozen=True)
class StoreStats:
    quads: int
    named_graphs: int
    data_version: str | None


@dataclass(frozen=True)
class QueryDataset:
    """The RDF dataset of one protocol request (default-graph-uri / named-graph-uri)."""

    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()


class Store(Protocol):
    def sparql(
        self,
        query: str,
        *,
        media_type: str,
        dataset: QueryDataset | None = None,
        timeout: float | None = None,
        max_rows: int | None = None,
        max_bytes: int | None = None,
    ) -> SparqlResult:
        """Run a (guarded) query and serialise the result natively into ``media_type``.

        With a ``timeout`` the store stops the query at the deadline
        (QueryTimeout); without one it runs in process, for trusted queries or
        for a caller that keeps the time limit itself (service/claimgraph/limits/time_limit.py).
        With ``max_rows`` a result may not hold more solutions or triples than
        that, with ``max_bytes`` not take more bytes (ResultTooLarge).
        """
        ...

    def select(self, query: str) -> list[dict[str, Node]]:
        """Run a trusted SELECT; rows map variable names to rdflib terms.

        A simple literal comes back as a plain ``Literal("x")``, never ``"x"^^xsd:string``
        (one RDF 1.1 term, which rdflib tells apart).
        """
        ...

    def ask(self, query: str) -> bool:
        """Run a trusted ASK."""
        ...

    def construct(self, query: str) -> Graph:
        """Run a trusted CONSTRUCT or DESCRIBE into an rdflib Graph."""
        ...

    def replace_all(self, nquads: bytes) -> None:
        """Atomically replace the whole content with the N-Quads given."""
        ...

    def export(self, media_type: str) -> Iterator[bytes]:
        """The whole dataset serialised as ``media_type`` (a dataset format)."""
        ...

    def graph_names(self) -> frozenset[str]:
        """The IRIs of the named graphs (what FROM and named-graph-uri may name)."""
        ...

    def stats(self) -> StoreStats: ...

    def close(self) -> None: ...
