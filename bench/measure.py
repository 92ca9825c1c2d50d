"""Timings: a query in process (pyoxigraph in this process) and over HTTP, and throughput with 8 clients.

Every loop is bounded twice, by a count and by a deadline.
"""

from __future__ import annotations

import http.client
import json
import re
import shutil
import statistics
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pyoxigraph as ox
import requests

JSON_RESULTS = "application/sparql-results+json"
CLIENTS = 8


def timed_median(run: Callable[[], object], reps: int, warmup: int, budget: float) -> tuple[float, object]:
    """Median seconds of ``run`` over at most ``reps`` calls after ``warmup`` (all within ``budget`` s)."""
    result: object = None
    for _ in range(warmup):
        result = run()
    times, deadline = [], time.monotonic() + budget
    while len(times) < reps and (not times or time.monotonic() < deadline):
        started = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def in_process(store: ox.Store, query: str, options: dict[str, object]) -> Callable[[], int]:
    """A call that runs ``query`` on ``store`` and serialises its result as SPARQL JSON; returns rows."""

    def run() -> int:
        result = store.query(query, **options)
        body = result.serialize(format=ox.QueryResultsFormat.JSON) or b""  # type: ignore[union-attr]
        return count_json_rows(body)

    return run


def over_http(session: requests.Session, endpoint: str, query: str) -> Callable[[], int]:
    """A call that POSTs ``query`` to the endpoint (application/sparql-query, JSON results); returns rows."""
    headers = {"Content-Type": "application/sparql-query", "Accept": JSON_RESULTS}

    def run() -> int:
        response = session.post(endpoint, data=query.encode("utf-8"), headers=headers, timeout=60)
        if response.status_code != 200:
            raise RuntimeError(f"{endpoint} answered {response.status_code}: {response.text[:300]}")
        return count_json_rows(response.content)

    return run


def count_json_rows(body: bytes) -> int:
    parsed = json.loads(body)
    return len(parsed["results"]["bindings"]) if "results" in parsed else 1


# -- throughput --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Throughput:
    tool: str
    requests: int
    seconds: float
    failures: int  # non-2xx answers and socket errors
    p50_ms: float | None
    p99_ms: float | None
    #: CPU ms per answer: gunicorn (master and workers), query processes, the client (wrk or threads).
    cpu_ms: tuple[float, ...] | None = None

    @property
    def per_second(self) -> float:
        """Successful answers per second."""
        return max(0, self.requests - self.failures) / self.seconds if self.seconds else 0.0


def throughput(base: str, paths: list[str], accept: str, seconds: float, identities: int = 0) -> Throughput:
    """Requests per second with 8 concurrent connections cycling over ``paths``: wrk if installed.

    They are one client to the service's fair use (one address), or, with ``identities``, that many:
    request n carries ``X-Forwarded-For: 198.51.100.<n % identities + 1>`` (a documentation range),
    which a server with trust_forwarded_for takes as the client."""
    if shutil.which("wrk"):
        return run_wrk(base, paths, accept, seconds, identities)
    return run_threads(base, paths, accept, seconds, identities)


def forwarded_for(n: int, identities: int) -> dict[str, str]:
    """The X-Forwarded-For header of request ``n`` among ``identities`` clients (none for 0)."""
    return {"X-Forwarded-For": f"198.51.100.{n % identities + 1}"} if identities else {}


def run_wrk(base: str, paths: list[str], accept: str, seconds: float, identities: int = 0) -> Throughput:
    script = "\n".join(
        [
            "local paths = {" + ", ".join(json.dumps(p) for p in paths) + "}",
            'local headers = {["Accept"] = ' + json.dumps(accept) + "}",
            "local i, n = 0, 0",
            "request = function()",
            "  i = i % #paths + 1",
            *(
                [f"  n = n % {identities} + 1", '  headers["X-Forwarded-For"] = "198.51.100." .. n']
                if identities
                else []
            ),
            '  return wrk.format("GET", paths[i], headers)',
            "end",
        ]
    )
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    command = [
        "wrk",
        "-t2",
        f"-c{CLIENTS}",
        f"-d{max(1, round(seconds))}s",
        "--latency",
        "--timeout",
        "30s",
        "-s",
        handle.name,
        base,
    ]
    try:
        out = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60, check=True).stdout
    finally:
        Path(handle.name).unlink(missing_ok=True)
    return parse_wrk(out)


