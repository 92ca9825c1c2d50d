"""How a public query is admitted and run: the guard first, then the query, within the time limit.

pyoxigraph cannot stop a query, so the time limit is kept by ending a process,
in one of two ways (README, "Serving model and time limits"):

- A gunicorn sync worker that has left the network (``adopt_gunicorn_worker``,
  called from service/claimgraph/gunicorn_conf.py as gunicorn forks it) runs public
  queries itself. It serves one request at a time and gunicorn replaces it when it
  exits, so the watchdog (service/claimgraph/limits/watchdog.py) keeps the limit: at
  the deadline it sends the client the app's own 503 straight down the connection
  and ends the worker. That saves every query the hop to a query process and back.
- Everywhere else (`claimgraph serve`, threaded or async gunicorn workers, a worker
  that could not leave the network, a query outside a request) public queries run
  in the sandbox's processes (service/claimgraph/limits/sandbox.py), killed at the
  deadline: QueryTimeout, which the app answers with the same 503.
- A remote store (REMOTE_BACKENDS: the `sparql` backend) is across the network, which
  those processes have left: its public queries run where they are called, bounded
  by the client's HTTP timeout (the store raises QueryTimeout, the same 503) and the
  engine's own time limit; gunicorn workers then stay on the network.

Trusted queries (the pages' own, the CLI) call the store directly.
"""

from __future__ import annotations

import logging
import os
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from flask import Flask, current_app, has_request_context, request
from werkzeug.http import http_date

from claimgraph.errors import ClaimgraphError, QueryRejected, QueryTimeout
from claimgraph.iris import Iris
from claimgraph.limits import heartbeat
from claimgraph.limits.cache import ResultCache
from claimgraph.limits.fairuse import FairUse, Policy
from claimgraph.limits.guard import GuardedQuery, ParseCall, QueryFacts, QueryGuard
from claimgraph.limits.network import leave_network
from claimgraph.limits.sandbox import Preempt, Sandbox
from claimgraph.limits.watchdog import Watchdog
from claimgraph.limits.zygote import QueryCall
from claimgraph.settings import Settings
from claimgraph.store import QueryDataset, SparqlResult, Store

log = logging.getLogger(__name__)

#: ORDER BY: the engine's sort can panic on some data (oxigraph#1542's class), aborting the process.
_SORTS = re.compile(r"order(?:\s|#[^\n\r]*)+by", re.IGNORECASE)

#: Backends whose store is across the network: their queries run in the server process, bounded by
#: the client's HTTP timeout and the engine's own limit, never in processes that left the network.
REMOTE_BACKENDS = frozenset({"sparql"})

#: Keeps the time limit of the queries this process runs itself: one at a time, as requests come.
WATCHDOG = Watchdog()
_queries_here = False
_server_workers = 0
#: How many requests wait for a worker of this server (a gunicorn worker's ``requests_waiting``).
_requests_waiting: Callable[[], int] | None = None
#: The time limit (seconds, setting) the fair-use scheduler gave the queries of this request.
BUSY = "busy_query_timeout"
_LIMIT: ContextVar[tuple[float, str] | None] = ContextVar("claimgraph_query_limit", default=None)
#: When the work on the current request's query must end (time.monotonic()): QueryRunner.time_limit.
_DEADLINE: ContextVar[float | None] = ContextVar("claimgraph_query_deadline", default=None)


def runs_queries_itself() -> bool:
    """Whether this process evaluates public queries itself (see the module's docstring)."""
    return _queries_here


