"""gunicorn settings for production: ``gunicorn -c python:claimgraph.gunicorn_conf 'claimgraph:create_app()'``

Each worker leaves the network as gunicorn forks it, and a sync worker (the
default) runs public queries itself under a watchdog instead of in query
processes: service/claimgraph/limits/runner.py says why. Everything else (workers, bind,
timeouts) stays on gunicorn's command line.
"""

from __future__ import annotations

from typing import Any

from claimgraph.limits.runner import adopt_gunicorn_worker


def post_fork(server: Any, worker: Any) -> None:
    adopt_gunicorn_worker(worker)
