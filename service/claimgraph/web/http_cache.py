"""HTTP caching: validators on every GET, 304 for a current copy, Cache-Control a CDN can use.

Every successful GET or HEAD of a read route carries a strong ETag and Last-Modified.
The ETag is the data version (the dataset's dcterms:hasVersion, a hash of the sources)
joined to a digest of the release, the path with its query string and the Accept header:
what decides the bytes of an answer. It changes when the data or the software does.
Last-Modified is when this process first served this data version: later than any copy
made of other data or by an earlier release (the data's own dcterms:modified is a hand-kept
date, which could make If-Modified-Since answer 304 for changed data). A request whose
If-None-Match names the current tag gets 304 before any work is done: no page is rendered
and no query is run; If-Modified-Since (without If-None-Match) gets a 304 in place of a 200.
``Cache-Control: public`` with a max-age lets a CDN keep and revalidate answers; Vary (set
where answers are negotiated) tells it which request headers matter. /health and the writes are never cached.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import time
from importlib.metadata import version

from flask import Flask, Response, g, request
from werkzeug.http import http_date, quote_etag

from claimgraph.web import allow_intake_answer, current_request, get_store
from claimgraph.web.cors import is_write_route
from claimgraph.web.security import set_headers

#: The software release is part of every validator: a new release may render the same data anew.
RELEASE = version("claimgraph")

#: How long a cache may serve an answer without revalidating (seconds).
MAX_AGE = 300
CACHE_CONTROL = f"public, max-age={MAX_AGE}"
#: Answers about the process, not the data: never stored.
NOT_CACHED = frozenset({"/health"})


def init_app(app: Flask) -> None:
    app.before_request(answer_not_modified)
    app.after_request(add_validators)


def cacheable() -> bool:
    req = current_request()
    return (
        req.method in ("GET", "HEAD")
        and req.url_rule is not None
        and req.path not in NOT_CACHED
        and not is_write_route()
    )


def validators() -> tuple[str, dt.datetime]:
    """This request's ETag (without quotes) and the data's Last-Modified (one cheap stats call)."""
    # The store's own counters: a validator must not need the read model (building it may fail, or
    # cost the first request after a load what warm-up is for), and /sparql never reads it.
    stats = get_store().stats()
    version = stats.data_version or f"unversioned-{stats.quads}-{stats.named_graphs}"
    req = current_request()
    key = "\n".join((RELEASE, req.full_path, req.environ.get("HTTP_ACCEPT", "")))
    tag = f"{version}-{hashlib.sha256(key.encode('utf-8')).hexdigest()[:16]}"
    modified = _first_served.get(version)
    if modified is None:
        modified = _first_served.setdefault(version, dt.datetime.now(dt.UTC).replace(microsecond=0))
    return tag, modified


#: When this process first served each data version (Last-Modified).
_first_served: dict[str, dt.datetime] = {}


def answer_not_modified() -> Response | None:
    """before_request: 304 when If-None-Match names this request's ETag, before any work.

    The tag encodes the data version, release, path and Accept, so a client holds it only
    from a 200 of this very answer. If-Modified-Since alone cannot say the answer would be a
    200 (a 404 has no date), so it is answered after the view, from a 200 (add_validators)."""
    if not request.environ.get("HTTP_IF_NONE_MATCH") or not cacheable() or not request.if_none_match:
        return None  # the header first: most requests have none, and it costs less to ask
    tag, modified = validators()
    if not request.if_none_match.contains(tag):
        return None
    response = Response(status=304)
    _set(response, tag, modified)
    response.headers["Vary"] = "Accept"  # the tag depends on it, as the 200 it stands for did
    if request.path == "/sparql":
        allow_intake_answer()  # keyed by If-None-Match too: limits/intake_answers.py
    return response


def add_validators(response: Response) -> Response:
    """after_request: ETag, Last-Modified and Cache-Control on a 200 of a read GET, which
    becomes a 304 when the client's copy is current (If-Modified-Since, RFC 9110 13.2.2)."""
    if request.path in NOT_CACHED:
        response.headers["Cache-Control"] = "no-store"
        return response
    if response.status_code != 200 or not cacheable():
        return response
    tag, modified = validators()
    _set(response, tag, modified)
    make_conditional(response)  # in place: a 304 when the client's copy is current
    return response


#: The request headers werkzeug's make_conditional decides by (without accept_ranges it ignores
#: Range and If-Range).
CONDITIONS = ("HTTP_IF_MODIFIED_SINCE", "HTTP_IF_NONE_MATCH", "HTTP_IF_MATCH")


def make_conditional(response: Response) -> None:
    """``response.make_conditional(request)``, which parses the validators back (a date, an ETag)
    for every answer; a request that sends none of CONDITIONS gets what werkzeug gives it then
    without that: a Date, and a Content-Length for a body in memory."""
    environ = request.environ
    if any(environ.get(name) for name in CONDITIONS):
        response.make_conditional(request)
        return
    headers = response.headers
    present = {name.lower() for name, _ in headers}  # one pass over the headers, not one per name
    if "date" not in present:
        headers.add("Date", now_http_date())
    if response.automatically_set_content_length and "content-length" not in present:
        length = response.calculate_content_length()
        if length is not None:
            headers.add("Content-Length", str(length))


#: The Date of the current second, and that second: werkzeug's http_date() formats it anew each time.
_now: tuple[int, str] = (0, "")


def now_http_date() -> str:
    """``http_date()`` (now, to the second), formatted once per second."""
    global _now
    second = int(time.time())
    if _now[0] != second:
        _now = (second, http_date(second))
    return _now[1]


@functools.lru_cache(maxsize=64)
def _http_date(moment: dt.datetime) -> str:
    return http_date(moment)


def _set(response: Response, tag: str, modified: dt.datetime) -> None:
    """What ``set_etag``, the ``Last-Modified`` setter and setting ``Cache-Control`` write."""
    set_headers(
        response.headers,
        (
            ("ETag", quote_etag(tag)),
            ("Last-Modified", _http_date(modified)),
            # A view may ask for longer (a released version's RDF never changes: web/versions.py).
            ("Cache-Control", g.get("cache_control", CACHE_CONTROL)),
        ),
    )
