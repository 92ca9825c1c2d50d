"""The JSON API: claims, sources, entities and the checks, in the shapes /openapi.json documents.

Errors are ``{title, status, detail}`` (web/site.py page_error, web/errors.py).
"""

from __future__ import annotations

from flask import Blueprint, Response, g, jsonify, request

from claimgraph.errors import ClaimgraphError
from claimgraph.reading.catalogue import read_catalogue
from claimgraph.reading.check_report import read_check_report
from claimgraph.reading.claim_page import build_claim_page
from claimgraph.reading.listing import Filters, list_claims
from claimgraph.reading.model import Claim, JsonObject
from claimgraph.reading.sources import Source, claims_from, get_entity, get_source, read_sources
from claimgraph.web import get_iris, get_store
from claimgraph.web.openapi import document
from claimgraph.web.pages import JSON, page_error

bp = Blueprint("api", __name__)


@bp.before_request
def answer_json() -> None:
    g.answer = JSON  # every answer here, errors included, is JSON


@bp.get("/api/claims")
def claims() -> Response:
    """The claims that pass the filters (kind, source, attribution, verdict, q), with facet counts."""
    catalogue = read_catalogue(get_store(), get_iris())
    return jsonify(
        list_claims(catalogue.claims, Filters.from_args(request.args.to_dict(flat=False))).to_json()
    )


@bp.get("/api/claims/<ident:claim_id>")
def claim(claim_id: str) -> Response:
    """One claim in full: figures, sources, reviews, related claims, citations."""
    return jsonify(build_claim_page(get_store(), get_iris(), claim_id).to_json())


@bp.get("/api/sources")
def sources() -> Response:
    """Every source with the ids of the claims derived from it."""
    store, iris = get_store(), get_iris()
    catalogue = read_catalogue(store, iris)
    found = read_sources(store, iris, catalogue.vocabulary)
    return jsonify({"sources": [_source_json(source, catalogue.claims) for source in found]})


@bp.get("/api/sources/<ident:source_id>")
def source(source_id: str) -> Response:
    store, iris = get_store(), get_iris()
    catalogue = read_catalogue(store, iris)
    return jsonify(_source_json(get_source(store, iris, catalogue.vocabulary, source_id), catalogue.claims))


@bp.get("/api/entities/<ident:entity_id>")
def entity(entity_id: str) -> Response:
    store, iris = get_store(), get_iris()
    catalogue = read_catalogue(store, iris)
    return jsonify(
        get_entity(store, catalogue.vocabulary, iris.entity(entity_id), catalogue.claims).to_json()
    )


@bp.get("/api/checks")
def checks() -> Response:
    """Every check rule with its findings, and the count of each verdict."""
    store, iris = get_store(), get_iris()
    catalogue = read_catalogue(store, iris)
    report = read_check_report(store, catalogue.vocabulary, catalogue.claims, str(iris.cg.VerdictScheme))
    return jsonify(report.to_json())


@bp.get("/openapi.json")
def openapi() -> Response:
    """The OpenAPI 3 description of every JSON route."""
    return jsonify(document(request.host_url.rstrip("/") + request.script_root))


def _source_json(found: Source, claims: tuple[Claim, ...]) -> JsonObject:
    return {**found.to_json(), "claims": [claim.id for claim in claims_from(found, claims)]}


bp.register_error_handler(ClaimgraphError, page_error)
