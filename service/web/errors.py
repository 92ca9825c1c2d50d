"""Domain exception -> HTTP status, in one table; a text body on /sparql, JSON elsewhere."""

from __future__ import annotations

from flask import Flask, Response, jsonify, request

from service import errors

STATUS: dict[type[Exception], int] = {
    errors.QueryRejected: 400,
    errors.QueryForbidden: 403,
    errors.NotFound: 404,
    errors.NotAcceptable: 406,
    errors.ResultTooLarge: 413,
    errors.QueryTimeout: 503,
    errors.StoreUnavailable: 503,
}


def register(app: Flask) -> None:
    for exc_type, status in STATUS.items():
        app.register_error_handler(exc_type, _handler(status))


def _handler(status: int):  # type: ignore[no-untyped-def]
    def handle(exc: Exception) -> Response:
        return error_response(status, str(exc))

    return handle


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
