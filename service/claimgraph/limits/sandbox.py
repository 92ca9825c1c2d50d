"""Public queries run in child processes that can be killed: pyoxigraph cannot be interrupted.

The server process forks one *zygote* once the store holds its data (an
in-memory store is shared copy-on-write; an on-disk store is reopened read-only
by each worker: Store.child_opener). The zygote is single-threaded, so it can
fork *workers* safely whenever the threaded server needs one. A query is sent to
an idle worker over a socket; if no answer comes by the deadline the worker is
killed (SIGKILL) and a fresh one is forked on the next request. A worker that
dies by itself (a crash on a pathological query, the OOM killer) costs that one
request a 503. When the store's content changes (Store.revision), the processes
holding the old content are replaced before the next query.

The processes themselves, and how they leave the network, are in
service/claimgraph/limits/zygote.py.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import select
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

from claimgraph.errors import ClaimgraphError, EngineFailure, QueryPreempted, QueryTimeout, StoreUnavailable
from claimgraph.limits.zygote import READY, QueryCall, Zygote, kill, recv_chunks
from claimgraph.store import Store

log = logging.getLogger(__name__)


#: How often a query that may be preempted is looked at.
PREEMPT_TICK = 0.02
_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
#: The longest wait poll(2) takes (a C int of milliseconds, some 24 days): a longer one is cut to it.
MAX_POLL_MS = 2**31 - 1


@dataclass(frozen=True)
class Preempt:
    """Stop the query once it has used ``cpu`` seconds of processor time while ``waiting()`` says
    other requests wait (README, "Limits and fair use")."""

    cpu: float
    waiting: Callable[[], int]


def cpu_seconds(pid: int) -> float:
    """User and system time a process has used so far (0 if it is gone)."""
    try:
        return _cpu_of(Path(f"/proc/{pid}/stat").read_bytes())
    except OSError:
        return 0.0


def _cpu_of(stat: bytes) -> float:
    """User and system seconds from the text of /proc/<pid>/stat (0 for a text without them)."""
    fields = stat.rsplit(b")", 1)[-1].split()
    if len(fields) < 13:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS


@dataclass
class _Worker:
    pid: int
    conn: Connection
    epoch: int
    ready: bool = False  # its store is open (zygote.READY was read)
    #: Its /proc/<pid>/stat, kept open: each read is then one pread, not an open, a read and a close.
    stat_fd: int | None = None
    #: Waits for its answer: one poll object for all its queries, not a selector made per wait.
    poller: select.poll | None = None

    def cpu_seconds(self) -> float:
        """What ``cpu_seconds(pid)`` says, through the descriptor kept open (0 once it is gone)."""
        try:
            if self.stat_fd is None:
                self.stat_fd = os.open(f"/proc/{self.pid}/stat", os.O_RDONLY | os.O_CLOEXEC)
            return _cpu_of(os.pread(self.stat_fd, 4096, 0))
        except OSError:
            return 0.0

    def answer_within(self, seconds: float) -> bool:
        """Whether its answer (or its end: EOF) is there within ``seconds``: ``conn.poll(seconds)``."""
        if self.poller is None:
            self.poller = select.poll()
            self.poller.register(self.conn.fileno(), select.POLLIN)
        return bool(self.poller.poll(min(max(0, math.ceil(seconds * 1000)), MAX_POLL_MS)))

    def close(self) -> None:
        """Close its connection and its stat descriptor (the process is killed apart)."""
        self.conn.close()
        if self.stat_fd is not None:
            with contextlib.suppress(OSError):
                os.close(self.stat_fd)
            self.stat_fd = None


class Sandbox:
    """A pool of at most ``size`` worker processes querying ``store``; ``run`` is safe to call from
    many threads. No process starts before the first ``run``."""

    def __init__(self, store: Store, size: int) -> None:
        self._store = store
        self._revision = store.revision()
        self.size = size
        self._cond = threading.Condition()
        self._spawn_lock = threading.Lock()
        self._idle: list[_Worker] = []
        self._busy: set[int] = set()
        self._live = 0
        self._epoch = 0
        self._zygote: Zygote | None = None
        self._owner = os.getpid()

    def run(self, call: QueryCall, timeout: float, preempt: Preempt | None = None) -> list[bytes]:
        """The worker's answer to ``call``; raises QueryTimeout after ``timeout`` seconds, and
        QueryPreempted as ``preempt`` says.

        Also re-raises the worker's QueryRejected / ResultTooLarge, and raises
        EngineFailure when the worker dies while running the query (an engine panic aborts it).
        """
        if self._store.revision() != self._revision:
            self._renew()
        deadline = time.monotonic() + timeout
        worker = self._checkout(deadline, timeout)
        if not worker.ready:
            self._await_ready(worker, deadline, timeout)
        try:
            used_before = worker.cpu_seconds() if preempt else 0.0  # its start, earlier queries
            worker.conn.send(call)
            if not self._answered(worker, deadline, preempt, used_before):
                self._discard(worker)
                self._prespawn()
                raise QueryTimeout.after(timeout)
            status, value = worker.conn.recv()
            if status == "chunks":
                status, value = "ok", recv_chunks(worker.conn, value)
        except (EOFError, OSError) as exc:
            self._discard(worker)
            log.error("a query process died while running a query (engine crash): %.200r", call.query)
            raise EngineFailure(
                "the query engine crashed on this query (an engine bug, such as a panic); the crash was "
                "contained in its query process, the service goes on, and the same query will fail again"
            ) from exc
        self._checkin(worker)
        if status == "ok":
            return value
        if isinstance(value, ClaimgraphError):
            raise value
        raise RuntimeError(f"query worker failed: {value}")  # a bug of ours, not the engine's: a 500

    def _await_ready(self, worker: _Worker, deadline: float, timeout: float) -> None:
        """Wait until a new process has opened its store, so that what the opening costs is not
        counted as the query's processor time (a lookup on a short slot was stopped for it)."""
        try:
            if not worker.conn.poll(max(0.0, deadline - time.monotonic())):
                self._discard(worker)
                raise QueryTimeout.after(timeout)
            message = worker.conn.recv()
        except (EOFError, OSError) as exc:
            self._discard(worker)
            raise StoreUnavailable(
                "a query process could not open the store (the server's log says why)"
            ) from exc
        if message != READY:
            self._discard(worker)
            raise RuntimeError(f"a query process said {message!r} before it was ready")  # a bug of ours
        worker.ready = True

    def _answered(
        self, worker: _Worker, deadline: float, preempt: Preempt | None, used_before: float
    ) -> bool:
        """Wait for the worker's answer until ``deadline`` (False if none came); raises QueryPreempted
        once the query has used ``preempt.cpu`` more than the ``used_before`` the process had."""
        if preempt is None:
            return worker.answer_within(max(0.0, deadline - time.monotonic()))
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            if worker.answer_within(min(left, PREEMPT_TICK)):
                return True
            if worker.cpu_seconds() - used_before >= preempt.cpu and preempt.waiting() > 0:
                self._discard(worker)
                self._prespawn()
                raise QueryPreempted(
                    f"the server is busy: this query used more than {preempt.cpu:g} s of processor time"
                    " on a short query slot while other requests waited, and was stopped (busy_query_cpu);"
                    " retry later, or narrow it",
                    retry_after=5,
                )

    def start_zygote(self) -> None:
        """Fork the zygote now, and no query process: it forks them as queries come (a fork of a
        single-threaded process is safe at any time; of the caller, only before it starts threads)."""
        with self._cond:
            self._adopt_after_fork()
        with self._spawn_lock:
            if self._zygote is None:
                self._zygote = Zygote(self._store.child_opener())

    @property
    def isolated(self) -> bool | None:
        """Whether the workers run without network; None until the first query starts them."""
        zygote = self._zygote
        return zygote.isolated if zygote else None

    def process_ids(self) -> list[int]:
        """The zygote's and the workers' pids (diagnostics)."""
        with self._cond:
            zygote = [self._zygote.pid] if self._zygote else []
            return zygote + [w.pid for w in self._idle] + sorted(self._busy)

    def stop(self) -> None:
        """Kill every worker and the zygote; the next ``run`` starts afresh."""
        with self._cond:
            zygote = self._take_down()
        if zygote is not None:
            zygote.stop()

    def _renew(self) -> None:
        # The store's content changed: the processes hold the old one. Once, however many threads
        # noticed; new processes fork from the store as it is now.
        with self._cond:
            revision = self._store.revision()
            if revision == self._revision:
                return
            self._revision = revision
            zygote = self._take_down()
        if zygote is not None:
            zygote.stop()

    def _take_down(self) -> Zygote | None:
        # Called with self._cond held; the caller stops the zygote this returns, outside the lock.
        self._adopt_after_fork()
        self._epoch += 1
        for worker in self._idle:
            kill(worker.pid)
            worker.close()
        for pid in self._busy:
            kill(pid)  # its thread reads EOF and answers 503; the old epoch keeps it out of the pool
        self._idle, self._busy, self._live = [], set(), 0
        zygote, self._zygote = self._zygote, None
        return zygote

    # -- the pool ----------------------------------------------------------------------------
    def _checkout(self, deadline: float, timeout: float) -> _Worker:
        with self._cond:
            self._adopt_after_fork()
            while not self._idle and self._live >= self.size:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise QueryTimeout(f"all {self.size} query processes stayed busy for {timeout:g} s")
                self._cond.wait(remaining)
            if self._idle:
                worker = self._idle.pop()
                self._busy.add(worker.pid)
                return worker
            self._live += 1
            epoch = self._epoch
        try:
            pid, conn = self._spawn()
        except BaseException:
            with self._cond:
                self._live -= 1
                self._cond.notify()
            raise
        with self._cond:
            self._busy.add(pid)
        return _Worker(pid, conn, epoch)

    def _checkin(self, worker: _Worker) -> None:
        with self._cond:
            self._busy.discard(worker.pid)
            if worker.epoch == self._epoch:
                self._idle.append(worker)
                self._cond.notify()
                return
        self._discard(worker)  # started before a stop(): it may hold old data

    def _discard(self, worker: _Worker) -> None:
        kill(worker.pid)
        worker.close()
        with self._cond:
            self._busy.discard(worker.pid)
            if worker.epoch == self._epoch:
                self._live -= 1
            self._cond.notify()

    def _prespawn(self) -> None:
        """After a kill, start the next query's process now: it opens the store (tens of
        milliseconds on disk) while this thread answers, not while the next query waits."""
        with self._cond:
            if self._idle or self._live >= self.size:
                return
            self._live += 1
            epoch = self._epoch
        try:
            pid, conn = self._spawn()
        except (StoreUnavailable, OSError):
            with self._cond:
                self._live -= 1
                self._cond.notify()
            return
        self._checkin(_Worker(pid, conn, epoch))

    def _spawn(self) -> tuple[int, Connection]:
        with self._spawn_lock:
            for attempt in (1, 2):
                try:
                    if self._zygote is None:
                        self._zygote = Zygote(self._store.child_opener())
                    return self._zygote.spawn()
                except OSError as exc:
                    if self._zygote is not None:
                        self._zygote.stop()
                        self._zygote = None
                    if attempt == 2:
                        raise StoreUnavailable("cannot start a query process") from exc
                    log.warning("the query zygote is gone (%s); starting a new one", exc)
        raise AssertionError("unreachable")

    def _adopt_after_fork(self) -> None:
        # A copy of this object in a forked process (gunicorn --preload) must not use, nor kill,
        # the processes of the original: start over with none. Called with self._cond held.
        if os.getpid() != self._owner:
            self._owner = os.getpid()
            self._idle, self._busy, self._live, self._zygote = [], set(), 0, None
