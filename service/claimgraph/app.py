"""The composition root: settings, then the store, brought up to date with the data, then the web app.

``claimgraph:create_app()`` (gunicorn, tests, ``claimgraph serve``) comes here; the web
package gets a ready store and never builds or loads data itself.

The production server builds the read model once, in gunicorn's master, before it forks any
worker (``build_before_fork``, called by service/claimgraph/gunicorn_conf.py): each worker's app
starts from it, sharing it copy-on-write, instead of reading the whole store again (about 100 s
of CPU per worker at 1M triples), and so does a worker forked later to replace one.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask

from claimgraph.ingestion import Ingestor
from claimgraph.iris import Iris
from claimgraph.limits.runner import REMOTE_BACKENDS, QueryRunner
from claimgraph.loading import check_read_only, ingestions_paused, prepare_store
from claimgraph.reading.read_model import BuiltReadModel, CurrentReadModel
from claimgraph.settings import Settings
from claimgraph.store import Store
from claimgraph.store.backends import open_store
from claimgraph.web.application import build_app

log = logging.getLogger(__name__)

#: The read model ``build_before_fork`` built in this process, with the settings it was built under.
_built_before_fork: tuple[Settings, BuiltReadModel] | None = None


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
    built = (
        _built_before_fork[1] if opened and _built_before_fork and _built_before_fork[0] == settings else None
    )
    return build_app(settings, store, runner, Ingestor(settings, iris, store), built)


def writes(settings: Settings) -> bool:
    """Whether the workers of a server with ``settings`` may write the store: a store not configured
    read-only is brought up to date by them, and with ingestion tokens an ingestion writes a new
    generation (service/claimgraph/ingestion)."""
    return not settings.store_read_only or bool(settings.ingest_tokens or settings.ingest_tokens_file)


def build_before_fork(config: dict[str, Any] | None = None) -> BuiltReadModel | None:
    """Build the read model of the configured on-disk store, here, for the apps of the processes
    this one forks next (``create_app`` starts from it where the settings and the store's content
    are the same); None, building nothing, when there is nothing to share.

    Only a store that already holds the data this server serves is read (a stale one is rebuilt by
    the workers, and its model would be thrown away), read-only, and from disk, never copied into
    memory; it is closed again before this returns. Only for workers that never write a store
    (``writes``): the engine's (RocksDB's) background thread pools, once started here, outlive the
    store and do not exist in a forked child, so a child that wrote a store would wait forever for
    a flush; opening one read-only needs none of them. Anything that fails here is left to the
    workers, which report it as they start.
    """
    global _built_before_fork
    try:
        settings = Settings.from_mapping(config)
    except ValueError:  # a bad setting: each worker reports it as it loads the app, as before
        return None
    if not settings.store_path or settings.store_backend in REMOTE_BACKENDS or writes(settings):
        return None
    reading = settings.replace(store_read_only=True, store_memory_mb=0)
    iris = Iris(settings.base)
    try:
        store = open_store(reading)
        with ingestions_paused(reading.articles_dir):
            check_read_only(store, iris, reading)
        built = CurrentReadModel(store, iris).get().built()
        store.close()
    except Exception as exc:  # the workers open the store themselves and say what is wrong
        log.info("the read model is built in each worker (not before the fork: %s)", exc)
        return None
    _built_before_fork = (settings, built)
    return built
