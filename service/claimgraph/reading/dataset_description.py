"""The dataset description: VoID statistics counted in the store, DCAT distributions, the dumps.

Counting scans the whole store, so the read model (reading/read_model.py) computes a
description once per store content; the dumps' validators come from it too.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import cast

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, RDF, VOID, XSD
from rdflib.term import Node

from claimgraph.errors import NotFound
from claimgraph.iris import SD, WD, Iris
from claimgraph.media import DATASET_FORMATS
from claimgraph.reading.descriptions import StoreReader, describe

IANA_MEDIA_TYPES = "https://www.iana.org/assignments/media-types/"
SPARQL_PROTOCOL = URIRef("https://www.w3.org/TR/sparql11-protocol/")


@dataclass(frozen=True)
class Counts:
    triples: int
    subjects: int
    objects: int
    entities: int
    properties: frozenset[URIRef]
    classes: frozenset[URIRef]
    graphs: tuple[tuple[URIRef, int, int], ...]  # (graph, triples, distinct subjects)
    wikidata_links: int


@dataclass(frozen=True)
class Description:
    version: str | None
    dataset: Dataset
    last_modified: dt.datetime


def count(reader: StoreReader, iris: Iris) -> Counts:
    """The statistics VoID asks for, from the store's named graphs (the rq/void-*.rq queries)."""
    totals = reader.select("void-totals")[0]
    subjects = reader.select("void-subjects")
    graphs = reader.select("void-graphs")
    links = reader.select("void-wikidata-links")[0]
    return Counts(
        triples=_int(totals["triples"]),
        subjects=_int(totals["subjects"]),
        objects=_int(totals["objects"]),
        entities=sum(1 for row in subjects if str(row["s"]).startswith(iris.base)),
        properties=frozenset(cast(URIRef, row["property"]) for row in reader.select("void-properties")),
        classes=frozenset(cast(URIRef, row["class"]) for row in reader.select("void-classes")),
        graphs=tuple(
            (cast(URIRef, row["graph"]), _int(row["triples"]), _int(row["subjects"])) for row in graphs
        ),
        wikidata_links=_int(links["links"]),
    )


def _int(node: Node) -> int:
    """A count the store gave as an xsd:integer literal."""
    return int(cast(Literal, node))


def vocabularies(terms: frozenset[URIRef], iris: Iris) -> set[URIRef]:
    """The namespaces ``terms`` come from; our own terms name the ontology.

    >>> sorted(vocabularies(frozenset({URIRef("http://schema.org/Claim"),
    ...     URIRef("https://w3id.org/claimgraph/ontology#kind")}), Iris("http://e.org/")))
    [rdflib.term.URIRef('http://schema.org/'), rdflib.term.URIRef('https://w3id.org/claimgraph/ontology')]
    """
    found = set()
    for term in terms:
        cut = max(term.rfind("#"), term.rfind("/"))
        namespace = URIRef(term[: cut + 1])
        found.add(iris.ontology if namespace == URIRef(iris.cg) else namespace)
    return found


def describe_dataset(reader: StoreReader, iris: Iris, version: str | None) -> Description:
    """What the data says about /dataset, plus VoID statistics and DCAT distributions (default graph)."""
    try:
        dataset = describe(reader, iris.dataset)
    except NotFound:  # a store loaded with data that has no description still gets the statistics
        dataset = Dataset()
    for triple in void_graph(count(reader, iris), iris):
        dataset.add(triple)
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    return Description(version, dataset, last_modified=now)


