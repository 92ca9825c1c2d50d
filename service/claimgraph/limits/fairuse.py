"""Fair use of query capacity: public queries are admitted through a bounded scheduler, per client.

Cheap routes (pages, documents, the API, /health) never come here; a public
SPARQL query does, before it runs (service/claimgraph/web/sparql.py):

- at most ``slots`` queries run at once, all server processes together, and of those at most
  ``long_slots`` with the full time limit: the others may run ``busy_timeout`` seconds (on two
  cores, one long CPU-bound query leaves the other core to everyone else);
- a client (its address, or the first X-Forwarded-For hop when the operator
  trusts a proxy) runs at most ``per_client`` at once, and uses at most
  ``budget`` query-seconds per ``window`` (an exponentially decaying sum, so the
  budget comes back smoothly): past either, 429 with Retry-After, as Wikidata's
  query service does;
- the short slots are kept for *light* clients (under ``light`` query-seconds): a
  heavy client gets a long slot or a 503 with Retry-After; the last free slot is
  always a short one, so whatever fills the others, it frees within ``busy_timeout``;
- where every slot is taken (a threaded server, whose threads outnumber the
  slots), a query waits up to ``queue_wait`` seconds for one, then 503.
- an *overloaded* server (requests queue for its workers: limits/intake.py) gives no long
  slot, and its workers turn heavy clients away before any work (``heavy``).

A query stopped at its time limit is charged the whole limit of its slot (``query_timeout`` on a
long one, ``busy_query_timeout`` on a short one).

The table is shared by every process of a server: a small block of shared
memory (memfd) made before gunicorn forks its workers (``share()``, called by
service/claimgraph/gunicorn_conf.py), locked with flock on a descriptor of each
process's own and a thread lock. A worker that dies holding a slot (the
watchdog ends it at the deadline, or a crash) is found dead by its pid when the
slots run short, and its slot is freed and charged. The master holds no state and
answers no request, so keeping the table there would cost a round trip per query.
"""

from __future__ import annotations

import ctypes
import fcntl
import functools
import hashlib
import math
import mmap
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from claimgraph.errors import QueryTimeout, ServerBusy, TooManyQueries
from claimgraph.settings import Settings

CLIENTS = 1024  # clients remembered (least recently seen ones are forgotten first)
RUNS = 256  # queries running at once, at most, whatever the slots
PROBE = 16  # open addressing: places looked at for a client
POLL = 0.02  # how often a queued query looks for a free slot


class _Client(ctypes.Structure):
    _fields_ = (
        ("key", ctypes.c_uint64),
        ("used", ctypes.c_double),
        ("stamp", ctypes.c_double),
        ("running", ctypes.c_int32),
        ("pad", ctypes.c_int32),
        # The sum of the start times of its running queries: their time so far is running * now - started.
        ("started", ctypes.c_double),
    )


class _Run(ctypes.Structure):
    _fields_ = (
        ("pid", ctypes.c_int32),
        ("client", ctypes.c_int32),
        ("start", ctypes.c_double),
        ("long", ctypes.c_int32),
        ("pad", ctypes.c_int32),
    )


class _Table(ctypes.Structure):
    _fields_ = (
        ("running", ctypes.c_int32),
        ("long_running", ctypes.c_int32),
        # Runs at this index and above have never been used: the lowest free place is always taken,
        # so the scans of the running queries stop here instead of walking all RUNS places.
        ("runs_used", ctypes.c_int32),
        ("pad", ctypes.c_int32),
        ("clients", _Client * CLIENTS),
        ("runs", _Run * RUNS),
    )


class SharedTable:
    """The table in shared memory, and a lock that holds across processes and threads."""

    def __init__(self) -> None:
        self._fd = os.memfd_create("claimgraph-fair-use", 0)  # not CLOEXEC-sensitive: forks keep it
        os.ftruncate(self._fd, ctypes.sizeof(_Table))
        self._map = mmap.mmap(self._fd, ctypes.sizeof(_Table))
        self.table = _Table.from_buffer(self._map)
        self._thread_lock = threading.Lock()
        self._lock_pid = -1
        self._lock_fd = -1

    @contextmanager
    def locked(self) -> Iterator[_Table]:
        with self._thread_lock:
            if self._lock_pid != os.getpid():  # flock is per open file: each process opens its own
                self._lock_fd = os.open(f"/proc/self/fd/{self._fd}", os.O_RDWR | os.O_CLOEXEC)
                self._lock_pid = os.getpid()
            fcntl.flock(self._lock_fd, fcntl.LOCK_EX)
            try:
                yield self.table
            finally:
                fcntl.flock(self._lock_fd, fcntl.LOCK_UN)


_SHARED: SharedTable | None = None


