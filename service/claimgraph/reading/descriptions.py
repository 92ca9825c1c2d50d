"""The read side of Linked Data: the quads that describe one resource, from the store.

Every lookup is a query in service/claimgraph/rq/, bound with VALUES; an IRI nothing is
said about raises NotFound. Results are rdflib Datasets so TriG can keep the
named graphs the quads came from.
"""

from __future__ import annotations

from functools import cache

from rdflib import Dataset, URIRef
from rdflib.term import Node

from claimgraph import paths
from claimgraph.errors import NotFound
from claimgraph.querylib import NamedQuery, load_library
from claimgraph.store import Store


@cache
def page_queries() -> dict[str, NamedQuery]:
    """The service's own queries (service/claimgraph/rq/), loaded once."""
    return load_library(paths.package_dir() / "rq")


def describe(store: Store, iri: URIRef) -> Dataset:
    """The quads whose subject is ``iri``, with the labels of what it links to; NotFound if none."""
    dataset = _quads(store, "resource", resource=iri)
    _require_subject(dataset, iri)
    return dataset


def describe_graph(store: Store, iri: URIRef) -> Dataset:
    """A named graph's content, plus what is said about the graph itself; NotFound if neither."""
    dataset = _quads(store, "graph", graph=iri)
    _add(dataset, _quads(store, "resource", resource=iri))
    if not len(dataset):
        raise NotFound(f"no graph or resource <{iri}>")
    return dataset


def describe_claim(store: Store, iri: URIRef, assertion_link: URIRef) -> Dataset:
    """A claim: its provenance and assertion graphs, sources, reviews, labels; NotFound if no claim."""
    dataset = _quads(store, "claim", claim=iri, assertion_link=assertion_link)
    if not len(dataset):
        raise NotFound(f"no claim <{iri}>")
    return dataset


def article_text(store: Store, iri: URIRef) -> str:
    """The verbatim text of an article text resource; NotFound if ``iri`` is not one."""
    rows = store.select(page_queries()["article-text"].bind(resource=iri))
    if not rows:
        raise NotFound(f"no article text <{iri}>")
    return str(rows[0]["text"])


def _quads(store: Store, name: str, **values: Node) -> Dataset:
    dataset = Dataset()
    for row in store.select(page_queries()[name].bind(**values)):
        dataset.graph(row["g"]).add((row["s"], row["p"], row["o"]))
    return dataset


def _add(target: Dataset, source: Dataset) -> None:
    for s, p, o, g in source.quads((None, None, None, None)):
        target.graph(g).add((s, p, o))


def _require_subject(dataset: Dataset, iri: URIRef) -> None:
    if next(iter(dataset.quads((iri, None, None, None))), None) is None:
        raise NotFound(f"no resource <{iri}>")