def void_graph(counts: Counts, iris: Iris) -> Graph:
    """The VoID and DCAT triples for ``counts``."""
    g = Graph()
    ds = iris.dataset
    g.add((ds, RDF.type, VOID.Dataset))
    g.add((ds, RDF.type, DCAT.Dataset))
    for prop, value in (
        (VOID.triples, counts.triples),
        (VOID.distinctSubjects, counts.subjects),
        (VOID.distinctObjects, counts.objects),
        (VOID.entities, counts.entities),
        (VOID.properties, len(counts.properties)),
        (VOID.classes, len(counts.classes)),
    ):
        g.add((ds, prop, Literal(value, datatype=XSD.integer)))
    g.add((ds, VOID.uriSpace, Literal(iris.base)))
    g.add((ds, VOID.sparqlEndpoint, iris.sparql_endpoint))
    for vocabulary in vocabularies(counts.properties | counts.classes, iris):
        g.add((ds, VOID.vocabulary, vocabulary))
    for graph, triples, subjects in counts.graphs:
        g.add((ds, VOID.subset, graph))
        g.add((graph, RDF.type, VOID.Dataset))
        g.add((graph, RDF.type, SD.Graph))
        g.add((graph, VOID.triples, Literal(triples, datatype=XSD.integer)))
        g.add((graph, VOID.distinctSubjects, Literal(subjects, datatype=XSD.integer)))
    _add_linkset(g, counts, iris)
    _add_distributions(g, iris)
    return g


def _add_linkset(g: Graph, counts: Counts, iris: Iris) -> None:
    linkset, wikidata = iris.dataset_part("wikidata-links"), iris.dataset_part("wikidata")
    g.add((iris.dataset, VOID.subset, linkset))
    g.add((linkset, RDF.type, VOID.Linkset))
    g.add((linkset, VOID.linkPredicate, OWL.sameAs))
    g.add((linkset, VOID.subjectsTarget, iris.dataset))
    g.add((linkset, VOID.objectsTarget, wikidata))
    g.add((linkset, VOID.triples, Literal(counts.wikidata_links, datatype=XSD.integer)))
    g.add((wikidata, RDF.type, VOID.Dataset))
    g.add((wikidata, DCTERMS.title, Literal("Wikidata", lang="en")))
    g.add((wikidata, FOAF.homepage, URIRef("https://www.wikidata.org/")))
    g.add((wikidata, VOID.uriSpace, Literal(str(WD))))


def _add_distributions(g: Graph, iris: Iris) -> None:
    ds = iris.dataset
    for fmt in DATASET_FORMATS:  # the dumps; Store.export produces each natively
        ext, format_iri = fmt.suffix, URIRef(fmt.w3c_iri)
        url, distribution = iris.dataset_dump(ext), iris.dataset_part(f"dump-{ext}")
        g.add((ds, VOID.dataDump, url))
        g.add((ds, DCAT.distribution, distribution))
        g.add((distribution, RDF.type, DCAT.Distribution))
        g.add((distribution, DCTERMS.title, Literal(f"Full dump ({ext})", lang="en")))
        g.add((distribution, DCAT.downloadURL, url))
        g.add((distribution, DCAT.accessURL, url))
        g.add((distribution, DCAT.mediaType, URIRef(IANA_MEDIA_TYPES + fmt.media_type)))
        g.add((distribution, DCTERMS.format, format_iri))
        g.add((ds, VOID.feature, format_iri))
    endpoint = iris.sparql_endpoint
    distribution, service = iris.dataset_part("sparql"), iris.dataset_part("sparql-service")
    g.add((ds, DCAT.distribution, distribution))
    g.add((distribution, RDF.type, DCAT.Distribution))
    g.add((distribution, DCTERMS.title, Literal("SPARQL 1.1 endpoint", lang="en")))
    g.add((distribution, DCAT.accessURL, endpoint))
    g.add((distribution, DCAT.accessService, service))
    g.add((service, RDF.type, DCAT.DataService))
    g.add((service, RDF.type, SD.Service))
    g.add((service, DCAT.endpointURL, endpoint))
    g.add((service, SD.endpoint, endpoint))
    g.add((service, DCAT.servesDataset, ds))
    g.add((service, DCTERMS.conformsTo, SPARQL_PROTOCOL))
