"""Linked Data: every IRI the dataset mints dereferences here, as HTML, RDF or (the article) text.

Each route has an extension twin (``/claims/c013.ttl``); the bare path negotiates
on Accept. The IRI looked up is minted from the route's parts and the base IRI,
never taken from ``request.url``, which differs behind a proxy.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, Response
from rdflib import URIRef

from claimgraph.iris import ONTOLOGY_VERSION, Iris
from claimgraph.media import HTML, RESOURCE, TEXT, TEXT_RESOURCE
from claimgraph.web import get_iris, get_read_model, pages, versions
from claimgraph.web.representation import CONVERTERS, choose, respond, respond_page, respond_text, with_links

bp = Blueprint("linked_data", __name__)
bp.record_once(lambda state: state.app.url_map.converters.update(CONVERTERS))

#: Collections whose members are described by their own triples, and how each mints its IRIs.
MINT: dict[str, Callable[[Iris, str], URIRef]] = {
    "activities": Iris.activity,
    "articles": Iris.article,
    "checks": Iris.check_rule,
    "entities": Iris.entity,
    "events": Iris.event,
    "measures": Iris.measure,
    "populations": Iris.population,
    "questions": Iris.question,
    "reviews": Iris.review,
    "rules": Iris.rule,
    "sources": Iris.source,
    "units": Iris.unit,
}
COLLECTION = f"<any({', '.join(MINT)}):collection>"
#: The parts of a claim that are named graphs (the nanopublication pattern).
GRAPH_PARTS = frozenset({"assertion", "provenance"})


View = Callable[..., Response]


def _routes(rule: str, endpoint: str | None = None) -> Callable[[View], View]:
    """Register ``rule`` (negotiated) and ``rule.<ext>`` (its twins) for one view."""

    def register(view: View) -> View:
        bp.add_url_rule(rule, endpoint, view, methods=["GET"], defaults={"ext": None})
        bp.add_url_rule(f"{rule}.<ext:ext>", endpoint, view, methods=["GET"])
        return view

    return register


@_routes(f"/{COLLECTION}/<ident:ident>")
def resource(collection: str, ident: str, ext: str | None) -> Response:
    """A source, entity, review, check rule, measure, … : its triples and its neighbours' labels."""
    media_type = choose(RESOURCE, ext)
    iri = MINT[collection](get_iris(), ident)
    model = get_read_model()
    if media_type == HTML and collection in pages.PAGES:
        template, context = pages.PAGES[collection]
        return respond_page(iri, RESOURCE, template, **context(model, iri))
    return respond(iri, model.describe(iri), media_type, RESOURCE)


@_routes("/claims/<ident:claim_id>")
def claim(claim_id: str, ext: str | None) -> Response:
    """A claim of the shipped article (legacy IRIs): see ``_claim``."""
    return _claim(get_iris().claim(claim_id), ext)


@_routes("/articles/<ident:article_id>/claims/<ident:claim_id>")
def article_claim(article_id: str, claim_id: str, ext: str | None) -> Response:
    """A claim of any other article, minted under its folder: see ``_claim``."""
    return _claim(get_iris().claim(claim_id, article_id), ext)


def _claim(iri: URIRef, ext: str | None) -> Response:
    """A claim: provenance graph, assertion graph, sources and reviews (TriG keeps the graphs), and
    its released versions; a retracted claim is a 410 that still links every version."""
    media_type = choose(RESOURCE, ext)
    model = get_read_model()
    history = model.claim_versions(iri)
    if history.retraction is not None and not model.has_claim(iri):
        return versions.retracted(iri, history, media_type)
    links = versions.claim_links(history)
    if media_type == HTML:
        return with_links(respond_page(iri, RESOURCE, "claim.html", page=model.claim_page(iri)), links)
    description = versions.add_version_triples(model.describe_claim(iri), iri, history)
    return respond(iri, description, media_type, RESOURCE, links)


