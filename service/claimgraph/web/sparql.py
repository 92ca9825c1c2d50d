"""/sparql: the SPARQL 1.1 Protocol query operation, read-only, for the public.

Intake (one query, from GET, a form POST or a sparql-query POST) -> guard
(service/claimgraph/limits/guard.py) -> negotiation (service/claimgraph/media_sparql.py) -> the store,
under the time limit (service/claimgraph/limits/time_limit.py). A bare GET describes the service.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, Flask, Request, Response, current_app, request
from werkzeug.datastructures import CombinedMultiDict, MultiDict
from werkzeug.exceptions import RequestEntityTooLarge, UnsupportedMediaType

from claimgraph import media_rdf as rdf_formats
from claimgraph import media_sparql as formats
from claimgraph.errors import QueryForbidden, QueryRejected
from claimgraph.limits.guard import QueryGuard
from claimgraph.limits.time_limit import public_time_limit
from claimgraph.protocol.service_description import describe
from claimgraph.store import QueryDataset
from claimgraph.web import IRIS_KEY, SETTINGS_KEY, cited, get_iris, get_settings, get_store, query_page
from claimgraph.web.representation import vary_on

bp = Blueprint("sparql", __name__)

GUARD_KEY = "claimgraph.sparql_guard"
FORM = "application/x-www-form-urlencoded"
SPARQL_QUERY = "application/sparql-query"
SPARQL_UPDATE = "application/sparql-update"
READ_ONLY = "updates are not accepted: this endpoint is read-only"


def init_app(app: Flask) -> None:
    settings, iris = app.extensions[SETTINGS_KEY], app.extensions[IRIS_KEY]
    app.extensions[GUARD_KEY] = QueryGuard(
        base=iris.base,
        prefixes=iris.prefixes(),
        max_bytes=settings.max_query_bytes,
        max_depth=settings.max_nesting_depth,
    )
    app.register_blueprint(bp)
    app.after_request(add_protocol_headers)


@bp.route("/sparql", methods=["GET", "POST"])
def endpoint() -> Response:
    """Answer one query; without a query, describe the service (or show the form to a browser)."""
    settings, store = get_settings(), get_store()
    incoming = read_query_request(request, settings.max_query_bytes)
    if incoming is None:
        return describe_service()
    accept = formats.parse_accept(request.headers.get("Accept"))
    if request.method == "GET" and query_page.prefers_page(accept, list(incoming.formats)):
        return query_page.render_query_page(incoming.query, cited.wants_citations())  # a shared link
    guard: QueryGuard = current_app.extensions[GUARD_KEY]
    admitted = guard.check(incoming.query, incoming.dataset, store.graph_names)
    offer = formats.negotiate(accept, admitted.form, incoming.formats)
    if cited.wants_citations():
        return cited.respond(admitted, offer.media_type)
    with public_time_limit() as timeout:
        result = store.sparql(
            admitted.text,
            media_type=offer.media_type,
            dataset=admitted.dataset,
            timeout=timeout,
            max_rows=settings.max_result_rows,
            max_bytes=settings.max_result_bytes,
        )
    return Response(result.chunks, content_type=result.media_type)


def describe_service() -> Response:
    """The service description in RDF, or the query form for a browser."""
    fmt = request.args.getlist("format")
    accept = formats.parse_accept(request.headers.get("Accept"))
    offer = formats.negotiate(accept, formats.DESCRIPTION_OFFERS, fmt)
    if offer is formats.HTML_OFFER:
        return query_page.render_query_page()
    settings, iris = get_settings(), get_iris()
    description = describe(iris, get_store().graph_names(), union_default_graph=settings.union_default_graph)
    body = rdf_formats.serialize(description, offer.media_type, iris.prefixes())
    return Response(body, content_type=offer.media_type)


@dataclass(frozen=True)
class QueryRequest:
    query: str
    dataset: QueryDataset
    formats: tuple[str, ...]


def read_query_request(req: Request, max_bytes: int) -> QueryRequest | None:
    """The query of a protocol request, or None for a bare GET.

    Raises QueryForbidden for an update (403), QueryRejected for no query or
    several (400), RequestEntityTooLarge (413), UnsupportedMediaType (415).
    """
    if req.method == "POST":
        params, queries = _read_post(req, max_bytes)
    else:
        params, queries = req.args, req.args.getlist("query")
        if not queries and "update" not in params:
            return None
    if "update" in params:
        raise QueryForbidden(READ_ONLY)
    if len(queries) != 1:
        raise QueryRejected(f"a request carries exactly one `query` parameter; this one has {len(queries)}")
    if not queries[0].strip():
        raise QueryRejected("the query is empty")
    dataset = QueryDataset(
        tuple(params.getlist("default-graph-uri")), tuple(params.getlist("named-graph-uri"))
    )
    return QueryRequest(queries[0], dataset, tuple(params.getlist("format")))


def _read_post(req: Request, max_bytes: int) -> tuple[MultiDict[str, str], list[str]]:
    if req.mimetype == SPARQL_UPDATE:
        raise QueryForbidden(READ_ONLY)
    if req.mimetype not in (FORM, SPARQL_QUERY):
        raise UnsupportedMediaType(
            f"POST a query as {FORM} or {SPARQL_QUERY}, not {req.mimetype or 'a body without a type'}"
        )
    if req.content_length is not None and req.content_length > max_bytes:
        raise RequestEntityTooLarge(f"the request body is larger than {max_bytes} bytes (max_query_bytes)")
    req.max_content_length = max_bytes  # also bounds a chunked body, whose length is not announced
    in_url = "query" in req.args
    if req.mimetype == FORM:
        queries = req.form.getlist("query")
        params: MultiDict[str, str] = CombinedMultiDict([req.args, req.form])  # type: ignore[assignment]
    else:
        try:
            body = req.get_data().decode("utf-8")
        except UnicodeDecodeError as exc:
            raise QueryRejected("the query is not valid UTF-8") from exc
        queries, params = ([body] if body else []), req.args
    if in_url:
        raise QueryRejected(
            "the query is given both in the URL and in the request body"
            if queries
            else "a POST request carries its query in the body, not in the URL"
        )
    return params, queries


def add_protocol_headers(response: Response) -> Response:
    """after_request: CORS (any origin may query) and Vary, on every /sparql answer, errors included."""
    if request.path != "/sparql":
        return response
    response.headers["Access-Control-Allow-Origin"] = "*"
    vary_on(response, "Accept")
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = "GET, HEAD, POST, OPTIONS"
        requested = request.headers.get("Access-Control-Request-Headers")
        response.headers["Access-Control-Allow-Headers"] = requested or "Accept, Content-Type"
        response.headers["Access-Control-Max-Age"] = "86400"
    return response
