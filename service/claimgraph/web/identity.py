"""Where every document belongs, whatever name the server is reached by.

IRIs are minted under the dataset's canonical base (claimgraph/iris.py), never from
the request's host: a document fetched as http://localhost:5000/claims/c013 or through
a proxy describes the canonical IRI, and its HTML links point at this server's paths
(web/urls.py). Here:

- every Linked Data document says where it belongs: ``void:inDataset`` in its triples,
  and ``Link`` headers to its canonical IRI (``rel="canonical"``), the dataset, the
  SPARQL endpoint and the VoID description;
- ``/`` (the base itself) is a landing page for people and the dataset description
  (VoID) for RDF clients (web/landing.py);
- with ``proxy_hops`` set, werkzeug's ProxyFix takes scheme, host and mount point from
  the X-Forwarded-* headers of that many proxies (for links, never for IRIs).
"""

from __future__ import annotations

from flask import Flask, Response, g
from rdflib import Dataset, URIRef
from rdflib.namespace import VOID
from werkzeug.middleware.proxy_fix import ProxyFix

from claimgraph.settings import Settings
from claimgraph.web import get_iris, urls


def init_app(app: Flask, settings: Settings) -> None:
    """Link every document to where it belongs; trust ``proxy_hops`` proxies' X-Forwarded-*."""
    app.after_request(add_document_links)
    hops = settings.proxy_hops
    if hops:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_prefix=hops
        )


def in_dataset(description: Dataset, iri: URIRef) -> Dataset:
    """``description`` saying that ``iri`` belongs to the dataset (void:inDataset, in the default
    graph: a statement about the document, not part of any claim's graphs)."""
    dataset = get_iris().dataset
    if iri != dataset:
        description.add((iri, VOID.inDataset, dataset))
    return description


def describes(iri: URIRef | str) -> None:
    """Note the canonical IRI the response being built is about (add_document_links uses it)."""
    g.document_iri = str(iri)


def add_document_links(response: Response) -> Response:
    """after_request: a document about a canonical IRI links it, the dataset, the endpoint and VoID."""
    iri = g.get("document_iri")
    if iri is None or response.status_code >= 300:
        return response
    iris = get_iris()
    links = [urls.Link(iri, rel="canonical")]
    if iri != str(iris.dataset):
        links.append(urls.Link(str(iris.dataset), rel=str(VOID.inDataset)))
    links += [
        urls.Link(urls.href(str(iris.sparql_endpoint)), rel=str(VOID.sparqlEndpoint)),
        urls.Link(urls.href(str(iris.void_document)), "text/turtle", rel="describedby"),
    ]
    present = response.headers.getlist("Link")
    for link in links:
        if link.header() not in present:
            response.headers.add("Link", link.header())
    return response
