"""The Flask application: settings, store, query runner, blueprints, error handlers."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app

from claimgraph.iris import Iris
from claimgraph.limits.runner import QueryRunner
from claimgraph.settings import Settings
from claimgraph.store import Store, open_store

STORE_KEY = "claimgraph.store"
SETTINGS_KEY = "claimgraph.settings"
IRIS_KEY = "claimgraph.iris"
RUNNER_KEY = "claimgraph.query_runner"


def build_app(config: dict[str, Any] | None = None, *, store: Store | None = None) -> Flask:
    """Create the app; brings the store up to date with the data unless a store is passed in."""
    from claimgraph.loading import prepare_store
    from claimgraph.web import api, dataset, errors, health, linked_data, pages, sparql
    from claimgraph.web.representation import vary_on_accept

    settings = Settings.from_mapping(config)
    iris = Iris(settings.base)
    app = Flask("claimgraph")
    app.extensions[SETTINGS_KEY] = settings
    app.extensions[IRIS_KEY] = iris
    opened = store is None
    store = open_store(settings) if store is None else store
    runner = QueryRunner.from_settings(store, settings, iris)
    if opened:
        prepare_store(store, iris, settings, runner)
    app.extensions[STORE_KEY] = store
    app.extensions[RUNNER_KEY] = runner
    sparql.init_app(app)
    app.register_blueprint(health.bp)
    app.register_blueprint(linked_data.bp)
    app.register_blueprint(dataset.bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(api.bp)
    app.after_request(vary_on_accept)
    errors.register(app)
    return app


def get_store() -> Store:
    return current_app.extensions[STORE_KEY]  # type: ignore[no-any-return]


def get_runner() -> QueryRunner:
    """Where public queries are admitted and run (trusted ones go to the store)."""
    return current_app.extensions[RUNNER_KEY]  # type: ignore[no-any-return]


def get_settings() -> Settings:
    return current_app.extensions[SETTINGS_KEY]  # type: ignore[no-any-return]


def get_iris() -> Iris:
    return current_app.extensions[IRIS_KEY]  # type: ignore[no-any-return]