@_routes("/claims/<ident:claim_id>/<ident:part>")
def claim_part(claim_id: str, part: str, ext: str | None) -> Response:
    """A part of a claim of the shipped article: see ``_claim_part``."""
    return _claim_part(get_iris().claim_part(claim_id, part), part, ext)


@_routes("/articles/<ident:article_id>/claims/<ident:claim_id>/<ident:part>")
def article_claim_part(article_id: str, claim_id: str, part: str, ext: str | None) -> Response:
    """A part of a claim of any other article: see ``_claim_part``."""
    return _claim_part(get_iris().claim_part(claim_id, part, article_id), part, ext)


def _claim_part(iri: URIRef, part: str, ext: str | None) -> Response:
    """A claim's assertion or provenance graph, or one node of it (figure, annotation, selector)."""
    media_type = choose(RESOURCE, ext)
    model = get_read_model()
    description = model.describe_graph(iri) if part in GRAPH_PARTS else model.describe(iri)
    return respond(iri, description, media_type, RESOURCE)


@_routes("/articles/<ident:article_id>/reviews/<ident:review_id>")
def article_review(article_id: str, review_id: str, ext: str | None) -> Response:
    """A review of a claim of an article other than the shipped one."""
    media_type = choose(RESOURCE, ext)
    iri = get_iris().review(review_id, article_id)
    return respond(iri, get_read_model().describe(iri), media_type, RESOURCE)


@_routes("/articles/<ident:article_id>/graphs/<ident:name>")
def article_graph(article_id: str, name: str, ext: str | None) -> Response:
    """A named graph of an article other than the shipped one (its metadata: ``graphs/article``)."""
    media_type = choose(RESOURCE, ext)
    iri = get_iris().article(f"{article_id}/graphs/{name}")
    return respond(iri, get_read_model().describe_graph(iri), media_type, RESOURCE)


@_routes("/articles/<ident:article_id>/text")
def article_text(article_id: str, ext: str | None) -> Response:
    """The article's verbatim text (text/plain first: every selector offset points into it)."""
    media_type = choose(TEXT_RESOURCE, ext)
    iri = get_iris().article_text(article_id)
    model = get_read_model()
    if media_type == TEXT:
        return respond_text(iri, model.article_text(iri), TEXT_RESOURCE)
    return respond(iri, model.describe(iri), media_type, TEXT_RESOURCE)


@_routes("/articles/<ident:article_id>/<ident:part>")
def article_part(article_id: str, part: str, ext: str | None) -> Response:
    """A part of an article other than its text (its image)."""
    media_type = choose(RESOURCE, ext)
    iri = get_iris().article(f"{article_id}/{part}")
    return respond(iri, get_read_model().describe(iri), media_type, RESOURCE)


@_routes("/checks/runs/<ident:run_id>")
def check_run(run_id: str, ext: str | None) -> Response:
    """One run of the automated checks (the activity that generated the reviews)."""
    media_type = choose(RESOURCE, ext)
    iri = get_iris().check_run(run_id)
    return respond(iri, get_read_model().describe(iri), media_type, RESOURCE)


@_routes("/graphs/<ident:name>")
def graph(name: str, ext: str | None) -> Response:
    """A named graph: its content."""
    media_type = choose(RESOURCE, ext)
    iri = get_iris().graph(name)
    return respond(iri, get_read_model().describe_graph(iri), media_type, RESOURCE)


@_routes("/ontology")
@_routes(f"/ontology/{ONTOLOGY_VERSION}", endpoint="ontology_version")  # its own endpoint: no redirect
def ontology(ext: str | None) -> Response:
    """The whole ontology: its terms are hash IRIs (/ontology#Claim), so this serves every term."""
    media_type = choose(RESOURCE, ext)
    iri = get_iris().ontology
    model = get_read_model()
    if media_type == HTML:
        return respond_page(iri, RESOURCE, "ontology.html", doc=model.ontology())
    return respond(iri, model.describe_graph(iri), media_type, RESOURCE)
