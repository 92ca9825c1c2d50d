"""The Flask application: settings, store, query runner, blueprints, error handlers."""

from __future__ import annotations

from flask import Flask, current_app

from claimgraph.iris import Iris
from claimgraph.limits.runner import QueryRunner
from claimgraph.reading.read_model import CurrentReadModel, ReadModel
from claimgraph.settings import Settings
from claimgraph.store import Store

STORE_KEY = "claimgraph.store"
SETTINGS_KEY = "claimgraph.settings"
IRIS_KEY = "claimgraph.iris"
READ_MODEL_KEY = "claimgraph.read_model"
RUNNER_KEY = "claimgraph.query_runner"


def build_app(settings: Settings, store: Store, runner: QueryRunner) -> Flask:
    """Create the app on a store that is ready to answer, its public queries run by ``runner``
    (claimgraph/app.py prepares both)."""
    from claimgraph.web import api, dataset, errors, identity, landing, linked_data, pages, sparql
    from claimgraph.web.representation import vary_on_accept

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
    app.register_blueprint(landing.bp)
    identity.init_app(app, settings)
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


def get_read_model() -> ReadModel:
    """The read model of what the store holds now (one cheap content check)."""
    current: CurrentReadModel = current_app.extensions[READ_MODEL_KEY]
    return current.get()
