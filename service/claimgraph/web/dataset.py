"""The dataset description and the dumps: /.well-known/void, /dataset, /dataset.{trig,nq,ttl,jsonld}.

``/dataset`` negotiates like any resource and gives the *description* (the same
graph as /.well-known/void); ``/dataset.<ext>`` are the dumps, the dataset itself.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, request

from claimgraph.media import DATASET_FORMATS, HTML, RDF_ONLY, RESOURCE, SUFFIXES
from claimgraph.reading.dataset_description import Description, DescriptionCache
from claimgraph.web import get_iris, get_store, urls
from claimgraph.web.representation import choose, respond

bp = Blueprint("void", __name__)
CACHE_KEY = "claimgraph.void"
bp.record_once(lambda state: state.app.extensions.setdefault(CACHE_KEY, DescriptionCache()))


def description() -> Description:
    """The description of the data the store holds now (cached per data version)."""
    cache: DescriptionCache = current_app.extensions[CACHE_KEY]
    return cache.get(get_store(), get_iris())


def _links() -> list[urls.Link]:
    iris = get_iris()
    void_document = urls.Link(urls.href(str(iris.void_document)), "text/turtle", rel="describedby")
    return [void_document, *urls.dumps(DATASET_FORMATS)]


@bp.get("/.well-known/void")
def void_document() -> Response:
    """VoID and DCAT for the dataset, RDF only (Turtle unless Accept asks for another)."""
    media_type = choose(RDF_ONLY, None)
    iris = get_iris()
    twin = urls.Link(urls.twin(str(iris.dataset), HTML), HTML.media_type)
    return respond(iris.dataset, description().dataset, media_type, (), [twin, *urls.dumps(DATASET_FORMATS)])


@bp.get("/dataset", defaults={"ext": None})
@bp.get("/dataset.<any(html):ext>")
def dataset(ext: str | None) -> Response:
    """The dataset's description, negotiated like any resource; its dumps are linked, not inlined."""
    media_type = choose(RESOURCE, ext)
    return respond(get_iris().dataset, description().dataset, media_type, (HTML,), _links())


@bp.get(f"/dataset.<any({', '.join(f.suffix for f in DATASET_FORMATS)}):ext>")
def dump(ext: str) -> Response:
    """The whole dataset in one format, streamed from the store; 304 when the client's copy is current."""
    media_type = SUFFIXES[ext].media_type
    described = description()
    response = Response(get_store().export(media_type), mimetype=media_type)
    if described.version:
        response.set_etag(f"{described.version}-{ext}")
    response.last_modified = described.last_modified
    return response.make_conditional(request)
