"""Nanopublications: a claim's version (head, assertion, provenance, publication info) named by a
Trusty URI, and the retraction of a claim that was removed.

A version is assembled under a placeholder IRI, optionally signed (RSA, as the nanopub
ecosystem signs: ``npx:hasSignature`` over the normalised quads without it), then hashed
(service/claimgraph/trusty.py) and renamed to ``<base>np/RA…``. Its graphs are
``<…RA…#Head>``, ``#assertion``, ``#provenance`` and ``#pubinfo``: never the current
claim's ``claims/<id>/assertion`` graph, so an old version's triples stay apart from the
current data. Every nanopublication here has no blank nodes.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property

from Crypto.Hash import SHA256
from Crypto.PublicKey import RSA
from Crypto.Signature import pkcs1_15
from rdflib import Dataset, Literal, Namespace, URIRef
from rdflib.term import Node

from claimgraph.iris import DCTERMS, PROV, RDF, RDFS, SCHEMA, XSD
from claimgraph.trusty import PLACEHOLDER, Quad, is_artefact, normalized, ra_artefact

NP = Namespace("http://www.nanopub.org/nschema#")
NPX = Namespace("http://purl.org/nanopub/x/")
PAV = Namespace("http://purl.org/pav/")
PREFIXES = {"np": str(NP), "npx": str(NPX), "pav": str(PAV)}

#: The parts of a nanopublication, as the suffixes of their graph IRIs.
PARTS = ("Head", "assertion", "provenance", "pubinfo")

Triple = tuple[URIRef, URIRef, Node]


@dataclass(frozen=True)
class PublicationInfo:
    """What the publication info says, besides what it supersedes or retracts."""

    creator: URIRef
    #: The release time (xsd:dateTime, UTC), not the build time: a version is reproducible.
    created: str
    license: URIRef
    software_version: str
    ontology_version: URIRef
    label: str
    #: A PEM (PKCS#1 or PKCS#8) RSA private key; None: unsigned.
    signing_key: bytes | None = field(default=None, repr=False)


@dataclass(frozen=True)
class Nanopub:
    """One nanopublication: its Trusty IRI and its quads (graph, subject, predicate, object)."""

    iri: URIRef
    quads: frozenset[Quad]

    def part(self, name: str) -> URIRef:
        return URIRef(f"{self.iri}#{name}")

    def triples(self, name: str) -> list[Triple]:
        graph = self.part(name)
        return sorted((s, p, o) for g, s, p, o in self.quads if g == graph)

    @property
    def artefact(self) -> str:
        return str(self.iri).rsplit("/", 1)[-1]

    def verify(self) -> bool:
        """Whether the IRI's artefact is the hash of the quads (a hand edit breaks it)."""
        return is_artefact(self.artefact) and ra_artefact(self.quads, str(self.iri)) == self.artefact

    def info(self, predicate: URIRef) -> Node | None:
        for s, p, o in self.triples("pubinfo"):
            if s == self.iri and p == predicate:
                return o
        return None

    @cached_property
    def claim(self) -> URIRef | None:
        """The claim this is a version (or the retraction) of."""
        value = self.info(DCTERMS.isVersionOf)
        return value if isinstance(value, URIRef) else None

    @cached_property
    def created(self) -> str:
        return str(self.info(DCTERMS.created) or "")

    @cached_property
    def supersedes(self) -> URIRef | None:
        value = self.info(NPX.supersedes)
        return value if isinstance(value, URIRef) else None

    @cached_property
    def retracts(self) -> URIRef | None:
        for _s, p, o in self.triples("assertion"):
            if p == NPX.retracts and isinstance(o, URIRef):
                return o
        return None

    @property
    def signed(self) -> bool:
        return any(p == NPX.hasSignature for _g, _s, p, _o in self.quads)

    def verify_signature(self) -> bool:
        """Whether the RSA signature (if any) signs the normalised quads without it."""
        signature = public_key = None
        for _g, _s, p, o in self.quads:
            if p == NPX.hasSignature:
                signature = str(o)
            elif p == NPX.hasPublicKey:
                public_key = str(o)
        if signature is None or public_key is None:
            return False
        unsigned = [q for q in self.quads if q[2] != NPX.hasSignature]
        digest = SHA256.new(normalized(unsigned, str(self.iri)).encode("utf-8"))
        try:
            key = RSA.import_key(base64.b64decode(public_key))
            pkcs1_15.new(key).verify(digest, base64.b64decode(signature))
        except (ValueError, TypeError):
            return False
        return True

    def dataset(self, prefixes: Mapping[str, str] = PREFIXES) -> Dataset:
        """The nanopublication as an rdflib Dataset (four named graphs)."""
        ds = Dataset()
        for prefix, namespace in {**prefixes, **PREFIXES}.items():
            ds.bind(prefix, namespace, replace=True)
        ds.bind("this", f"{self.iri}#", replace=True)
        for g, s, p, o in self.quads:
            ds.add((s, p, o, g))  # type: ignore[arg-type]
        return ds

    def trig(self, prefixes: Mapping[str, str] = PREFIXES) -> str:
        """The nanopublication as TriG, the same bytes every time (graphs in a fixed order, triples
        sorted): a version IRI always answers with exactly what it answered before."""
        ds = self.dataset(prefixes)
        manager = ds.namespace_manager
        lines: list[str] = []
        for name in PARTS:
            triples = sorted((s.n3(manager), p.n3(manager), o.n3(manager)) for s, p, o in self.triples(name))
            lines += ["", f"{self.part(name).n3(manager)} {{"]
            previous = None
            for index, (s, p, o) in enumerate(triples):
                last = index + 1 == len(triples) or triples[index + 1][0] != s
                end = " ." if last else " ;"
                lines.append(f"    {s} {p} {o}{end}" if s != previous else f"        {p} {o}{end}")
                previous = s
            lines.append("}")
        body = "\n".join(lines) + "\n"
        bound = sorted((str(p), str(n)) for p, n in manager.namespaces() if p)
        used = [f"@prefix {p}: <{n}> ." for p, n in bound if re.search(rf"(^|[\s(^]){re.escape(p)}:", body)]
        return "\n".join(used) + "\n" + body

    def nquads(self) -> list[str]:
        """Its N-Quads lines, sorted (a release file is the sorted lines of its nanopublications)."""
        text = self.dataset().serialize(format="nquads", encoding="utf-8").decode("utf-8")
        return sorted(line for line in text.splitlines() if line.strip())


