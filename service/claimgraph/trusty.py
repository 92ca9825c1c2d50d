"""Trusty URIs, module RA: the hash that names a nanopublication by its content.

A nanopublication's IRI ends in ``RA`` + the URL-safe Base64 of a SHA-256 over its
quads, normalised as the Trusty URI specification (and the ``nanopub`` library's own
check, ``nanopub.sign_utils.verify_trusty``) does it: every IRI that starts with the
nanopublication's namespace (its IRI + ``#``) has the hash part replaced by a space, the
quads are sorted (graph, subject, predicate, object; IRIs before literals; literals by
lexical form, then datatype, then language), and each quad is written as four lines.
An IRI minted under the namespace is ``<IRI>#name`` (``#assertion``, ``#pubinfo``, …).

The hash covers only the quads, never the host that serves them: every IRI in a
released nanopublication is under the dataset's canonical base.

>>> from rdflib import Literal, URIRef
>>> ns = "https://example.org/np/" + PLACEHOLDER
>>> quads = [(URIRef(ns + "#assertion"), URIRef("https://example.org/a"), URIRef("https://example.org/b"),
...           Literal("x"))]
>>> artefact = ra_artefact(quads, ns)
>>> artefact.startswith("RA") and len(artefact) == ARTEFACT_LENGTH
True
>>> is_artefact(artefact), is_artefact("RAshort")
(True, False)
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterable
from functools import cmp_to_key

from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
#: "RA" and 43 characters of URL-safe Base64 (a SHA-256 without padding).
ARTEFACT_LENGTH = 45
ARTEFACT = re.compile(r"RA[A-Za-z0-9_-]{43}")
#: Stands for the artefact while a nanopublication is assembled (its hash is not known yet).
PLACEHOLDER = "RA" + "_" * 43

#: A quad as the algorithm takes it: graph, subject, predicate, object.
Quad = tuple[URIRef, URIRef, URIRef, Node]


def is_artefact(text: str) -> bool:
    return ARTEFACT.fullmatch(text) is not None


def ra_artefact(quads: Iterable[Quad], np_iri: str) -> str:
    """The RA artefact of the nanopublication ``np_iri`` made of ``quads`` (its own artefact in
    ``np_iri``, if any, is ignored: ``np_iri`` may hold PLACEHOLDER or the real one)."""
    digest = hashlib.sha256(normalized(quads, np_iri).encode("utf-8")).digest()
    return "RA" + base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


def normalized(quads: Iterable[Quad], np_iri: str) -> str:
    """The text that is hashed (and that a signature signs): four lines per distinct quad."""
    prefix = np_iri.rsplit("/", 1)[0] + "/"
    namespace = np_iri + "#"

    def neutral(term: Node) -> Literal | str:
        # IRIs become plain strings: the neutral ones hold a space, which no IRI may.
        if isinstance(term, BNode):
            raise ValueError("a nanopublication to hash must have no blank nodes")
        if isinstance(term, Literal):
            return term
        text = str(term)
        if text in (np_iri, namespace):
            return prefix + " "
        if text.startswith(namespace):
            return f"{prefix} #{text[len(namespace) :]}"
        return text

    rows = [(neutral(g), neutral(s), neutral(p), neutral(o)) for g, s, p, o in quads]
    rows.sort(key=cmp_to_key(_compare_quads))
    lines: list[str] = []
    previous = None
    for row in rows:
        text = "".join(_line(term) for term in row)
        if text != previous:
            lines.append(text)
        previous = text
    return "".join(lines)


def _line(term: Literal | str) -> str:
    if isinstance(term, Literal):
        if term.language is not None:
            return f"@{term.language.lower()} {_escape(term)}\n"
        return f"^{term.datatype or XSD_STRING} {_escape(term)}\n"
    return f"{term}\n"


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\n", "\\n")


def _compare_quads(a: tuple[Literal | str, ...], b: tuple[Literal | str, ...]) -> int:
    for index in range(3):
        order = _compare_bytes(str(a[index]), str(b[index]))
        if order:
            return order
    return _compare_objects(a[3], b[3])


def _compare_objects(a: Literal | str, b: Literal | str) -> int:
    if isinstance(a, Literal) != isinstance(b, Literal):
        return 1 if isinstance(a, Literal) else -1
    if not isinstance(a, Literal) or not isinstance(b, Literal):
        return _compare_bytes(str(a), str(b))
    order = _compare_bytes(str(a), str(b))
    if order:
        return order
    type_a = None if a.language else str(a.datatype or XSD_STRING)
    type_b = None if b.language else str(b.datatype or XSD_STRING)
    order = _compare_optional(type_a, type_b)
    return order or _compare_optional(a.language, b.language)


def _compare_optional(a: str | None, b: str | None) -> int:
    if a is None or b is None:
        return (a is not None) - (b is not None)
    return _compare_bytes(a, b)


def _compare_bytes(a: str, b: str) -> int:
    x, y = a.encode("utf-8"), b.encode("utf-8")
    return (x > y) - (x < y)
