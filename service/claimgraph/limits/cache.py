"""A result cache for public queries: bounded in memory, keyed by the data and the normalised request.

The key is the store's revision (it changes whenever the content does: a load here,
or, on a remote store, a load by any front end) with the data version, and the
request as it will run: the admitted query text, the protocol dataset, the media
type and the result caps. Only complete answers are kept (an error, a timeout or
a result over a cap is not an answer to keep); the least recently used go first
once the entries pass ``max_bytes``. Each server process has its own.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

from claimgraph.store import QueryDataset

CacheKey = tuple[object, ...]


@dataclass(frozen=True)
class CacheStats:
    hits: int
    misses: int
    entries: int
    bytes: int
    max_bytes: int


class ResultCache:
    """Serialised results by request, least recently used out first; ``max_bytes`` 0 keeps nothing.

    >>> cache = ResultCache(10)
    >>> key = cache.key(1, "v", "ASK {}", None, "text/csv", None, None)
    >>> cache.get(key), cache.put(key, b"true"), cache.get(key)
    (None, None, b'true')
    >>> cache.put(cache.key(2, "v", "ASK {}", None, "text/csv", None, None), b"12345678")
    >>> cache.get(key), cache.stats()
    (None, CacheStats(hits=1, misses=2, entries=1, bytes=8, max_bytes=10))
    """

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._entries: OrderedDict[CacheKey, bytes] = OrderedDict()
        self._size = 0
        self._hits = 0
        self._misses = 0
        self._lock = threading.Lock()

    @staticmethod
    def key(
        revision: int,
        data_version: str | None,
        query: str,
        dataset: QueryDataset | None,
        media_type: str,
        max_rows: int | None,
        max_bytes: int | None,
    ) -> CacheKey:
        graphs = (dataset.default_graphs, dataset.named_graphs) if dataset else ((), ())
        return (revision, data_version, query.strip(), graphs, media_type.lower(), max_rows, max_bytes)

    def get(self, key: CacheKey) -> bytes | None:
        with self._lock:
            body = self._entries.get(key)
            if body is None:
                self._misses += 1
                return None
            self._entries.move_to_end(key)
            self._hits += 1
            return body

    def put(self, key: CacheKey, body: bytes) -> None:
        if len(body) > self.max_bytes:
            return
        with self._lock:
            previous = self._entries.pop(key, None)
            if previous is not None:
                self._size -= len(previous)
            self._entries[key] = body
            self._size += len(body)
            while self._size > self.max_bytes:
                _, dropped = self._entries.popitem(last=False)
                self._size -= len(dropped)

    def stats(self) -> CacheStats:
        with self._lock:
            return CacheStats(self._hits, self._misses, len(self._entries), self._size, self.max_bytes)
