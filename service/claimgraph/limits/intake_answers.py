"""Answers the intake worker gives from its cache: a repeated GET /sparql, answered from the raw request.

A cached query answer that goes through the app still costs the whole request
(gunicorn's parser, Flask's routing and hooks, the guard's lookup, negotiation,
fair use, the headers): most of what the bare Flask + pyoxigraph app spends on a
point lookup. The intake worker (service/claimgraph/limits/intake.py) holds each
request whole, as bytes, before any of that; for a GET of /sparql it looks here first.

What is kept: the bytes the server sent for a request, exactly (status line, every
header, body), once the app has said the answer may be kept (``allow``): a query
answer (web/sparql.py) or a 304 of /sparql (web/http_cache.py). Only a 200 whose
Content-Length matches its body, or a 304, and never more than the cache's
``max_bytes`` (least recently used out first).
Each ``Date`` header is written anew as the answer goes out.

The key is everything the answer can depend on: the store's revision and data
version (read before the request runs; a load here or in another process changes
them, so an answer of older data is never looked up again), the request line
(method, target with its query string, HTTP version) and the value of every header
that can change the answer: Host, Accept, Accept-Encoding, Accept-Language, Origin,
If-None-Match, If-Modified-Since, Cache-Control, Pragma. User-Agent, Connection,
Referer, X-Forwarded-For and the headers browsers add to every fetch (``UNKEYED``) are
read but not keyed (they never change an answer; X-Forwarded-For names the client for
fair use). A request with any other header (a
body's Content-Length or Transfer-Encoding, Range, Authorization, If-Match, a proxy's
X-Forwarded-Host, ...), a header given twice, a folded line, bytes after the headers,
or another method or path never takes this way: the app answers it.
"""

from __future__ import annotations

import email.utils
import re
import threading
import time
from dataclasses import dataclass
from typing import Any

from claimgraph.limits.cache import CacheKey, CacheStats, LruCache
from claimgraph.store import Store

#: Where an app that offers intake answers puts its IntakeAnswers (Flask's ``app.extensions``).
INTAKE_ANSWERS_KEY = "claimgraph.intake_answers"
#: The request lines looked up: GET of /sparql with a query string.
_TARGET = b"GET /sparql?"
_VERSIONS = (b" HTTP/1.1", b" HTTP/1.0")
#: Headers that may change an answer: their values are part of the key.
KEYED = frozenset(
    {
        b"host",
        b"accept",
        b"accept-encoding",
        b"accept-language",
        b"origin",
        b"if-none-match",
        b"if-modified-since",
        b"cache-control",
        b"pragma",
    }
)
#: Headers that never change an answer (neither gunicorn nor the app reads them, but X-Forwarded-For for
#: fair use): allowed, not keyed. The Sec-* and the rest are what browsers send with every fetch().
UNKEYED = frozenset(
    {
        b"user-agent",
        b"connection",
        b"referer",
        b"x-forwarded-for",
        b"dnt",
        b"priority",
        b"sec-fetch-site",
        b"sec-fetch-mode",
        b"sec-fetch-dest",
        b"sec-fetch-user",
        b"sec-ch-ua",
        b"sec-ch-ua-mobile",
        b"sec-ch-ua-platform",
    }
)
#: Requests with a longer head are left to the app.
MAX_HEAD = 16384
_DATE = re.compile(rb"(?<=\r\nDate: )[^\r\n]*", re.IGNORECASE)


@dataclass(frozen=True)
class RawRequest:
    """A request the cache may answer: its key (without the data version), its client's
    X-Forwarded-For (for fair use) and its size (what its key costs to keep, at most)."""

    key: CacheKey
    forwarded_for: str | None
    size: int


def raw_request(data: bytes) -> RawRequest | None:
    r"""The key of a whole request (``data``, as read), or None if it must go to the app.

    >>> raw_request(b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\nUser-Agent: u\r\n\r\n").key
    (b'GET /sparql?query=ASK%7B%7D HTTP/1.1', ((b'host', b'x'),))
    >>> raw_request(b"GET /sparql?query=x HTTP/1.1\r\nContent-Length: 0\r\n\r\n") is None
    True
    >>> raw_request(b"POST /sparql?query=x HTTP/1.1\r\nHost: x\r\n\r\n") is None
    True
    >>> raw_request(b"GET /sparql?query=x HTTP/1.1\r\nAccept: a\r\naccept: b\r\n\r\n") is None
    True
    """
    if not data.startswith(_TARGET):
        return None
    end = data.find(b"\r\n\r\n")
    if end < 0 or end > MAX_HEAD or len(data) != end + 4:  # a body, or another request after this one
        return None
    lines = data[:end].split(b"\r\n")
    line = lines[0]
    if not line.endswith(_VERSIONS) or line.count(b" ") != 2:
        return None
    keyed: list[tuple[bytes, bytes]] = []
    seen: set[bytes] = set()
    forwarded: bytes | None = None
    for header in lines[1:]:
        name, colon, value = header.partition(b":")
        name = name.lower()
        if not colon or name in seen or b"\n" in header:
            return None
        seen.add(name)
        if name in KEYED:
            keyed.append((name, value.strip(b" \t")))
        elif name == b"x-forwarded-for":
            forwarded = value.strip(b" \t")
        elif name not in UNKEYED:
            return None
    return RawRequest(
        (line, tuple(keyed)), None if forwarded is None else forwarded.decode("latin-1"), len(data)
    )


