"""Claim versions: what a release would record, and the release history a store is loaded with.

Everything here is keyed on claim IRIs and the built dataset's graphs (a claim is the
``schema:Claim`` of a provenance graph, its assertion graph the one ``cg:assertion``
names), never on the YAML files the claims came from.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib.metadata import version

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.term import Node

from claimgraph.iris import CG, DCTERMS, RDF, SCHEMA, XSD, Iris, is_version_graph
from claimgraph.nanopubs import (
    NPX,
    PAV,
    Nanopub,
    PublicationInfo,
    Triple,
    claim_version,
    content_key,
    content_quads,
    placeholder_iri,
    retraction,
)
from claimgraph.releaselog import DCAT3, ReleaseLog, nquads_lines, release_quads

VERSIONS_GRAPH = "versions"
ADDED, CHANGED, UNCHANGED, REMOVED = "added", "changed", "unchanged", "removed"


@dataclass(frozen=True)
class Change:
    claim: URIRef
    kind: str
    #: The claim's nanopublication in the last release (None for an added claim).
    old: Nanopub | None
    #: The new version, or the retraction of a removed claim (None when unchanged).
    new: Nanopub | None


@dataclass(frozen=True)
class ReleasePlan:
    number: int
    iri: URIRef
    issued: str
    changes: list[Change]
    #: The release file's lines: the release description and every new nanopublication.
    lines: list[str]

    @property
    def changed(self) -> list[Change]:
        return [c for c in self.changes if c.kind != UNCHANGED]


def claim_graphs(dataset: Dataset) -> dict[URIRef, dict[URIRef, list[Triple]]]:
    """Every claim of ``dataset`` and its two graphs (assertion first, then provenance) with their triples."""
    found: dict[URIRef, dict[URIRef, list[Triple]]] = {}
    for graph in dataset.graphs():
        if is_version_graph(str(graph.identifier)):  # a released version's graphs are not the claim
            continue
        for claim, _p, assertion in graph.triples((None, CG.assertion, None)):
            if isinstance(claim, URIRef) and (claim, RDF.type, SCHEMA.Claim) in graph:
                found[claim] = {
                    URIRef(str(assertion)): _triples(dataset.graph(URIRef(str(assertion)))),
                    URIRef(str(graph.identifier)): _triples(graph),
                }
    return found


def _triples(graph: Graph) -> list[Triple]:
    return [(URIRef(str(s)), URIRef(str(p)), o) for s, p, o in graph]


def same_content(graphs: dict[URIRef, list[Triple]], nanopub: Nanopub) -> bool:
    """Whether a claim's current graphs say what its released version says."""
    return frozenset(content_quads(placeholder_iri("urn:claimgraph:"), graphs)) == content_key(nanopub)


def publication_info(dataset: Dataset, iris: Iris, issued: str, key: bytes | None) -> PublicationInfo:
    """Creator and licence from the dataset's description; the software and ontology versions."""
    creator = license_ = None
    for graph in dataset.graphs():
        creator = creator or graph.value(iris.dataset, DCTERMS.creator)
        license_ = license_ or graph.value(iris.dataset, DCTERMS.license)
    if not isinstance(creator, URIRef) or not isinstance(license_, URIRef):
        raise ValueError(f"the dataset <{iris.dataset}> needs a creator and a licence to be released")
    return PublicationInfo(
        creator, issued, license_, version("claimgraph"), iris.ontology_version, "", signing_key=key
    )


def plan_release(
    dataset: Dataset, log: ReleaseLog, iris: Iris, issued: str, message: str, key: bytes | None
) -> ReleasePlan:
    """What releasing ``dataset`` now would record, against the last release in ``log``."""
    info = publication_info(dataset, iris, issued, key)
    current = claim_graphs(dataset)
    released = log.current()
    changes: list[Change] = []
    for claim in sorted(current.keys() | released.keys()):
        old = released.get(claim)
        # A retracted claim that comes back starts a new line of versions.
        old_version = None if old is not None and old.retracts is not None else old
        if claim not in current:
            if old_version is not None:
                label = f"Retraction of <{claim}>, released {issued}"
                new = retraction(claim, old_version.iri, iris.base, _labelled(info, label))
                changes.append(Change(claim, REMOVED, old_version, new))
            continue
        if old_version is not None and same_content(current[claim], old_version):
            changes.append(Change(claim, UNCHANGED, old_version, None))
            continue
        label = f"Version of <{claim}> released {issued}"
        new = claim_version(claim, current[claim], iris.base, _labelled(info, label), _iri(old_version))
        changes.append(Change(claim, CHANGED if old_version else ADDED, old_version, new))
    number = (log.last.number if log.last else 0) + 1
    release = URIRef(f"{iris.base}releases/{number}")
    members = [c.new.iri if c.new else c.old.iri for c in changes if c.kind != REMOVED and (c.new or c.old)]  # type: ignore[union-attr]
    published = [c.new.iri for c in changes if c.new is not None]
    quads: list[tuple[Node, Node, Node, Node]] = list(
        release_quads(release, number, iris.dataset, issued, message, members, published, _iri(log.last))
    )
    for change in changes:
        if change.new is not None:
            quads.extend(change.new.quads)
    return ReleasePlan(number, release, issued, changes, nquads_lines(quads))


