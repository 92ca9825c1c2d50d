"""The composition root: settings, then the store, brought up to date with the data, then the web app.

``claimgraph:create_app()`` (gunicorn, tests, ``claimgraph serve``) comes here; the web
package gets a ready store and never builds or loads data itself.
"""

from __future__ import annotations

from typing import Any

from flask import Flask

from claimgraph.ingestion import Ingestor
from claimgraph.iris import Iris
from claimgraph.limits.runner import QueryRunner
from claimgraph.loading import prepare_store
from claimgraph.settings import Settings
from claimgraph.store import Store
from claimgraph.store.backends import open_store
from claimgraph.web.application import build_app


def create_app(config: dict[str, Any] | None = None, *, store: Store | None = None) -> Flask:
    """Build the web application; brings the configured store up to date unless a store is passed in.

    Raises ValueError on a bad setting, DataError on unreadable data, ValidationFailed on
    data that fails validation, StoreUnavailable on a read-only store that holds no dataset.
    """
    settings = Settings.from_mapping(config)
    iris = Iris(settings.base)
    opened = store is None
    if store is None:
        store = open_store(settings)
        prepare_store(store, iris, settings)
    runner = QueryRunner.from_settings(store, settings, iris)
    if opened:
        # Where public queries go to the sandbox, its zygote forks now, before the server starts
        # any thread (forking a threaded process is unsafe).
        runner.warm_up()
    return build_app(settings, store, runner, Ingestor(settings, iris, store))
