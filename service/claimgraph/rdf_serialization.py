"""A description (a Dataset) written in an RDF format with rdflib, under the service's prefixes.

TriG and N-Quads keep the named graphs (a claim's assertion apart from its
provenance); Turtle, N-Triples, RDF/XML and JSON-LD carry the merged triples,
which is what most consumers of those formats expect (Format.flat_descriptions).

>>> from rdflib import Dataset, Literal, URIRef
>>> from claimgraph.media import BY_MEDIA_TYPE
>>> ds = Dataset()
>>> a, name = URIRef("http://e.org/a"), URIRef("http://schema.org/name")
>>> _ = ds.graph(URIRef("http://e.org/g")).add((a, name, Literal("A")))
>>> print(serialize(ds, BY_MEDIA_TYPE["application/n-quads"], {}).decode().strip())
<http://e.org/a> <http://schema.org/name> "A" <http://e.org/g> .
>>> print(serialize(ds, BY_MEDIA_TYPE["application/n-triples"], {}).decode().strip())
<http://e.org/a> <http://schema.org/name> "A" .
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rdflib import Dataset, Graph
from rdflib.namespace import NamespaceManager

from claimgraph.media import Format, Kind


def serialize(dataset: Dataset, fmt: Format, prefixes: Mapping[str, str]) -> bytes:
    """``dataset`` in ``fmt``, an RDF format; raises ValueError for any other."""
    if not fmt.kind.is_rdf:
        raise ValueError(f"{fmt.name} is not an RDF format")
    keeps_graphs = fmt.kind is Kind.QUADS and not fmt.flat_descriptions
    target: Graph = dataset if keeps_graphs else merged(dataset)
    _bind(target, prefixes)
    options: dict[str, Any] = {}
    if fmt.rdflib == "json-ld":
        # A prefix context makes the JSON readable; it parses back to the same triples.
        options["context"] = dict(prefixes)
    return target.serialize(format=fmt.rdflib, encoding="utf-8", **options)


def merged(dataset: Dataset) -> Graph:
    """The union of the dataset's graphs, as one Graph."""
    graph = Graph(bind_namespaces="none")
    for s, p, o, _ in dataset.quads((None, None, None, None)):
        graph.add((s, p, o))
    return graph


def _bind(graph: Graph, prefixes: Mapping[str, str]) -> None:
    # rdflib pre-binds `schema:` to https://schema.org/; the data uses http://schema.org/, so
    # start from an empty table rather than fight the defaults.
    graph.namespace_manager = NamespaceManager(graph, bind_namespaces="none")
    for prefix, namespace in prefixes.items():
        graph.bind(prefix, namespace, override=True, replace=True)
