"""The choice of a format among those on offer: by suffix, by ``format`` names, or by Accept.

The choice uses werkzeug's parsed Accept header (q-values, wildcards; nothing here
parses a header). A suffix (``/claims/c013.ttl``) or a ``format`` parameter (names or
media types, for clients that cannot set headers) overrides Accept. /sparql's offers
are lenient, as SPARQL clients expect: alias types choose too, and names depend on the
query form, so SPARQLWrapper's ``format=xml`` means SPARQL XML for a SELECT and RDF/XML
for a CONSTRUCT. A Linked Data resource takes canonical types only and offers Turtle
before HTML: a client that sends only ``*/*`` (curl, a crawler) gets data, and every
browser names ``text/html``.

>>> from werkzeug.datastructures import MIMEAccept
>>> from claimgraph.media import GRAPHS, RESOURCE, SOLUTIONS
>>> negotiate(MIMEAccept([("*/*", 1)]), SOLUTIONS).media_type
'application/sparql-results+json'
>>> negotiate(MIMEAccept([("application/json", 1)]), SOLUTIONS).media_type
'application/sparql-results+json'
>>> negotiate(MIMEAccept(), GRAPHS).media_type  # no Accept header: anything goes (RFC 9110)
'text/turtle'
>>> negotiate(MIMEAccept([("text/html", 1)]), GRAPHS, names=["xml"]).media_type
'application/rdf+xml'
>>> browser = MIMEAccept([("text/html", 1), ("application/xml", 0.9), ("*/*", 0.8)])
>>> negotiate(browser, RESOURCE).media_type, negotiate(browser, RESOURCE, suffix="nt").media_type
('text/html', 'application/n-triples')
>>> negotiate(MIMEAccept([("application/json", 1)]), RESOURCE)  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
claimgraph.errors.NotAcceptable: this resource is available as text/turtle, text/html, ...
>>> negotiate(MIMEAccept(), SOLUTIONS, names=["turtle"])  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
claimgraph.errors.NotAcceptable: this resource is available as application/sparql-results+json (json), ...
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

from claimgraph.errors import NotAcceptable, NotFound
from claimgraph.media import Format, Offers


@lru_cache(maxsize=256)
def parse_accept(header: str | None) -> MIMEAccept:
    """An Accept header parsed by werkzeug, as ``request.accept_mimetypes`` would be.

    Remembered: clients send a handful of distinct headers, and parsing one costs
    more than the rest of a small query's negotiation. A MIMEAccept is immutable.

    >>> parse_accept("text/csv;q=0.5, application/json").best
    'application/json'
    """
    return parse_accept_header(header, MIMEAccept)


def negotiate(
    accept: MIMEAccept, offers: Offers, *, names: Sequence[str] = (), suffix: str | None = None
) -> Format:
    """The format to answer with: by ``suffix`` if given, else by ``names`` (``format``
    parameter values) if given, else by Accept.

    Raises NotFound for a suffix the offers have no twin in, and NotAcceptable
    (listing the offers) when nothing on offer is acceptable.
    """
    if suffix is not None:
        for fmt in offers:
            if suffix in fmt.suffixes:
                return fmt
        raise NotFound(f"no .{suffix} representation here")
    return _by_accept(tuple(accept), offers, tuple(names))


@lru_cache(maxsize=1024)
def _by_accept(accept_items: tuple[tuple[str, float], ...], offers: Offers, names: tuple[str, ...]) -> Format:
    # Clients send a handful of distinct Accept headers; werkzeug's matching costs tens of
    # microseconds a request, so each answer is remembered (a NotAcceptable is not).
    accept = MIMEAccept(accept_items)
    if names:
        accept = accept_from_names(names, offers)
    elif not accept:
        return offers.formats[0]
    types = [f.media_types if offers.lenient else f.media_types[:1] for f in offers]
    by_type = {t: fmt for fmt, fmt_types in zip(offers, types, strict=True) for t in fmt_types}
    # Canonical types before aliases, so a tie (e.g. */*) picks a canonical type in offer order.
    candidates = [t[0] for t in types] + [alias for t in types for alias in t[1:]]
    match = _best_match(accept, candidates)
    if match is None:
        listed = [f"{f.media_type} ({f.format_names[0]})" if offers.lenient else f.media_type for f in offers]
        raise NotAcceptable(listed)
    return by_type[match]


def _best_match(accept: MIMEAccept, candidates: Sequence[str]) -> str | None:
    """The one place a client's media ranges meet the types on offer (werkzeug's q-values and
    wildcards; media type parameters are not compared)."""
    return accept.best_match(candidates)


def accept_from_names(names: Sequence[str], offers: Offers) -> MIMEAccept:
    """The ``format`` parameter as an Accept header: names become media types.

    Values may be names or media types, and a value may list several separated by
    commas (SPARQLWrapper repeats its Accept header there). Unknown names are
    dropped, so they end in a 406 that lists what is on offer.

    >>> from claimgraph.media import SOLUTIONS
    >>> list(accept_from_names(["tsv", "application/json;q=0.5"], SOLUTIONS).values())
    ['text/tab-separated-values', 'application/json']
    """
    by_name = {name: fmt.media_type for fmt in offers for name in fmt.format_names}
    types = []
    for value in names:
        for item in value.split(","):
            item = item.strip()
            if "/" in item:
                types.append(item)
            elif item.lower() in by_name:
                types.append(by_name[item.lower()])
    return parse_accept_header(",".join(types), MIMEAccept)
