"""Rendered answers of the read routes, kept per process while the data stays the same.

A claim page, a source page, a JSON listing or an entity's Turtle is a pure function
of the data, the software release and the request as http_cache.py's validators see
it (URL, Accept); the server renders the same bytes every time it is asked. So the
view's response (status, headers, body) is kept under that key plus the store's
revision, with what the view noted in ``flask.g`` for the hooks after it (e.g. that the answer
was negotiated, so Vary: Accept), and the next request for it skips the view. Everything after
the view (CORS, security headers, validators, Vary) still runs on every request.

Kept: 200 answers of GET and HEAD on the routes that render the read model (not /sparql
or /search, whose answers cost a public query and count against fair use, nor /health),
without Authorization or Cookie headers, not streamed, each at most an eighth of
``page_cache_bytes``. A load of new data changes the key, so nothing stale is served.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Response, g, request

from claimgraph.limits.cache import CacheKey, CacheStats, LruCache, key_bytes
from claimgraph.web import get_store
from claimgraph.web.http_cache import NOT_CACHED

#: Blueprints whose answers are rendered from the read model alone.
RENDERED = frozenset({"api", "dataset", "landing", "linked_data", "pages"})
#: Request headers that make an answer personal: never kept.
PERSONAL = ("Authorization", "Cookie")


@dataclass(frozen=True)
class RenderedAnswer:
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes
    noted: tuple[tuple[str, Any], ...]  # what the view set in flask.g

    def response(self) -> Response:
        for name, value in self.noted:
            setattr(g, name, value)
        return Response(self.body, status=self.status, headers=list(self.headers))


class PageCache:
    """The rendered answers of one app; ``max_bytes`` 0 keeps nothing."""

    def __init__(self, max_bytes: int) -> None:
        self._answers = LruCache[RenderedAnswer](max_bytes, max_entry_bytes=max_bytes // 8)

    def key(self) -> CacheKey | None:
        """This request's key, or None when its answer must be made anew."""
        if (
            self._answers.max_bytes <= 0
            or request.method not in ("GET", "HEAD")
            or request.blueprint not in RENDERED
            or request.path in NOT_CACHED
            or any(name in request.headers for name in PERSONAL)
        ):
            return None
        # The store's own counters, not the read model: a key must not build (or fail to build) the
        # model before the view has chosen its answer's shape.
        store = get_store()
        return (store.revision(), store.stats().data_version, request.url, request.headers.get("Accept", ""))

    def get(self, key: CacheKey) -> Response | None:
        answer = self._answers.get(key)
        return None if answer is None else answer.response()

    def keep(self, key: CacheKey, response: Response, before: dict[str, Any]) -> None:
        """Keep ``response``, the view's answer; ``before`` is ``vars(g)`` as the view found it."""
        if response.status_code != 200 or response.is_streamed or response.direct_passthrough:
            return
        body = response.get_data()
        noted = tuple((name, value) for name, value in vars(g).items() if before.get(name) is not value)
        answer = RenderedAnswer(response.status_code, tuple(response.headers.items()), body, noted)
        headers = sum(len(k) + len(v) for k, v in answer.headers)
        self._answers.put(key, answer, len(body) + headers + key_bytes(key))

    def stats(self) -> CacheStats:
        return self._answers.stats()
