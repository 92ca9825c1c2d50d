"""The processes behind the sandbox: a single-threaded zygote that forks query workers.

The zygote is forked from the server once the store holds its data. Being
single-threaded, it can fork safely whenever the (threaded) server needs a new
worker, which it cannot do itself. It drops the descriptors it inherited, moves
into its own process group (so it can take its workers down with it) and, where
Linux allows it, into a new user and network namespace: its workers have no
network at all. It exits, killing its workers, when the server closes its socket.
Each worker opens the store with the function the store gave before the fork
(Store.child_opener), and answers QueryCalls with it.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import signal
import socket
import struct
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection

from claimgraph.errors import ClaimgraphError
from claimgraph.limits.network import leave_network
from claimgraph.store import QueryDataset, Store

log = logging.getLogger(__name__)

#: Called once in each worker, after the fork, to open the store there (Store.child_opener).
StoreOpener = Callable[[], Store]

_PID = struct.Struct("!i")


@dataclass(frozen=True)
class QueryCall:
    """One ``Store.sparql`` call as plain data, to cross into a worker; the answer is the body."""

    query: str
    media_type: str
    dataset: QueryDataset | None = None
    max_rows: int | None = None
    max_bytes: int | None = None

    def run(self, store: Store) -> list[bytes]:
        result = store.sparql(
            self.query,
            media_type=self.media_type,
            dataset=self.dataset,
            max_rows=self.max_rows,
            max_bytes=self.max_bytes,
        )
        return list(result.chunks)


class Zygote:
    """The single-threaded process that forks workers, holding the store they inherit."""

    def __init__(self, open_store: StoreOpener) -> None:
        ours, theirs = socket.socketpair()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - runs in the child
            try:
                ours.close()
                _zygote_main(theirs, open_store)
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
        kill(self.pid)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(self.pid, 0)


def _zygote_main(ctrl: socket.socket, open_store: StoreOpener) -> None:  # pragma: no cover
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
    ctrl.sendall(b"1" if leave_network() else b"0")
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
            _worker_main(fds[0], open_store)
        os.close(fds[0])
        ctrl.sendall(_PID.pack(pid))
    if os.getpgrp() == os.getpid():
        os.killpg(os.getpid(), signal.SIGKILL)


def _worker_main(fd: int, open_store: StoreOpener) -> None:  # pragma: no cover
    conn = Connection(fd)
    try:
        store = open_store()
    except Exception:
        log.exception("a query process cannot open the store")
        os._exit(1)
    # Said once the store is open, so that the server counts a query's processor time from here:
    # opening an on-disk store takes tens of milliseconds of it (Sandbox.run, busy_query_cpu).
    conn.send(READY)
    while True:
        try:
            call: QueryCall = conn.recv()
        except (EOFError, OSError):
            os._exit(0)
        try:
            value = call.run(store)
        except ClaimgraphError as exc:
            conn.send(("error", exc))
        except Exception as exc:  # a bug: the server logs it and answers 500
            conn.send(("crash", f"{type(exc).__name__}: {exc}"))
        else:
            if isinstance(value, list):
                send_chunks(conn, value)
            else:
                conn.send(("ok", value))


#: What a query process sends once, when its store is open and it takes queries.
READY = ("ready", None)

#: A result crosses from a query process in pieces of about this size, never pickled whole (a
#: pickle of a result is one more copy of it on each side).
PIECE = 1 << 20
#: A result up to this size crosses as one message, ("ok", [body]): one write, and one wake-up of
#: the server, where a header and a piece are two (a point lookup's answer is a few hundred bytes).
SMALL = 1 << 16


def send_chunks(conn: Connection, chunks: list[bytes]) -> None:
    """Send a result up to SMALL bytes as ("ok", [body]), a larger one as ("chunks", pieces), then
    each piece as raw bytes (recv_chunks reads them)."""
    if sum(len(chunk) for chunk in chunks) <= SMALL:
        conn.send(("ok", chunks if len(chunks) == 1 else [b"".join(chunks)]))
        return
    pieces: list[list[bytes]] = [[]]
    size = 0
    for chunk in chunks:
        if size >= PIECE:
            pieces.append([])
            size = 0
        pieces[-1].append(chunk)
        size += len(chunk)
    conn.send(("chunks", len(pieces)))
    while pieces:
        piece = pieces.pop(0)
        conn.send_bytes(piece[0] if len(piece) == 1 else b"".join(piece))
        piece.clear()


def recv_chunks(conn: Connection, count: int) -> list[bytes]:
    return [conn.recv_bytes() for _ in range(count)]


def _reset_signals() -> None:  # pragma: no cover
    # The server's handlers (gunicorn's, werkzeug's) make no sense here. SIGINT is ignored: a
    # Ctrl-C reaches the server, which closes our socket.
    for name in ("SIGTERM", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2", "SIGWINCH", "SIGABRT"):
        signal.signal(getattr(signal, name), signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.set_wakeup_fd(-1)


def _recv_exact(sock: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            raise ConnectionResetError("the query zygote closed its socket")
        data += chunk
    return data


def kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.kill(pid, signal.SIGKILL)
