"""The time limit of the public queries of one request, kept by the sandbox or by the watchdog.

``with public_time_limit() as timeout:`` yields the ``timeout`` to give the
store: ``query_timeout`` when the sandbox keeps it (its query process is killed
at the deadline), None when this gunicorn worker runs the queries itself
(service/claimgraph/limits/placement.py). Then the watchdog keeps it: at the deadline it
sends the client the same 503 the sandbox path gives, straight down the
connection, and ends the worker; gunicorn forks a fresh one.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask, current_app, request
from werkzeug.http import http_date

from claimgraph.errors import QueryTimeout
from claimgraph.limits.placement import runs_queries_itself
from claimgraph.limits.watchdog import Watchdog
from claimgraph.web import get_settings

log = logging.getLogger(__name__)

WATCHDOG = Watchdog()


@contextmanager
def public_time_limit() -> Iterator[float | None]:
    """The timeout for the store's ``sparql`` calls in the block (see the module's docstring)."""
    seconds = get_settings().query_timeout
    environ = request.environ
    client = environ.get("gunicorn.socket")
    if not (runs_queries_itself() and environ.get("wsgi.multithread") is False and client is not None):
        yield seconds
        return
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]

    def answer_503() -> None:
        log.warning("a query ran past query_timeout (%g s): answering 503 and ending this worker", seconds)
        client.sendall(timeout_response(app, environ, QueryTimeout.after(seconds)))

    with WATCHDOG.limit(seconds, answer_503):
        yield None


def timeout_response(app: Flask, environ: dict[str, Any], error: QueryTimeout) -> bytes:
    """The HTTP message the app answers ``error`` with, for the request ``environ``, as bytes.

    Built by the app itself (error handler, after-request hooks such as CORS) in a
    context of its own, so it can be made from the watchdog's thread.
    """
    with app.request_context(environ):
        response = app.process_response(app.make_response(app.handle_user_exception(error)))
        body_chunks, status, headers = response.get_wsgi_response(environ)
        body = b"".join(body_chunks)  # werkzeug gives none for HEAD, keeping Content-Length
    protocol = environ.get("SERVER_PROTOCOL", "HTTP/1.1")
    lines = [f"{protocol} {status}", *(f"{name}: {value}" for name, value in headers)]
    present = {name.lower() for name, _ in headers}
    if "content-length" not in present:
        lines.append(f"Content-Length: {len(body)}")
    if "date" not in present:  # gunicorn adds it to every answer it writes; this one it does not
        lines.append(f"Date: {http_date()}")
    lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body
