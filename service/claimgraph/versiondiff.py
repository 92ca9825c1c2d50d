"""What a version of a claim says, as readable lines, and what changed between two versions.

The lines are the fields a fact-checker reviews (quote, figures, sources, attribution,
note), read from a version's assertion and provenance quads; ``diff`` lists the lines one
version has and the other lacks. ``claimgraph release --dry-run`` and the claim page
show the same diff.

>>> diff(["quote: a", "source: s1"], ["quote: b", "source: s1"])
['- quote: a', '+ quote: b']
"""

from __future__ import annotations

from collections.abc import Iterable

from rdflib import Literal, URIRef
from rdflib.term import Node

from claimgraph.iris import CG, OA, PROV, RDF, RDFS, SCHEMA

#: Claim properties shown, in order, with the field name they are shown under.
CLAIM_FIELDS = (
    (SCHEMA.text, "quote"),
    (CG.kind, "kind"),
    (CG.attribution, "attribution"),
    (PROV.wasDerivedFrom, "source"),
    (CG.notStated, "not stated"),
    (RDFS.comment, "note"),
)
#: Node types whose lines are shown under a field of their own.
NODE_FIELDS: dict[Node, str] = {CG.Figure: "figure", OA.TextPositionSelector: "anchor"}
SKIPPED = {RDF.type, CG.assertion, CG.anchor, SCHEMA.identifier}


def summary(quads: Iterable[tuple[Node, Node, Node, Node]], claim: URIRef) -> list[str]:
    """The readable lines of one version (``quads``: its assertion and provenance, graph first)."""
    triples = {(s, p, o) for _g, s, p, o in quads}
    lines: list[str] = []
    for predicate, name in CLAIM_FIELDS:
        values = sorted(show(o) for s, p, o in triples if s == claim and p == predicate)
        lines += [f"{name}: {value}" for value in values]
    assertion = {s for g, s, _p, _o in quads if str(g).endswith("assertion")}
    types = {(s, o) for s, p, o in triples if p == RDF.type}
    for node in sorted(assertion | {s for s, t in types if t in NODE_FIELDS}, key=str):
        if node == claim:
            continue
        kinds = [NODE_FIELDS[t] for s, t in types if s == node and t in NODE_FIELDS]
        name = kinds[0] if kinds else "statement"
        local = str(node).rsplit("/", 1)[-1]
        for s, p, o in sorted(triples, key=lambda t: (str(t[1]), str(t[2]))):
            if s == node and p not in SKIPPED:
                lines.append(f"{name} {local}, {local_name(p)}: {show(o)}")
    return lines


def diff(old: list[str], new: list[str]) -> list[str]:
    """Lines only the old version has ("- "), then lines only the new one has ("+ ")."""
    before, after = set(old), set(new)
    return [f"- {line}" for line in old if line not in after] + [
        f"+ {line}" for line in new if line not in before
    ]


def show(node: Node) -> str:
    if isinstance(node, Literal):
        return str(node)
    if isinstance(node, URIRef):
        text = str(node)
        return local_name(node) if text.startswith(str(CG)) else text
    return str(node)


def local_name(node: Node) -> str:
    text = str(node)
    return text.rsplit("#", 1)[-1] if "#" in text else text.rsplit("/", 1)[-1]
