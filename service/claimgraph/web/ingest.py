"""The write routes: ingest, replace and delete one article, and the audit trail, for token holders.

``POST /api/articles``, ``PUT /api/articles/<slug>``, ``DELETE /api/articles/<slug>`` and
``GET /api/audit`` need ``Authorization: Bearer <token>`` (401 without, 403 with a token the
operator did not configure). The body is an article folder as a zip or tar(.gz) archive or as a
JSON document (service/claimgraph/uploads.py; /openapi.json documents the forms); its size is
refused from Content-Length before it is read (413), its type before it is parsed (415). The
change itself (validation, the atomic swap, the audit record) is the ingestion's
(service/claimgraph/ingestion/), which the composition root hands to the app. These views are
``@writes``: no CORS, no caching; the public endpoint (/sparql) stays read-only.
"""

from __future__ import annotations

from typing import Protocol

from flask import Blueprint, Flask, Response, current_app, jsonify, request

from claimgraph.errors import (
    ArticleInvalid,
    AuthenticationRequired,
    IngestionUnavailable,
    TokenRefused,
    UploadTooLarge,
)
from claimgraph.limits.heartbeat import kept_alive
from claimgraph.tokens import Agent, TokenConfigError, bearer, load_tokens
from claimgraph.uploads import ArticleBundle, UploadLimits, read_form, upload_form
from claimgraph.web import get_settings
from claimgraph.web.cors import writes
from claimgraph.web.errors import error_response

bp = Blueprint("ingest", __name__)
INGESTOR_KEY = "claimgraph.ingestor"
NO_STORE = "no-store"


class ArticleIngestion(Protocol):
    """What the write routes need (service/claimgraph/ingestion/Ingestor is the one there is)."""

    limits: UploadLimits

    def add(self, bundle: ArticleBundle, agent: Agent) -> dict[str, object]: ...

    def replace(self, slug: str, bundle: ArticleBundle, agent: Agent) -> dict[str, object]: ...

    def delete(self, slug: str, agent: Agent) -> dict[str, object]: ...

    def audit_records(self) -> list[dict[str, object]]: ...

    def audit_nquads(self) -> bytes: ...


def init_app(app: Flask, ingestor: ArticleIngestion | None) -> None:
    app.extensions[INGESTOR_KEY] = ingestor
    app.register_blueprint(bp)


@bp.post("/api/articles")
@writes
def add_article() -> Response:
    """Ingest a new article (201, with where it is served); 409 when its slug is taken."""
    agent, ingestor = authorised()
    bundle = read_body(ingestor).with_slug(request.args.get("slug") or None)
    with kept_alive():
        change = ingestor.add(bundle, agent)
    response = answer(change, 201)
    response.headers["Location"] = f"{request.script_root}/articles/{change['article']}"
    return response


@bp.put("/api/articles/<ident:slug>")
@writes
def replace_article(slug: str) -> Response:
    """Replace an ingested article with a new version; 404 when there is none."""
    agent, ingestor = authorised()
    bundle = read_body(ingestor)
    with kept_alive():
        change = ingestor.replace(slug, bundle, agent)
    return answer(change, 200)


@bp.delete("/api/articles/<ident:slug>")
@writes
def delete_article(slug: str) -> Response:
    """Remove an ingested article; 404 when there is none, 409 for an article of the shipped data."""
    agent, ingestor = authorised()
    with kept_alive():
        change = ingestor.delete(slug, agent)
    return answer(change, 200)


@bp.get("/api/audit")
@writes
def audit() -> Response:
    """The audit trail (token holders only): JSON records, or the PROV graphs as N-Quads."""
    _, ingestor = authorised()
    if (
        request.accept_mimetypes.best_match(["application/json", "application/n-quads"])
        == "application/n-quads"
    ):
        response = Response(ingestor.audit_nquads(), mimetype="application/n-quads")
    else:
        response = jsonify({"changes": ingestor.audit_records()})
    response.headers["Cache-Control"] = NO_STORE
    return response


@bp.errorhandler(ArticleInvalid)
def invalid(exc: ArticleInvalid) -> Response:
    """422 with the build's report: each problem's file, line, claim and fault."""
    response = error_response(422, str(exc))
    if response.is_json:
        body = response.get_json()
        response.set_data(jsonify({**body, "problems": list(exc.problems)}).get_data())
    response.headers["Cache-Control"] = NO_STORE
    return response


def authorised() -> tuple[Agent, ArticleIngestion]:
    """The token holder and the ingestion; IngestionUnavailable (503), AuthenticationRequired (401),
    TokenRefused (403). The token is compared with every configured one and never kept or shown."""
    ingestor: ArticleIngestion | None = current_app.extensions.get(INGESTOR_KEY)
    settings = get_settings()
    if ingestor is None:
        raise IngestionUnavailable("this server does not ingest articles")
    try:
        tokens = load_tokens(settings.ingest_tokens, settings.ingest_tokens_file)
    except TokenConfigError as exc:  # the file changed since the start; the message names no token
        raise IngestionUnavailable(f"the server's token configuration cannot be used: {exc}") from None
    if not tokens:
        raise IngestionUnavailable(
            "ingestion is off on this server: the operator configures tokens (CLAIMGRAPH_INGEST_TOKENS or"
            " CLAIMGRAPH_INGEST_TOKENS_FILE)"
        )
    presented = bearer(request.headers.get("Authorization"))
    if presented is None:
        raise AuthenticationRequired("this route needs a bearer token: Authorization: Bearer <token>")
    holder = tokens.holder(presented)
    if holder is None:
        raise TokenRefused("the bearer token is not one this server accepts")
    return Agent(holder), ingestor


def read_body(ingestor: ArticleIngestion) -> ArticleBundle:
    """The uploaded folder; its size is checked before a byte is read, then while reading."""
    limit = ingestor.limits.max_bytes
    if request.content_length is not None and request.content_length > limit:
        raise UploadTooLarge(
            f"the request body is {request.content_length} bytes; at most {limit} (max_ingest_bytes)"
        )
    form = upload_form(request.mimetype)  # 415 before the body is read
    body = request.stream.read(limit + 1)
    if len(body) > limit:
        raise UploadTooLarge(f"the request body is larger than {limit} bytes (max_ingest_bytes)")
    return read_form(body, form, ingestor.limits)


def answer(change: dict[str, object], status: int) -> Response:
    response = jsonify(change)
    response.status_code = status
    response.headers["Cache-Control"] = NO_STORE
    return response
