"""Every URL the Linked Data pages link to, built in one place.

An IRI under the base IRI links to the same path on *this* server (so a local
run with a production base IRI still navigates locally); any other IRI links to
itself. Twins are the resource's path plus an extension.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import request
from werkzeug.http import dump_options_header

from claimgraph.media_conneg import EXTENSION_OF
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
    return iri


def twin(iri: str, media_type: str) -> str:
    """The URL of ``iri``'s representation in ``media_type``: /claims/c013 -> /claims/c013.ttl."""
    return f"{href(iri)}.{EXTENSION_OF[media_type]}"


def alternates(iri: str, offers: tuple[str, ...]) -> list[Link]:
    """One ``rel="alternate"`` link per twin of ``iri``."""
    return [Link(twin(iri, media_type), media_type) for media_type in offers]


def dumps(extensions: dict[str, str]) -> list[Link]:
    """Links to the dataset dumps (a void:dataDump relation, RFC 8288 extension type)."""
    dataset = str(get_iris().dataset)
    return [
        Link(f"{href(dataset)}.{ext}", media_type, rel="http://rdfs.org/ns/void#dataDump")
        for ext, media_type in extensions.items()
    ]
