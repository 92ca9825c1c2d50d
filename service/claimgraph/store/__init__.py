"""The storage seam: one small query-level interface, the same return types from every backend.

Policy (the query guard, the time limit: service/claimgraph/limits/) runs before and around
a store; each backend translates its own errors into claimgraph.errors. tests/test_store_contract.py
holds every backend to this interface.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator
from contextvars import ContextVar
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
    """What every backend offers; it runs what it is given, where it is called, with no time limit.

    How a public query is bounded in time is not the store's business: a
    QueryRunner (service/claimgraph/limits/runner.py) wraps the store for that, and needs
    from it only ``child_opener`` and ``revision``.
    """

    def sparql(
        self,
        query: str,
        *,
        media_type: str,
        dataset: QueryDataset | None = None,
        max_rows: int | None = None,
        max_bytes: int | None = None,
    ) -> SparqlResult:
        """Run a (guarded) query here and serialise the result natively into ``media_type``.

        With ``max_rows`` a result may not hold more solutions or triples than
        that, with ``max_bytes`` not take more bytes (ResultTooLarge). Raises
        QueryRejected for a syntax error, or a result form the media type cannot carry.
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
        """Atomically replace the whole content with the N-Quads given; on any error the old content
        stays. Raises ReadOnlyStore when the store is read-only."""
        ...

    def export(self, media_type: str) -> Iterator[bytes]:
        """The whole dataset serialised as ``media_type`` (a dataset format)."""
        ...

    def graph_names(self) -> frozenset[str]:
        """The IRIs of the named graphs (what FROM and named-graph-uri may name)."""
        ...

    def stats(self) -> StoreStats: ...

    def revision(self) -> int:
        """A number that changes whenever ``replace_all`` changes the content.

        A process that holds a copy of the content (a query process forked
        earlier) holds old data once it changed, and must be replaced.
        """
        ...

    def child_opener(self) -> Callable[[], Store]:
        """A function that, called in a process forked from this one, opens this content there.

        Called before the fork; what it returns is called in the child, which
        then queries the store it got (and never loads into it).
        """
        ...

    def close(self) -> None: ...


_OWN_READS: ContextVar[bool] = ContextVar("claimgraph_own_reads", default=False)


@contextlib.contextmanager
def own_reads() -> Iterator[None]:
    """Within the block, a store's reads are the service's own, made for no one request: the read
    model's build (at start and after a load). A remote store gives them ``sparql_read_timeout``
    instead of ``query_timeout``; anything a request asks for (a Graph Store GET, a page's
    description, citation mode) stays on the public limit."""
    token = _OWN_READS.set(True)
    try:
        yield
    finally:
        _OWN_READS.reset(token)


def reading_own() -> bool:
    """Whether the current context is inside ``own_reads()``."""
    return _OWN_READS.get()
