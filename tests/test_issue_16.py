"""Issue 16: fidelity to the article. Nothing inferred is stated as fact: a receipt date is not
the date of the document received."""

from __future__ import annotations

from pyshacl import validate as shacl_validate
from rdflib import Literal, URIRef
from rdflib.namespace import PROV, XSD

from service.dataset import build_dataset, load_ontology, load_shapes, merged_graph
from service.namespaces import SCHEMA


def _shacl(built, iris) -> str:
    conforms, _, text = shacl_validate(
        merged_graph(built.dataset),
        shacl_graph=load_shapes(iris),
        ont_graph=load_ontology(iris),
        advanced=True,
    )
    return "" if conforms else text


def test_receipt_dates_are_not_document_dates(built, iris):
    sources = built.dataset.graph(iris.graph("sources"))
    for response in (iris.source("bpa-response-2024-08-05"), iris.source("bpa-response-2025-02-12")):
        assert sources.value(response, iris.cg.receivedOn) is not None
        assert sources.value(response, URIRef("http://purl.org/dc/terms/date")) is None
        assert (response, iris.cg.notStated, URIRef("http://purl.org/dc/terms/date")) in sources
        activity = sources.value(response, PROV.wasGeneratedBy)
        assert sources.value(activity, SCHEMA.endDate) is None


def test_a_document_date_copied_from_the_receipt_date_fails_the_shapes(iris):
    built = build_dataset(iris)  # a copy to break: the session's `built` is shared
    sources = built.dataset.graph(iris.graph("sources"))
    response = iris.source("bpa-response-2024-08-05")
    sources.add((response, URIRef("http://purl.org/dc/terms/date"), Literal("2024-08-05", datatype=XSD.date)))
    assert "a source's document date equals its receipt date" in _shacl(built, iris)
