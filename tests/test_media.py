"""The format table (claimgraph/media.py) and negotiation (claimgraph/negotiation.py).

Every row is reachable by each of its names, negotiation goes by q-value, every list is
derived from the rows (a table with one more row offers it everywhere its ranks say), and
the lists keep the order responses show today (Link headers, 406 bodies, tie-breaks).
"""

from __future__ import annotations

import dataclasses
from itertools import permutations

import pyoxigraph as ox
import pytest
from claimgraph import media
from claimgraph.build.pipeline import EXPORT_FORMATS
from claimgraph.build.validation import RDF_INPUT_FORMATS
from claimgraph.cli import build_parser
from claimgraph.commands import QUERY_OUTPUT_MEDIA
from claimgraph.errors import NotAcceptable, NotFound
from claimgraph.media import FORMATS, Format, FormatTable, Kind, Offers, QueryForm
from claimgraph.negotiation import negotiate, parse_accept
from claimgraph.protocol.lineage import RESULT_FORMATS
from claimgraph.rdf_serialization import serialize
from rdflib import Dataset, Literal, URIRef
from rdflib.parser import Parser
from rdflib.plugin import get as plugin
from rdflib.query import ResultParser
from rdflib.serializer import Serializer
from werkzeug.datastructures import MIMEAccept

OFFERS: dict[str, Offers] = {
    "SOLUTIONS": media.SOLUTIONS,
    "GRAPHS": media.GRAPHS,
    "SERVICE_DESCRIPTION": media.SERVICE_DESCRIPTION,
    "RESOURCE": media.RESOURCE,
    "TEXT_RESOURCE": media.TEXT_RESOURCE,
    "RDF_ONLY": media.RDF_ONLY,
    "LISTING": media.LISTING,
}
OFFERED = [(name, fmt) for name, offers in OFFERS.items() for fmt in offers]
LENIENT = [(name, fmt) for name, fmt in OFFERED if OFFERS[name].lenient]


def accepting(*items: tuple[str, float]) -> MIMEAccept:
    return MIMEAccept(list(items))


def names(formats: object) -> list[str]:
    return [f.name for f in formats]  # type: ignore[attr-defined]


# -- every row is reachable -----------------------------------------------------------------------
def test_every_row_is_offered_somewhere():
    listed = {f for offers in OFFERS.values() for f in offers}
    assert listed | set(media.DATASET_FORMATS) | set(media.QUERY_COMMAND) == set(FORMATS)


@pytest.mark.parametrize(("offers", "fmt"), OFFERED, ids=lambda v: getattr(v, "name", v))
def test_canonical_type_chooses_the_row(offers, fmt):
    assert negotiate(accepting((fmt.media_type, 1)), OFFERS[offers]) is fmt
    assert media.BY_MEDIA_TYPE[fmt.media_type] is fmt


@pytest.mark.parametrize(("offers", "fmt"), LENIENT, ids=lambda v: getattr(v, "name", v))
def test_aliases_and_format_names_choose_the_row_on_sparql(offers, fmt):
    others = [f for f in OFFERS[offers] if f is not fmt]
    for alias in fmt.media_types[1:]:
        assert all(alias not in f.media_types for f in others), f"{alias} is ambiguous in {offers}"
        assert negotiate(accepting((alias, 1)), OFFERS[offers]) is fmt
    for name in fmt.format_names:
        assert all(name not in f.format_names for f in others), f"{name} is ambiguous in {offers}"
        assert negotiate(accepting(("text/html", 1)), OFFERS[offers], names=[name]) is fmt
        assert negotiate(MIMEAccept(), OFFERS[offers], names=[name.upper()]) is fmt


@pytest.mark.parametrize(
    ("form", "alias", "chosen"),
    [
        (QueryForm.SELECT, "application/json", "SPARQL JSON"),
        (QueryForm.SELECT, "application/xml", "SPARQL XML"),
        (QueryForm.ASK, "text/xml", "SPARQL XML"),
        (QueryForm.CONSTRUCT, "application/json", "JSON-LD"),
        (QueryForm.CONSTRUCT, "application/xml", "RDF/XML"),
        (QueryForm.DESCRIBE, "text/n3", "Turtle"),
        (QueryForm.DESCRIBE, "application/x-turtle", "Turtle"),
    ],
)
def test_the_aliases_sparql_clients_send(form, alias, chosen):
    assert negotiate(accepting((alias, 1)), media.offers_for(form)).name == chosen


def test_linked_data_takes_canonical_types_only():
    for alias in ("application/json", "application/xml", "text/n3", "application/xhtml+xml"):
        with pytest.raises(NotAcceptable):
            negotiate(accepting((alias, 1)), media.RESOURCE)


@pytest.mark.parametrize(("offers", "fmt"), OFFERED, ids=lambda v: getattr(v, "name", v))
def test_each_suffix_chooses_the_row_whatever_accept_says(offers, fmt):
    for suffix in fmt.suffixes:
        assert media.SUFFIXES[suffix] is fmt
        assert negotiate(accepting(("image/png", 1)), OFFERS[offers], suffix=suffix) is fmt


