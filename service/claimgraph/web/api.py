"""The JSON API: claims, sources, entities and the checks, in the shapes /openapi.json documents.

Errors here, werkzeug's included, are ``{title, status, detail}`` (web/errors.py).
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from claimgraph.reading.articles import articles_json
from claimgraph.reading.listing import Filters
from claimgraph.reading.model import Claim, JsonObject
from claimgraph.reading.sources import Source
from claimgraph.web import get_iris, get_read_model
from claimgraph.web.openapi import document

bp = Blueprint("api", __name__)


@bp.get("/api/claims")
def claims() -> Response:
    """The claims that pass the filters (kind, source, attribution, verdict, q), with facet counts."""
    filters = Filters.from_args(request.args.to_dict(flat=False))
    return jsonify(get_read_model().listing(filters).to_json())


@bp.get("/api/claims/<ident:claim_id>")
def claim(claim_id: str) -> Response:
    """One claim of the shipped article in full: figures, sources, reviews, related claims, citations."""
    return jsonify(get_read_model().claim_page(get_iris().claim(claim_id)).to_json())


@bp.get("/api/articles")
def articles() -> Response:
    """Every article with its metadata, its claims and their verdicts."""
    return jsonify(articles_json(get_read_model().articles()))


@bp.get("/api/articles/<ident:article_id>")
def article(article_id: str) -> Response:
    """One article (an item of /api/articles)."""
    return jsonify(get_read_model().article_summary(get_iris().article(article_id)).to_json())


@bp.get("/api/articles/<ident:article_id>/claims/<ident:claim_id>")
def article_claim(article_id: str, claim_id: str) -> Response:
    """One claim of an article other than the shipped one, in full (as /api/claims/{id})."""
    return jsonify(get_read_model().claim_page(get_iris().claim(claim_id, article_id)).to_json())


@bp.get("/api/sources")
def sources() -> Response:
    """Every source with the ids of the claims derived from it."""
    return jsonify({"sources": [_source_json(*entry) for entry in get_read_model().sources()]})


@bp.get("/api/sources/<ident:source_id>")
def source(source_id: str) -> Response:
    return jsonify(_source_json(*get_read_model().source(source_id)))


@bp.get("/api/entities/<ident:entity_id>")
def entity(entity_id: str) -> Response:
    return jsonify(get_read_model().entity(get_iris().entity(entity_id)).to_json())


@bp.get("/api/checks")
def checks() -> Response:
    """Every check rule with its findings, and the count of each verdict."""
    return jsonify(get_read_model().check_report().to_json())


@bp.get("/openapi.json")
def openapi() -> Response:
    """The OpenAPI 3 description of every JSON route."""
    facets = get_read_model().listing(Filters({})).facets
    accepted = {name: [value.id for value in values] for name, values in facets.items()}
    return jsonify(document(request.host_url.rstrip("/") + request.script_root, accepted))


def _source_json(found: Source, claims: tuple[Claim, ...]) -> JsonObject:
    return {**found.to_json(), "claims": [claim.key for claim in claims]}