def claim_version(
    claim: URIRef,
    graphs: Mapping[URIRef, Iterable[Triple]],
    base: str,
    info: PublicationInfo,
    supersedes: URIRef | None = None,
) -> Nanopub:
    """A new version of ``claim`` from its current graphs: ``graphs`` maps its assertion graph's and
    provenance graph's IRIs (in that order) to their triples; the IRIs are renamed to the version's own."""
    temporary = placeholder_iri(base)
    this = URIRef(temporary)
    quads = content_quads(temporary, graphs) | _pubinfo(this, claim, info, supersedes) | _head(this)
    return _seal(temporary, quads, info)


def retraction(claim: URIRef, retracted: URIRef, base: str, info: PublicationInfo) -> Nanopub:
    """A nanopublication retracting ``retracted``, the last version of ``claim``, which was removed."""
    temporary = placeholder_iri(base)
    this = URIRef(temporary)
    assertion, provenance = URIRef(f"{temporary}#assertion"), URIRef(f"{temporary}#provenance")
    quads: set[Quad] = {
        (assertion, info.creator, NPX.retracts, retracted),
        (provenance, assertion, PROV.wasAttributedTo, info.creator),
        (provenance, assertion, RDFS.comment, Literal(f"{claim} was removed from the dataset.", lang="en")),
    }
    quads |= _pubinfo(this, claim, info, None)
    quads |= _head(this)
    return _seal(temporary, quads, info)


def content_quads(np_iri: str, graphs: Mapping[URIRef, Iterable[Triple]]) -> set[Quad]:
    """The assertion and provenance quads of a version named ``np_iri``: the two current graphs'
    triples, those graphs' IRIs renamed to the version's wherever they occur."""
    rename = {
        old: URIRef(f"{np_iri}#{new}") for old, new in zip(graphs, ("assertion", "provenance"), strict=True)
    }

    def term(node: Node) -> Node:
        return rename.get(node, node) if isinstance(node, URIRef) else node

    quads: set[Quad] = set()
    for graph, triples in graphs.items():
        for s, p, o in triples:
            quads.add((rename[graph], term(s), p, term(o)))  # type: ignore[arg-type]
    return quads


def content_key(nanopub: Nanopub) -> frozenset[Quad]:
    """What a version says (assertion and provenance) with its own IRI neutralised: two versions
    with the same key say the same, whenever and by whom they were published."""
    return neutralize(nanopub, ("assertion", "provenance"))


def neutralize(nanopub: Nanopub, parts: Iterable[str]) -> frozenset[Quad]:
    own, placeholder = str(nanopub.iri), placeholder_iri("urn:claimgraph:")
    graphs = {nanopub.part(name) for name in parts}

    def term(node: Node) -> Node:
        if isinstance(node, URIRef) and str(node).startswith(own):
            return URIRef(placeholder + str(node)[len(own) :])
        return node

    return frozenset(
        (term(g), term(s), term(p), term(o))  # type: ignore[misc]
        for g, s, p, o in nanopub.quads
        if g in graphs
    )


