"""`claimgraph serve --production`: the production server, gunicorn with claimgraph's configuration.

The same server as the documented command
``gunicorn -c python:claimgraph.gunicorn_conf --workers N 'claimgraph:create_app()'``,
started through gunicorn's Python API: every setting of service/claimgraph/gunicorn_conf.py
(worker class, post_fork, the shared fair-use table), the bind address and the
worker count. The settings reach the workers as CLAIMGRAPH_* variables, which the
app (and the worker class) read as they start, after the fork.
"""

from __future__ import annotations

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
    options: dict[str, object] = {"bind": [bind or f"{settings.host}:{settings.port}"], "workers": workers}
    if settings.store_memory_mb:
        # Each worker copies the store into memory before it answers (store_memory_mb): gunicorn must
        # not take it for hung meanwhile (about 10 MB/s measured under load, plus its default 30 s).
        options["timeout"] = 30 + settings.store_memory_mb // 10
    ProductionServer(options).run()
    return 0
