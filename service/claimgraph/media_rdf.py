"""The RDF formats a resource is served in, and their serialisation with rdflib.

TriG and N-Quads keep the named graphs (a claim's assertion apart from its
provenance); Turtle, N-Triples, RDF/XML and JSON-LD carry the merged triples,
which is what most consumers of those formats expect.

>>> from rdflib import Dataset, Literal, URIRef
>>> ds = Dataset()
>>> a, name = URIRef("http://e.org/a"), URIRef("http://schema.org/name")
>>> _ = ds.graph(URIRef("http://e.org/g")).add((a, name, Literal("A")))
>>> print(serialize(ds, "application/n-quads", {}).decode().strip())
<http://e.org/a> <http://schema.org/name> "A" <http://e.org/g> .
>>> print(serialize(ds, "application/n-triples", {}).decode().strip())
<http://e.org/a> <http://schema.org/name> "A" .
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from rdflib import Dataset, Graph
from rdflib.namespace import NamespaceManager


@dataclass(frozen=True)
class RdfFormat:
    media_type: str
    extension: str
    rdflib_name: str
    keeps_graphs: bool


#: Turtle first: it is what a client that accepts anything gets (see service/claimgraph/media_conneg.py).
FORMATS: tuple[RdfFormat, ...] = (
    RdfFormat("text/turtle", "ttl", "turtle", keeps_graphs=False),
    RdfFormat("application/ld+json", "jsonld", "json-ld", keeps_graphs=False),
    RdfFormat("application/trig", "trig", "trig", keeps_graphs=True),
    RdfFormat("application/n-triples", "nt", "nt", keeps_graphs=False),
    RdfFormat("application/rdf+xml", "rdf", "xml", keeps_graphs=False),
    RdfFormat("application/n-quads", "nq", "nquads", keeps_graphs=True),
)
BY_MEDIA_TYPE: dict[str, RdfFormat] = {f.media_type: f for f in FORMATS}
MEDIA_TYPES: tuple[str, ...] = tuple(f.media_type for f in FORMATS)


def serialize(dataset: Dataset, media_type: str, prefixes: Mapping[str, str]) -> bytes:
    """``dataset`` as ``media_type`` (one of MEDIA_TYPES); raises KeyError for any other type."""
    fmt = BY_MEDIA_TYPE[media_type]
    target: Graph = dataset if fmt.keeps_graphs else merged(dataset)
    _bind(target, prefixes)
    options: dict[str, object] = {}
    if fmt.rdflib_name == "json-ld":
        # A prefix context makes the JSON readable; it parses back to the same triples.
        options["context"] = dict(prefixes)
    return target.serialize(format=fmt.rdflib_name, encoding="utf-8", **options)


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
