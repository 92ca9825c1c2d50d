"""Every URL the Linked Data pages link to, built in one place.

An IRI under the canonical base IRI links to the same path on *this* server, on
the host the reader used (so a local run, or a server reached as localhost, [::1] or
through a proxy, navigates on itself); so do the ontology's terms, which this
server documents at /ontology whatever its base; any other IRI links to itself.
Twins are the resource's path plus an extension.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flask import request
from werkzeug.http import dump_options_header

from claimgraph.iris import ONTOLOGY
from claimgraph.media import Format
from claimgraph.web import get_iris


@dataclass(frozen=True)
class Link:
    url: str
    media_type: str | None = None
    rel: str = "alternate"

    def header(self) -> str:
        """The value of one HTTP ``Link`` header (RFC 8288)."""
        params = {"rel": self.rel, **({"type": self.media_type} if self.media_type else {})}
        return dump_options_header(f"<{self.url}>", params)


def href(iri: str) -> str:
    """Where a link to ``iri`` should point."""
    base = get_iris().base
    if iri.startswith(base):
        return f"{request.script_root}/{iri[len(base) :]}"
    if iri.startswith(ONTOLOGY):
        return f"{request.script_root}/ontology{iri[len(ONTOLOGY) :]}"
    return iri


def twin(iri: str, fmt: Format) -> str:
    """The URL of ``iri``'s representation in ``fmt``: /claims/c013 -> /claims/c013.ttl."""
    return f"{href(iri)}.{fmt.suffix}"


def alternates(iri: str, offers: Iterable[Format]) -> list[Link]:
    """One ``rel="alternate"`` link per twin of ``iri``."""
    return [Link(twin(iri, fmt), fmt.media_type) for fmt in offers]


def dumps(formats: Iterable[Format]) -> list[Link]:
    """Links to the dataset dumps (a void:dataDump relation, RFC 8288 extension type)."""
    dataset = str(get_iris().dataset)
    return [
        Link(f"{href(dataset)}.{fmt.suffix}", fmt.media_type, rel="http://rdfs.org/ns/void#dataDump")
        for fmt in formats
    ]
