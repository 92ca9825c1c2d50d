"""Run one protocol query on a pyoxigraph Store and serialise it, with the result size caps."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from claimgraph.errors import (
    ClaimgraphError,
    EngineFailure,
    QueryRejected,
    ResultTooLarge,
    StoreUnavailable,
)
from claimgraph.store import QueryDataset


@dataclass(frozen=True)
class QueryOptions:
    """What every query on one store is evaluated with."""

    base_iri: str | None = None
    prefixes: dict[str, str] = field(default_factory=dict)
    union_default_graph: bool = True


def query_kwargs(
    options: QueryOptions, default_graphs: tuple[str, ...] = (), named_graphs: tuple[str, ...] = ()
) -> dict[str, Any]:
    """Keyword arguments of ``Store.query`` for ``options`` and a protocol dataset."""
    kwargs: dict[str, Any] = {"base_iri": options.base_iri, "prefixes": options.prefixes}
    if not options.union_default_graph:
        # The store's default graph holds the union of the named graphs (store/oxigraph.py),
        # which this setting hides: no triple is in the default graph otherwise.
        kwargs["default_graph"] = []
    if default_graphs or named_graphs:
        # The protocol's dataset replaces the default one: only the graphs named, and an empty
        # default graph when only named graphs are given (SPARQL 1.1 Protocol 2.1.4).
        kwargs["default_graph"] = [ox.NamedNode(g) for g in default_graphs]
        kwargs["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
    return kwargs


def run_query(
    store: ox.Store,
    query: str,
    options: QueryOptions,
    *,
    media_type: str,
    dataset: QueryDataset,
    max_rows: int | None,
    max_bytes: int | None,
) -> list[bytes]:
    """The result of ``query`` over ``dataset``, serialised as ``media_type``, in the chunks the engine
    wrote (never joined: a result near ``max_bytes`` is held once, README "Memory per result").

    Raises QueryRejected (syntax error, or a result that cannot take the media type)
    and ResultTooLarge (more than ``max_rows`` solutions or triples, or more than
    ``max_bytes`` bytes: then the serialisation stops there).
    """
    try:
        return _evaluate(store, query, options, media_type, dataset, max_rows, max_bytes)
    except ClaimgraphError:
        raise
    except BaseException as exc:  # PanicException derives from BaseException
        mapped = engine_error(exc)
        if mapped is None:
            raise
        raise mapped from exc


#: Words of the engine's RuntimeError messages that name the store, not the query.
_STORAGE_WORDS = ("corrupt", "storage", "rocksdb", "database")


def engine_error(exc: BaseException) -> ClaimgraphError | None:
    """The service's error for an exception pyoxigraph raised while evaluating or serialising a query,
    or None for one that is not the engine's (KeyboardInterrupt, SystemExit).

    The engine's kinds (tests/test_engine_errors.py enumerates them): SyntaxError for a query it
    cannot parse (400); ValueError and TypeError for an argument it refuses, such as text that is
    not Unicode (400); RuntimeError for a query it parses but will not evaluate, such as an unknown
    function (400), or for a storage fault (503); OSError for the disk (503); MemoryError (503);
    and pyo3's PanicException, an engine bug, contained as EngineFailure (503).

    >>> engine_error(RuntimeError("The custom function <urn:f> is not supported"))
    QueryRejected('the engine cannot evaluate this query: The custom function <urn:f> is not supported')
    >>> engine_error(OSError(5, "Input/output error"))  # doctest: +ELLIPSIS
    StoreUnavailable('the store could not be read: [Errno 5] Input/output error')
    """
    if type(exc).__name__ == "PanicException":
        return EngineFailure(
            f"the query engine failed on this query (an engine bug: {exc}); the failure was contained, "
            "the service goes on, and the same query will fail again"
        )
    if isinstance(exc, SyntaxError):
        return QueryRejected(str(exc))
    if isinstance(exc, UnicodeError):
        return QueryRejected(f"the query is not valid Unicode text: {exc}")
    if isinstance(exc, ValueError | TypeError):
        return QueryRejected(f"the engine refused this query: {exc}")
    if isinstance(exc, MemoryError):
        return StoreUnavailable("the query ran out of memory; add a LIMIT or narrow the patterns")
    if isinstance(exc, OSError):
        return StoreUnavailable(f"the store could not be read: {exc}")
    if isinstance(exc, RuntimeError):
        if any(word in str(exc).lower() for word in _STORAGE_WORDS):
            return StoreUnavailable(f"the store could not be read: {exc}")
        return QueryRejected(f"the engine cannot evaluate this query: {exc}")
    if isinstance(exc, Exception):
        return EngineFailure(f"the query engine failed on this query ({type(exc).__name__}: {exc})")
    return None


def _evaluate(
    store: ox.Store,
    query: str,
    options: QueryOptions,
    media_type: str,
    dataset: QueryDataset,
    max_rows: int | None,
    max_bytes: int | None,
) -> list[bytes]:
    result = store.query(query, **query_kwargs(options, dataset.default_graphs, dataset.named_graphs))
    if isinstance(result, ox.QueryTriples):
        rdf_format = ox.RdfFormat.from_media_type(media_type)
        if rdf_format is None:
            raise QueryRejected(f"a CONSTRUCT or DESCRIBE result cannot be sent as {media_type}")
        # The engine keeps every triple it has sent (to drop duplicates), a few hundred bytes each,
        # so triples are counted as they go: max_result_rows bounds that set, not only the answer.
        return serialize(counted(result, max_rows), rdf_format, max_bytes)
    results_format = ox.QueryResultsFormat.from_media_type(media_type)
    if results_format is None:
        raise QueryRejected(f"a SELECT or ASK result cannot be sent as {media_type}")
    body = serialize(result, results_format, max_bytes)
    if isinstance(result, ox.QuerySolutions):
        check_rows(body, results_format, max_rows)
    return body


def counted(triples: Iterable[ox.Triple], max_rows: int | None) -> Iterable[ox.Triple]:
    """The triples, refused (ResultTooLarge) as soon as there are more than ``max_rows``.

    >>> t = ox.Triple(ox.NamedNode("x:a"), ox.NamedNode("x:b"), ox.Literal("c"))
    >>> len(list(counted([t, t], 2)))
    2
    >>> list(counted([t, t], 1))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    claimgraph.errors.ResultTooLarge: the result has more than 1 solutions or triples (max_result_rows); ...
    """
    if max_rows is None:
        yield from triples
        return
    for number, triple in enumerate(triples, start=1):
        if number > max_rows:
            raise ResultTooLarge(
                f"the result has more than {max_rows} solutions or triples (max_result_rows); add a LIMIT"
            )
        yield triple


def serialize(
    result: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples | Iterable[ox.Triple],
    fmt: ox.RdfFormat | ox.QueryResultsFormat,
    max_bytes: int | None,
) -> list[bytes]:
    """``result`` serialised as ``fmt``, in chunks; ResultTooLarge as soon as it passes ``max_bytes``.

    The engine evaluates while it writes, in chunks of a few kilobytes, so a capped
    writer stops a runaway result before it fills the memory, not after.
    """
    if not isinstance(result, ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples):
        if max_bytes is None:
            return [ox.serialize(result, format=fmt) or b""]  # type: ignore[arg-type]
        sink = CappedSink(max_bytes)
        ox.serialize(result, sink, format=fmt)  # type: ignore[arg-type]
        return sink.chunks
    if max_bytes is None:
        return [result.serialize(format=fmt) or b""]  # type: ignore[arg-type]
    sink = CappedSink(max_bytes)
    result.serialize(sink, format=fmt)  # type: ignore[arg-type]
    return sink.chunks


class CappedSink:
    """A binary writer that refuses to hold more than ``limit`` bytes.

    >>> sink = CappedSink(4)
    >>> sink.write(b"abc"), sink.getvalue()
    (3, b'abc')
    >>> sink.write(b"de")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    claimgraph.errors.ResultTooLarge: the result is larger than 4 bytes (max_result_bytes); ...
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.size = 0
        self.chunks: list[bytes] = []

    def write(self, chunk: bytes) -> int:
        self.size += len(chunk)
        if self.size > self.limit:
            raise ResultTooLarge(
                f"the result is larger than {self.limit} bytes (max_result_bytes); add a LIMIT"
            )
        self.chunks.append(bytes(chunk))
        return len(chunk)

    def flush(self) -> None:
        pass

    def getvalue(self) -> bytes:
        return b"".join(self.chunks)


