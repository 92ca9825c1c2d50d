"""The choice of a format among those on offer: by suffix, by ``format`` names, or by Accept.

The choice follows RFC 9110 12.5.1 on werkzeug's parsed Accept header (nothing here
parses a header): a format's q-value is that of the most specific media range that
matches it, parameters included (``text/turtle; charset=utf-8``, JSON-LD's ``profile``);
a tie goes to the more specific range, then to the offer listed first. A Linked Data
document also weighs the service's own preference (Format.source_quality): a client
that takes N-Quads and N-Triples alike gets the document's triples in the default graph.
A suffix (``/claims/c013.ttl``) or a ``format`` parameter (names or
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
from dataclasses import dataclass
from functools import lru_cache

from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header, parse_options_header

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
    # Clients send a handful of distinct Accept headers; matching costs tens of microseconds
    # a request, so each answer is remembered (a NotAcceptable is not).
    accept = MIMEAccept(accept_items)
    if names:
        accept = accept_from_names(names, offers)
    elif not accept:
        return offers.formats[0]
    types = [f.media_types if offers.lenient else f.media_types[:1] for f in offers]
    # Canonical types before aliases, so a tie (e.g. */*) picks a canonical type in offer order.
    candidates = [(t[0], fmt) for fmt, t in zip(offers, types, strict=True)]
    candidates += [(alias, fmt) for fmt, t in zip(offers, types, strict=True) for alias in t[1:]]
    ranges = media_ranges(accept)
    best: tuple[float, tuple[int, int], int] | None = None
    chosen: Format | None = None
    for order, (media_type, fmt) in enumerate(candidates):
        found = quality(ranges, media_type, fmt)
        if found is None:
            continue
        q, specificity = found
        if offers.weighted:
            q *= fmt.source_quality
        score = (q, specificity, -order)
        if q > 0 and (best is None or score > best):
            best, chosen = score, fmt
    if chosen is None:
        listed = [f"{f.media_type} ({f.format_names[0]})" if offers.lenient else f.media_type for f in offers]
        raise NotAcceptable(listed)
    return chosen


@dataclass(frozen=True)
class MediaRange:
    """One media range of an Accept header, as werkzeug parsed it, its parameters apart."""

    type: str
    subtype: str
    params: tuple[tuple[str, str], ...]
    q: float

    def specificity(self) -> tuple[int, int]:
        """RFC 9110 12.5.1: ``text/turtle;charset=utf-8`` > ``text/turtle`` > ``text/*`` > ``*/*``."""
        level = 0 if self.type == "*" else 1 if self.subtype == "*" else 2
        return level, len(self.params)

    def param(self, name: str) -> str | None:
        return next((value for key, value in self.params if key == name), None)


def media_ranges(accept: MIMEAccept) -> list[MediaRange]:
    """werkzeug's parsed Accept items, each split into type, subtype and parameters (werkzeug's
    parse_options_header; the q-value is werkzeug's already)."""
    ranges = []
    for value, q in accept:
        mimetype, params = parse_options_header(value)
        main, _, sub = mimetype.lower().partition("/")
        pairs = tuple(sorted((k.lower(), v) for k, v in params.items() if k.lower() != "q"))
        ranges.append(MediaRange(main, sub or "*", pairs, q))
    return ranges


def quality(
    ranges: Sequence[MediaRange], media_type: str, fmt: Format
) -> tuple[float, tuple[int, int]] | None:
    """The q-value the client gives ``media_type`` (as ``fmt``): that of the most specific
    range that matches it (RFC 9110 12.5.1), with that range's specificity; None if none does.

    >>> ranges = media_ranges(parse_accept("text/*;q=0.3, text/turtle;charset=UTF-8;q=0.7, */*;q=0.1"))
    >>> from claimgraph.media import BY_MEDIA_TYPE as T
    >>> quality(ranges, "text/turtle", T["text/turtle"]), quality(ranges, "text/html", T["text/html"])
    ((0.7, (2, 1)), (0.3, (1, 0)))
    """
    found: tuple[float, tuple[int, int]] | None = None
    for candidate in ranges:
        if matches(candidate, media_type, fmt):
            specificity = candidate.specificity()
            if found is None or specificity > found[1]:
                found = (candidate.q, specificity)
    return found


def matches(candidate: MediaRange, media_type: str, fmt: Format) -> bool:
    """Whether ``candidate`` covers ``media_type`` as ``fmt`` sends it: the types match (or are
    wildcards) and so does every parameter the format varies on. Every answer is UTF-8, so
    ``charset`` must name UTF-8; ``profile`` must name JSON-LD forms this service writes;
    other parameters (extensions) change nothing here and are ignored."""
    main, _, sub = media_type.partition("/")
    if candidate.type != "*" and (candidate.type != main or candidate.subtype not in ("*", sub)):
        return False
    for name, value in candidate.params:
        if name == "charset" and value.strip().lower() not in UTF_8:
            return False
        if name == "profile" and (not fmt.profiles or not set(value.split()) <= set(fmt.profiles)):
            return False
    return True


UTF_8 = frozenset({"utf-8", "utf8"})


def profile_asked(accept: MIMEAccept, fmt: Format) -> tuple[str, ...]:
    """The profile IRIs (JSON-LD's expanded, compacted, flattened) of the range that chose
    ``fmt``: the best one naming a profile among those matching its canonical type; () if none does.

    >>> from claimgraph.media import BY_MEDIA_TYPE as T
    >>> accept = parse_accept('application/ld+json;profile="http://www.w3.org/ns/json-ld#expanded"')
    >>> profile_asked(accept, T["application/ld+json"])
    ('http://www.w3.org/ns/json-ld#expanded',)
    """
    best: tuple[float, tuple[int, int]] | None = None
    asked: tuple[str, ...] = ()
    for candidate in media_ranges(accept):
        value = candidate.param("profile")
        if value is None or candidate.q <= 0 or not matches(candidate, fmt.media_type, fmt):
            continue
        key = (candidate.q, candidate.specificity())
        if best is None or key > best:
            best, asked = key, tuple(value.split())
    return asked


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