def placeholder_iri(base: str) -> str:
    return f"{base}np/{PLACEHOLDER}"


def _head(this: URIRef) -> set[Quad]:
    head = URIRef(f"{this}#Head")
    return {
        (head, this, RDF.type, NP.Nanopublication),
        (head, this, NP.hasAssertion, URIRef(f"{this}#assertion")),
        (head, this, NP.hasProvenance, URIRef(f"{this}#provenance")),
        (head, this, NP.hasPublicationInfo, URIRef(f"{this}#pubinfo")),
    }


def _pubinfo(this: URIRef, claim: URIRef, info: PublicationInfo, supersedes: URIRef | None) -> set[Quad]:
    pubinfo, software = URIRef(f"{this}#pubinfo"), URIRef(f"{this}#software")
    triples: list[Triple] = [
        (this, DCTERMS.isVersionOf, claim),
        (this, RDFS.label, Literal(info.label, lang="en")),
        (this, DCTERMS.creator, info.creator),
        (this, DCTERMS.created, Literal(info.created, datatype=XSD.dateTime)),
        (this, DCTERMS.license, info.license),
        (this, DCTERMS.conformsTo, info.ontology_version),
        (this, PAV.createdWith, software),
        (software, RDF.type, SCHEMA.SoftwareApplication),
        (software, SCHEMA.name, Literal("claimgraph")),
        (software, SCHEMA.softwareVersion, Literal(info.software_version)),
    ]
    if supersedes is not None:
        triples.append((this, NPX.supersedes, supersedes))
    return {(pubinfo, s, p, o) for s, p, o in triples}


def _seal(temporary: str, quads: set[Quad], info: PublicationInfo) -> Nanopub:
    """Sign (when a key is given), hash, and rename the placeholder to the Trusty IRI."""
    if info.signing_key is not None:
        quads |= _signature(temporary, quads, info)
    artefact = ra_artefact(quads, temporary)
    final = temporary[: -len(PLACEHOLDER)] + artefact

    def term(node: Node) -> Node:
        if isinstance(node, URIRef) and str(node).startswith(temporary):
            return URIRef(final + str(node)[len(temporary) :])
        return node

    renamed = frozenset((term(g), term(s), term(p), term(o)) for g, s, p, o in quads)
    return Nanopub(URIRef(final), renamed)  # type: ignore[arg-type]


def _signature(temporary: str, quads: set[Quad], info: PublicationInfo) -> set[Quad]:
    assert info.signing_key is not None
    key = RSA.import_key(info.signing_key)
    if not key.has_private():
        raise ValueError("the signing key is not a private key")
    public = base64.b64encode(key.publickey().export_key(format="DER")).decode("ascii")
    pubinfo, sig, this = URIRef(f"{temporary}#pubinfo"), URIRef(f"{temporary}#sig"), URIRef(temporary)
    signed = {
        (pubinfo, sig, NPX.hasPublicKey, Literal(public)),
        (pubinfo, sig, NPX.hasAlgorithm, Literal("RSA")),
        (pubinfo, sig, NPX.hasSignatureTarget, this),
        (pubinfo, sig, NPX.signedBy, info.creator),
    }
    digest = SHA256.new(normalized(quads | signed, temporary).encode("utf-8"))
    signature = base64.b64encode(pkcs1_15.new(key).sign(digest)).decode("ascii")
    return signed | {(pubinfo, sig, NPX.hasSignature, Literal(signature))}


def parse_nanopubs(quads: Iterable[tuple[Node, Node, Node, Node]]) -> tuple[list[Nanopub], list[Quad]]:
    """Group ``quads`` into the nanopublications whose head graphs they hold; the quads that belong
    to none are returned too."""
    rows = [q for q in quads if all(isinstance(t, URIRef) for t in (q[0], q[1], q[2]))]
    heads = {
        str(s) for g, s, p, o in rows if p == RDF.type and o == NP.Nanopublication and str(g) == f"{s}#Head"
    }
    grouped: dict[str, set[Quad]] = {iri: set() for iri in heads}
    rest: list[Quad] = []
    for g, s, p, o in rows:
        owner = str(g).split("#", 1)[0]
        if owner in grouped and str(g).split("#", 1)[-1] in PARTS:
            grouped[owner].add((g, s, p, o))  # type: ignore[arg-type]
        else:
            rest.append((g, s, p, o))  # type: ignore[arg-type]
    nanopubs = [Nanopub(URIRef(iri), frozenset(found)) for iri, found in sorted(grouped.items())]
    return nanopubs, rest
