"""The audit trail of ingestions: one PROV activity per change, kept apart from the served data.

Each ingestion appends one named graph (the activity's own IRI, ``urn:uuid:…``) to
ARTICLES_DIR/audit.nq: the activity (``prov:Activity`` and ``schema:CreateAction``,
``schema:ReplaceAction`` or ``schema:DeleteAction``) with its start and end, the agent
(``prov:wasAssociatedWith``: the NAME of the token holder, or the local user for the command
line; never a token), the article it changed (``schema:object``), the data version before
(``prov:used``) and after (``prov:generated``) as specialisations of the dataset, and the
article's version before and after (``prov:invalidated`` / ``prov:generated``) with its claim
count (a VoID class partition of ``schema:Claim``). The file is never loaded into the store, so
neither /sparql nor a dump nor any page reaches it: token holders read it at GET /api/audit.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import quote

import pyoxigraph as ox

PROV = "http://www.w3.org/ns/prov#"
SCHEMA = "http://schema.org/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
DCTERMS = "http://purl.org/dc/terms/"
VOID = "http://rdfs.org/ns/void#"
XSD = "http://www.w3.org/2001/XMLSchema#"

#: What an ingestion did, and the schema.org action that says so.
ACTIONS = {"added": "CreateAction", "replaced": "ReplaceAction", "deleted": "DeleteAction"}


@dataclass(frozen=True)
class Change:
    """One ingestion, as the audit trail records it."""

    ident: str
    action: str
    slug: str
    article: str
    dataset: str
    agent: str
    agent_kind: str  # "token" (HTTP) or "local-user" (the command line)
    started: datetime
    ended: datetime
    claims_before: int | None
    claims_after: int | None
    version_before: str | None
    version_after: str | None

    @property
    def iri(self) -> str:
        return f"urn:uuid:{self.ident}"

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.iri,
            "action": self.action,
            "article": self.slug,
            "articleIri": self.article,
            "by": self.agent,
            "via": "http" if self.agent_kind == "token" else "command line",
            "started": self.started.isoformat(),
            "ended": self.ended.isoformat(),
            "claimsBefore": self.claims_before,
            "claimsAfter": self.claims_after,
            "dataVersionBefore": self.version_before,
            "dataVersionAfter": self.version_after,
        }


def change_quads(change: Change) -> list[ox.Quad]:
    """The change as PROV, in a graph named by the activity."""
    graph = ox.NamedNode(change.iri)
    activity = ox.NamedNode(change.iri)
    agent = ox.NamedNode(f"urn:claimgraph:{change.agent_kind}:{quote(change.agent, safe='')}")
    article, dataset = ox.NamedNode(change.article), ox.NamedNode(change.dataset)
    triples: list[tuple[ox.NamedNode, str, ox.NamedNode | ox.Literal]] = [
        (activity, RDF_TYPE, ox.NamedNode(PROV + "Activity")),
        (activity, RDF_TYPE, ox.NamedNode(SCHEMA + ACTIONS[change.action])),
        (activity, RDFS_LABEL, ox.Literal(f"{change.action} article {change.slug}")),
        (activity, PROV + "startedAtTime", _time(change.started)),
        (activity, PROV + "endedAtTime", _time(change.ended)),
        (activity, PROV + "wasAssociatedWith", agent),
        (activity, SCHEMA + "agent", agent),
        (activity, SCHEMA + "object", article),
        (agent, RDF_TYPE, ox.NamedNode(PROV + "Agent")),
        (agent, RDFS_LABEL, ox.Literal(change.agent)),
        (agent, DCTERMS + "type", ox.Literal(change.agent_kind)),
    ]
    for when, version, link in (
        ("before", change.version_before, "used"),
        ("after", change.version_after, "generated"),
    ):
        if version is not None:
            node = ox.NamedNode(f"{change.iri}#data-{when}")
            triples += [
                (activity, PROV + link, node),
                (node, RDF_TYPE, ox.NamedNode(PROV + "Entity")),
                (node, PROV + "specializationOf", dataset),
                (node, DCTERMS + "hasVersion", ox.Literal(version)),
            ]
    for when, claims, link in (
        ("before", change.claims_before, "invalidated"),
        ("after", change.claims_after, "generated"),
    ):
        if claims is not None:
            node = ox.NamedNode(f"{change.iri}#article-{when}")
            partition = ox.NamedNode(f"{change.iri}#article-{when}-claims")
            triples += [
                (activity, PROV + link, node),
                (node, RDF_TYPE, ox.NamedNode(PROV + "Entity")),
                (node, PROV + "specializationOf", article),
                (node, DCTERMS + "identifier", ox.Literal(change.slug)),
                (node, VOID + "classPartition", partition),
                (partition, VOID + "class", ox.NamedNode(SCHEMA + "Claim")),
                (
                    partition,
                    VOID + "entities",
                    ox.Literal(str(claims), datatype=ox.NamedNode(XSD + "integer")),
                ),
            ]
    return [ox.Quad(s, ox.NamedNode(p), o, graph) for s, p, o in triples]


def append(path: Path, change: Change) -> None:
    """Append the change to the trail and make it durable (the caller holds the ingestion lock)."""
    data = ox.serialize(change_quads(change), format=ox.RdfFormat.N_QUADS) or b""
    with open(path, "ab") as file:
        file.write(data)
        file.flush()
        os.fsync(file.fileno())


def read_quads(path: Path) -> list[ox.Quad]:
    if not path.exists():
        return []
    return list(ox.parse(path=str(path), format=ox.RdfFormat.N_QUADS))


def changes(quads: Iterable[ox.Quad]) -> list[dict[str, object]]:
    """The trail as JSON records, oldest first."""
    facts: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for quad in quads:
        subject, value = quad.subject, quad.object
        if isinstance(subject, ox.NamedNode) and isinstance(value, ox.NamedNode | ox.Literal):
            facts[subject.value][quad.predicate.value].append(value.value)
    records: list[dict[str, object]] = []
    for node, values in facts.items():
        kinds = [t.removeprefix(SCHEMA) for t in values.get(RDF_TYPE, []) if t.startswith(SCHEMA)]
        action = next((a for a, kind in ACTIONS.items() if kind in kinds), None)
        if action is None:
            continue
        agent = facts.get(_first(values, PROV + "wasAssociatedWith") or "", {})
        records.append(
            {
                "id": node,
                "action": action,
                "article": _first(facts.get(f"{node}#article-after", {}), DCTERMS + "identifier")
                or _first(facts.get(f"{node}#article-before", {}), DCTERMS + "identifier"),
                "articleIri": _first(values, SCHEMA + "object"),
                "by": _first(agent, RDFS_LABEL),
                "via": "http" if _first(agent, DCTERMS + "type") == "token" else "command line",
                "started": _first(values, PROV + "startedAtTime"),
                "ended": _first(values, PROV + "endedAtTime"),
                "claimsBefore": _count(facts, f"{node}#article-before-claims"),
                "claimsAfter": _count(facts, f"{node}#article-after-claims"),
                "dataVersionBefore": _first(facts.get(f"{node}#data-before", {}), DCTERMS + "hasVersion"),
                "dataVersionAfter": _first(facts.get(f"{node}#data-after", {}), DCTERMS + "hasVersion"),
            }
        )
    return sorted(records, key=lambda r: str(r["started"]))


def _first(values: dict[str, list[str]], key: str) -> str | None:
    found = values.get(key)
    return found[0] if found else None


def _count(facts: dict[str, dict[str, list[str]]], node: str) -> int | None:
    value = _first(facts.get(node, {}), VOID + "entities")
    return int(value) if value is not None else None


def _time(moment: datetime) -> ox.Literal:
    return ox.Literal(moment.isoformat(), datatype=ox.NamedNode(XSD + "dateTime"))
