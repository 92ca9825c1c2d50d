"""A claim's released versions, as its page shows them: which version is current, when each was
released, what each changed, and whether the served claim has changed since (not released yet).

Read from the store: ``graphs/versions`` says which versions a claim has, and each version's
own graphs hold what it said (service/claimgraph/build/versions.py loads both).
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import URIRef
from rdflib.term import Node

from claimgraph.reading.descriptions import StoreReader
from claimgraph.reading.model import JsonObject
from claimgraph.versiondiff import diff, summary


@dataclass(frozen=True)
class VersionEntry:
    """One released nanopublication of a claim: a version, or the retraction of the claim."""

    iri: str
    created: str
    release: str | None
    supersedes: str | None
    retracts: str | None
    #: What it changed against the version before it ("- old line", "+ new line").
    changes: tuple[str, ...]

    @property
    def artefact(self) -> str:
        return self.iri.rsplit("/", 1)[-1]

    def to_json(self) -> JsonObject:
        return {
            "iri": self.iri,
            "created": self.created,
            "release": self.release,
            "supersedes": self.supersedes,
            "retracts": self.retracts,
            "changes": list(self.changes),
        }


@dataclass(frozen=True)
class ClaimVersions:
    claim: str
    #: Oldest first.
    entries: tuple[VersionEntry, ...]
    current: str | None
    #: The current version, when the served claim says something else (an unreleased change).
    changed_since: str | None
    #: What changed since it (the diff of the served claim against it).
    pending: tuple[str, ...]

    @property
    def cited(self) -> str | None:
        """The version IRI to cite: the current one, if the served claim is what it says."""
        return self.current if self.current and not self.changed_since else None

    @property
    def retraction(self) -> VersionEntry | None:
        return next((e for e in reversed(self.entries) if e.retracts), None)

    @property
    def current_entry(self) -> VersionEntry | None:
        return next((e for e in self.entries if e.iri == self.current), None)

    def to_json(self) -> JsonObject:
        return {
            "current": self.current,
            "cite": self.cited,
            "changedSince": self.changed_since,
            "pendingChanges": list(self.pending),
            "versions": [entry.to_json() for entry in self.entries],
        }


#: A claim that was never released.
NOT_RELEASED = ClaimVersions("", (), None, None, ())


def read_all_claim_versions(reader: StoreReader) -> dict[str, ClaimVersions]:
    """The versions of every claim ever released (retracted ones too), by claim IRI, from one query:
    a claim page then reads none (issue 12: nothing is computed on the first request after a load)."""
    rows_by_claim: dict[str, list[dict[str, Node]]] = {}
    for row in reader.select("claim-versions"):
        rows_by_claim.setdefault(str(row["claim"]), []).append(row)
    return {claim: _claim_versions(reader, URIRef(claim), rows) for claim, rows in rows_by_claim.items()}


def _claim_versions(reader: StoreReader, claim: URIRef, rows: list[dict[str, Node]]) -> ClaimVersions:
    """The versions of ``claim`` from its rows of claim-versions.rq (oldest first)."""
    current = changed = None
    entries: list[VersionEntry] = []
    said: dict[str, list[str]] = {}
    for row in rows:
        current = _text(row.get("current")) or current
        changed = _text(row.get("changed")) or changed
        iri = str(row["version"])
        if any(e.iri == iri for e in entries):
            continue
        retracts = _text(row.get("retracts"))
        supersedes = _text(row.get("supersedes"))
        lines = [] if retracts else _version_lines(reader, iri, claim)
        said[iri] = lines
        before = said.get(supersedes or "", []) if supersedes else []
        changes = tuple(diff(before, lines)) if not retracts else ()
        entries.append(
            VersionEntry(iri, str(row["created"]), _text(row.get("release")), supersedes, retracts, changes)
        )
    pending: tuple[str, ...] = ()
    if changed:
        graphs = [g for row in reader.select("claim-graphs", claim=claim) for g in row.values()]
        current_lines = summary([quad for g in graphs for quad in _graph(reader, str(g))], claim)
        pending = tuple(diff(said.get(changed) or _version_lines(reader, changed, claim), current_lines))
    return ClaimVersions(str(claim), tuple(entries), current, changed, pending)


def _version_lines(reader: StoreReader, version: str, claim: URIRef) -> list[str]:
    return summary(_graph(reader, f"{version}#assertion") + _graph(reader, f"{version}#provenance"), claim)


def _graph(reader: StoreReader, name: str) -> list[tuple[Node, Node, Node, Node]]:
    return [
        (row["g"], row["s"], row["p"], row["o"]) for row in reader.select("graph-content", g=URIRef(name))
    ]


def _text(node: Node | None) -> str | None:
    return str(node) if node is not None else None
