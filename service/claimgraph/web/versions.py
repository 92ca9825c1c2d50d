"""Released versions: ``/np/RA…`` (a nanopublication, immutable), ``/releases/<n>``, and what a
claim IRI says about its versions (Link headers, RDF, a 410 for a retracted claim).

A version's RDF is served from the release log itself (data/releases/), byte for byte what was
released and hashed: the store keeps a copy for SPARQL, but a store may normalise literals
(Oxigraph stores xsd:nonNegativeInteger as xsd:integer), which would break the Trusty URI.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, Response, current_app, g
from rdflib import Dataset, URIRef
from rdflib.namespace import DCTERMS

from claimgraph import media
from claimgraph.errors import NotFound
from claimgraph.media import Kind, Offers
from claimgraph.nanopubs import NPX, PAV, Nanopub
from claimgraph.reading.versions import ClaimVersions
from claimgraph.releaselog import ReleaseLog, ReleaseLogCache
from claimgraph.web import get_iris, get_read_model, identity, urls
from claimgraph.web.representation import CONVERTERS, choose, rdf_response, respond, respond_page, with_links

bp = Blueprint("versions", __name__)
bp.record_once(lambda state: state.app.url_map.converters.update(CONVERTERS))

View = Callable[..., Response]
RELEASE_LOG_KEY = "claimgraph.release_log"
#: A released version's representations: its page, and the formats that keep its four graphs
#: (TriG first: a client that accepts anything gets the nanopublication as released).
VERSION_OFFERS = Offers(
    (
        *sorted((f for f in media.RESOURCE if f.kind is Kind.QUADS), key=lambda f: f.rdflib != "trig"),
        media.HTML,
    )
)
#: A version's RDF never changes: caches may keep it for a year without asking again. Its page
#: may (it links to the versions that supersede it), so it keeps the ordinary caching.
IMMUTABLE = "public, max-age=31536000, immutable"


def get_release_log() -> ReleaseLog:
    cache: ReleaseLogCache = current_app.extensions[RELEASE_LOG_KEY]
    return cache.get()


def _view(rule: str, endpoint: str) -> Callable[[View], View]:
    def register(view: View) -> View:
        bp.add_url_rule(rule, endpoint, view, methods=["GET"], defaults={"ext": None})
        bp.add_url_rule(f"{rule}.<ext:ext>", endpoint, view, methods=["GET"])
        return view

    return register


@_view("/np/<ident:artefact>", "version")
def version(artefact: str, ext: str | None) -> Response:
    """A released version of a claim, or a retraction: a nanopublication named by its Trusty URI."""
    fmt = choose(VERSION_OFFERS, ext)
    iri = get_iris().nanopub(artefact)
    log = get_release_log()
    nanopub = log.nanopubs.get(iri)
    if nanopub is None:
        raise NotFound(f"no released version {iri}")
    links = _version_links(nanopub, log)
    if fmt is media.HTML:
        release = log.release_of(iri)
        return with_links(
            respond_page(
                iri,
                VERSION_OFFERS,
                "version.html",
                nanopub=nanopub,
                release=release,
                superseded_by=_superseded_by(nanopub, log),
                graphs=[
                    (name, _rows(nanopub, name)) for name in ("assertion", "provenance", "pubinfo", "Head")
                ],
            ),
            links,
        )
    identity.describes(iri)
    g.cache_control = IMMUTABLE
    # TriG and N-Quads are written the same way every time: the same bytes for ever.
    if fmt.rdflib == "trig":
        response = Response(nanopub.trig(get_iris().prefixes()), content_type=fmt.content_type())
    elif fmt.rdflib == "nquads":
        lines = "".join(f"{line}\n" for line in nanopub.nquads())
        response = Response(lines, content_type=fmt.content_type())
    else:
        response = rdf_response(nanopub.dataset(get_iris().prefixes()), fmt)
    return with_links(response, [*urls.alternates(str(iri), VERSION_OFFERS), *links])


@_view("/releases/<ident:number>", "release")
def release(number: str, ext: str | None) -> Response:
    """A release of the dataset: when, why, and the versions it is made of."""
    fmt = choose(media.RESOURCE, ext)
    iri = get_iris().release(number)
    return respond(iri, get_read_model().describe_graph(iri), fmt, media.RESOURCE)


def _rows(nanopub: Nanopub, name: str) -> list[tuple[str, str, str, str | None]]:
    """One graph's triples as the page shows them, each IRI object with the link to follow."""
    return [
        (str(s), str(p), str(o), urls.href(str(o)) if isinstance(o, URIRef) else None)
        for s, p, o in nanopub.triples(name)
    ]


def _superseded_by(nanopub: Nanopub, log: ReleaseLog) -> list[Nanopub]:
    return [n for n in log.nanopubs.values() if n.supersedes == nanopub.iri or n.retracts == nanopub.iri]


def _version_links(nanopub: Nanopub, log: ReleaseLog) -> list[urls.Link]:
    """RFC 5829 version links: the claim it is a version of, what it supersedes, what superseded it."""
    links = []
    if nanopub.claim is not None:
        links.append(urls.Link(urls.href(str(nanopub.claim)), rel="version-history"))
        current = log.current().get(nanopub.claim)
        if current is not None and current.retracts is None:
            links.append(urls.Link(urls.href(str(current.iri)), rel="latest-version"))
    if nanopub.supersedes is not None:
        links.append(urls.Link(urls.href(str(nanopub.supersedes)), rel="predecessor-version"))
    links += [urls.Link(urls.href(str(n.iri)), rel="successor-version") for n in _superseded_by(nanopub, log)]
    return links


def claim_links(versions: ClaimVersions) -> list[urls.Link]:
    """What a claim IRI's answer links to: its current version and every version."""
    links = []
    if versions.current:
        links.append(urls.Link(urls.href(versions.current), rel="latest-version"))
    links += [
        urls.Link(urls.href(entry.iri), rel=str(DCTERMS.hasVersion))
        for entry in versions.entries
        if not entry.retracts
    ]
    return links


def add_version_triples(description: Dataset, claim: URIRef, versions: ClaimVersions) -> Dataset:
    """The claim's versions in its RDF (default graph): dcterms:hasVersion each, pav:hasCurrentVersion."""
    for entry in versions.entries:
        if entry.retracts:
            description.add((URIRef(entry.iri), NPX.retracts, URIRef(entry.retracts)))
        else:
            description.add((claim, DCTERMS.hasVersion, URIRef(entry.iri)))
    if versions.current:
        description.add((claim, PAV.hasCurrentVersion, URIRef(versions.current)))
    return description


def retracted(claim: URIRef, versions: ClaimVersions, fmt: media.Format) -> Response:
    """410 Gone: the claim was removed and its last version retracted; its versions still resolve."""
    links = claim_links(versions)
    if fmt is media.HTML:
        response = respond_page(claim, media.RESOURCE, "retracted.html", versions=versions)
    else:
        description = add_version_triples(Dataset(), claim, versions)
        response = respond(claim, description, fmt, media.RESOURCE)
    response.status_code = 410
    return with_links(response, links)