def share() -> SharedTable:
    """The process's table, made on first use; call it before forking to share it with the children."""
    global _SHARED
    if _SHARED is None:
        _SHARED = SharedTable()
    return _SHARED


@dataclass(frozen=True)
class Policy:
    slots: int
    long_slots: int
    per_client: int
    budget: float
    window: float
    timeout: float
    busy_timeout: float
    light: float
    queue_wait: float

    @classmethod
    def from_settings(cls, settings: Settings, slots: int) -> Policy:
        return cls(
            slots=slots,
            long_slots=settings.long_query_slots,
            per_client=settings.client_max_queries,
            budget=settings.client_query_seconds,
            window=settings.client_query_window,
            timeout=settings.query_timeout,
            busy_timeout=min(settings.busy_query_timeout, settings.query_timeout),
            light=settings.light_client_seconds,
            queue_wait=settings.query_queue_wait,
        )


@dataclass
class Ticket:
    """One admitted query: its time limit, and what it is charged when it ends."""

    run: int
    timeout: float
    setting: str


class FairUse:
    """Admits public queries by the Policy, on the shared table."""

    def __init__(self, policy: Policy, shared: SharedTable | None = None) -> None:
        self.policy = policy
        self.shared = shared or share()

    @contextmanager
    def admitted(self, client: str, *, overloaded: bool = False) -> Iterator[Ticket]:
        """Hold a query slot for ``client`` while the block runs, or raise TooManyQueries (429) or
        ServerBusy (503), each with ``retry_after`` seconds."""
        ticket = self.admit(client, overloaded=overloaded)
        stopped = False
        try:
            yield ticket
        except QueryTimeout:
            stopped = True
            raise
        finally:
            self.release(ticket, stopped=stopped)

    def admit(self, client: str, now: float | None = None, *, overloaded: bool = False) -> Ticket:
        """A slot for ``client``'s query; an ``overloaded`` server gives no long slot (every query is
        short then, and stopped as soon as it holds a worker others wait for)."""
        policy = self.policy
        key = _key(client)
        started = time.monotonic() if now is None else now
        while True:
            current = time.monotonic() if now is None else now
            with self.shared.locked() as table:
                if table.running >= policy.slots - 1:  # a slot held by a dead process would look taken
                    self._reap(table, current)
                index = self._client(table, key, current)
                record = table.clients[index]
                used = record.used + self._in_flight(table, index, current)
                if used >= policy.budget:
                    wait = policy.window * math.log(used / policy.budget) + 1
                    raise TooManyQueries(
                        f"this client used {used:.0f} query-seconds of its {policy.budget:g} per"
                        f" {policy.window:g} s (client_query_seconds); retry later",
                        retry_after=math.ceil(wait),
                    )
                if record.running >= policy.per_client:
                    raise TooManyQueries(
                        f"this client already runs {record.running} queries at once (client_max_queries);"
                        " wait for one to finish",
                        retry_after=1,
                    )
                free = policy.slots - table.running
                last = free == 1 and policy.slots > 1
                long = free > 0 and not last and not overloaded and table.long_running < policy.long_slots
                if free > 0 and not long and used >= policy.light:
                    raise ServerBusy(
                        "the server is busy: its short query slots are kept for clients that have used"
                        f" less than {policy.light:g} query-seconds (light_client_seconds)",
                        retry_after=max(1, math.ceil(policy.busy_timeout)),
                    )
                if free > 0:
                    run = self._start(table, index, current, long)
                    if long:
                        return Ticket(run, policy.timeout, "query_timeout")
                    return Ticket(run, policy.busy_timeout, "busy_query_timeout")
            if current - started >= policy.queue_wait or now is not None:
                raise ServerBusy(
                    f"the server is busy: no query slot came free within {policy.queue_wait:g} s"
                    " (query_queue_wait)",
                    retry_after=max(1, math.ceil(policy.queue_wait)),
                )
            time.sleep(POLL)

    def heavy(self, client: str) -> bool:
        """Whether ``client`` has used ``light`` query-seconds or more (running queries included): the
        client an overloaded server turns away first (service/claimgraph/limits/intake.py)."""
        key = _key(client)
        current = time.monotonic()
        with self.shared.locked() as table:
            home = key % CLIENTS
            for step in range(PROBE):
                index = (home + step) % CLIENTS
                record = table.clients[index]
                if record.key == key:
                    self._decay(record, current)
                    return record.used + self._in_flight(table, index, current) >= self.policy.light
        return False

    def charge(self, client: str, seconds: float) -> bool:
        """Charge ``client`` ``seconds`` spent on it outside a slot (an answer the intake gave from its
        cache: service/claimgraph/limits/intake_answers.py), unless it has used its budget already:
        then False, and nothing charged (the app answers it 429, as it would any query of it)."""
        key = _key(client)
        current = time.monotonic()
        with self.shared.locked() as table:
            index = self._client(table, key, current)
            record = table.clients[index]
            if record.used + self._in_flight(table, index, current) >= self.policy.budget:
                return False
            record.used += seconds
            return True

    def release(self, ticket: Ticket, *, stopped: bool = False, now: float | None = None) -> None:
        """End the ticket's query; its time is charged to its client (all of its slot's limit if it was
        stopped there: query_timeout on a long slot, busy_query_timeout on a short one)."""
        current = time.monotonic() if now is None else now
        with self.shared.locked() as table:
            run = table.runs[ticket.run]
            if run.pid == 0:
                return  # reaped meanwhile
            spent = current - run.start
            self._finish(table, ticket.run, max(spent, self._limit(run)) if stopped else spent, current)

    def _limit(self, run: _Run) -> float:
        """The time limit of a run's slot. A lookup stopped on a short slot (a busy machine slowed it
        past busy_query_timeout, or busy_query_cpu stopped it for others) is charged that, not all
        of query_timeout: charged 10 s, a normal client turned heavy at its first such stop and was
        turned away by an overloaded server for a minute (make abuse: the probe, 20 of 24 answers
        503 under mixed-128 after the slow-query attacks)."""
        return self.policy.timeout if run.long else self.policy.busy_timeout

    # -- the table --------------------------------------------------------------------------------------
    def _client(self, table: _Table, key: int, now: float) -> int:
        """The index of ``key``'s record, made (over the stalest idle one nearby) when absent; its
        usage decayed to ``now``."""
        home = key % CLIENTS
        stalest = -1
        for step in range(PROBE):
            index = (home + step) % CLIENTS
            record = table.clients[index]
            if record.key == key:
                self._decay(record, now)
                return index
            if record.running == 0 and (stalest < 0 or record.stamp < table.clients[stalest].stamp):
                stalest = index
        if stalest < 0:
            stalest = home  # every place nearby runs a query: share the record (rare, and only stricter)
            table.clients[stalest].key = key
            return stalest
        record = table.clients[stalest]
        record.key, record.used, record.stamp, record.running, record.started = key, 0.0, now, 0, 0.0
        return stalest

    def _decay(self, record: _Client, now: float) -> None:
        if now > record.stamp:
            record.used *= math.exp(-(now - record.stamp) / self.policy.window)
            record.stamp = now

    def _in_flight(self, table: _Table, index: int, now: float) -> float:
        """The time so far of the client's running queries: the sum of ``now - start`` over them."""
        record = table.clients[index]
        if record.running == 0:
            return 0.0
        return record.running * now - record.started

    def _start(self, table: _Table, index: int, now: float, long: bool) -> int:
        for number in range(RUNS):
            run = table.runs[number]
            if run.pid == 0:
                run.pid, run.client, run.start, run.long = os.getpid(), index, now, int(long)
                record = table.clients[index]
                record.running += 1
                record.started += now
                table.running += 1
                table.long_running += int(long)
                table.runs_used = max(table.runs_used, number + 1)
                return number
        raise ServerBusy("the server is busy: too many queries are running", retry_after=1)

    def _finish(self, table: _Table, number: int, charge: float, now: float) -> None:
        run = table.runs[number]
        record = table.clients[run.client]
        self._decay(record, now)
        record.used += charge
        record.running = max(0, record.running - 1)
        record.started = record.started - run.start if record.running else 0.0
        table.running = max(0, table.running - 1)
        table.long_running = max(0, table.long_running - run.long)
        run.pid = run.long = 0

    def _reap(self, table: _Table, now: float) -> None:
        """Free the slots of processes that died holding them (ended at a deadline, or crashed)."""
        me = os.getpid()
        for number in range(table.runs_used):
            run = table.runs[number]
            if run.pid and run.pid != me and not _alive(run.pid):
                self._finish(table, number, max(now - run.start, self._limit(run)), now)


@functools.lru_cache(maxsize=CLIENTS)  # a client asks again and again: hashed once
def _key(client: str) -> int:
    return int.from_bytes(hashlib.blake2b(client.encode(), digest_size=8).digest(), "big") or 1


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def client_of(remote_addr: str | None, forwarded_for: str | None, *, trust_forwarded_for: bool) -> str:
    """Who a request comes from: its peer address, or the first X-Forwarded-For hop when the operator
    trusts a proxy in front.

    >>> client_of("10.0.0.1", "203.0.113.7, 10.0.0.1", trust_forwarded_for=True)
    '203.0.113.7'
    >>> client_of("10.0.0.1", "203.0.113.7", trust_forwarded_for=False)
    '10.0.0.1'
    """
    if trust_forwarded_for and forwarded_for:
        first = forwarded_for.split(",")[0].strip()
        if first:
            return first
    return remote_addr or "unknown"
