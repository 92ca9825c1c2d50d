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

import json
from collections.abc import Mapping, Sequence
from typing import Any

from pyld import jsonld  # type: ignore[import-untyped]
from rdflib import Dataset, Graph
from rdflib.namespace import NamespaceManager

from claimgraph.media import JSONLD_COMPACTED, JSONLD_EXPANDED, JSONLD_FLATTENED, Format, Kind


def serialize(dataset: Dataset, fmt: Format, prefixes: Mapping[str, str], profile: str = "") -> bytes:
    """``dataset`` in ``fmt``, an RDF format; raises ValueError for any other.

    JSON-LD is written in the form ``profile`` names (``jsonld_profile`` chooses it;
    rdflib's own output when none is given)."""
    if not fmt.kind.is_rdf:
        raise ValueError(f"{fmt.name} is not an RDF format")
    keeps_graphs = fmt.kind is Kind.QUADS and not fmt.flat_descriptions
    target: Graph = dataset if keeps_graphs else merged(dataset)
    _bind(target, prefixes)
    if fmt.rdflib == "json-ld" and profile:
        return json_ld(target, prefixes, profile)
    options: dict[str, Any] = {}
    if fmt.rdflib == "json-ld":
        # A prefix context makes the JSON readable; it parses back to the same triples.
        options["context"] = dict(prefixes)
    return target.serialize(format=fmt.rdflib, encoding="utf-8", **options)


def jsonld_profile(asked: Sequence[str]) -> str:
    """The ``profile`` value of the JSON-LD sent for the profile IRIs a client ``asked`` for
    (negotiation.profile_asked): expanded, flattened (compacted with the prefixes, as JSON-LD
    1.1 lets a client ask for both), or compacted (also when nothing is asked).

    >>> jsonld_profile([JSONLD_FLATTENED, JSONLD_COMPACTED]) == f"{JSONLD_FLATTENED} {JSONLD_COMPACTED}"
    True
    """
    if JSONLD_EXPANDED in asked:
        return JSONLD_EXPANDED
    if JSONLD_FLATTENED in asked:
        return f"{JSONLD_FLATTENED} {JSONLD_COMPACTED}"
    return JSONLD_COMPACTED


def json_ld(graph: Graph, prefixes: Mapping[str, str], profile: str) -> bytes:
    """``graph`` as JSON-LD in the form ``profile`` names, made by pyld from rdflib's expanded output."""
    return reshape_json_ld(graph.serialize(format="json-ld", encoding="utf-8"), prefixes, profile)


def reshape_json_ld(document: bytes, prefixes: Mapping[str, str], profile: str) -> bytes:
    """A JSON-LD ``document`` in the form ``profile`` names (jsonld_profile), with pyld."""
    expanded = json.loads(document)
    context = {"@context": dict(prefixes)}
    shaped: object
    if profile == JSONLD_EXPANDED:
        shaped = jsonld.expand(expanded)
    elif JSONLD_FLATTENED in profile.split():
        shaped = jsonld.flatten(expanded, context)
    else:
        shaped = jsonld.compact(expanded, context)
    return json.dumps(shaped, ensure_ascii=False, indent=2).encode("utf-8")


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
