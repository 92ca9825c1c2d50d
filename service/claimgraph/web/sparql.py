"""/sparql: the SPARQL 1.1 Protocol query operation, read-only, for the public.

Intake (one query, from GET, a form POST or a sparql-query POST) -> admission by
the guard -> negotiation (service/claimgraph/negotiation.py) -> the query, within the
time limit: the app's QueryRunner (service/claimgraph/limits/runner.py) admits and runs
it. ``cite=1`` answers a SELECT in citation mode (service/claimgraph/protocol/lineage.py).
``?graph=IRI`` and ``?default`` read one graph (web/graph_store.py). A bare GET describes
the service; a browser gets the query page (an editor, the example library, results as a
table), also for a shared ``/sparql?query=…`` link.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flask import Blueprint, Flask, Request, Response, render_template, request, url_for
from werkzeug.datastructures import CombinedMultiDict, MIMEAccept, MultiDict
from werkzeug.exceptions import RequestEntityTooLarge, UnsupportedMediaType

from claimgraph import media
from claimgraph.errors import NotAcceptable, QueryForbidden, QueryRejected, ResultTooLarge
from claimgraph.limits.fairuse import client_of
from claimgraph.limits.guard import GuardedQuery
from claimgraph.media import QueryForm
from claimgraph.negotiation import negotiate, parse_accept, profile_asked
from claimgraph.protocol.lineage import run_cited
from claimgraph.protocol.service_description import describe
from claimgraph.querylib import load_library
from claimgraph.rdf_serialization import jsonld_profile, reshape_json_ld
from claimgraph.store import QueryDataset
from claimgraph.web import (
    allow_intake_answer,
    current_request,
    get_iris,
    get_runner,
    get_settings,
    get_store,
    graph_store,
)
from claimgraph.web.representation import rdf_response, vary_on

bp = Blueprint("sparql", __name__)

FORM = "application/x-www-form-urlencoded"
SPARQL_QUERY = "application/sparql-query"
SPARQL_UPDATE = "application/sparql-update"
READ_ONLY = "updates are not accepted: this endpoint is read-only"
#: Everything /sparql can answer a query with, and the page last: a tie (*/*) goes to the data.
QUERY_OFFERS = media.Offers((*media.SOLUTIONS, *media.GRAPHS, media.HTML), lenient=True)
#: ``cite=1`` and its spellings.
CITE_VALUES = frozenset({"1", "true", "yes", "on"})


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.after_request(add_protocol_headers)


@bp.route("/sparql", methods=["GET", "POST"])
def endpoint() -> Response:
    """Answer one query; without a query, describe the service (or show the form to a browser)."""
    settings, runner, req = get_settings(), get_runner(), current_request()
    if req.method == "GET" and graph_store.asks(req.args):
        return graph_store.answer(req.args)
    incoming = read_query_request(req, settings.max_query_bytes)
    if incoming is None:
        return describe_service()
    accept = parse_accept(req.headers.get("Accept"))
    if req.method == "GET" and prefers_page(accept, list(incoming.formats)):
        return render_query_page(incoming.query, wants_citations())  # a shared link
    with runner.time_limit():  # one query_timeout for the guard's parse and the run together
        return answer_query(incoming, accept)


def answer_query(incoming: QueryRequest, accept: MIMEAccept) -> Response:
    """Admit the query, negotiate its result format, and run it on the client's fair share."""
    settings, runner = get_settings(), get_runner()
    admitted = runner.admit(incoming.query, incoming.dataset)
    offer = negotiate(accept, media.offers_for(admitted.form), names=incoming.formats)
    req = current_request()
    client = client_of(
        req.remote_addr,
        req.headers.get("X-Forwarded-For"),
        trust_forwarded_for=settings.trust_forwarded_for,
    )
    with runner.fair_share(client):
        if wants_citations():
            response = answer_cited(admitted, offer.media_type)
            allow_intake_answer()
            return response
        result = runner.sparql(
            admitted.text,
            media_type=offer.media_type,
            dataset=admitted.dataset,
            max_rows=settings.max_result_rows,
            max_bytes=settings.max_result_bytes,
        )
    if offer.profiles:
        response = json_ld_result(result.chunks, accept, settings.max_result_bytes)
    else:
        response = Response(result.chunks, content_type=result.media_type)
    allow_intake_answer()  # kept by the intake only when its bytes arrive whole (Content-Length)
    return response


#: pyld reshapes JSON-LD as Python objects, many times the document's size: it takes results up to
#: this fraction of max_result_bytes (README, "Memory per result").
RESHAPED_SHARE = 16