def test_a_suffix_not_on_offer_is_not_found():
    with pytest.raises(NotFound, match=r"no \.txt representation here"):
        negotiate(MIMEAccept(), media.RESOURCE, suffix="txt")
    assert negotiate(MIMEAccept(), media.TEXT_RESOURCE, suffix="txt") is media.TEXT


# -- negotiation by q-value -----------------------------------------------------------------------
@pytest.mark.parametrize("offers", list(OFFERS))
def test_the_higher_q_value_wins(offers):
    for low, high in permutations(OFFERS[offers].formats[:4], 2):
        accept = accepting((low.media_type, 0.4), (high.media_type, 0.6))
        assert negotiate(accept, OFFERS[offers]) is high


@pytest.mark.parametrize("offers", list(OFFERS))
def test_no_preference_gets_the_first_offer(offers):
    first = OFFERS[offers].formats[0]
    assert negotiate(MIMEAccept(), OFFERS[offers]) is first
    assert negotiate(accepting(("*/*", 1)), OFFERS[offers]) is first
    # A tie between two types goes to the one offered first.
    second = OFFERS[offers].formats[1]
    assert negotiate(accepting((second.media_type, 1), (first.media_type, 1)), OFFERS[offers]) is first


def test_wildcards_and_q_values_together():
    browser = accepting(("text/html", 1), ("application/xml", 0.9), ("*/*", 0.8))
    assert negotiate(browser, media.RESOURCE) is media.HTML
    assert negotiate(browser, media.GRAPHS).name == "RDF/XML"  # application/xml is its alias there
    assert negotiate(accepting(("text/*", 1)), media.TEXT_RESOURCE) is media.TEXT
    assert negotiate(accepting(("application/*", 1)), media.RESOURCE).name == "JSON-LD"
    assert (
        negotiate(accepting(("text/csv", 0.5), ("application/*", 1)), media.SOLUTIONS).name == "SPARQL JSON"
    )


def test_nothing_acceptable_lists_the_offers():
    with pytest.raises(NotAcceptable) as strict:
        negotiate(accepting(("image/png", 1)), media.RDF_ONLY)
    assert strict.value.offers == tuple(f.media_type for f in media.RDF_ONLY)
    with pytest.raises(NotAcceptable) as lenient:
        negotiate(accepting(("image/png", 1)), media.SOLUTIONS)
    assert str(lenient.value) == (
        "this resource is available as application/sparql-results+json (json), "
        "application/sparql-results+xml (xml), text/csv (csv), text/tab-separated-values (tsv)"
    )
    with pytest.raises(NotAcceptable):  # an unknown name is not a wildcard
        negotiate(accepting(("*/*", 1)), media.SOLUTIONS, names=["turtle"])


def test_accept_headers_are_parsed_once():
    assert parse_accept("text/csv;q=0.5, application/json") is parse_accept(
        "text/csv;q=0.5, application/json"
    )


# -- the lists, derived from the rows -------------------------------------------------------------
def test_the_lists_keep_todays_order():
    assert names(media.SOLUTIONS) == ["SPARQL JSON", "SPARQL XML", "SPARQL CSV", "SPARQL TSV"]
    graphs = ["Turtle", "N-Triples", "JSON-LD", "RDF/XML", "TriG", "N-Quads"]
    assert names(media.GRAPHS) == graphs
    assert names(media.SERVICE_DESCRIPTION) == [*graphs, "HTML"]
    assert names(media.RESULT_FORMATS) == names(media.SOLUTIONS) + graphs
    assert media.offers_for(QueryForm.ASK) is media.SOLUTIONS
    assert media.offers_for(QueryForm.DESCRIBE) is media.GRAPHS
    resource = ["Turtle", "HTML", "JSON-LD", "TriG", "N-Triples", "RDF/XML", "N-Quads"]
    assert names(media.RESOURCE) == resource
    assert names(media.TEXT_RESOURCE) == ["text", *resource]
    assert names(media.RDF_ONLY) == [n for n in resource if n != "HTML"]
    assert names(media.LISTING) == ["JSON", "HTML"]
    assert [f.suffix for f in media.DATASET_FORMATS] == ["trig", "nq", "ttl", "jsonld"]
    assert list(media.SUFFIXES) == ["ttl", "nt", "jsonld", "rdf", "trig", "nq", "html", "txt"]


