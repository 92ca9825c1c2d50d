"""Content negotiation for Linked Data resources: which representations each kind offers, and the choice.

The choice uses werkzeug's parsed Accept header (q-values, wildcards); nothing
here parses a header. A file extension (``/claims/c013.ttl``) overrides Accept.

Turtle is offered before HTML, so a client that sends only ``*/*`` (curl,
requests, a crawler) gets data: every browser names ``text/html`` explicitly and
still gets the page.

>>> from werkzeug.datastructures import MIMEAccept
>>> negotiate(MIMEAccept([("*/*", 1)]), RESOURCE, None)
'text/turtle'
>>> browser = MIMEAccept([("text/html", 1), ("application/xml", 0.9), ("*/*", 0.8)])
>>> negotiate(browser, RESOURCE, None)
'text/html'
>>> negotiate(MIMEAccept([("application/ld+json", 0.5), ("application/trig", 0.9)]), RESOURCE, None)
'application/trig'
>>> negotiate(MIMEAccept(), RESOURCE, None)  # no Accept header: anything goes (RFC 9110)
'text/turtle'
>>> negotiate(browser, RESOURCE, "nt")
'application/n-triples'
"""

from __future__ import annotations

from collections.abc import Sequence

from werkzeug.datastructures import MIMEAccept

from claimgraph import media_rdf as rdf_formats
from claimgraph.errors import NotAcceptable, NotFound

HTML = "text/html"
TEXT = "text/plain"

#: Offers per kind of resource, in order of preference when the client has none.
RESOURCE: tuple[str, ...] = (rdf_formats.MEDIA_TYPES[0], HTML, *rdf_formats.MEDIA_TYPES[1:])
#: The article text: the resource *is* a text, so plain text comes first.
TEXT_RESOURCE: tuple[str, ...] = (TEXT, *RESOURCE)
#: The VoID document: RDF only, Turtle by default.
DESCRIPTION: tuple[str, ...] = rdf_formats.MEDIA_TYPES

EXTENSIONS: dict[str, str] = {
    **{f.extension: f.media_type for f in rdf_formats.FORMATS},
    "html": HTML,
    "txt": TEXT,
}
EXTENSION_OF: dict[str, str] = {media_type: ext for ext, media_type in EXTENSIONS.items()}


def negotiate(accept: MIMEAccept, offers: Sequence[str], extension: str | None) -> str:
    """The media type to answer with.

    Raises NotFound for an extension this resource has no twin for, and
    NotAcceptable (listing the offers) when Accept admits none of them.
    """
    if extension is not None:
        media_type = EXTENSIONS.get(extension)
        if media_type not in offers:
            raise NotFound(f"no .{extension} representation here")
        return media_type
    if not accept:
        return offers[0]
    match = accept.best_match(offers)
    if match is None:
        raise NotAcceptable(offers)
    return match
