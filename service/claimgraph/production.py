"""`claimgraph serve --production`: the production server, gunicorn with claimgraph's configuration.

The same server as the documented command
``gunicorn -c python:claimgraph.gunicorn_conf --workers N 'claimgraph:create_app()'``,
started through gunicorn's Python API: every setting of service/claimgraph/gunicorn_conf.py
(worker class, post_fork, the shared fair-use table), the bind address and the
worker count. The settings reach the workers as CLAIMGRAPH_* variables, which the
app (and the worker class) read as they start, after the fork.
"""

from __future__ import annotations

import math
import os
from typing import Any

from gunicorn.app.base import BaseApplication

from claimgraph import gunicorn_conf
from claimgraph.setting_rows import ENV_PREFIX, SETTINGS
from claimgraph.settings import Settings


class ProductionServer(BaseApplication):
    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for name, value in {**vars(gunicorn_conf), **self.options}.items():
            if name in self.cfg.settings and value is not None:
                self.cfg.set(name, value)

    def load(self) -> Any:
        from claimgraph.app import create_app  # in each worker, after it has left the network

        return create_app()


def export_settings(settings: Settings) -> None:
    """Put every setting that differs from its default into the environment, for the workers."""
    for setting in SETTINGS:
        value = getattr(settings, setting.name)
        if value != setting.default and value is not None:
            text = str(value).lower() if isinstance(value, bool) else str(value)
            os.environ[ENV_PREFIX + setting.name.upper()] = text


def serve_production(settings: Settings, *, workers: int, bind: str | None = None) -> int:
    """Run gunicorn until it is stopped; the store must be on disk (built or brought up to date
    before any worker starts)."""
    if workers < 1:
        raise ValueError("--workers must be at least 1")
    export_settings(settings.replace(store_read_only=True))
    options: dict[str, object] = {
        "bind": [bind or f"{settings.host}:{settings.port}"],
        "workers": workers,
        "timeout": worker_timeout(settings),
    }
    ProductionServer(options).run()
    return 0


#: gunicorn's own --timeout: a worker silent this long is taken for hung, ended and replaced.
GUNICORN_TIMEOUT = 30
#: How much longer than a query may run gunicorn waits: the time limit's own answer (the watchdog's
#: 503, or the sandbox's) must come first.
QUERY_MARGIN = 10


def worker_timeout(settings: Settings) -> int:
    """gunicorn's --timeout for these settings. A worker running a public query does not signal the
    arbiter until the query ends, up to ``query_timeout``; with a longer limit than gunicorn's 30 s
    it was killed mid-query (a 500, and a new worker to start). A worker that copies the store into
    memory at start (store_memory_mb) needs about a second per 10 MB more.

    >>> def timeout(**given):
    ...     return worker_timeout(Settings.from_mapping({"base_iri": "https://e.org/", **given}, environ={}))
    >>> timeout(), timeout(query_timeout=120), timeout(store_memory_mb=600)
    (30, 130, 90)
    """
    timeout = max(GUNICORN_TIMEOUT, math.ceil(settings.query_timeout) + QUERY_MARGIN)
    return timeout + settings.store_memory_mb // 10
