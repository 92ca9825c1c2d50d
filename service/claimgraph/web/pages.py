"""The pages a fact-checker reads: the annotated article, the claim list, sources, the checks.

Pages of minted IRIs (a claim, a source, an entity, the ontology) are the HTML
branch of the Linked Data views (web/linked_data.py) and are rendered by the
functions here, so a page and its RDF twins answer at the same IRI.
"""

from __future__ import annotations

from collections.abc import Callable
from http import HTTPStatus

from flask import Blueprint, Response, g, jsonify, render_template, request
from rdflib import URIRef

from claimgraph import media
from claimgraph.errors import ClaimgraphError, NotFound
from claimgraph.reading.article_view import article_texts, read_article
from claimgraph.reading.bibliography import read_work
from claimgraph.reading.catalogue import read_catalogue
from claimgraph.reading.check_report import read_check_report
from claimgraph.reading.claim_page import build_claim_page
from claimgraph.reading.listing import Filters, list_claims
from claimgraph.reading.ontology_doc import read_ontology
from claimgraph.reading.sources import claims_from, get_entity, read_sources
from claimgraph.web import get_iris, get_store, urls
from claimgraph.web.errors import STATUS, error_response
from claimgraph.web.representation import choose, respond_page, with_links

bp = Blueprint("site", __name__)
JSON = media.JSON.media_type


@bp.get("/article")
def article() -> Response:
    """The article (the first, when the store holds several) with its claims highlighted."""
    g.answer = media.HTML.media_type
    articles = sorted(article_texts(get_store()))
    if not articles:
        raise NotFound("the store holds no article")
    first = URIRef(articles[0])
    return respond_page(first, media.RESOURCE, "article.html", **article_context(first))


@bp.get("/claims")
def claims() -> Response | str:
    """The claim list with its filters and facet counts, as a page or as JSON (Accept)."""
    media_type = choose(media.LISTING, None)
    catalogue = read_catalogue(get_store(), get_iris())
    listing = list_claims(catalogue.claims, Filters.from_args(request.args.to_dict(flat=False)))
    api = urls.Link(f"{request.script_root}/api/claims", JSON)
    if media_type is media.JSON:
        return with_links(jsonify(listing.to_json()), [api])
    return render_template("claims.html", listing=listing, links=[api])


@bp.get("/sources")
def sources() -> str:
    """Every source with its issuer, how and when it was obtained, and the claims derived from it."""
    g.answer = media.HTML.media_type
    store, iris = get_store(), get_iris()
    catalogue = read_catalogue(store, iris)
    found = read_sources(store, iris, catalogue.vocabulary)
    entries = [(source, claims_from(source, catalogue.claims)) for source in found]
    return render_template("sources.html", entries=entries, links=[])


@bp.get("/checks")
def checks() -> str:
    """Every check rule and every verdict with its count, linking to the claims."""
    g.answer = media.HTML.media_type
    store, iris = get_store(), get_iris()
    catalogue = read_catalogue(store, iris)
    report = read_check_report(store, catalogue.vocabulary, catalogue.claims, str(iris.cg.VerdictScheme))
    return render_template("checks.html", report=report, links=[])


# -- pages of minted IRIs: what web/linked_data.py renders for text/html ------------------------
Context = dict[str, object]


def article_context(iri: URIRef) -> Context:
    store, iris = get_store(), get_iris()
    catalogue = read_catalogue(store, iris)
    view = read_article(store, iri, catalogue.claims)
    return {"view": view, "work": read_work(store, catalogue.vocabulary, iri, str(iris.cg))}


def claim_context(claim_id: str) -> Context:
    return {"page": build_claim_page(get_store(), get_iris(), claim_id)}


def source_context(iri: URIRef) -> Context:
    store, iris = get_store(), get_iris()
    catalogue = read_catalogue(store, iris)
    found = read_sources(store, iris, catalogue.vocabulary, iri)
    if not found:
        raise NotFound(f"no source <{iri}>")
    return {"source": found[0], "claims": claims_from(found[0], catalogue.claims)}


def entity_context(iri: URIRef) -> Context:
    store, iris = get_store(), get_iris()
    catalogue = read_catalogue(store, iris)
    return {"entity": get_entity(store, catalogue.vocabulary, iri, catalogue.claims)}


def ontology_context() -> Context:
    return {"doc": read_ontology(get_store(), get_iris())}


#: Collections whose members have a page of their own; the others get the generic resource page.
PAGES: dict[str, tuple[str, Callable[[URIRef], Context]]] = {
    "articles": ("article.html", article_context),
    "sources": ("source.html", source_context),
    "entities": ("entity.html", entity_context),
}


# -- errors ---------------------------------------------------------------------------------------
def page_error(exc: ClaimgraphError) -> Response:
    """An error in the shape of the answer that was chosen: a page, JSON {title, status, detail}, or text."""
    status = next((code for kind, code in STATUS.items() if isinstance(exc, kind)), 500)
    answer = g.get("answer")
    if answer == media.HTML.media_type:
        title = HTTPStatus(status).phrase
        return Response(render_template("error.html", status=status, title=title, detail=str(exc)), status)
    if answer == JSON or request.path.startswith("/api/"):
        response = jsonify({"title": HTTPStatus(status).phrase, "status": status, "detail": str(exc)})
        response.status_code = status
        return response
    return error_response(status, str(exc))


bp.register_error_handler(ClaimgraphError, page_error)
bp.add_app_template_global(urls.href, "href")
bp.add_app_template_global(media.label, "format_label")
