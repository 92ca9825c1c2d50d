"""A time limit on a block of code that cannot be interrupted, kept by ending the process.

pyoxigraph cannot stop a query, but it releases the GIL while it evaluates and
serialises one, so a thread keeps running beside it. Where the process serves
one request at a time and a supervisor replaces it when it exits (a gunicorn
sync worker), that thread can keep the time limit: at the deadline it calls the
block's ``on_expiry`` (which answers the client) and ends the process at once.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

log = logging.getLogger(__name__)

#: The exit status of a process ended at a deadline (EX_TEMPFAIL; gunicorn halts on 3 and 4 only).
EXPIRED = 75
#: How often the watching thread looks, at most: the latest a deadline can be kept.
TICK = 0.05


class Watchdog:
    """One watching thread per process; at most one limited block at a time.

    Entering and leaving a block only sets two attributes under an uncontended
    lock: the thread is never woken per block (a wake-up and the GIL hand-over
    would cost more than a small query), it looks every ``TICK`` seconds instead.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._deadline: float | None = None
        self._on_expiry: Callable[[], None] | None = None
        self._expired = threading.Event()
        self._owner: int | None = None  # the pid whose thread watches; a fork starts its own

    @contextmanager
    def limit(self, seconds: float, on_expiry: Callable[[], None]) -> Iterator[None]:
        """Run the block; if it is still running after ``seconds``, ``on_expiry()``, then exit.

        Once the deadline has passed the block never returns: the process ends
        first, so the client cannot get a second answer after the first.
        """
        with self._lock:
            if self._deadline is not None:
                raise RuntimeError("a time limit is already running in this process")
            if self._owner != os.getpid():
                self._owner = os.getpid()
                threading.Thread(target=self._watch, name="claimgraph-watchdog", daemon=True).start()
            self._on_expiry = on_expiry
            self._deadline = time.monotonic() + seconds
        try:
            yield
        finally:
            with self._lock:
                expired = self._expired.is_set()
                self._deadline = self._on_expiry = None
            if expired:
                threading.Event().wait()  # the watcher is answering; the process ends under us

    def _watch(self) -> None:
        while True:
            with self._lock:
                deadline, on_expiry = self._deadline, self._on_expiry
                now = time.monotonic()
                if deadline is not None and now >= deadline:
                    self._expired.set()
                    break
            time.sleep(TICK if deadline is None else min(TICK, deadline - now))
        try:
            if on_expiry is not None:
                on_expiry()
        except Exception:
            log.exception("answering at the deadline failed")
        finally:
            os._exit(EXPIRED)