class ChunksReader(io.RawIOBase):
    """A binary file over a list of chunks, read without joining them.

    >>> ChunksReader([b"ab", b"", b"cde"]).read()
    b'abcde'
    """

    def __init__(self, chunks: Sequence[bytes]) -> None:
        self._chunks = chunks
        self._index = 0
        self._offset = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        while self._index < len(self._chunks):
            chunk = self._chunks[self._index]
            if self._offset < len(chunk):
                size = min(len(buffer), len(chunk) - self._offset)
                buffer[:size] = chunk[self._offset : self._offset + size]
                self._offset += size
                return size
            self._index, self._offset = self._index + 1, 0
        return 0


def check_rows(
    body: bytes | Sequence[bytes], fmt: ox.RdfFormat | ox.QueryResultsFormat, max_rows: int | None
) -> None:
    """Raise ResultTooLarge if ``body`` (bytes, or a list of chunks) holds more than ``max_rows``
    solutions or triples.

    Every format spends at least one byte per solution or triple, so a body of at
    most ``max_rows`` bytes needs no count: only large results are parsed back.

    >>> two = b'<x:a> <x:b> "c" .\\n<x:a> <x:b> "d" .\\n'
    >>> check_rows(two, ox.RdfFormat.N_TRIPLES, 2)
    >>> check_rows(two, ox.RdfFormat.N_TRIPLES, 1)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    claimgraph.errors.ResultTooLarge: the result has more than 1 solutions or triples (max_result_rows); ...
    """
    chunks = [body] if isinstance(body, bytes) else body
    if max_rows is None or sum(len(chunk) for chunk in chunks) <= max_rows:
        return
    if count_rows(chunks, fmt) > max_rows:
        raise ResultTooLarge(
            f"the result has more than {max_rows} solutions or triples (max_result_rows); add a LIMIT"
        )


def count_rows(chunks: Sequence[bytes], fmt: ox.RdfFormat | ox.QueryResultsFormat) -> int:
    """How many solutions or triples a serialised result holds, read as a stream (never a second copy
    of the result: a decoded CSV in a StringIO was four times its size)."""
    reader = io.BufferedReader(ChunksReader(chunks), 1 << 16)
    if isinstance(fmt, ox.RdfFormat):
        return sum(1 for _ in ox.parse(reader, format=fmt))
    if fmt == ox.QueryResultsFormat.CSV:  # pyoxigraph reads every results format but CSV
        text = io.TextIOWrapper(reader, encoding="utf-8", newline="")
        return sum(1 for _ in csv.reader(text)) - 1
    solutions = ox.parse_query_results(reader, format=fmt)
    return sum(1 for _ in solutions) if isinstance(solutions, ox.QuerySolutions) else 1
