"""Bounded in-memory caches, least recently used out first: the result cache for public queries
(keyed by the data and the normalised request) and the generic LRU it and the page cache share.

The key is the store's revision (it changes whenever the content does: a load here,
or, on a remote store, a load by any front end) with the data version, and the
request as it will run: the admitted query text, the protocol dataset, the media
type and the result caps. Only complete answers are kept (an error, a timeout or
a result over a cap is not an answer to keep); the least recently used go first
once the entries pass ``max_bytes``, each entry counted with its key (a query text
of tens of kilobytes with an empty answer is not a free entry). Each server process
has its own.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Generic, TypeVar

from claimgraph.store import QueryDataset

CacheKey = tuple[object, ...]
V = TypeVar("V")
#: What an entry costs beyond its key's and value's bytes: CPython's dict node, the key tuple and
#: the (value, size) pair, about 250 bytes.
ENTRY_OVERHEAD = 256


def key_bytes(key: object) -> int:
    """The bytes a key holds: its strings and byte strings, in tuples as deep as they go, plus the
    entry's own objects (ENTRY_OVERHEAD).

    >>> key_bytes(("abc", (b"de", 7), None)) - ENTRY_OVERHEAD
    5
    """
    return ENTRY_OVERHEAD + _held(key)


def _held(part: object) -> int:
    if isinstance(part, str | bytes):
        return len(part)
    if isinstance(part, tuple):
        return sum(_held(item) for item in part)
    return 0


@dataclass(frozen=True)
class CacheStats:
    hits: int
    misses: int
    entries: int
    bytes: int
    max_bytes: int


class LruCache(Generic[V]):
    """Values by key, each with the size it stands for; once the sizes pass ``max_bytes`` the least
    recently used go first. A value larger than ``max_entry_bytes`` is not kept (one answer should
    not empty the cache); ``max_bytes`` 0 keeps nothing. Safe across threads.

    >>> cache = LruCache[str](10)
    >>> cache.put(("a",), "x", 6), cache.get(("a",)), cache.get(("b",))
    (None, 'x', None)
    >>> cache.put(("b",), "y", 6)
    >>> cache.get(("a",)), cache.stats()
    (None, CacheStats(hits=1, misses=2, entries=1, bytes=6, max_bytes=10))
    """

    def __init__(self, max_bytes: int, max_entry_bytes: int | None = None) -> None:
        self.max_bytes = max_bytes
        self.max_entry_bytes = max_bytes if max_entry_bytes is None else min(max_entry_bytes, max_bytes)
        self._entries: OrderedDict[CacheKey, tuple[V, int]] = OrderedDict()
        self._size = 0
        self._hits = 0
        self._misses = 0
        self._lock = threading.Lock()

    def get(self, key: CacheKey) -> V | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                self._misses += 1
                return None
            self._entries.move_to_end(key)
            self._hits += 1
            return entry[0]

    def put(self, key: CacheKey, value: V, size: int) -> None:
        if size > self.max_entry_bytes:
            return
        with self._lock:
            previous = self._entries.pop(key, None)
            if previous is not None:
                self._size -= previous[1]
            self._entries[key] = (value, size)
            self._size += size
            while self._size > self.max_bytes:
                _, (_, dropped) = self._entries.popitem(last=False)
                self._size -= dropped

    def stats(self) -> CacheStats:
        with self._lock:
            return CacheStats(self._hits, self._misses, len(self._entries), self._size, self.max_bytes)


class ResultCache(LruCache[bytes]):
    """Serialised results of public queries by request (the module's docstring says what the key holds).

    >>> cache = ResultCache(500)
    >>> key = cache.key(1, "v", "ASK {}", None, "text/csv", None, None)
    >>> cache.get(key), cache.put(key, b"true"), cache.get(key)
    (None, None, b'true')
    >>> cache.put(cache.key(2, "v", "ASK {}", None, "text/csv", None, None), b"12345678")
    >>> cache.get(key), cache.stats()
    (None, CacheStats(hits=1, misses=2, entries=1, bytes=279, max_bytes=500))
    """

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

    def put(self, key: CacheKey, value: bytes, size: int | None = None) -> None:
        super().put(key, value, (len(value) if size is None else size) + key_bytes(key))
