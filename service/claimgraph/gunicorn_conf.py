"""gunicorn settings for production: ``gunicorn -c python:claimgraph.gunicorn_conf 'claimgraph:create_app()'``

Each worker leaves the network as gunicorn forks it, and a sync worker runs
public queries itself under a watchdog instead of in query processes:
service/claimgraph/limits/runner.py says why. The worker class is gunicorn's sync
worker fed only whole requests (service/claimgraph/limits/intake.py), so slow
clients hold no worker. The fair-use table is made here, in the master, before
any fork, so every worker shares it (service/claimgraph/limits/fairuse.py), and so is the read
model of the store (``on_starting``: service/claimgraph/app.py), so no worker builds it.
Everything else (workers, bind, timeouts) stays on gunicorn's command line.
"""

from __future__ import annotations

import gc
from typing import Any

# Imported once, in the master: a worker forked to replace one ended at a time limit starts without
# importing the app again (the store is still opened in each worker, after the fork).
from claimgraph.app import build_before_fork
from claimgraph.limits.fairuse import share
from claimgraph.limits.runner import adopt_gunicorn_worker

worker_class = "claimgraph.limits.intake.BufferedSyncWorker"
#: gunicorn's control socket has one default path per machine: two servers would fight over it.
control_socket_disable = True
share()


def on_starting(server: Any) -> None:
    """In the master, before it binds or forks: build the read model once, for every worker (and any
    worker forked later to replace one), which shares it copy-on-write. It then lives as long as the
    master, so the collector is told to leave it alone: a collection in a worker would otherwise
    write to every object's header, copying each page it sits on."""
    if build_before_fork() is not None:
        gc.collect()
        gc.freeze()


def post_fork(server: Any, worker: Any) -> None:
    adopt_gunicorn_worker(worker)


def post_worker_init(worker: Any) -> None:
    """The app is loaded and its read model built: what it holds lives as long as the worker, so the
    garbage collector is told to leave it alone. Otherwise a full collection, walking every object of
    the catalogue (millions at 1M triples), would fall on some early request."""
    gc.collect()
    gc.freeze()
