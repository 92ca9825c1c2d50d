"""Public queries run in child processes that can be killed: pyoxigraph cannot be interrupted.

The server process forks one *zygote* once the store holds its data (the store
is shared copy-on-write; an on-disk store is reopened read-only by each worker).
The zygote is single-threaded, so it can fork *workers* safely whenever the
threaded server needs one. A query is sent to an idle worker over a socket; if
no answer comes by the deadline the worker is killed (SIGKILL) and a fresh one
is forked on the next request. A worker that dies by itself (a crash on a
pathological query, the OOM killer) costs that one request a 503.

The zygote also leaves the network (a new user and network namespace, where
Linux allows it), so its workers cannot open a connection even if a query got
past the guard: SERVICE fails instead of fetching.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import logging
import os
import signal
import socket
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection

from service.errors import ClaimgraphError, QueryTimeout, StoreUnavailable
from service.store.oxigraph_query import QueryJob

log = logging.getLogger(__name__)

Runner = Callable[[QueryJob], bytes]
#: Called once in each worker, after the fork, to get the function that runs a job there.
RunnerFactory = Callable[[], Runner]

_CLONE_NEWUSER = 0x10000000
_CLONE_NEWNET = 0x40000000
_PID = struct.Struct("!i")


@dataclass
class _Worker:
    pid: int
    conn: Connection
    epoch: int


class Sandbox:
    """A pool of at most ``size`` worker processes; ``run`` is safe to call from many threads."""

    def __init__(self, make_runner: RunnerFactory, size: int) -> None:
        self._make_runner = make_runner
        self.size = size
        self._cond = threading.Condition()
        self._spawn_lock = threading.Lock()
        self._idle: list[_Worker] = []
        self._busy: set[int] = set()
        self._live = 0
        self._epoch = 0
        self._zygote: _Zygote | None = None
        self._owner = os.getpid()

    def run(self, job: QueryJob, timeout: float) -> bytes:
        """The worker's answer to ``job``; raises QueryTimeout after ``timeout`` seconds.

        Also re-raises the worker's QueryRejected / ResultTooLarge, and raises
        StoreUnavailable when the worker dies while running the job.
        """
        deadline = time.monotonic() + timeout
        worker = self._checkout(deadline, timeout)
        try:
            worker.conn.send(job)
            if not worker.conn.poll(max(0.0, deadline - time.monotonic())):
                self._discard(worker)
                raise QueryTimeout(
                    f"the query did not finish within {timeout:g} s (query_timeout); it was stopped"
                )
            status, value = worker.conn.recv()
        except (EOFError, OSError) as exc:
            self._discard(worker)
            raise StoreUnavailable("the query process died while running this query") from exc
        self._checkin(worker)
        if status == "ok":
            return value  # type: ignore[no-any-return]
        if isinstance(value, ClaimgraphError):
            raise value
        raise RuntimeError(f"query worker failed: {value}")

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
        """Kill every worker and the zygote; the next ``run`` starts afresh (e.g. on new data)."""
        with self._cond:
            self._adopt_after_fork()
            self._epoch += 1
            for worker in self._idle:
                _kill(worker.pid)
                worker.conn.close()
            for pid in self._busy:
                _kill(pid)  # its thread reads EOF and answers 503; the old epoch keeps it out of the pool
            self._idle, self._busy, self._live = [], set(), 0
            zygote, self._zygote = self._zygote, None
        if zygote is not None:
            zygote.stop()

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
        _kill(worker.pid)
        worker.conn.close()
        with self._cond:
            self._busy.discard(worker.pid)
            if worker.epoch == self._epoch:
                self._live -= 1
            self._cond.notify()

    def _spawn(self) -> tuple[int, Connection]:
        with self._spawn_lock:
            for attempt in (1, 2):
                try:
                    if self._zygote is None:
                        self._zygote = _Zygote(self._make_runner)
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


class _Zygote:
    """The single-threaded process that forks workers, holding the store they inherit."""

    def __init__(self, make_runner: RunnerFactory) -> None:
        ours, theirs = socket.socketpair()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - runs in the child
            try:
                ours.close()
                _zygote_main(theirs, make_runner)
            finally:
                os._exit(0)
        theirs.close()
        self.pid = pid
        self.ctrl = ours
        self.ctrl.settimeout(10.0)
        self.isolated = _recv_exact(self.ctrl, 1) == b"1"
        if not self.isolated:
            log.warning(
                "query processes keep network access (no user namespaces); the guard alone stops SERVICE"
            )

    def spawn(self) -> tuple[int, Connection]:
        ours, theirs = socket.socketpair()
        try:
            socket.send_fds(self.ctrl, [b"w"], [theirs.fileno()])
            (pid,) = _PID.unpack(_recv_exact(self.ctrl, _PID.size))
        finally:
            theirs.close()
        return pid, Connection(ours.detach())

    def stop(self) -> None:
        self.ctrl.close()  # the zygote reads EOF, kills its workers and exits
        for _ in range(100):
            with contextlib.suppress(ChildProcessError):
                if os.waitpid(self.pid, os.WNOHANG)[0] == 0:
                    time.sleep(0.01)
                    continue
            return
        _kill(self.pid)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(self.pid, 0)


def _zygote_main(ctrl: socket.socket, make_runner: RunnerFactory) -> None:  # pragma: no cover
    # Inherited objects are never collected here: one might close a descriptor number that
    # closerange freed and a worker socket now reuses.
    gc.freeze()
    _reset_signals()
    with contextlib.suppress(OSError):
        os.setpgid(0, 0)  # our own group, so we can take every worker down with us
    # Drop inherited descriptors (listening socket, client connections): holding them would keep
    # connections open after the server closed them.
    keep = ctrl.fileno()
    os.closerange(3, keep)
    os.closerange(keep + 1, os.sysconf("SC_OPEN_MAX"))
    ctrl.sendall(b"1" if _leave_network() else b"0")
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the kernel reaps the workers
    while True:
        try:
            message, fds, _, _ = socket.recv_fds(ctrl, 1, 1)
        except OSError:
            break
        if not message or not fds:
            break
        pid = os.fork()
        if pid == 0:
            ctrl.close()
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            _worker_main(fds[0], make_runner)
        os.close(fds[0])
        ctrl.sendall(_PID.pack(pid))
    if os.getpgrp() == os.getpid():
        os.killpg(os.getpid(), signal.SIGKILL)


def _worker_main(fd: int, make_runner: RunnerFactory) -> None:  # pragma: no cover
    conn = Connection(fd)
    try:
        run = make_runner()
    except Exception:
        log.exception("a query process cannot open the store")
        os._exit(1)
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            os._exit(0)
        try:
            reply: tuple[str, object] = ("ok", run(job))
        except ClaimgraphError as exc:
            reply = ("error", exc)
        except Exception as exc:  # a bug: the server logs it and answers 500
            reply = ("crash", f"{type(exc).__name__}: {exc}")
        conn.send(reply)


def _reset_signals() -> None:  # pragma: no cover
    # The server's handlers (gunicorn's, werkzeug's) make no sense here. SIGINT is ignored: a
    # Ctrl-C reaches the server, which closes our socket.
    for name in ("SIGTERM", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2", "SIGWINCH", "SIGABRT"):
        signal.signal(getattr(signal, name), signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.set_wakeup_fd(-1)


def _leave_network() -> bool:  # pragma: no cover
    """Move into a new user + network namespace: no interface but a downed loopback."""
    unshare = getattr(ctypes.CDLL(None, use_errno=True), "unshare", None)
    return unshare is not None and unshare(_CLONE_NEWUSER | _CLONE_NEWNET) == 0


def _recv_exact(sock: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            raise ConnectionResetError("the query zygote closed its socket")
        data += chunk
    return data


def _kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.kill(pid, signal.SIGKILL)
