"""A gunicorn worker that reads each request whole before it runs any: slow clients hold no worker.

gunicorn's sync worker reads a request on the connection it has just accepted,
blocking, so a client that sends a header line every few seconds (slowloris), a
Content-Length larger than its body, or TLS bytes on the plain port holds the
worker until gunicorn's timeout kills it; two such clients hold two workers.

``BufferedSyncWorker`` keeps the sync worker's model (one request at a time per
process, which the watchdog's time limit needs: service/claimgraph/limits/runner.py)
and changes only how a request comes in. One event loop per worker accepts
connections and reads what each has sent, without blocking, into a buffer; only
a request that is complete (its headers and the body its Content-Length or
chunked encoding announces) is handed to gunicorn's parser and the app, from
the buffer. A connection that has not sent a whole request within
``request_read_timeout`` seconds is closed; one whose first byte cannot start
an HTTP request line (TLS, garbage) is answered 400 at once; a client keeps at
most ``max_pending_connections`` incomplete connections per worker. A body
announced larger than ``max_query_bytes`` is not waited for: the app refuses it
(413) from its headers. An ingestion (POST or PUT to /api/articles with a bearer token) may
announce up to ``max_ingest_bytes``, which is waited for, whole, in the same way; one without a
token is handed over at once, and answered 401 unread.

Connections that are waiting cost a buffer each and no worker time, so 200
slowloris connections are 200 buffers.

Overload. When ``overload_backlog`` connections or more wait in the listening
socket's accept queue (the kernel says how many: TCP_INFO), the server is
overloaded, and a worker answers the whole request of a *heavy* client (one that
has used ``light_client_seconds`` of query time or more: the fair-use table,
service/claimgraph/limits/fairuse.py) with the app's 503 and Retry-After at once,
before any work, whatever its route. Those answers cost a fraction of a
millisecond each, so the queue drains, and a light client's request (a normal
probe, a reader's page) waits behind fewer of them. The same count tells the
query runner that others wait (``requests_waiting``), which stops a query on a
short slot that has used ``busy_query_cpu`` of processor time. The one delay left: a connection this
worker accepted but that was still incomplete when the worker started running
another request waits until that request ends (the worker reads the kernel's
buffer first, so on a fast network a request is almost always whole by then).

Answers from the cache. A repeated GET of /sparql whose answer the app let it keep is answered here,
from the raw request, with the bytes the app sent (service/claimgraph/limits/intake_answers.py).
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import resource
import selectors
import socket
import struct
import time
from dataclasses import dataclass, field
from typing import Any

from gunicorn.workers.sync import SyncWorker
from werkzeug.test import EnvironBuilder

from claimgraph.errors import ServerBusy
from claimgraph.limits.fairuse import FairUse, Policy, client_of
from claimgraph.limits.intake_answers import IntakeAnswers, RawRequest
from claimgraph.limits.intake_requests import (
    CONTINUE,
    EXPECT_CONTINUE,
    HEADER_CAP,
    NOT_HTTP,
    BufferedSocket,
    body_limit,
    request_state,
)
from claimgraph.limits.runner import timeout_response
from claimgraph.settings import Settings

#: How many connections one loop round accepts at most, so reading keeps pace with accepting.
ACCEPT_BATCH = 64
_FORWARDED_FOR = re.compile(rb"^x-forwarded-for[ \t]*:[ \t]*([^\r\n]*)\r?$", re.IGNORECASE | re.MULTILINE)
#: Where a listening socket's accept-queue length sits in Linux's struct tcp_info (tcpi_unacked).
_TCPI_UNACKED = 24
#: Seconds an overloaded server asks a heavy client to wait.
OVERLOAD_RETRY = 5
OVERLOADED = (
    "the server is overloaded, and serves clients that have used less than {light:g} query-seconds"
    " (light_client_seconds) first; retry later"
)


def backlog(listener: Any) -> int:
    """Connections waiting in ``listener``'s accept queue, whole requests on them (TCP_DEFER_ACCEPT);
    0 where the kernel does not say (a unix socket)."""
    if listener.family not in (socket.AF_INET, socket.AF_INET6):
        return 0
    try:
        info = listener.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, _TCPI_UNACKED + 4)
    except OSError:
        return 0
    return int(struct.unpack_from("I", info, _TCPI_UNACKED)[0]) if len(info) >= _TCPI_UNACKED + 4 else 0


@dataclass
class Pending:
    """A connection whose request is still coming in."""

    client: socket.socket
    addr: Any
    listener: socket.socket
    deadline: float
    buffer: bytearray = field(default_factory=bytearray)
    continued: bool = False

    @property
    def host(self) -> str:
        return self.addr[0] if isinstance(self.addr, tuple) else str(self.addr)


class BufferedSyncWorker(SyncWorker):
    """gunicorn's sync worker, fed only whole requests (the module says how and why)."""

    def run(self) -> None:
        try:
            settings = Settings.from_mapping()
            self.read_timeout = settings.request_read_timeout
            self.per_client = settings.max_pending_connections
            self.max_body = settings.max_query_bytes
            self.max_ingest = settings.max_ingest_bytes
        except ValueError:  # the app reports the bad setting as it loads; keep the defaults here
            settings = None
            self.read_timeout, self.per_client, self.max_body = 10.0, 64, 65536
            self.max_ingest = self.max_body
        self.overload = settings.overload_backlog if settings else 0
        self.fair_use = FairUse(Policy.from_settings(settings, int(self.cfg.workers))) if settings else None
        self.trust_forwarded_for = bool(settings and settings.trust_forwarded_for)
        self.light = settings.light_client_seconds if settings else 0.0
        self.busy_answers: dict[bool, bytes] = {}
        self.answers = IntakeAnswers.of(self.wsgi, access_log=bool(self.cfg.accesslog))
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        if soft < hard:  # each waiting connection is a descriptor
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        self.selector = selectors.DefaultSelector()
        for listener in self.sockets:
            listener.setblocking(False)
            if listener.family in (socket.AF_INET, socket.AF_INET6):
                # accept() only once the first bytes are in, so a request whose first segment holds all
                # of it (nearly every one) is whole when it is accepted, and never waits here.
                seconds = max(1, int(self.read_timeout))
                listener.setsockopt(socket.IPPROTO_TCP, socket.TCP_DEFER_ACCEPT, seconds)
            self.selector.register(listener, selectors.EVENT_READ, "listener")
        self.selector.register(self.PIPE[0], selectors.EVENT_READ, "pipe")
        self.pending: dict[int, Pending] = {}
        while self.alive:
            self.notify()
            if not self.is_parent_alive():
                break
            for key, _ in self.selector.select(self._wait()):
                if key.data == "pipe":
                    with contextlib.suppress(BlockingIOError):
                        os.read(self.PIPE[0], 1)
                elif key.data == "listener":
                    self._accept(key.fileobj)  # type: ignore[arg-type]
                else:
                    self._read(key.data)
            self._dispatch_ready()
            self._expire()
        for waiting in list(self.pending.values()):
            self._drop(waiting)

    def _wait(self) -> float:
        timeout = self.timeout or 0.5
        if self.pending:
            soonest = min(p.deadline for p in self.pending.values())
            timeout = max(0.0, min(timeout, soonest - time.monotonic()))
        return timeout

    def _accept(self, listener: socket.socket) -> None:
        for _ in range(ACCEPT_BATCH):
            try:
                client, addr = listener.accept()
            except OSError as exc:
                if exc.errno in (errno.EAGAIN, errno.EWOULDBLOCK, errno.ECONNABORTED):
                    return
                if exc.errno in (errno.EMFILE, errno.ENFILE):
                    self.log.warning("out of file descriptors with %d waiting connections", len(self.pending))
                    return
                raise
            client.setblocking(False)  # (accept() makes it non-inheritable already: PEP 446)
            waiting = Pending(client, addr, listener, time.monotonic() + self.read_timeout)
            if sum(1 for p in self.pending.values() if p.host == waiting.host) >= self.per_client:
                client.close()  # this client already keeps enough incomplete requests here
                continue
            self.pending[client.fileno()] = waiting
            self.selector.register(client, selectors.EVENT_READ, waiting)
            self._read(waiting)
            if request_state(waiting.buffer, self._limit(waiting)) != "wait":
                return  # serve it before taking more: whole requests never queue behind one another here

    def _read(self, waiting: Pending) -> None:
        while True:
            try:
                data = waiting.client.recv(65536)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                self._drop(waiting)
                return
            if not data:
                self._drop(waiting)
                return
            waiting.buffer += data
            if len(waiting.buffer) > HEADER_CAP + self._limit(waiting):
                return

    def _limit(self, waiting: Pending) -> int:
        return body_limit(waiting.buffer, self.max_body, self.max_ingest)

    def _dispatch_ready(self) -> None:
        for waiting in list(self.pending.values()):
            if waiting.client.fileno() not in self.pending:
                continue  # dropped meanwhile
            state = request_state(waiting.buffer, self._limit(waiting))
            if state == "bad":
                self._forget(waiting)
                with contextlib.suppress(OSError):
                    waiting.client.send(NOT_HTTP)
                waiting.client.close()
            elif state == "expect" and not waiting.continued:
                waiting.continued = True
                try:
                    waiting.client.send(CONTINUE)
                except OSError:
                    self._drop(waiting)
            elif state == "ready":
                self._forget(waiting)
                data = bytes(waiting.buffer)
                if self._turned_away(waiting, data):
                    continue
                raw = self.answers.lookup(data) if self.answers is not None else None
                if raw is not None and self._answered(waiting, raw):
                    continue
                if waiting.continued:  # the client has its 100 Continue already
                    data = EXPECT_CONTINUE.sub(b"", data, count=1)
                waiting.client.setblocking(True)
                waiting.client.settimeout(self.read_timeout)
                answers = self.answers if raw is not None else None
                sock = BufferedSocket(waiting.client, data, answers.begin() if answers else 0)
                self.handle(waiting.listener, sock, waiting.addr)
                if raw is not None and answers is not None and sock.sent is not None:
                    answers.keep(raw, b"".join(sock.sent))
                self.notify()
                if not self.alive:
                    return

    def requests_waiting(self) -> int:
        """Whole requests waiting for a worker: the listeners' accept queues."""
        return sum(backlog(listener) for listener in self.sockets)

    def _answered(self, waiting: Pending, raw: RawRequest) -> bool:
        """Answer from the intake's cache, and return True, if it holds this request's answer and the
        client has query time left (fair use: a hit is charged the time it takes, tens of µs)."""
        started = time.perf_counter()
        answer = self.answers.find(raw.key) if self.answers is not None else None
        if answer is None:
            return False
        if self.fair_use is not None:
            client = client_of(waiting.host, raw.forwarded_for, trust_forwarded_for=self.trust_forwarded_for)
            if not self.fair_use.charge(client, time.perf_counter() - started):
                return False  # past its budget: the app answers 429
        with contextlib.suppress(OSError):
            sent = waiting.client.send(answer)  # non-blocking: a small answer goes whole, at once
            if sent < len(answer):
                waiting.client.settimeout(self.read_timeout)
                waiting.client.sendall(answer[sent:])
        waiting.client.close()  # the request was read whole: nothing unread to reset the connection
        self.nr += 1
        if self.nr >= self.max_requests:
            self.alive = False
        return True

    def _turned_away(self, waiting: Pending, data: bytes) -> bool:
        """Answer 503 at once, and return True, if the server is overloaded and the client heavy."""
        if not self.overload or self.fair_use is None or backlog(waiting.listener) < self.overload:
            return False
        forwarded = _FORWARDED_FOR.search(data[: data.find(b"\r\n\r\n") + 2])
        client = client_of(
            waiting.host,
            forwarded.group(1).decode("latin-1") if forwarded else None,
            trust_forwarded_for=self.trust_forwarded_for,
        )
        if not self.fair_use.heavy(client):
            return False
        with contextlib.suppress(OSError):
            waiting.client.setblocking(True)
            waiting.client.settimeout(1.0)
            waiting.client.sendall(self._busy_answer(data.startswith(b"HEAD ")))
        waiting.client.close()
        return True

    def _busy_answer(self, head: bool) -> bytes:
        """The app's own 503 for an overloaded server (made once per worker and method)."""
        if head not in self.busy_answers:
            error = ServerBusy(OVERLOADED.format(light=self.light), retry_after=OVERLOAD_RETRY)
            environ = EnvironBuilder(path="/sparql", method="HEAD" if head else "GET").get_environ()
            self.busy_answers[head] = timeout_response(self.wsgi, environ, error)
        return self.busy_answers[head]

    def _expire(self) -> None:
        now = time.monotonic()
        for waiting in list(self.pending.values()):
            if waiting.deadline <= now:
                self._read(waiting)  # what came in while this worker ran a request
                if waiting.client.fileno() in self.pending and request_state(
                    waiting.buffer, self._limit(waiting)
                ) in ("wait", "expect"):
                    self._drop(waiting)
        self._dispatch_ready()

    def _forget(self, waiting: Pending) -> None:
        fileno = waiting.client.fileno()
        if self.pending.pop(fileno, None) is not None:
            self.selector.unregister(waiting.client)

    def _drop(self, waiting: Pending) -> None:
        self._forget(waiting)
        waiting.client.close()
