"""CORS: any origin may read, so browser applications can fetch our IRIs, the dumps, the API
and query results (POST /sparql is a query, a read). A view that changes data is marked
``@writes`` and gets no CORS header at all, its preflight included, so a browser on another
origin cannot send it a request that needs one. No credentials are involved: reads are public.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import Flask, Response, current_app, request

from claimgraph.web.security import set_headers

#: Read-side headers a script may see besides the CORS-safelisted ones.
EXPOSED = "ETag, Last-Modified, Link, Content-Location, Location, Vary"
#: Preflight answers are reused by the browser for a day.
MAX_AGE = "86400"
_WRITES = "claimgraph_writes"

View = TypeVar("View", bound=Callable[..., object])


def writes(view: View) -> View:
    """Mark a view as changing data: it is never offered to other origins."""
    setattr(view, _WRITES, True)
    return view


def is_write_route() -> bool:
    """Whether the request went to a view marked ``@writes``."""
    endpoint = request.endpoint
    if endpoint is None:
        return False
    view = current_app.view_functions.get(endpoint)
    return bool(getattr(view, _WRITES, False))


def init_app(app: Flask) -> None:
    app.after_request(add_cors)


def add_cors(response: Response) -> Response:
    """after_request: CORS on every answer of a read route, errors included; the preflight
    (OPTIONS with Access-Control-Request-Method) also names the route's methods."""
    if is_write_route():
        return response
    set_headers(
        response.headers, (("Access-Control-Allow-Origin", "*"), ("Access-Control-Expose-Headers", EXPOSED))
    )
    if request.method == "OPTIONS" and request.url_rule is not None:
        methods = sorted(request.url_rule.methods or ())
        response.headers["Access-Control-Allow-Methods"] = ", ".join(methods)
        requested = request.headers.get("Access-Control-Request-Headers")
        response.headers["Access-Control-Allow-Headers"] = requested or "Accept, Content-Type"
        response.headers["Access-Control-Max-Age"] = MAX_AGE
    return response