def _labelled(info: PublicationInfo, label: str) -> PublicationInfo:
    return PublicationInfo(
        info.creator, info.created, info.license, info.software_version, info.ontology_version, label,
        info.signing_key,
    )  # fmt: skip


def _iri(thing: Nanopub | object | None) -> URIRef | None:
    return getattr(thing, "iri", None)


def add_history(dataset: Dataset, log: ReleaseLog, iris: Iris) -> None:
    """Add every released nanopublication (its own four graphs), every release description (its own
    graph) and ``graphs/versions``: which versions each claim has, which is current, and whether the
    data as built still says what the current one says (else ``cg:changedSince``).

    A release log is minted under the base it was released with: a deployment that overrides the
    base (``base_iri``) serves no history, since its claims are other IRIs."""
    if not all(str(r.iri).startswith(iris.base) for r in log.releases):
        return
    versions = version_triples(dataset, log, iris)  # before the versions' graphs are in the dataset
    for nanopub in log.nanopubs.values():
        for g, s, p, o in nanopub.quads:
            dataset.add((s, p, o, g))  # type: ignore[arg-type]
    for described in log.releases:
        for quad in described.quads:
            dataset.add((quad[1], quad[2], quad[3], quad[0]))  # type: ignore[arg-type]
    graph = dataset.graph(iris.graph(VERSIONS_GRAPH))
    for triple in versions:
        graph.add(triple)


def version_triples(dataset: Dataset, log: ReleaseLog, iris: Iris) -> list[tuple[Node, Node, Node]]:
    triples: list[tuple[Node, Node, Node]] = []
    for each in log.releases:
        triples.append((iris.dataset, DCAT3.hasVersion, each.iri))
    if log.last is not None:
        triples.append((iris.dataset, DCAT3.hasCurrentVersion, log.last.iri))
    for nanopub in log.nanopubs.values():
        claim = nanopub.claim
        if claim is None:
            continue
        triples.append((nanopub.iri, DCTERMS.isVersionOf, claim))
        triples.append((nanopub.iri, DCTERMS.created, Literal(nanopub.created, datatype=XSD.dateTime)))
        release = log.release_of(nanopub.iri)
        if release is not None:
            triples.append((nanopub.iri, DCTERMS.isPartOf, release.iri))
        if nanopub.retracts is not None:
            triples.append((nanopub.iri, NPX.retracts, nanopub.retracts))
            continue
        triples.append((claim, DCTERMS.hasVersion, nanopub.iri))
        if nanopub.supersedes is not None:
            triples.append((nanopub.iri, NPX.supersedes, nanopub.supersedes))
    current = claim_graphs(dataset)
    reviews = _reviews(dataset)
    for claim, nanopub in log.current().items():
        if nanopub.retracts is not None:
            continue
        triples.append((claim, PAV.hasCurrentVersion, nanopub.iri))
        if claim in current and not same_content(current[claim], nanopub):
            triples.append((claim, CG.changedSince, nanopub.iri))
        elif claim in current:
            triples += [(review, CG.reviewedVersion, nanopub.iri) for review in reviews.get(claim, [])]
    return triples


def _reviews(dataset: Dataset) -> dict[URIRef, list[URIRef]]:
    found: dict[URIRef, list[URIRef]] = {}
    for graph in dataset.graphs():
        for review, _p, claim in graph.triples((None, SCHEMA.itemReviewed, None)):
            found.setdefault(claim, []).append(review)  # type: ignore[arg-type]
    return found
