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

from claimgraph.iris import RDF, RDFS, SD, Iris
from claimgraph.media import RESULT_FORMATS


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
    for fmt in RESULT_FORMATS:
        g.add((service, SD.resultFormat, URIRef(fmt.w3c_iri)))
    g.add(
        (
            service,
            RDFS.comment,
            Literal(
                "Read-only. No SERVICE; FROM, FROM NAMED, default-graph-uri and named-graph-uri may "
                "only name the graphs listed here. Queries have a time limit and a result size limit."
            ),
        )
    )
    dataset, default_graph = BNode(), BNode()
    g.add((service, SD.defaultDataset, dataset))
    g.add((dataset, RDF.type, SD.Dataset))
    g.add((dataset, SD.defaultGraph, default_graph))
    g.add((default_graph, RDF.type, SD.Graph))
    g.add((dataset, RDFS.seeAlso, iris.dataset))
    for name in sorted(graph_names):
        named = BNode()
        g.add((dataset, SD.namedGraph, named))
        g.add((named, RDF.type, SD.NamedGraph))
        g.add((named, SD.name, URIRef(name)))
    return description
