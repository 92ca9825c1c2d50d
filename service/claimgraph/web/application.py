"""The Flask application: settings, store, query runner, read model, blueprints, error handlers."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from claimgraph import paths
from claimgraph.iris import Iris
from claimgraph.limits.runner import QueryRunner
from claimgraph.reading.read_model import CurrentReadModel
from claimgraph.releaselog import ReleaseLogCache
from claimgraph.settings import Settings
from claimgraph.store import Store
from claimgraph.web import (
    IRIS_KEY,
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
    landing,
    linked_data,
    pages,
    search,
    sparql,
    versions,
)
from claimgraph.web.charset import add_charset
from claimgraph.web.representation import vary_on_accept
from claimgraph.web.security import add_security_headers


def build_app(settings: Settings, store: Store, runner: QueryRunner) -> Flask:
    """Create the app on a store that is ready to answer, its public queries run by ``runner``
    (claimgraph/app.py prepares both)."""
    app = Flask("claimgraph")
    app.extensions[SETTINGS_KEY] = settings
    iris = Iris(settings.base)
    app.extensions[IRIS_KEY] = iris
    app.extensions[STORE_KEY] = store
    app.extensions[RUNNER_KEY] = runner
    app.extensions[READ_MODEL_KEY] = CurrentReadModel(store, iris)
    sparql.init_app(app)
    app.register_blueprint(linked_data.bp)
    app.register_blueprint(dataset.bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(search.bp)
    app.register_blueprint(landing.bp)
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
    return app