def adopt_gunicorn_worker(worker: Any) -> None:
    """Called in each gunicorn worker right after the fork: leave the network, and for a sync
    worker, run public queries here from now on."""
    global _queries_here, _server_workers, _requests_waiting
    from gunicorn.workers.sync import SyncWorker  # here, not above: only gunicorn's workers need it

    cfg = worker.cfg
    heartbeat.adopt(worker.notify)  # a long write request (an ingestion) keeps the worker alive
    if Settings.from_mapping().store_backend in REMOTE_BACKENDS:
        # The store is across the network: the worker stays on it, and the client's HTTP timeout
        # keeps the time limit (Store.sparql raises QueryTimeout), with no watchdog or sandbox.
        return
    if cfg.uid != os.getuid() or cfg.gid != os.getgid():
        # gunicorn drops privileges after this hook; ids not mapped into a new namespace cannot
        # be switched to. The sandbox's processes leave the network on their own later.
        log.warning("gunicorn runs with --user/--group: public queries go to sandbox processes")
        return
    if not leave_network():
        log.warning("the kernel keeps this worker on the network: public queries go to sandbox processes")
        return
    _queries_here = isinstance(worker, SyncWorker)
    _server_workers = int(cfg.workers) if _queries_here else 0
    _requests_waiting = getattr(worker, "requests_waiting", None) if _queries_here else None