def test_the_tables_elsewhere_are_projections_of_the_rows():
    assert list(EXPORT_FORMATS) == ["trig", "nquads", "turtle", "jsonld"]
    assert tuple(EXPORT_FORMATS.values()) == media.DATASET_FORMATS
    assert RDF_INPUT_FORMATS == {".trig": "trig", ".nq": "nquads", ".ttl": "turtle", ".jsonld": "json-ld"}
    assert QUERY_OUTPUT_MEDIA == {
        "json": "application/sparql-results+json",
        "csv": "text/csv",
        "tsv": "text/tab-separated-values",
    }
    assert {f.media_type: f.rdflib for f in media.SOLUTIONS} == RESULT_FORMATS
    commands = build_parser()._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    choices = {
        name: next(a.choices for a in commands[name]._actions if a.dest == "format")
        for name in ("export", "query")
    }
    assert choices == {
        "export": ["jsonld", "nquads", "trig", "turtle"],
        "query": ["table", "json", "csv", "tsv"],
    }


def n3_as_its_own_format() -> tuple[Format, ...]:
    """The table as it would be with N3 added: one row (and Turtle no longer answering to text/n3)."""
    n3 = Format(
        "N3",
        Kind.TRIPLES,
        ("text/n3", "text/rdf+n3"),
        suffixes=("n3",),
        format_names=("n3",),
        rdflib="n3",
        oxigraph=ox.RdfFormat.N3,
        charset="utf-8",
        w3c_name="N3",
        sparql_rank=1,  # a tie with N-Triples: table order puts it after
        resource_rank=7,
        dataset_rank=4,
    )
    rows = tuple(
        dataclasses.replace(f, media_types=f.media_types[:3], format_names=f.format_names[:2])
        if f.name == "Turtle"
        else f
        for f in FORMATS
    )
    return (*rows, n3)


def test_a_new_row_is_offered_everywhere_its_ranks_say():
    table = FormatTable(n3_as_its_own_format())
    n3 = table.by_media_type["text/n3"]
    assert names(table.graphs) == ["Turtle", "N-Triples", "N3", "JSON-LD", "RDF/XML", "TriG", "N-Quads"]
    assert n3 in table.service_description.formats
    assert n3 in table.result_formats
    assert names(table.resource)[-1] == names(table.text_resource)[-1] == names(table.rdf_only)[-1] == "N3"
    assert names(table.dataset_formats)[-1] == "N3"
    assert table.by_suffix["n3"] is n3
    assert table.offers_for(QueryForm.CONSTRUCT) is table.graphs
    # ... and negotiation finds it by each of its names.
    assert negotiate(accepting(("text/n3", 1)), table.graphs) is n3
    assert negotiate(accepting(("text/rdf+n3", 1)), table.graphs) is n3
    assert negotiate(MIMEAccept(), table.graphs, names=["n3"]) is n3
    assert negotiate(accepting(("text/n3", 1)), table.resource) is n3
    assert negotiate(MIMEAccept(), table.resource, suffix="n3") is n3
    # ... and it is written like any RDF format.
    ds = Dataset()
    ds.graph(URIRef("http://e.org/g")).add((URIRef("http://e.org/a"), URIRef("http://e.org/p"), Literal("A")))
    assert b'e:a e:p "A"' in serialize(ds, n3, {"e": "http://e.org/"})
    # The shipped table is unchanged.
    assert "text/n3" in media.BY_MEDIA_TYPE["text/turtle"].media_types
    assert "text/n3" not in media.BY_MEDIA_TYPE


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        ({"suffixes": ("ttl",)}, "suffix ttl"),
        ({"media_types": ("text/turtle",)}, "canonical media type text/turtle"),
        ({"name": "Turtle"}, "name Turtle"),
        ({"suffixes": ()}, "needs a suffix"),
        ({"kind": Kind.PAGE, "dataset_rank": None}, "exactly one format of kind PAGE"),
        ({"format_names": ()}, "needs format names"),
    ],
)
def test_a_table_that_would_be_ambiguous_is_refused(change, complaint):
    rows = n3_as_its_own_format()
    broken = dataclasses.replace(rows[-1], **change)
    with pytest.raises(ValueError, match=complaint):
        FormatTable((*rows[:-1], broken))


# -- the rows agree with the libraries ------------------------------------------------------------
@pytest.mark.parametrize("fmt", [f for f in FORMATS if f.kind.is_rdf], ids=lambda f: f.name)
def test_rdf_rows_agree_with_rdflib_and_pyoxigraph(fmt):
    # The store picks pyoxigraph's format by media type; it must be this row's.
    assert ox.RdfFormat.from_media_type(fmt.media_type) == fmt.oxigraph
    assert fmt.oxigraph.file_extension == fmt.suffix  # type: ignore[union-attr]
    assert fmt.oxigraph.supports_datasets == (fmt.kind is Kind.QUADS)  # type: ignore[union-attr]
    assert plugin(fmt.rdflib, Serializer)
    assert plugin(fmt.rdflib, Parser)


@pytest.mark.parametrize("fmt", list(media.SOLUTIONS), ids=lambda f: f.name)
def test_results_rows_agree_with_rdflib_and_pyoxigraph(fmt):
    assert ox.QueryResultsFormat.from_media_type(fmt.media_type) == fmt.oxigraph
    assert plugin(fmt.rdflib, ResultParser)
