"""The one error path: every error, the service's own and werkzeug's, in the one shape of its audience.

Who an error is for (``audience``) follows the route and what the request negotiated:

- ``/sparql``: plain text, ``<reason phrase>: <detail>``, which SPARQL clients show as it is;
- ``/api/…``, and a request that negotiated JSON (``/claims``): JSON ``{title, status, detail}``;
- a request that negotiated HTML, or, where nothing was negotiated yet (no route, a wrong
  method, no acceptable twin), a browser (its Accept names text/html): the error page;
- anyone else (an RDF answer was negotiated, curl): plain text, as on ``/sparql``.

Domain exceptions get their status from STATUS; werkzeug's errors keep their status and
headers (Allow, …); anything else is logged by Flask and answered as a generic 500.
"""

from __future__ import annotations

from collections.abc import Callable
from http import HTTPStatus

from flask import Flask, Response, g, jsonify, render_template, request
from werkzeug.datastructures import MIMEAccept
from werkzeug.exceptions import HTTPException

from claimgraph import errors
from claimgraph.limits.guard import QueryTooLarge
from claimgraph.media import HTML as HTML_FORMAT
from claimgraph.media import JSON as JSON_FORMAT
from claimgraph.media import TEXT as TEXT_FORMAT

#: The three shapes, by the media type each answers in (``g.answer`` holds the negotiated one).
HTML, JSON, TEXT = HTML_FORMAT.media_type, JSON_FORMAT.media_type, TEXT_FORMAT.media_type

STATUS: dict[type[Exception], int] = {
    errors.QueryRejected: 400,
    errors.QueryForbidden: 403,
    errors.NotFound: 404,
    errors.NotAcceptable: 406,
    QueryTooLarge: 413,
    # The query was fine, its answer too big: the client's to fix (add a LIMIT), like a refusal.
    errors.ResultTooLarge: 400,
    errors.QueryTimeout: 503,
    errors.StoreUnavailable: 503,
    errors.TooManyQueries: 429,
    errors.ServerBusy: 503,
    errors.EngineFailure: 503,
    errors.AuthenticationRequired: 401,
    errors.TokenRefused: 403,
    errors.UploadTooLarge: 413,
    errors.UnsupportedUpload: 415,
    errors.BadUpload: 400,
    errors.ArticleExists: 409,
    errors.ArticleInvalid: 422,
    errors.IngestionUnavailable: 503,
}

#: The challenge a 401 carries (RFC 6750): the write routes take a bearer token.
CHALLENGE = 'Bearer realm="claimgraph"'


def register(app: Flask) -> None:
    """Answer every error through ``error_response``; an exception not in STATUS is a 500 (Flask logs it)."""
    for exc_type, status in STATUS.items():
        app.register_error_handler(exc_type, _domain_error(status))
    app.register_error_handler(HTTPException, http_error)


def _domain_error(status: int) -> Callable[[Exception], Response]:
    def handle(exc: Exception) -> Response:
        response = error_response(status, str(exc))
        retry_after = getattr(exc, "retry_after", None)
        if retry_after is not None:
            response.headers["Retry-After"] = str(retry_after)
        if status == 401:
            response.headers["WWW-Authenticate"] = CHALLENGE
        return response

    return handle


def http_error(exc: HTTPException) -> Response | HTTPException:
    """werkzeug's errors (no route, wrong method, 413, 415, the 500 for an unexpected exception)."""
    if exc.code is None or exc.code < 400 or exc.response is not None:
        return exc  # not an error (a redirect), or an answer made already
    response = error_response(exc.code, exc.description or HTTPStatus(exc.code).phrase)
    for name, value in exc.get_headers():
        if name.lower() != "content-type":
            response.headers.add(name, value)
    return response


def error_response(status: int, detail: str) -> Response:
    """The error in the shape of its audience: text, JSON ``{title, status, detail}`` or the page."""
    title = HTTPStatus(status).phrase
    shape = audience()
    if shape == JSON:
        response = jsonify({"title": title, "status": status, "detail": detail})
        response.status_code = status
        return response
    if shape == HTML:
        return Response(render_template("error.html", status=status, title=title, detail=detail), status)
    return Response(f"{title}: {detail}\n", status=status, mimetype=TEXT)


def audience() -> str:
    """Who the error of this request is for: TEXT, JSON or HTML (the module says how it is decided)."""
    if request.path == "/sparql":
        return TEXT
    if request.path.startswith("/api/"):
        return JSON
    answer: str | None = g.get("answer")
    if answer is None:
        g.vary_accept = True  # the shape now depends on Accept, and caches must know it
        return HTML if names_html(request.accept_mimetypes) else TEXT
    return answer if answer in (HTML, JSON) else TEXT


def names_html(accept: MIMEAccept) -> bool:
    """Whether Accept asks for HTML by name, as browsers do (``*/*`` alone is a program's).

    >>> names_html(MIMEAccept([("text/html", 1), ("*/*", 0.8)])), names_html(MIMEAccept([("*/*", 1)]))
    (True, False)
    >>> names_html(MIMEAccept([("text/html", 0), ("text/plain", 1)]))
    False
    """
    return any(value == HTML and quality > 0 for value, quality in accept)