class QueryRunner:
    """Admits and runs the public queries of one app on ``store``: it wraps a Store, is not one.

    Each query may run ``timeout`` seconds; the sandbox keeps up to ``workers``
    query processes, started by the first query that goes there.
    """

    def __init__(
        self,
        store: Store,
        guard: QueryGuard,
        *,
        timeout: float,
        workers: int,
        fair_use: FairUse | None = None,
        remote: bool = False,
        cache_bytes: int = 0,
        busy_cpu: float = 0.0,
        overload: int = 0,
    ) -> None:
        self.store = store
        self.busy_cpu = busy_cpu  # busy_query_cpu: what a short-slot query may use while others wait
        self.overload = overload  # overload_backlog: requests waiting at which no query gets a long slot
        self.cache = ResultCache(cache_bytes)
        self.remote = remote  # a remote store keeps the time limit itself (REMOTE_BACKENDS)
        self.guard = guard
        guard.parse_call = self.parse  # the guard's parses run in the sandbox, within the time limit
        self.timeout = timeout
        self._sandbox = Sandbox(store, workers)
        self.fair_use = fair_use

    @classmethod
    def from_settings(cls, store: Store, settings: Settings, iris: Iris) -> QueryRunner:
        guard = QueryGuard(
            base=iris.base,
            prefixes=iris.prefixes(),
            max_bytes=settings.max_query_bytes,
            max_depth=settings.max_nesting_depth,
        )
        slots = settings.query_slots or (_server_workers if _queries_here else settings.query_workers)
        policy = Policy.from_settings(settings, slots)
        return cls(
            store,
            guard,
            timeout=settings.query_timeout,
            workers=settings.query_workers,
            fair_use=FairUse(policy),
            remote=settings.store_backend in REMOTE_BACKENDS,
            cache_bytes=settings.query_cache_bytes,
            busy_cpu=settings.busy_query_cpu,
            overload=settings.overload_backlog,
        )

    @contextmanager
    def fair_share(self, client: str) -> Iterator[None]:
        """Run the block's public queries on a slot of ``client``'s fair share
        (service/claimgraph/limits/fairuse.py), under the time limit it gives; raises
        TooManyQueries (429) or ServerBusy (503)."""
        if self.fair_use is None:
            yield
            return
        waiting = _requests_waiting
        overloaded = self.overload > 0 and waiting is not None and waiting() >= self.overload
        # FairUse.admitted, inlined: one generator less to enter and leave per query.
        ticket = self.fair_use.admit(client, overloaded=overloaded)
        token = _LIMIT.set((ticket.timeout, ticket.setting))
        stopped = False
        try:
            yield
        except QueryTimeout:
            stopped = True
            raise
        finally:
            _LIMIT.reset(token)
            self.fair_use.release(ticket, stopped=stopped)

    @contextmanager
    def time_limit(self) -> Iterator[None]:
        """One time limit, ``query_timeout`` from now, for all the block's work on one query: the
        guard's parse and every run of the query share it, so a client waits at most that long
        (plus the watchdog's tick), not a parse's limit and then a run's. A block inside another
        keeps the outer one's deadline."""
        if _DEADLINE.get() is not None:
            yield
            return
        token = _DEADLINE.set(time.monotonic() + self.timeout)
        try:
            yield
        finally:
            _DEADLINE.reset(token)

    def remaining(self) -> float:
        """Seconds left of the current time limit (``time_limit``); outside one, all of query_timeout.

        Raises QueryTimeout when none are left."""
        deadline = _DEADLINE.get()
        if deadline is None:
            return self.timeout
        left = deadline - time.monotonic()
        if left <= 0:
            raise QueryTimeout.after(self.timeout)
        return left

    def parse(self, call: ParseCall) -> QueryFacts:
        """The guard's rdflib parse, run in a sandbox process within the time limit: a parse that
        runs past it is a refusal (which the guard caches), as the same text would run past it again."""
        seconds = self.remaining()
        try:
            return self._sandbox.run(call, seconds)  # type: ignore[arg-type,return-value]
        except QueryTimeout as exc:
            if str(exc) != str(QueryTimeout.after(seconds)):
                raise  # every query process was busy: not this query's doing
            if seconds < 0.9 * self.timeout:
                raise QueryTimeout.after(self.timeout) from exc  # cut short by other work: not cached
            raise QueryRejected(
                f"checking this query against the policy took longer than {self.timeout:g} s "
                "(query_timeout); simplify it"
            ) from exc

    def admit(self, query: str, dataset: QueryDataset | None = None) -> GuardedQuery:
        """The query as the guard admits it (service/claimgraph/limits/guard.py, which says what
        it raises), checked against this store's named graphs."""
        return self.guard.check(query, dataset, self.store.graph_names)

    def sparql(
        self,
        query: str,
        *,
        media_type: str,
        dataset: QueryDataset | None = None,
        max_rows: int | None = None,
        max_bytes: int | None = None,
    ) -> SparqlResult:
        """Run an admitted query as Store.sparql does, within the time limit.

        Raises QueryTimeout at the limit (in a worker that runs queries itself the
        client gets that answer from the watchdog, and the worker ends), and what
        Store.sparql raises.
        """
        if self.cache.max_bytes <= 0:
            return self._run(query, media_type, dataset, max_rows, max_bytes)
        key = self.cache.key(
            self.store.revision(),
            self.store.stats().data_version,
            query,
            dataset,
            media_type,
            max_rows,
            max_bytes,
        )
        body = self.cache.get(key)
        if body is not None:
            return SparqlResult(media_type, [body])
        chunks = list(self._run(query, media_type, dataset, max_rows, max_bytes).chunks)
        if sum(len(chunk) for chunk in chunks) <= self.cache.max_bytes:  # joined only when it is kept
            body = b"".join(chunks)
            self.cache.put(key, body)
            chunks = [body]
        return SparqlResult(media_type, chunks)

    def _run(
        self,
        query: str,
        media_type: str,
        dataset: QueryDataset | None,
        max_rows: int | None,
        max_bytes: int | None,
    ) -> SparqlResult:
        if self.remote:
            return self.store.sparql(
                query, media_type=media_type, dataset=dataset, max_rows=max_rows, max_bytes=max_bytes
            )
        seconds, setting = _LIMIT.get() or (self.timeout, "query_timeout")
        left = self.remaining()  # what the request's time limit leaves, after the guard's parse
        stopped = QueryTimeout.after(seconds, setting)  # what the client is told at the limit
        if left < seconds:
            seconds, stopped = left, QueryTimeout.after(self.timeout)
        # A query on a short slot (fairuse.py) runs in a query process even here: stopping it there
        # costs a fork of the zygote, not this worker's restart (which would leave the other clients
        # one worker short meanwhile). So does a query that sorts: it may hit an engine panic that
        # aborts the process (README, "Engine failures"), which there costs one 503, not this worker.
        here = _queries_here and setting != BUSY and not _SORTS.search(query)
        answer = _answer_at_deadline(stopped) if here else None
        if answer is not None:
            with WATCHDOG.limit(seconds, answer):
                return self.store.sparql(
                    query, media_type=media_type, dataset=dataset, max_rows=max_rows, max_bytes=max_bytes
                )
        call = QueryCall(query, media_type, dataset, max_rows, max_bytes)
        # On a short slot, a query that has used busy_query_cpu while others wait for a worker is
        # stopped then, not at busy_query_timeout: the worker it holds is theirs.
        waiting = _requests_waiting
        preemptible = setting == BUSY and self.busy_cpu > 0 and waiting is not None
        preempt = Preempt(self.busy_cpu, waiting) if preemptible and waiting else None
        try:
            return SparqlResult(media_type, self._sandbox.run(call, seconds, preempt))
        except QueryTimeout as exc:
            if str(exc) != str(QueryTimeout.after(seconds)):
                raise  # every query process was busy
            raise stopped from exc

    def warm_up(self) -> None:
        """Run a first query the way public ones will run: where that is the sandbox, its zygote
        forks now, before the server starts any thread (forking a threaded process is unsafe)."""
        ask = QueryCall("ASK {}", "application/sparql-results+json")
        if self.remote:
            # The store is across the network, which the query processes have left: its queries
            # always run here (sparql), so only this process needs to reach it.
            ask.run(self.store)
            return
        if not _queries_here:
            self._sandbox.run(ask, self.timeout)  # every public query goes there
            return
        ask.run(self.store)
        if self.fair_use is not None and self.fair_use.policy.slots > 1:
            # The queries on the last free slot, and the sorts, go to the sandbox: its zygote forks now,
            # a query process when the first of them comes (tens of MB per worker not spent until then).
            self._sandbox.start_zygote()

    def sandbox_isolated(self) -> bool | None:
        """Whether the query processes run without network (None before the first one starts)."""
        return self._sandbox.isolated

    def query_process_ids(self) -> list[int]:
        """The sandbox's zygote and workers (diagnostics)."""
        return self._sandbox.process_ids()

    def close(self) -> None:
        """Stop the query processes (the next query that needs them starts new ones)."""
        self._sandbox.stop()


