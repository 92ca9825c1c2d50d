"""Answer a Linked Data request: negotiate before any lookup, then render HTML, RDF or text.

Every response carries one ``Link: <…>; rel="alternate"`` per twin; a response
chosen from the Accept header (not from an extension) also says ``Vary: Accept``.
"""

from __future__ import annotations

from collections.abc import Sequence

from flask import Response, g, render_template, request
from rdflib import Dataset, URIRef
from werkzeug.routing import BaseConverter

from claimgraph import media_conneg as conneg
from claimgraph import media_rdf as rdf_formats
from claimgraph import media_sparql as formats
from claimgraph.reading import resource_page as pages
from claimgraph.web import get_iris, urls

JSON = "application/json"


class IdentConverter(BaseConverter):
    """A minted id: letters, digits, '-', '_', '~' (no dot, so ``c013.ttl`` is id + extension)."""

    regex = r"[A-Za-z0-9_~-]+"


class ExtensionConverter(BaseConverter):
    """A known extension; anything else does not route, so ``/claims/c013.xyz`` is a 404."""

    regex = "|".join(sorted(conneg.EXTENSIONS, key=len, reverse=True))


CONVERTERS = {"ident": IdentConverter, "ext": ExtensionConverter}


def choose(offers: Sequence[str], extension: str | None) -> str:
    """The media type to answer with (404 for a foreign extension, 406 when nothing is acceptable)."""
    if extension is None:
        g.vary_accept = True
    # What was chosen also decides how an error is shown from here on (web/errors.py, audience).
    g.answer = conneg.negotiate(formats.parse_accept(request.headers.get("Accept")), offers, extension)
    return g.answer  # type: ignore[no-any-return]


def respond(
    iri: URIRef,
    description: Dataset,
    media_type: str,
    twins: Sequence[str],
    links: Sequence[urls.Link] = (),
) -> Response:
    """``description`` of ``iri`` as ``media_type``, linking its ``twins`` (media types) and ``links``."""
    prefixes = get_iris().prefixes()
    alternates = [*urls.alternates(str(iri), tuple(twins)), *links]
    if media_type == conneg.HTML:
        page = pages.build_page(description, iri, prefixes, urls.href, get_iris().base)
        response = Response(
            render_template("resource.html", page=page, links=alternates), mimetype=media_type
        )
    else:
        response = Response(rdf_formats.serialize(description, media_type, prefixes), mimetype=media_type)
    return with_links(response, alternates)


def respond_page(iri: URIRef, twins: Sequence[str], template: str, **context: object) -> Response:
    """A page of its own for ``iri`` (a claim, a source, the article), with the twins ``respond`` links."""
    alternates = urls.alternates(str(iri), tuple(twins))
    body = render_template(template, links=alternates, iri=str(iri), **context)
    return with_links(Response(body, mimetype=conneg.HTML), alternates)


def respond_text(iri: URIRef, text: str, offers: Sequence[str]) -> Response:
    """A text resource as ``text/plain; charset=utf-8``."""
    return with_links(Response(text, mimetype=conneg.TEXT), urls.alternates(str(iri), tuple(offers)))


def with_links(response: Response, links: Sequence[urls.Link]) -> Response:
    for link in links:
        response.headers.add("Link", link.header())
    return response


def vary_on_accept(response: Response) -> Response:
    """after_request: a negotiated answer depends on Accept, and caches must know it."""
    if g.get("vary_accept"):
        vary_on(response, "Accept")
    return response


def vary_on(response: Response, header: str) -> None:
    """Add ``header`` to Vary; werkzeug's ``response.vary`` re-parses and re-writes the header
    on every change, which costs more than a small query's answer when it is still absent."""
    if "Vary" in response.headers:
        response.vary.add(header)
    else:
        response.headers["Vary"] = header
