"""The read side of the store: the service's own queries run by name, and the quads that describe
one resource (Linked Data).

Every lookup is a query in service/claimgraph/rq/, bound with VALUES; an IRI nothing is
said about raises NotFound. Results are rdflib Datasets so TriG can keep the
named graphs the quads came from.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import cast

from rdflib import Dataset, URIRef
from rdflib.term import IdentifiedNode, Node

from claimgraph import paths
from claimgraph.errors import NotFound
from claimgraph.querylib import NamedQuery, load_library
from claimgraph.store import Store


def load_page_queries() -> dict[str, NamedQuery]:
    """The service's own queries (service/claimgraph/rq/), by name."""
    return load_library(paths.package_dir() / "rq")


class StoreReader:
    """A store and the service's own queries: what every reading function reads through."""

    def __init__(self, store: Store, queries: Mapping[str, NamedQuery]) -> None:
        self.store = store
        self.queries = queries

    def select(self, name: str, **values: Node) -> list[dict[str, Node]]:
        """The rows of query ``name``, bound to ``values`` (none: every row)."""
        return self.store.select(self.queries[name].bind(**values))


def describe(reader: StoreReader, iri: URIRef) -> Dataset:
    """The quads whose subject is ``iri``, with the labels of what it links to; NotFound if none."""
    dataset = _quads(reader, "resource", resource=iri)
    _require_subject(dataset, iri)
    return dataset


def describe_graph(reader: StoreReader, iri: URIRef) -> Dataset:
    """A named graph's content, plus what is said about the graph itself; NotFound if neither."""
    dataset = _quads(reader, "graph", graph=iri)
    _add(dataset, _quads(reader, "resource", resource=iri))
    if not len(dataset):
        raise NotFound(f"no graph or resource <{iri}>")
    return dataset


def describe_claim(reader: StoreReader, iri: URIRef, assertion_link: URIRef) -> Dataset:
    """A claim: its provenance and assertion graphs, sources, reviews, labels; NotFound if no claim."""
    dataset = _quads(reader, "claim", claim=iri, assertion_link=assertion_link)
    if not len(dataset):
        raise NotFound(f"no claim <{iri}>")
    return dataset


def article_text(reader: StoreReader, iri: URIRef) -> str:
    """The verbatim text of an article text resource; NotFound if ``iri`` is not one."""
    rows = reader.select("article-text", resource=iri)
    if not rows:
        raise NotFound(f"no article text <{iri}>")
    return str(rows[0]["text"])


def _quads(reader: StoreReader, name: str, **values: Node) -> Dataset:
    dataset = Dataset()
    for row in reader.select(name, **values):
        dataset.graph(cast(IdentifiedNode, row["g"])).add((row["s"], row["p"], row["o"]))
    return dataset


def _add(target: Dataset, source: Dataset) -> None:
    for s, p, o, g in source.quads((None, None, None, None)):
        target.graph(g).add((s, p, o))


def _require_subject(dataset: Dataset, iri: URIRef) -> None:
    if next(iter(dataset.quads((iri, None, None, None))), None) is None:
        raise NotFound(f"no resource <{iri}>")