def parse_wrk(out: str) -> Throughput:
    """The numbers of a ``wrk --latency`` report.

    >>> t = parse_wrk("  50%    2.50ms\\n  99%   10.00ms\\n  900 requests in 2.00s, 1MB read\\n"
    ...               "  Non-2xx or 3xx responses: 3\\nRequests/sec:    450.00\\n")
    >>> (t.requests, t.per_second, t.failures, t.p50_ms, t.p99_ms)
    (900, 448.5, 3, 2.5, 10.0)
    """
    done = re.search(r"(\d+) requests in ([\d.]+)(m?s)", out)
    if not done:
        raise RuntimeError(f"cannot read wrk's report:\n{out}")
    seconds = float(done[2]) / (1000 if done[3] == "ms" else 1)
    failures = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", out))
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if errors:
        failures += int(errors[1]) + int(errors[3]) + int(errors[4])  # a read error is a closed keep-alive
    count = int(done[1])
    p50, p99 = (_wrk_ms(out, "50%"), _wrk_ms(out, "99%")) if count else (None, None)
    return Throughput("wrk", count, seconds, failures, p50, p99)


def _wrk_ms(out: str, percentile: str) -> float | None:
    match = re.search(rf"^\s*{re.escape(percentile)}\s+([\d.]+)(us|ms|s)\s*$", out, re.MULTILINE)
    if not match:
        return None
    return float(match[1]) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[match[2]]


def run_threads(base: str, paths: list[str], accept: str, seconds: float, identities: int = 0) -> Throughput:
    """The bounded Python client: 8 threads with keep-alive connections, until the deadline or 10**6."""
    split = urlsplit(base)
    deadline, limit = time.monotonic() + seconds, 1_000_000
    latencies: list[float] = []
    failures = [0]
    lock = threading.Lock()

    def client(offset: int) -> None:
        conn = http.client.HTTPConnection(split.hostname, split.port, timeout=30)
        n, mine = offset, []
        while time.monotonic() < deadline and len(latencies) + len(mine) < limit:
            started = time.perf_counter()
            try:
                headers = {"Accept": accept, **forwarded_for(n, identities)}
                conn.request("GET", paths[n % len(paths)], headers=headers)
                response = conn.getresponse()
                response.read()
                ok = response.status == 200
                if response.will_close:
                    conn.close()
            except (OSError, http.client.HTTPException):
                ok = False
                conn.close()
            mine.append(time.perf_counter() - started)
            if not ok:
                with lock:
                    failures[0] += 1
            n += 1
        with lock:
            latencies.extend(mine)

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 60)
    elapsed = time.perf_counter() - started
    latencies.sort()
    p50 = 1000 * latencies[len(latencies) // 2] if latencies else None
    p99 = 1000 * latencies[int(len(latencies) * 0.99)] if latencies else None
    return Throughput("python", len(latencies), elapsed, failures[0], p50, p99)


@dataclass(frozen=True)
class FirstView:
    """A claim page right after the server started, against the same page once the server is warm."""

    first_ms: float  # the very first claim page request the server answers after a load
    unseen_ms: float  # median of other claim pages, each asked for the first time, once warm
    warm_ms: float  # median of the first page asked again

    @property
    def ratio(self) -> float:
        return self.first_ms / self.warm_ms if self.warm_ms else float("inf")


def first_view(base_url: str, paths: list[str], reps: int = 20) -> FirstView:
    """Time ``paths[0]`` as the first HTML request after start, then ``paths[1:reps]`` once each,
    then ``paths[0]`` ``reps`` times; one keep-alive client, as a reader's browser."""
    headers = {"Accept": "text/html"}

    def get(session: requests.Session, path: str) -> float:
        started = time.perf_counter()
        response = session.get(base_url + path.lstrip("/"), headers=headers, timeout=600)
        took = time.perf_counter() - started
        if response.status_code != 200:
            raise RuntimeError(f"{path} answered {response.status_code}")
        return 1000 * took

    with requests.Session() as session:
        first = get(session, paths[0])
        unseen = [get(session, path) for path in paths[1:reps]] or [first]
        warm = [get(session, paths[0]) for _ in range(reps)]
    return FirstView(first, statistics.median(unseen), statistics.median(warm))
