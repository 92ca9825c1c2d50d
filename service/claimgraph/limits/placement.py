"""Where this process runs public queries: in the sandbox's query processes, or itself.

Itself only in a gunicorn sync worker that has left the network, which
service/claimgraph/gunicorn_conf.py arranges as gunicorn forks it. Such a worker serves one
request at a time and gunicorn replaces it when it exits, so the time limit can
be kept by the watchdog (service/claimgraph/limits/watchdog.py): at the deadline it answers 503
and ends the worker. That saves every query the hop to a query process and back
(service/claimgraph/limits/sandbox.py). Everywhere else (`claimgraph serve`, threaded or
async gunicorn workers, a worker that could not leave the network) public
queries go to the sandbox, whose processes are killed at the deadline instead.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from claimgraph.limits.network import leave_network

log = logging.getLogger(__name__)

_queries_here = False


def runs_queries_itself() -> bool:
    """Whether this process evaluates public queries itself (see the module's docstring)."""
    return _queries_here


def adopt_gunicorn_worker(worker: Any) -> None:
    """Called in each gunicorn worker right after the fork: leave the network, and for a sync
    worker, run public queries here from now on."""
    global _queries_here
    from gunicorn.workers.sync import SyncWorker

    cfg = worker.cfg
    if cfg.uid != os.getuid() or cfg.gid != os.getgid():
        # gunicorn drops privileges after this hook; ids not mapped into a new namespace cannot
        # be switched to. The sandbox's processes leave the network on their own later.
        log.warning("gunicorn runs with --user/--group: public queries go to sandbox processes")
        return
    if not leave_network():
        log.warning("the kernel keeps this worker on the network: public queries go to sandbox processes")
        return
    _queries_here = isinstance(worker, SyncWorker)
