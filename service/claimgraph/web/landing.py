"""``/``, the base IRI itself: a landing page for people, the dataset description for RDF clients."""

from __future__ import annotations

from flask import Blueprint, Response, render_template
from rdflib.namespace import DCTERMS, VOID

from claimgraph.iris import ONTOLOGY
from claimgraph.media import DATASET_FORMATS, HTML, RESOURCE
from claimgraph.rdf_serialization import merged
from claimgraph.web import get_iris, get_read_model, identity, urls
from claimgraph.web.representation import choose, respond, with_links

bp = Blueprint("landing", __name__)


@bp.get("/")
def landing() -> Response:
    """People get a page about the dataset; RDF clients get its description (VoID), as /dataset does."""
    media_type = choose(RESOURCE, None)
    iris = get_iris()
    description = get_read_model().dataset_description()
    void_document = urls.Link(urls.href(str(iris.void_document)), "text/turtle", rel="describedby")
    links = [void_document, *urls.dumps(DATASET_FORMATS)]
    if media_type is not HTML:
        return respond(iris.dataset, description.dataset, media_type, (), links)
    graph = merged(description.dataset)
    body = render_template(
        "landing.html",
        iri=str(iris.dataset),
        title=graph.value(iris.dataset, DCTERMS.title),
        summary=graph.value(iris.dataset, DCTERMS.description),
        license=graph.value(iris.dataset, DCTERMS.license),
        triples=graph.value(iris.dataset, VOID.triples),
        version=description.version,
        iris=iris,
        ontology=ONTOLOGY,
        dumps=[(fmt, urls.href(f"{iris.dataset}.{fmt.suffix}")) for fmt in DATASET_FORMATS],
        links=links,
    )
    identity.describes(iris.dataset)
    return with_links(Response(body, mimetype=HTML.media_type), links)