@dataclass(frozen=True)
class Kept:
    """A kept answer: its head cut where the Date values go, and its body."""

    pieces: tuple[bytes, ...]
    body: bytes

    def message(self, date: bytes) -> bytes:
        return date.join(self.pieces) + self.body


def keepable(sent: bytes) -> Kept | None:
    r"""The answer ``sent`` as kept, or None if it is not one to keep (not a 200 or 304, chunked,
    or a 200 whose Content-Length is not its body's).

    >>> keepable(b"HTTP/1.1 200 OK\r\nDate: D\r\nContent-Length: 2\r\n\r\nok").message(b"E")
    b'HTTP/1.1 200 OK\r\nDate: E\r\nContent-Length: 2\r\n\r\nok'
    >>> keepable(b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok") is None
    True
    """
    end = sent.find(b"\r\n\r\n")
    if end < 0:
        return None
    head, body = sent[: end + 4], sent[end + 4 :]
    status = head[9:13]
    lowered = head.lower()
    if b"\r\ntransfer-encoding:" in lowered:
        return None
    if status == b"200 ":
        length = re.search(rb"\r\ncontent-length:[ \t]*(\d+)[ \t]*\r\n", lowered)
        if length is None or int(length.group(1)) != len(body):
            return None
    elif status != b"304 " or body:
        return None
    return Kept(tuple(_DATE.split(head)), body)


class IntakeAnswers:
    """Answers kept by request and data version, within ``max_bytes``; ``allow`` is how the app,
    answering a request in this thread, says its answer may be kept."""

    def __init__(self, store: Store, max_bytes: int) -> None:
        self.store = store
        self.cache = LruCache[Kept](max_bytes)
        self._local = threading.local()
        self._date = (0, b"")

    @staticmethod
    def of(app: Any, *, access_log: bool) -> IntakeAnswers | None:
        """The answers ``app`` lets an intake worker give from its cache; none with an access log
        (gunicorn writes it for the requests the app answers) or a cache of 0 bytes."""
        answers = getattr(app, "extensions", {}).get(INTAKE_ANSWERS_KEY)
        if access_log or not isinstance(answers, IntakeAnswers) or answers.cache.max_bytes <= 0:
            return None
        return answers

    def version(self) -> tuple[int, str | None] | None:
        """What the store holds now (None when it cannot say: the app answers then)."""
        try:
            return self.store.revision(), self.store.stats().data_version
        except Exception:
            return None

    def lookup(self, data: bytes) -> RawRequest | None:
        """The request ``data`` keyed with the data version now, or None if the app must answer it."""
        request = raw_request(data)
        if request is None:
            return None
        version = self.version()
        if version is None:
            return None
        return RawRequest((version, request.key), request.forwarded_for, request.size)

    def find(self, key: CacheKey) -> bytes | None:
        """The kept answer to ``key`` with the Date of now, or None (counted as a hit or a miss)."""
        kept = self.cache.get(key)
        return None if kept is None else kept.message(self.date())

    def begin(self) -> int:
        """A request starts in this thread: nothing is allowed to be kept yet. Returns how many bytes
        of its answer to record, at most."""
        self._local.allowed = False
        return self.cache.max_entry_bytes

    def allow(self) -> None:
        """The answer of the request running in this thread may be kept (called by the app)."""
        self._local.allowed = True

    def keep(self, request: RawRequest, sent: bytes) -> bool:
        """Keep ``sent`` as the answer to ``request`` if the app allowed it and it is one to keep; it
        counts with its key's size (a long query string and headers cost memory too)."""
        if not getattr(self._local, "allowed", False):
            return False
        self._local.allowed = False
        kept = keepable(sent)
        if kept is None:
            return False
        self.cache.put(request.key, kept, len(sent) + request.size)
        return True

    def stats(self) -> CacheStats:
        return self.cache.stats()

    def date(self) -> bytes:
        """Now as an HTTP date (what gunicorn writes), made once a second."""
        now = int(time.time())
        if self._date[0] != now:
            self._date = (now, email.utils.formatdate(now, localtime=False, usegmt=True).encode("latin-1"))
        return self._date[1]
