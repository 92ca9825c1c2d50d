"""The Flask application: settings, store, query runner, read model, blueprints, error handlers."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask, Response, g
from flask.typing import ResponseReturnValue
from rdflib import URIRef
from werkzeug.exceptions import HTTPException

from claimgraph import paths
from claimgraph.iris import Iris
from claimgraph.limits.heartbeat import kept_alive
from claimgraph.limits.intake_answers import INTAKE_ANSWERS_KEY, IntakeAnswers
from claimgraph.limits.runner import QueryRunner
from claimgraph.reading.read_model import CurrentReadModel
from claimgraph.releaselog import ReleaseLogCache
from claimgraph.settings import Settings
from claimgraph.store import Store
from claimgraph.web import (
    IRIS_KEY,
    PAGE_CACHE_KEY,
    READ_MODEL_KEY,
    RUNNER_KEY,
    SETTINGS_KEY,
    STORE_KEY,
    api,
    cors,
    dataset,
    errors,
    http_cache,
    identity,
    ingest,
    landing,
    linked_data,
    pages,
    search,
    sparql,
    versions,
)
from claimgraph.web.charset import add_charset
from claimgraph.web.page_cache import PageCache
from claimgraph.web.representation import vary_on_accept
from claimgraph.web.security import add_security_headers

log = logging.getLogger(__name__)


class ClaimgraphApp(Flask):
    """Flask, with the views' rendered answers kept while the data stays the same (web/page_cache.py)."""

    def __init__(self, page_cache: PageCache) -> None:
        super().__init__("claimgraph")
        self.page_cache = page_cache
        self.extensions[PAGE_CACHE_KEY] = page_cache
        self._sync: dict[Callable[..., Any], Callable[..., Any]] = {}

    def ensure_sync(self, func: Callable[..., Any]) -> Callable[..., Any]:
        """Flask's, remembered per function: Flask asks it of every hook and view on every request,
        and the answer (inspect's coroutine check) never changes for a function."""
        try:
            return self._sync[func]
        except KeyError:
            made = self._sync[func] = super().ensure_sync(func)
            return made
        except TypeError:  # not hashable
            return super().ensure_sync(func)

    def dispatch_request(self) -> ResponseReturnValue:
        key = self.page_cache.key()
        if key is None:
            return super().dispatch_request()
        kept = self.page_cache.get(key)
        if kept is not None:
            return kept
        before = dict(vars(g))
        response: Response = self.make_response(super().dispatch_request())
        self.page_cache.keep(key, response, before)
        return response


def build_app(
    settings: Settings, store: Store, runner: QueryRunner, ingestor: ingest.ArticleIngestion | None = None
) -> Flask:
    """Create the app on a store that is ready to answer, its public queries run by ``runner``, its
    articles changed by ``ingestor`` (claimgraph/app.py prepares them)."""
    app = ClaimgraphApp(PageCache(settings.page_cache_bytes))
    app.extensions[SETTINGS_KEY] = settings
    iris = Iris(settings.base)
    app.extensions[IRIS_KEY] = iris
    app.extensions[STORE_KEY] = store
    app.extensions[RUNNER_KEY] = runner
    # Answers an intake worker (limits/intake.py) may give from the raw request, within the same bound.
    app.extensions[INTAKE_ANSWERS_KEY] = IntakeAnswers(store, settings.query_cache_bytes)
    read_model = app.extensions[READ_MODEL_KEY] = CurrentReadModel(store, iris)
    sparql.init_app(app)
    app.register_blueprint(linked_data.bp)
    app.register_blueprint(dataset.bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(search.bp)
    app.register_blueprint(landing.bp)
    ingest.init_app(app, ingestor)
    app.register_blueprint(versions.bp)
    app.extensions[versions.RELEASE_LOG_KEY] = ReleaseLogCache(
        Path(settings.data_dir) if settings.data_dir else paths.data_dir()
    )
    identity.init_app(app, settings)
    app.after_request(vary_on_accept)
    app.after_request(add_charset)
    app.after_request(add_security_headers)
    cors.init_app(app)
    http_cache.init_app(app)
    errors.register(app)
    # Built before the first request: the first page after a load costs what any other page costs.
    # A store that fails now (a remote engine not up yet, a bug) must not stop the start: each request
    # then tries again and answers the failure in its own shape (web/errors.py).
    # Seconds at 1M triples, minutes at 10M: a gunicorn worker signals meanwhile, or its arbiter
    # would take it for hung after --timeout (30 s) and start another, which would build again.
    with kept_alive():
        try:
            read_model.refresh()
        except Exception:
            log.exception("the read model could not be built at start; the first requests will try again")
        for template in app.jinja_env.list_templates(extensions=("html",)):
            app.jinja_env.get_template(template)  # compiled now, with every filter registered above
        warm_routes(app)
        warm_claim_page(app, read_model, iris)
    return app


#: Paths whose routes the first requests take: werkzeug compiles a route's patterns on its first match.
WARM_PATHS = ("/", "/claims/c0", "/articles/a/claims/c0", "/claims", "/checks", "/sparql", "/health")


def warm_routes(app: Flask) -> None:
    """Match the common paths once, so that no request pays for compiling the routing patterns."""
    adapter = app.url_map.bind("localhost")
    for path in WARM_PATHS:
        with contextlib.suppress(HTTPException):
            adapter.match(path)


def warm_claim_page(app: ClaimgraphApp, read_model: CurrentReadModel, iris: Iris) -> None:
    """Answer one claim page now and forget it: what a process does once, on its first page (the
    first calls of each code path in Python and Jinja, the first response), is then paid at start,
    not by the first reader (issue 12). Nothing of it is kept: not in the page cache, whose counters
    stay at 0, nor in the read model, so the first reader of that page waits as for any other.
    A store that cannot answer now is left to the first requests, as above."""
    page_cache, app.page_cache = app.page_cache, PageCache(0)
    try:
        model = read_model.get()
        if model.catalogue.claims:
            claim = model.catalogue.claims[0].iri
            # The request's steps, not a client's request: Flask would count that as its first request
            # and refuse the routes an embedding application adds after create_app.
            path = "/" + claim.removeprefix(iris.base)
            with app.test_request_context(path, headers={"Accept": "text/html"}):
                answer = app.preprocess_request() or app.dispatch_request()
                app.process_response(app.make_response(answer))
            model.forget_claim_page(URIRef(claim))
    except Exception:
        log.exception("the first claim page could not be rendered at start")
    finally:
        app.page_cache = page_cache
