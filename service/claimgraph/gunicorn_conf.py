"""gunicorn settings for production: ``gunicorn -c python:claimgraph.gunicorn_conf 'claimgraph:create_app()'``

Each worker leaves the network as gunicorn forks it, and a sync worker runs
public queries itself under a watchdog instead of in query processes:
service/claimgraph/limits/runner.py says why. The worker class is gunicorn's sync
worker fed only whole requests (service/claimgraph/limits/intake.py), so slow
clients hold no worker. The fair-use table is made here, in the master, before
any fork, so every worker shares it (service/claimgraph/limits/fairuse.py).
Everything else (workers, bind, timeouts) stays on gunicorn's command line.
"""

from __future__ import annotations

import gc
from typing import Any

# Imported once, in the master: a worker forked to replace one ended at a time limit starts without
# importing the app again (the store is still opened in each worker, after the fork).
import claimgraph.app  # noqa: F401
from claimgraph.limits.fairuse import share
from claimgraph.limits.runner import adopt_gunicorn_worker

worker_class = "claimgraph.limits.intake.BufferedSyncWorker"
#: gunicorn's control socket has one default path per machine: two servers would fight over it.
control_socket_disable = True
share()


def post_fork(server: Any, worker: Any) -> None:
    adopt_gunicorn_worker(worker)


def post_worker_init(worker: Any) -> None:
    """The app is loaded and its read model built: what it holds lives as long as the worker, so the
    garbage collector is told to leave it alone. Otherwise a full collection, walking every object of
    the catalogue (millions at 1M triples), would fall on some early request."""
    gc.collect()
    gc.freeze()
