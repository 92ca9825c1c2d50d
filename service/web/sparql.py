"""/sparql: the public, read-only SPARQL endpoint."""

from __future__ import annotations

from flask import Blueprint, Response, request

from service.errors import QueryRejected
from service.web import get_settings, get_store

bp = Blueprint("sparql", __name__)

RESULT_TYPES = {
    "SELECT": "application/sparql-results+json",
    "ASK": "application/sparql-results+json",
    "CONSTRUCT": "text/turtle",
    "DESCRIBE": "text/turtle",
}


@bp.get("/sparql")
def query() -> Response:
    text = request.args.get("query")
    if not text:
        raise QueryRejected("missing the `query` parameter")
    form = _form(text)
    result = get_store().sparql(text, media_type=RESULT_TYPES[form], timeout=get_settings().query_timeout)
    return Response(result.chunks, content_type=result.media_type)


def _form(text: str) -> str:
    from rdflib.plugins.sparql.parser import parseQuery

    try:
        parsed = parseQuery(text)
    except Exception as exc:  # pyparsing raises several types; all mean "malformed"
        raise QueryRejected(str(exc)) from exc
    name = parsed[1].name
    return {
        "SelectQuery": "SELECT",
        "AskQuery": "ASK",
        "ConstructQuery": "CONSTRUCT",
        "DescribeQuery": "DESCRIBE",
    }[name]
