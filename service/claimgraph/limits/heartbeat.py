"""Keep a gunicorn worker alive through long work that is not a public query: an ingestion, and
the app's start (the read model of a large store).

gunicorn's arbiter kills a worker that has not signalled within ``--timeout`` (30 s); a sync
worker signals between requests only, and not at all while its app loads. An ingestion waits for
the ingestion lock while another runs, then builds and validates the whole dataset: seconds, more
on a loaded machine; the read model at start takes about half a minute per worker at 1M triples.
While either runs, a thread signals for the worker every few seconds. Public queries are never covered: their
time limit is the watchdog's (service/claimgraph/limits/watchdog.py).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator

#: How often the worker signals while a long request runs (seconds; well under gunicorn's timeout).
INTERVAL = 2.0
_notify: Callable[[], None] | None = None


def adopt(notify: Callable[[], None]) -> None:
    """Called in a gunicorn worker after the fork with its ``notify``."""
    global _notify
    _notify = notify


@contextlib.contextmanager
def kept_alive() -> Iterator[None]:
    """Run the block with the worker signalling that it lives (nothing to do outside gunicorn)."""
    notify = _notify
    if notify is None:
        yield
        return
    stop = threading.Event()

    def beat() -> None:
        while not stop.wait(INTERVAL):
            notify()

    thread = threading.Thread(target=beat, name="claimgraph-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