def _answer_at_deadline(error: QueryTimeout) -> Callable[[], None] | None:
    """For a request that this gunicorn sync worker serves, the function the watchdog calls at the
    deadline: it writes the app's 503 for ``error`` down the client's connection. None anywhere else."""
    if not has_request_context():
        return None
    environ = request.environ
    client = environ.get("gunicorn.socket")
    if client is None or environ.get("wsgi.multithread") is not False:
        return None
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]

    def answer_503() -> None:
        log.warning("%s: answering 503 and ending this worker", error)
        client.sendall(timeout_response(app, environ, error))

    return answer_503


def timeout_response(app: Flask, environ: dict[str, Any], error: ClaimgraphError) -> bytes:
    """The HTTP message the app answers ``error`` with, for the request ``environ``, as bytes.

    Built by the app itself (error handler, after-request hooks such as CORS) in a
    context of its own, so it can be made from the watchdog's thread.
    """
    with app.request_context(environ):
        response = app.process_response(app.make_response(app.handle_user_exception(error)))
        body_chunks, status, headers = response.get_wsgi_response(environ)
        body = b"".join(body_chunks)  # werkzeug gives none for HEAD, keeping Content-Length
    protocol = environ.get("SERVER_PROTOCOL", "HTTP/1.1")
    lines = [f"{protocol} {status}", *(f"{name}: {value}" for name, value in headers)]
    present = {name.lower() for name, _ in headers}
    if "content-length" not in present:
        lines.append(f"Content-Length: {len(body)}")
    if "date" not in present:  # gunicorn adds it to every answer it writes; this one it does not
        lines.append(f"Date: {http_date()}")
    lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body
