"""The dataset as a whole: its description (/.well-known/void, /dataset), its dumps
(/dataset.{trig,nq,ttl,jsonld}) and /health.

``/dataset`` negotiates like any resource and gives the *description* (the same
graph as /.well-known/void); ``/dataset.<ext>`` are the dumps, the dataset itself.
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from claimgraph.media import DATASET_FORMATS, HTML, RDF_ONLY, RESOURCE, SUFFIXES
from claimgraph.web import (
    get_iris,
    get_read_model,
    get_runner,
    get_store,
    intake_cache_stats,
    page_cache_stats,
    urls,
)
from claimgraph.web.representation import choose, respond

bp = Blueprint("dataset", __name__)


@bp.get("/health")
def health() -> Response:
    """Store size and data version, as JSON, for load balancers and operators; 200 while the store answers."""
    stats, cache, pages = get_store().stats(), get_runner().cache.stats(), page_cache_stats()
    intake = intake_cache_stats()
    return jsonify(
        status="ok",
        quads=stats.quads,
        named_graphs=stats.named_graphs,
        data_version=stats.data_version,
        query_cache={
            "hits": cache.hits,
            "misses": cache.misses,
            "entries": cache.entries,
            "bytes": cache.bytes,
        },
        page_cache={
            "hits": pages.hits,
            "misses": pages.misses,
            "entries": pages.entries,
            "bytes": pages.bytes,
        },
        intake_cache={
            "hits": intake.hits if intake else 0,
            "misses": intake.misses if intake else 0,
            "entries": intake.entries if intake else 0,
            "bytes": intake.bytes if intake else 0,
        },
    )


@bp.get("/.well-known/void")
def void_document() -> Response:
    """VoID and DCAT for the dataset, RDF only (Turtle unless Accept asks for another)."""
    media_type = choose(RDF_ONLY, None)
    iris = get_iris()
    twin = urls.Link(urls.twin(str(iris.dataset), HTML), HTML.media_type)
    description = get_read_model().dataset_description()
    return respond(iris.dataset, description.dataset, media_type, (), [twin, *urls.dumps(DATASET_FORMATS)])


@bp.get("/dataset", defaults={"ext": None})
@bp.get("/dataset.<any(html):ext>")
def dataset(ext: str | None) -> Response:
    """The dataset's description, negotiated like any resource; its dumps are linked, not inlined."""
    media_type = choose(RESOURCE, ext)
    iris = get_iris()
    void_document = urls.Link(urls.href(str(iris.void_document)), "text/turtle", rel="describedby")
    description = get_read_model().dataset_description()
    links = [void_document, *urls.dumps(DATASET_FORMATS)]
    return respond(iris.dataset, description.dataset, media_type, (HTML,), links)


@bp.get(f"/dataset.<any({', '.join(f.suffix for f in DATASET_FORMATS)}):ext>")
def dump(ext: str) -> Response:
    """The whole dataset in one format, streamed from the store (validators and 304: web/http_cache.py)."""
    fmt = SUFFIXES[ext]
    return Response(get_store().export(fmt.media_type), content_type=fmt.content_type())
