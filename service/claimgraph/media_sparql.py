"""What /sparql answers in: the offers per query form, and the choice among them.

The choice is made before the query runs, from the form the guard found, with
werkzeug's parsed Accept header (q-values, wildcards; nothing here parses a
header). A ``format`` parameter (``json``, ``turtle``, … or media types) stands
in for Accept when a client cannot set headers; its short names depend on the
form, so SPARQLWrapper's ``format=xml`` means SPARQL XML for a SELECT and
RDF/XML for a CONSTRUCT.

>>> from werkzeug.datastructures import MIMEAccept
>>> negotiate(MIMEAccept([("*/*", 1)]), QueryForm.SELECT).media_type
'application/sparql-results+json'
>>> xml_first = MIMEAccept([("text/csv", 0.5), ("application/sparql-results+xml", 1)])
>>> negotiate(xml_first, QueryForm.ASK).media_type
'application/sparql-results+xml'
>>> negotiate(MIMEAccept([("application/json", 1)]), QueryForm.SELECT).media_type
'application/sparql-results+json'
>>> negotiate(MIMEAccept(), QueryForm.CONSTRUCT).media_type  # no Accept header: anything goes
'text/turtle'
>>> negotiate(MIMEAccept([("text/html", 1)]), QueryForm.CONSTRUCT, ["xml"]).media_type
'application/rdf+xml'
>>> negotiate(MIMEAccept(), QueryForm.SELECT, ["turtle"])  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
claimgraph.errors.NotAcceptable: this resource is available as application/sparql-results+json (json), ...
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache

from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

from claimgraph.errors import NotAcceptable


class QueryForm(Enum):
    SELECT = "SELECT"
    ASK = "ASK"
    CONSTRUCT = "CONSTRUCT"
    DESCRIBE = "DESCRIBE"

    @property
    def returns_graph(self) -> bool:
        return self in (QueryForm.CONSTRUCT, QueryForm.DESCRIBE)


@dataclass(frozen=True)
class Offer:
    """A media type we answer with, the ``format`` names for it, and types that ask for it too."""

    media_type: str
    names: tuple[str, ...]
    aliases: tuple[str, ...] = ()
    #: The W3C format IRI (http://www.w3.org/ns/formats/), for the service description.
    w3c_name: str = ""


#: SELECT and ASK results; JSON first, it is what a client that accepts anything gets.
SOLUTION_OFFERS: tuple[Offer, ...] = (
    Offer("application/sparql-results+json", ("json",), ("application/json",), "SPARQL_Results_JSON"),
    Offer("application/sparql-results+xml", ("xml",), ("application/xml", "text/xml"), "SPARQL_Results_XML"),
    Offer("text/csv", ("csv",), (), "SPARQL_Results_CSV"),
    Offer("text/tab-separated-values", ("tsv",), (), "SPARQL_Results_TSV"),
)
#: CONSTRUCT and DESCRIBE results; Turtle first. TriG and N-Quads carry them in the default graph.
GRAPH_OFFERS: tuple[Offer, ...] = (
    Offer(
        "text/turtle",
        ("turtle", "ttl", "n3"),
        ("application/turtle", "application/x-turtle", "text/n3", "text/rdf+n3"),
        "Turtle",
    ),
    Offer("application/n-triples", ("ntriples", "nt"), (), "N-Triples"),
    Offer(
        "application/ld+json",
        ("jsonld", "json-ld", "json"),
        ("application/json", "application/x-json+ld"),
        "JSON-LD",
    ),
    Offer(
        "application/rdf+xml", ("rdfxml", "rdf+xml", "rdf", "xml"), ("application/xml", "text/xml"), "RDF_XML"
    ),
    Offer("application/trig", ("trig",), (), "TriG"),
    Offer("application/n-quads", ("nquads", "nq"), (), "N-Quads"),
)
HTML_OFFER = Offer("text/html", ("html",), ("application/xhtml+xml",))
#: A bare GET on /sparql: the service description in RDF, or the query form for a browser.
DESCRIPTION_OFFERS: tuple[Offer, ...] = (*GRAPH_OFFERS, HTML_OFFER)


@lru_cache(maxsize=256)
def parse_accept(header: str | None) -> MIMEAccept:
    """An Accept header parsed by werkzeug, as ``request.accept_mimetypes`` would be.

    Remembered: clients send a handful of distinct headers, and parsing one costs
    more than the rest of a small query's negotiation. A MIMEAccept is immutable.

    >>> parse_accept("text/csv;q=0.5, application/json").best
    'application/json'
    """
    return parse_accept_header(header, MIMEAccept)


def offers_for(form: QueryForm) -> tuple[Offer, ...]:
    return GRAPH_OFFERS if form.returns_graph else SOLUTION_OFFERS


def negotiate(accept: MIMEAccept, form: QueryForm | tuple[Offer, ...], formats: Sequence[str] = ()) -> Offer:
    """The offer to answer with; ``formats`` (the ``format`` parameter values) overrides Accept.

    Raises NotAcceptable, listing the offers, when nothing on offer is acceptable.
    """
    offers = offers_for(form) if isinstance(form, QueryForm) else form
    return _negotiate(tuple(accept), tuple(offers), tuple(formats))


@lru_cache(maxsize=1024)
def _negotiate(
    accept_items: tuple[tuple[str, float], ...], offers: tuple[Offer, ...], formats: tuple[str, ...]
) -> Offer:
    # Clients send a handful of distinct Accept headers; werkzeug's matching costs tens of
    # microseconds a request, so each answer is remembered (a NotAcceptable is not).
    accept = MIMEAccept(accept_items)
    if formats:
        accept = accept_from_format(formats, offers)
    elif not accept:
        return offers[0]
    by_type = {t: offer for offer in offers for t in (offer.media_type, *offer.aliases)}
    # Canonical types before aliases, so a tie (e.g. */*) picks a canonical type in offer order.
    candidates = [o.media_type for o in offers] + [a for o in offers for a in o.aliases]
    match = accept.best_match(candidates)
    if match is None:
        raise NotAcceptable([f"{o.media_type} ({o.names[0]})" for o in offers])
    return by_type[match]


def accept_from_format(formats: Sequence[str], offers: Sequence[Offer]) -> MIMEAccept:
    """The ``format`` parameter as an Accept header: short names become media types.

    Values may be names or media types, and a value may list several separated by
    commas (SPARQLWrapper repeats its Accept header there). Unknown names are
    dropped, so they end in a 406 that lists what is on offer.

    >>> list(accept_from_format(["tsv", "application/json;q=0.5"], SOLUTION_OFFERS).values())
    ['text/tab-separated-values', 'application/json']
    """
    names = {name: offer.media_type for offer in offers for name in offer.names}
    types = []
    for value in formats:
        for item in value.split(","):
            item = item.strip()
            if "/" in item:
                types.append(item)
            elif item.lower() in names:
                types.append(names[item.lower()])
    return parse_accept_header(",".join(types), MIMEAccept)
