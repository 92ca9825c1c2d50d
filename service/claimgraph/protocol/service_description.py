"""The SPARQL 1.1 Service Description of /sparql: what a bare GET on the endpoint returns.

>>> from claimgraph.iris import Iris
>>> g = describe(Iris("http://example.org/"), {"http://example.org/graphs/context"}, union_default_graph=True)
>>> (URIRef("http://example.org/sparql"), SD.feature, SD.UnionDefaultGraph) in g
True
>>> sorted(str(name) for name in g.objects(None, SD.name))
['http://example.org/graphs/context']
"""

from __future__ import annotations

from collections.abc import Collection

from rdflib import BNode, Dataset, Literal, URIRef
from rdflib.namespace import DCTERMS

from claimgraph.iris import RDF, RDFS, SD, Iris
from claimgraph.media import RESULT_FORMATS

#: The W3C Recommendation whose read side /sparql follows for whole graphs (web/graph_store.py).
GRAPH_STORE_PROTOCOL = URIRef("http://www.w3.org/TR/sparql11-http-rdf-update/")


def describe(iris: Iris, graph_names: Collection[str], *, union_default_graph: bool) -> Dataset:
    """The service, its result formats and its default dataset (every named graph), as RDF."""
    description = Dataset()
    g = description.default_graph
    service = iris.sparql_endpoint
    g.add((service, RDF.type, SD.Service))
    g.add((service, SD.endpoint, service))
    g.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    if union_default_graph:
        g.add((service, SD.feature, SD.UnionDefaultGraph))
    # The read side of the Graph Store HTTP Protocol: GET ?graph=IRI, GET ?default.
    g.add((service, DCTERMS.conformsTo, GRAPH_STORE_PROTOCOL))
    for fmt in RESULT_FORMATS:
        g.add((service, SD.resultFormat, URIRef(fmt.w3c_iri)))
    g.add(
        (
            service,
            RDFS.comment,
            Literal(
                "Read-only. No SERVICE; FROM, FROM NAMED, default-graph-uri and named-graph-uri may "
                "only name the graphs listed here. Queries have a time limit and a result size limit. "
                "Each graph listed here can be read whole with the Graph Store HTTP Protocol: "
                "GET this endpoint with ?graph=<its name>, or ?default for the default graph."
            ),
        )
    )
    # Blank nodes with fixed labels: the same description is the same bytes (a strong ETag).
    dataset, default_graph = BNode("default-dataset"), BNode("default-graph")
    g.add((service, SD.defaultDataset, dataset))
    g.add((dataset, RDF.type, SD.Dataset))
    g.add((dataset, SD.defaultGraph, default_graph))
    g.add((default_graph, RDF.type, SD.Graph))
    g.add((dataset, RDFS.seeAlso, iris.dataset))
    for n, name in enumerate(sorted(graph_names)):
        named = BNode(f"named-graph-{n}")
        g.add((dataset, SD.namedGraph, named))
        g.add((named, RDF.type, SD.NamedGraph))
        g.add((named, SD.name, URIRef(name)))
    return description
