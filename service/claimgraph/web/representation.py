"""Answer a Linked Data request: negotiate before any lookup, then render HTML, RDF or text.

Every response carries one ``Link: <…>; rel="alternate"`` per twin; a response
chosen from the Accept header (not from an extension) also says ``Vary: Accept``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from flask import Response, g, render_template, request
from rdflib import Dataset, URIRef
from werkzeug.routing import BaseConverter

from claimgraph import media
from claimgraph.media import Format, Offers
from claimgraph.negotiation import negotiate, parse_accept, profile_asked
from claimgraph.rdf_serialization import jsonld_profile, serialize
from claimgraph.reading import resource_page as pages
from claimgraph.web import get_iris, identity, urls


class IdentConverter(BaseConverter):
    """A minted id: letters, digits, '-', '_', '~' (no dot, so ``c013.ttl`` is id + extension)."""

    regex = r"[A-Za-z0-9_~-]+"


class ExtensionConverter(BaseConverter):
    """A known extension; anything else does not route, so ``/claims/c013.xyz`` is a 404."""

    regex = "|".join(sorted(media.SUFFIXES, key=len, reverse=True))


CONVERTERS = {"ident": IdentConverter, "ext": ExtensionConverter}


def choose(offers: Offers, extension: str | None) -> Format:
    """The format to answer with (404 for a foreign extension, 406 when nothing is acceptable)."""
    if extension is None:
        g.vary_accept = True
    chosen = negotiate(parse_accept(request.headers.get("Accept")), offers, suffix=extension)
    # What was chosen also decides how an error is shown from here on (web/errors.py, audience).
    g.answer = chosen.media_type
    return chosen


def respond(
    iri: URIRef,
    description: Dataset,
    fmt: Format,
    twins: Iterable[Format],
    links: Sequence[urls.Link] = (),
) -> Response:
    """``description`` of ``iri`` in ``fmt``, linking its ``twins`` and ``links``."""
    identity.describes(iri)
    description = identity.in_dataset(description, iri)
    prefixes = get_iris().prefixes()
    alternates = [*urls.alternates(str(iri), twins), *links]
    if fmt is media.HTML:
        page = pages.build_page(description, iri, prefixes, urls.href, get_iris().base)
        response = Response(
            render_template("resource.html", page=page, links=alternates), mimetype=fmt.media_type
        )
    else:
        response = rdf_response(description, fmt)
    return with_links(response, alternates)


def rdf_response(description: Dataset, fmt: Format) -> Response:
    """``description`` in ``fmt``, an RDF format; JSON-LD in the profile Accept asks for, named
    in the Content-Type."""
    profile = ""
    if fmt.profiles:
        profile = jsonld_profile(profile_asked(parse_accept(request.headers.get("Accept")), fmt))
    body = serialize(description, fmt, get_iris().prefixes(), profile)
    return Response(body, content_type=fmt.content_type(profile))


def respond_page(iri: URIRef, twins: Iterable[Format], template: str, **context: object) -> Response:
    """A page of its own for ``iri`` (a claim, a source, the article), with the twins ``respond`` links."""
    identity.describes(iri)
    alternates = urls.alternates(str(iri), twins)
    body = render_template(template, links=alternates, iri=str(iri), **context)
    return with_links(Response(body, mimetype=media.HTML.media_type), alternates)


def respond_text(iri: URIRef, text: str, twins: Iterable[Format]) -> Response:
    """A text resource as ``text/plain; charset=utf-8``."""
    identity.describes(iri)
    return with_links(Response(text, mimetype=media.TEXT.media_type), urls.alternates(str(iri), twins))


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
        response.headers.add("Vary", header)  # what setting it does when it is absent, without a scan
