"""Every format the service reads or writes, one row each, and every list derived from the rows.

A row (Format) gives every name a format goes by: media types (canonical first, then
aliases), file suffixes, ``format`` parameter names, rdflib's and pyoxigraph's names;
what it holds; and where it is offered. Every list is derived from the rows
(FormatTable): the answers per SPARQL query form, the representations per kind of
Linked Data resource, the twin suffixes, the whole-dataset files (dumps, ``claimgraph
export``, ``claimgraph validate FILE``), the query command's outputs, the service
description's result formats. Adding a format is a row (and a test in tests/test_media.py).
The choice among a list's formats is claimgraph/negotiation.py's.

>>> [f.media_type for f in RESOURCE]  # doctest: +NORMALIZE_WHITESPACE
['text/turtle', 'text/html', 'application/ld+json', 'application/trig', 'application/n-triples',
 'application/rdf+xml', 'application/n-quads']
>>> SUFFIXES["nq"].rdflib, [f.command_name for f in DATASET_FORMATS]
('nquads', ['trig', 'nquads', 'turtle', 'jsonld'])
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from enum import Enum

import pyoxigraph as ox

#: The W3C's format IRIs (sd:resultFormat, void:feature, dcterms:format).
W3C_FORMATS = "http://www.w3.org/ns/formats/"


class Kind(Enum):
    """What a format holds."""

    TRIPLES = "RDF triples"
    QUADS = "RDF with named graphs"
    RESULTS = "SPARQL SELECT or ASK results"
    PAGE = "an HTML page"
    TEXT = "plain text"
    JSON = "a JSON document of the web API"

    @property
    def is_rdf(self) -> bool:
        return self in (Kind.TRIPLES, Kind.QUADS)


class QueryForm(Enum):
    SELECT = "SELECT"
    ASK = "ASK"
    CONSTRUCT = "CONSTRUCT"
    DESCRIBE = "DESCRIBE"

    @property
    def returns_graph(self) -> bool:
        return self in (QueryForm.CONSTRUCT, QueryForm.DESCRIBE)


# Compared and hashed by identity: there is one object per format, and negotiation's cache keys on it.
@dataclass(frozen=True, eq=False)
class Format:
    """One format, with every name it goes by and the lists it is offered in.

    A rank places the format in one list (0 first; a tie keeps the table's order);
    None keeps it out of that list.
    """

    #: What people call it (the page's "Data:" links).
    name: str
    kind: Kind
    #: The canonical type first (the answer's Content-Type), then aliases a client may ask for it by.
    media_types: tuple[str, ...]
    #: File suffixes without the dot; the first names the twin (/claims/c013.ttl) and the dump.
    suffixes: tuple[str, ...] = ()
    #: Values of /sparql's ``format`` parameter; the first also names it on the command line.
    format_names: tuple[str, ...] = ()
    #: rdflib's serializer and parser (RDF), or its result serializer and parser (SPARQL results).
    rdflib: str = ""
    oxigraph: ox.RdfFormat | ox.QueryResultsFormat | None = None
    #: The charset parameter the media type takes (always UTF-8 here); None: the type defines none.
    charset: str | None = None
    #: Its local name among the W3C's format IRIs (W3C_FORMATS).
    w3c_name: str = ""
    #: A resource's description is written as one merged graph although the syntax could name
    #: graphs: what JSON-LD's readers expect. (TriG and N-Quads keep an assertion apart.)
    flat_descriptions: bool = False
    #: Place among /sparql's answers to the query forms of its kind (0: what ``*/*`` gets).
    sparql_rank: int | None = None
    #: Place among a Linked Data resource's representations (0: what ``*/*`` gets).
    resource_rank: int | None = None
    #: Place among the whole-dataset files: the dumps, ``claimgraph export``, ``claimgraph validate FILE``.
    dataset_rank: int | None = None
    #: Written by ``claimgraph query --format``.
    query_command: bool = False

    @property
    def media_type(self) -> str:
        return self.media_types[0]

    @property
    def suffix(self) -> str:
        """The twin's and the dump's suffix (IndexError for a format without one)."""
        return self.suffixes[0]

    @property
    def command_name(self) -> str:
        """Its name for ``claimgraph export --format`` and ``claimgraph query --format``."""
        return self.format_names[0]

    @property
    def w3c_iri(self) -> str:
        return W3C_FORMATS + self.w3c_name

    def __repr__(self) -> str:
        return f"<Format {self.name} {self.media_type}>"


@dataclass(frozen=True)
class Offers:
    """The formats one kind of answer comes in, in order of preference (the first: no preference)."""

    formats: tuple[Format, ...]
    #: /sparql's way, for SPARQL clients: alias types and ``format`` names choose too, and a 406
    #: names each offer's ``format`` name. Linked Data resources take canonical types and suffixes.
    lenient: bool = False

    def __iter__(self) -> Iterator[Format]:
        return iter(self.formats)


FORMATS: tuple[Format, ...] = (
    Format(
        "SPARQL JSON",
        Kind.RESULTS,
        ("application/sparql-results+json", "application/json"),
        format_names=("json",),
        rdflib="json",
        oxigraph=ox.QueryResultsFormat.JSON,
        w3c_name="SPARQL_Results_JSON",
        sparql_rank=0,
        query_command=True,
    ),
    Format(
        "SPARQL XML",
        Kind.RESULTS,
        ("application/sparql-results+xml", "application/xml", "text/xml"),
        format_names=("xml",),
        rdflib="xml",
        oxigraph=ox.QueryResultsFormat.XML,
        charset="utf-8",
        w3c_name="SPARQL_Results_XML",
        sparql_rank=1,
    ),
    Format(
        "SPARQL CSV",
        Kind.RESULTS,
        ("text/csv",),
        format_names=("csv",),
        rdflib="csv",
        oxigraph=ox.QueryResultsFormat.CSV,
        charset="utf-8",
        w3c_name="SPARQL_Results_CSV",
        sparql_rank=2,
        query_command=True,
    ),
    Format(
        "SPARQL TSV",
        Kind.RESULTS,
        ("text/tab-separated-values",),
        format_names=("tsv",),
        rdflib="tsv",
        oxigraph=ox.QueryResultsFormat.TSV,
        charset="utf-8",
        w3c_name="SPARQL_Results_TSV",
        sparql_rank=3,
        query_command=True,
    ),
    Format(
        "Turtle",
        Kind.TRIPLES,
        ("text/turtle", "application/turtle", "application/x-turtle", "text/n3", "text/rdf+n3"),
        suffixes=("ttl",),
        format_names=("turtle", "ttl", "n3"),
        rdflib="turtle",
        oxigraph=ox.RdfFormat.TURTLE,
        charset="utf-8",
        w3c_name="Turtle",
        sparql_rank=0,
        resource_rank=0,
        dataset_rank=2,
    ),
    Format(
        "N-Triples",
        Kind.TRIPLES,
        ("application/n-triples",),
        suffixes=("nt",),
        format_names=("ntriples", "nt"),
        rdflib="nt",
        oxigraph=ox.RdfFormat.N_TRIPLES,
        w3c_name="N-Triples",
        sparql_rank=1,
        resource_rank=4,
    ),
    Format(
        "JSON-LD",
        Kind.QUADS,
        ("application/ld+json", "application/json", "application/x-json+ld"),
        suffixes=("jsonld",),
        format_names=("jsonld", "json-ld", "json"),
        rdflib="json-ld",
        oxigraph=ox.RdfFormat.JSON_LD,
        w3c_name="JSON-LD",
        flat_descriptions=True,
        sparql_rank=2,
        resource_rank=2,
        dataset_rank=3,
    ),
    Format(
        "RDF/XML",
        Kind.TRIPLES,
        ("application/rdf+xml", "application/xml", "text/xml"),
        suffixes=("rdf",),
        format_names=("rdfxml", "rdf+xml", "rdf", "xml"),
        rdflib="xml",
        oxigraph=ox.RdfFormat.RDF_XML,
        charset="utf-8",
        w3c_name="RDF_XML",
        sparql_rank=3,
        resource_rank=5,
    ),
    Format(
        "TriG",
        Kind.QUADS,
        ("application/trig",),
        suffixes=("trig",),
        format_names=("trig",),
        rdflib="trig",
        oxigraph=ox.RdfFormat.TRIG,
        charset="utf-8",
        w3c_name="TriG",
        sparql_rank=4,
        resource_rank=3,
        dataset_rank=0,
    ),
    Format(
        "N-Quads",
        Kind.QUADS,
        ("application/n-quads",),
        suffixes=("nq",),
        format_names=("nquads", "nq"),
        rdflib="nquads",
        oxigraph=ox.RdfFormat.N_QUADS,
        w3c_name="N-Quads",
        sparql_rank=5,
        resource_rank=6,
        dataset_rank=1,
    ),
    # HTML and text have no rdflib or pyoxigraph names: web/ renders them.
    Format(
        "HTML",
        Kind.PAGE,
        ("text/html", "application/xhtml+xml"),
        suffixes=("html",),
        format_names=("html",),
        charset="utf-8",
        resource_rank=1,
    ),
    Format("text", Kind.TEXT, ("text/plain",), suffixes=("txt",), charset="utf-8"),
    Format("JSON", Kind.JSON, ("application/json",)),
)


class FormatTable:
    """The rows, and every list derived from them."""

    def __init__(self, rows: Iterable[Format]) -> None:
        self.rows = tuple(rows)
        _check(self.rows)
        self.page = _the_one(self.rows, Kind.PAGE)
        self.text = _the_one(self.rows, Kind.TEXT)
        self.json = _the_one(self.rows, Kind.JSON)
        by_sparql = _ranked(self.rows, lambda f: f.sparql_rank)
        #: SELECT and ASK results; JSON first.
        self.solutions = Offers(tuple(f for f in by_sparql if f.kind is Kind.RESULTS), lenient=True)
        #: CONSTRUCT and DESCRIBE results; Turtle first. TriG and N-Quads carry them in the default graph.
        self.graphs = Offers(tuple(f for f in by_sparql if f.kind.is_rdf), lenient=True)
        #: A bare GET on /sparql: the service description in RDF, or the query form for a browser.
        self.service_description = Offers((*self.graphs, self.page), lenient=True)
        #: Every format a query result is sent in (sd:resultFormat).
        self.result_formats = (*self.solutions, *self.graphs)
        #: A Linked Data resource: its RDF and its page.
        self.resource = Offers(_ranked(self.rows, lambda f: f.resource_rank))
        #: The article text: the resource *is* a text, so plain text comes first.
        self.text_resource = Offers((self.text, *self.resource))
        #: The VoID document: RDF only, Turtle by default.
        self.rdf_only = Offers(tuple(f for f in self.resource if f.kind.is_rdf))
        #: /claims: JSON for programs (a client sending only */* gets data), the page for browsers.
        self.listing = Offers((self.json, self.page))
        #: The dumps (/dataset.<suffix>), ``claimgraph export``, ``claimgraph validate FILE``.
        self.dataset_formats = _ranked(self.rows, lambda f: f.dataset_rank)
        self.query_command = tuple(f for f in self.rows if f.query_command)
        self.by_suffix = {suffix: f for f in self.rows for suffix in f.suffixes}
        self.by_media_type = {f.media_type: f for f in self.rows}

    def offers_for(self, form: QueryForm) -> Offers:
        return self.graphs if form.returns_graph else self.solutions


def _ranked(rows: Sequence[Format], rank: Callable[[Format], int | None]) -> tuple[Format, ...]:
    placed = [(r, i) for i, f in enumerate(rows) if (r := rank(f)) is not None]
    return tuple(rows[i] for _, i in sorted(placed))


def _the_one(rows: Sequence[Format], kind: Kind) -> Format:
    found = [f for f in rows if f.kind is kind]
    if len(found) != 1:
        raise ValueError(f"the table needs exactly one format of kind {kind.name}, not {len(found)}")
    return found[0]


def _check(rows: Sequence[Format]) -> None:
    """Refuse a table that would make a lookup ambiguous or a list unanswerable."""
    for what, keys in (
        ("name", [f.name for f in rows]),
        ("canonical media type", [f.media_type for f in rows]),
        ("suffix", [s for f in rows for s in f.suffixes]),
    ):
        twice = sorted({k for k in keys if keys.count(k) > 1})
        if twice:
            raise ValueError(f"more than one format with the {what} {', '.join(twice)}")
    for f in rows:
        if f.sparql_rank is not None and not (f.format_names and f.w3c_name):
            raise ValueError(f"{f.name} is a /sparql answer: it needs format names and a W3C name")
        if (f.resource_rank is not None or f.dataset_rank is not None) and not f.suffixes:
            raise ValueError(f"{f.name} is offered as a file or a twin: it needs a suffix")
        if f.dataset_rank is not None and not (f.kind.is_rdf and f.rdflib and f.w3c_name):
            raise ValueError(f"{f.name} is a dataset file: it must be RDF with rdflib and W3C names")


TABLE = FormatTable(FORMATS)
HTML, TEXT, JSON = TABLE.page, TABLE.text, TABLE.json
SOLUTIONS, GRAPHS, SERVICE_DESCRIPTION = TABLE.solutions, TABLE.graphs, TABLE.service_description
RESULT_FORMATS = TABLE.result_formats
RESOURCE, TEXT_RESOURCE, RDF_ONLY, LISTING = (
    TABLE.resource,
    TABLE.text_resource,
    TABLE.rdf_only,
    TABLE.listing,
)
DATASET_FORMATS, QUERY_COMMAND = TABLE.dataset_formats, TABLE.query_command
SUFFIXES, BY_MEDIA_TYPE = TABLE.by_suffix, TABLE.by_media_type
offers_for = TABLE.offers_for


def label(media_type: str) -> str:
    """What people call the format of ``media_type`` (the type itself when no row has it).

    >>> label("application/trig"), label("image/png")
    ('TriG', 'image/png')
    """
    found = BY_MEDIA_TYPE.get(media_type)
    return found.name if found else media_type