def json_ld_result(chunks: Iterable[bytes], accept: MIMEAccept, max_bytes: int) -> Response:
    """A CONSTRUCT or DESCRIBE result in JSON-LD: the store writes the expanded form, streamed
    as it is; a client asking for the compacted or flattened profile gets it reshaped (pyld)."""
    asked = profile_asked(accept, media.JSON_LD)
    profile = jsonld_profile(asked) if asked else media.JSONLD_EXPANDED
    if profile == media.JSONLD_EXPANDED:
        return Response(chunks, content_type=media.JSON_LD.content_type(profile))
    chunks = list(chunks)
    limit = max(1, max_bytes // RESHAPED_SHARE)
    if sum(len(chunk) for chunk in chunks) > limit:
        raise ResultTooLarge(
            f"compacted and flattened JSON-LD are made in memory, for results up to 1/{RESHAPED_SHARE} of"
            f" max_result_bytes ({limit} bytes); ask for the expanded form, or add a LIMIT"
        )
    body = reshape_json_ld(b"".join(chunks), get_iris().prefixes(), profile)
    return Response(body, content_type=media.JSON_LD.content_type(profile))


def describe_service() -> Response:
    """The service description in RDF, or the query form for a browser."""
    fmt = request.args.getlist("format")
    accept = parse_accept(request.headers.get("Accept"))
    offer = negotiate(accept, media.SERVICE_DESCRIPTION, names=fmt)
    if offer is media.HTML:
        return render_query_page()
    settings, iris = get_settings(), get_iris()
    description = describe(iris, get_store().graph_names(), union_default_graph=settings.union_default_graph)
    return rdf_response(description, offer)


# -- the query page (static/query.js runs its queries through the protocol itself) ---------------------
def prefers_page(accept: MIMEAccept, format_values: list[str]) -> bool:
    """Whether a GET with a query comes from a browser that wants the page rather than results.

    >>> browser = MIMEAccept([("text/html", 1), ("application/xml", 0.9), ("*/*", 0.8)])
    >>> prefers_page(browser, []), prefers_page(browser, ["csv"]), prefers_page(MIMEAccept([("*/*", 1)]), [])
    (True, False, False)
    """
    if format_values:
        return False
    try:
        return negotiate(accept, QUERY_OFFERS) is media.HTML
    except NotAcceptable:
        return False


def render_query_page(query: str | None = None, cite: bool = False) -> Response:
    """The page, with ``query`` (from a shared link) in the editor, to be run when the page opens."""
    settings = get_settings()
    page = render_template(
        "sparql.html",
        endpoint=url_for("sparql.endpoint"),
        examples=list(load_library().values()),
        query=query,
        cite=cite,
        base=get_iris().base,
        timeout=settings.query_timeout,
        max_rows=settings.max_result_rows,
        links=[],
    )
    return Response(page, mimetype="text/html")


# -- citation mode (issue 5) ------------------------------------------------------------------------
def wants_citations() -> bool:
    """Whether the request asks for citation mode (``cite`` in the URL, or in a form POST)."""
    req = current_request()
    values = req.args.getlist("cite")
    if req.method == "POST":
        values += req.form.getlist("cite")
    return any(value.strip().lower() in CITE_VALUES for value in values)


def answer_cited(admitted: GuardedQuery, media_type: str) -> Response:
    """The admitted query answered with, for each solution, the claims and sources whose graphs
    supplied it, under the same result type, time limit and row limit as any query.

    Raises QueryRejected (400) for anything but a SELECT over the whole dataset, or
    for a construct lineage.py cannot rewrite (the message names it).
    """
    if admitted.form is not QueryForm.SELECT:
        raise QueryRejected("citation mode (cite=1) works on SELECT queries only")
    if admitted.dataset is not None:
        raise QueryRejected(
            "citation mode (cite=1) runs over the whole dataset: drop FROM and default-graph-uri"
        )
    settings, iris = get_settings(), get_iris()
    result = run_cited(
        get_runner(),
        admitted.text,
        base=iris.base,
        prefixes=iris.prefixes(),
        media_type=media_type,
        max_rows=settings.max_result_rows,
        max_bytes=settings.max_result_bytes,
    )
    return Response(result.chunks, content_type=result.media_type)


# -- intake ------------------------------------------------------------------------------------------


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
        params: MultiDict[str, str] = CombinedMultiDict([req.args, req.form])
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
    """after_request: Vary on every /sparql answer, errors included (CORS: web/cors.py)."""
    if request.path == "/sparql":
        vary_on(response, "Accept")
    return response
