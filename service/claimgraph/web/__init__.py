"""What every view reads from the app: the settings, the store, the query runner, the read model.

web/application.py builds the app and puts them in ``app.extensions``; views reach them
through these accessors, never through module globals.
"""

from __future__ import annotations

from flask import Request, current_app, request

from claimgraph.iris import Iris
from claimgraph.limits.cache import CacheStats
from claimgraph.limits.intake_answers import INTAKE_ANSWERS_KEY, IntakeAnswers
from claimgraph.limits.runner import QueryRunner
from claimgraph.reading.read_model import CurrentReadModel, ReadModel
from claimgraph.settings import Settings
from claimgraph.store import Store

STORE_KEY = "claimgraph.store"
SETTINGS_KEY = "claimgraph.settings"
IRIS_KEY = "claimgraph.iris"
READ_MODEL_KEY = "claimgraph.read_model"
RUNNER_KEY = "claimgraph.query_runner"
PAGE_CACHE_KEY = "claimgraph.page_cache"


def current_request() -> Request:
    """The request itself, not Flask's proxy: each attribute read through ``flask.request`` looks the
    request up again, which code on every request's path (hooks, /sparql) reads several of."""
    return request._get_current_object()  # type: ignore[attr-defined]


def get_store() -> Store:
    return current_app.extensions[STORE_KEY]


def get_runner() -> QueryRunner:
    """Where public queries are admitted and run (trusted ones go to the store)."""
    return current_app.extensions[RUNNER_KEY]


def get_settings() -> Settings:
    return current_app.extensions[SETTINGS_KEY]


def get_iris() -> Iris:
    return current_app.extensions[IRIS_KEY]


def get_read_model() -> ReadModel:
    """The read model of what the store holds now (one cheap content check)."""
    current: CurrentReadModel = current_app.extensions[READ_MODEL_KEY]
    return current.get()


def page_cache_stats() -> CacheStats:
    """How the rendered answers kept by web/page_cache.py are used (for /health)."""
    stats: CacheStats = current_app.extensions[PAGE_CACHE_KEY].stats()
    return stats


def allow_intake_answer() -> None:
    """The answer being made may be kept by the intake worker and given again from the raw request
    (limits/intake_answers.py): it depends on nothing but the data and what that key holds."""
    answers = current_app.extensions.get(INTAKE_ANSWERS_KEY)
    if answers is not None:
        answers.allow()


def intake_cache_stats() -> CacheStats | None:
    """How the intake worker's kept answers are used (for /health); None where the app has none."""
    answers: IntakeAnswers | None = current_app.extensions.get(INTAKE_ANSWERS_KEY)
    return None if answers is None else answers.stats()
