"""HTTP caching: validators on every GET, 304 for a current copy, Cache-Control a CDN can use.

Every successful GET or HEAD of a read route carries a strong ETag and Last-Modified.
The ETag is the data version (the dataset's dcterms:hasVersion, a hash of the sources)
joined to a digest of the release, the path with its query string and the Accept header:
what decides the bytes of an answer. It changes when the data or the software does.
Last-Modified is the dataset's dcterms:modified as the data states it (or, when it states
none, when this process first counted the store). A request whose If-None-Match (or,
without one, If-Modified-Since) shows the client's copy is current gets 304 before any
work is done: no page is rendered and no query is run. ``Cache-Control: public`` with a
max-age lets a CDN keep and revalidate answers; Vary (set where answers are negotiated)
tells it which request headers matter. /health and the writes are never cached.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from flask import Flask, Response, request
from rdflib import Literal
from rdflib.namespace import DCTERMS

from claimgraph import __version__
from claimgraph.web import get_iris, get_read_model
from claimgraph.web.cors import is_write_route

#: How long a cache may serve an answer without revalidating (seconds).
MAX_AGE = 300
CACHE_CONTROL = f"public, max-age={MAX_AGE}"
#: Answers about the process, not the data: never stored.
NOT_CACHED = frozenset({"/health"})


def init_app(app: Flask) -> None:
    app.before_request(answer_not_modified)
    app.after_request(add_validators)


def cacheable() -> bool:
    return (
        request.method in ("GET", "HEAD")
        and request.url_rule is not None
        and request.path not in NOT_CACHED
        and not is_write_route()
    )


def validators() -> tuple[str, dt.datetime]:
    """This request's ETag (without quotes) and the data's Last-Modified."""
    model = get_read_model()
    described = model.dataset_description()
    version = described.version or f"unversioned-{model.stats.quads}"
    key = "\n".join((__version__, request.full_path, request.headers.get("Accept", "")))
    tag = f"{version}-{hashlib.sha256(key.encode('utf-8')).hexdigest()[:16]}"
    return tag, _modified(described.dataset) or described.last_modified


def _modified(dataset: object) -> dt.datetime | None:
    """The dataset's dcterms:modified as its data states it, at midnight UTC for a date."""
    iri = get_iris().dataset
    for _, _, value, _ in dataset.quads((iri, DCTERMS.modified, None, None)):  # type: ignore[attr-defined]
        if isinstance(value, Literal):
            stated = value.toPython()
            if isinstance(stated, dt.datetime):
                return stated if stated.tzinfo else stated.replace(tzinfo=dt.UTC)
            if isinstance(stated, dt.date):
                return dt.datetime(stated.year, stated.month, stated.day, tzinfo=dt.UTC)
    return None


def answer_not_modified() -> Response | None:
    """before_request: 304 when the client's copy is current (RFC 9110 13.2.2: If-None-Match
    first; If-Modified-Since only without it)."""
    if not cacheable() or not (request.if_none_match or request.if_modified_since):
        return None
    tag, modified = validators()
    if request.if_none_match:
        current = request.if_none_match.contains(tag)
    else:
        since = request.if_modified_since
        current = since is not None and modified.replace(microsecond=0) <= since
    if not current:
        return None
    response = Response(status=304)
    _set(response, tag, modified)
    return response


def add_validators(response: Response) -> Response:
    """after_request: ETag, Last-Modified and Cache-Control on a 200 (or 304) of a read GET."""
    if request.path in NOT_CACHED:
        response.headers["Cache-Control"] = "no-store"
        return response
    if not cacheable() or response.status_code not in (200, 304) or "ETag" in response.headers:
        return response
    tag, modified = validators()
    _set(response, tag, modified)
    return response


def _set(response: Response, tag: str, modified: dt.datetime) -> None:
    response.set_etag(tag)
    response.last_modified = modified
    response.headers["Cache-Control"] = CACHE_CONTROL
