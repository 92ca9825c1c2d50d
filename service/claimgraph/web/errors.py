"""Domain exception -> HTTP status, in one table; a text body on /sparql, JSON elsewhere."""

from __future__ import annotations

import json

from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException

from claimgraph import errors
from claimgraph.limits.guard import QueryTooLarge

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
}


def register(app: Flask) -> None:
    for exc_type, status in STATUS.items():
        app.register_error_handler(exc_type, _handler(status))
    app.register_error_handler(HTTPException, _http_error)


def _handler(status: int):  # type: ignore[no-untyped-def]
    def handle(exc: Exception) -> Response:
        return error_response(status, str(exc))

    return handle


def _http_error(exc: HTTPException) -> Response | HTTPException:
    """werkzeug's own errors (404, 405, 413, 415, 500, ...): plain text on /sparql, JSON under
    /api/, with their headers (Allow, ...); elsewhere werkzeug's page."""
    if exc.code is None:
        return exc
    response = exc.get_response()
    if request.path.startswith("/api/"):
        body = {"title": _title(exc.code), "status": exc.code, "detail": exc.description}
        response.set_data(json.dumps(body))
        response.mimetype = "application/json"
    elif request.path == "/sparql":
        response.set_data(f"{_title(exc.code)}: {exc.description}\n")
        response.mimetype = "text/plain"
    else:
        return exc
    return response


def error_response(status: int, detail: str) -> Response:
    """One shape per audience: plain text for SPARQL clients, JSON for the API."""
    if request.path.startswith("/api/"):
        response = jsonify({"title": _title(status), "status": status, "detail": detail})
        response.status_code = status
        return response
    return Response(f"{_title(status)}: {detail}\n", status=status, mimetype="text/plain")


def _title(status: int) -> str:
    from http import HTTPStatus

    return HTTPStatus(status).phrase
