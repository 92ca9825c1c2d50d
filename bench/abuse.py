"""`make abuse`: the attacks of issue 15 against the production server, beside a steady normal probe.

Loopback only, a fixed duration per attack, stops by itself (a few minutes in all). It starts
`claimgraph serve --production` (4 workers) on a free 127.0.0.1 port with an on-disk store of the
shipped data (built first, in a temporary folder) and the default limits. A probe (127.0.0.1, a process of
its own) sends one SPARQL point lookup every 0.5 s throughout, each text new so no cache answers it.
Each attack runs for its own window from other loopback
addresses (127.N.0.x, one block per attack, so each attack's clients are new to the server):

- slow-query loops (a 3-way cross-product COUNT) from 1, 8 and 64 connections of one client;
- 200 slowloris connections (a header line every 5 s, reconnecting when closed) from 4 clients;
- parser bombs: a 30 KB `FILTER(1+1+...)` query with a screened word, and `ASK { FILTER(!!...!true) }`
  with 10,000 `!`, in loops from 4 connections of one client;
- a mixed load at 8, 32 and 128 connections, each its own client, 10% of whose requests are the slow
  query and the rest normal (lookups, claim pages, the claim list API, example queries).

It reports, per attack, the probe's p50/p99/max, answers over 1 s and timeouts (no answer within 5 s),
the attackers' answers by status, the workers that ended: at a time limit (exit 75, the watchdog)
or otherwise (crashes), how long /health took to answer within 100 ms once the attack stopped, and
the processor time of the server's processes and of the attackers; `uptime` before and after each.
Targets (issue 15): probe p99 <= 1 s, 0 timeouts and no probe answer but 200, the abusers get 429s
or 503s, 0 crashes.

    .venv/bin/python bench/abuse.py [--seconds 12] [--only slow-1,mixed-128]
"""

from __future__ import annotations

import argparse
import collections
import http.client
import multiprocessing
import multiprocessing.connection
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
LOOKUP = "SELECT ?claim WHERE { GRAPH ?a { ?f schema:value 73197 } ?claim cg:assertion ?a }"
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
PLUS_BOMB = "# from\nASK { FILTER(" + "+".join(["1"] * 15000) + " = 2) }"
NOT_BOMB = "ASK { FILTER(" + "!" * 10000 + "true) }"
NORMAL = [
    ("GET", "/sparql?query=" + quote(LOOKUP)),
    ("GET", "/claims/c013"),
    ("GET", "/api/claims?kind=statistic"),
    ("GET", "/sparql?query=" + quote("SELECT ?c ?q WHERE { ?c a schema:Claim ; schema:text ?q } LIMIT 20")),
    ("GET", "/health"),
]
PROBE_EVERY = 0.5
PROBE_TIMEOUT = 5.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def request(port: int, method: str, path: str, source: str, timeout: float, body: bytes | None = None) -> int:
    """One request from ``source``; its status, or 0 for no answer (refused, reset, timeout)."""
    return exchange(port, method, path, source, timeout, body)[0]


def exchange(
    port: int, method: str, path: str, source: str, timeout: float, body: bytes | None = None
) -> tuple[int, str]:
    """One request from ``source``: its status (0 for no answer: refused, reset, timeout) and the
    start of what came back (the answer's body, or the error), so a miss can say why."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout, source_address=(source, 0))
    headers = {"Accept": "application/sparql-results+json, text/html;q=0.9, */*;q=0.1"}
    if body is not None:
        headers["Content-Type"] = "application/sparql-query"
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        answer = response.read()
        return response.status, answer[:200].decode("utf-8", "replace")
    except (OSError, http.client.HTTPException) as error:
        return 0, f"{type(error).__name__}: {error}"
    finally:
        connection.close()


def probe_process(port: int, seconds: float, out: multiprocessing.connection.Connection) -> None:
    """The probe, in a process of its own (so its timings are the server's, not the attackers'
    threads' contention for this interpreter's GIL): one lookup every PROBE_EVERY s for ``seconds``,
    each text new (a comment with a counter), so no cache answers it. Sends (sent, took, status,
    the start of any answer but a 200)."""
    samples = []
    stop = time.monotonic() + seconds
    number = 0
    while time.monotonic() < stop:
        sent = time.monotonic()
        number += 1
        path = "/sparql?query=" + quote(f"# probe {os.getpid()}-{number}\n{LOOKUP}")
        status, answer = exchange(port, "GET", path, "127.0.0.1", PROBE_TIMEOUT)
        samples.append((sent, time.monotonic() - sent, status, "" if status == 200 else answer))
        time.sleep(max(0.0, PROBE_EVERY - (time.monotonic() - sent)))
    out.send(samples)
    out.close()


@dataclass
class Attack:
    name: str
    run: object  # (port, block, stop, statuses) -> None, started in threads by `threads`
    threads: int


def slow_loop(
    port: int, block: int, index: int, stop: threading.Event, statuses: collections.Counter
) -> None:
    while not stop.is_set():
        statuses[request(port, "POST", "/sparql", f"127.{block}.0.2", 30, SLOW.encode())] += 1


def bomb_loop(
    port: int, block: int, index: int, stop: threading.Event, statuses: collections.Counter
) -> None:
    query = PLUS_BOMB if index % 2 == 0 else NOT_BOMB
    while not stop.is_set():
        statuses[request(port, "POST", "/sparql", f"127.{block}.0.2", 60, query.encode())] += 1


def slowloris(
    port: int, block: int, index: int, stop: threading.Event, statuses: collections.Counter
) -> None:
    source = f"127.{block}.0.{2 + index % 4}"
    while not stop.is_set():
        try:
            sock = socket.create_connection(("127.0.0.1", port), timeout=10, source_address=(source, 0))
        except OSError:
            statuses["refused"] += 1
            stop.wait(1)
            continue
        try:
            sock.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            statuses["opened"] += 1
            while not stop.wait(5):
                sock.sendall(b"X-Padding: " + str(random.random()).encode() + b"\r\n")
        except OSError:
            statuses["closed by server"] += 1
        finally:
            sock.close()


def mixed(port: int, block: int, index: int, stop: threading.Event, statuses: collections.Counter) -> None:
    source = f"127.{block}.{index // 250}.{2 + index % 250}"
    rng = random.Random(index)
    while not stop.is_set():
        if rng.random() < 0.1:
            statuses["slow:" + str(request(port, "POST", "/sparql", source, 30, SLOW.encode()))] += 1
        else:
            method, path = rng.choice(NORMAL)
            statuses["normal:" + str(request(port, method, path, source, 30))] += 1


ATTACKS = {
    "slow-1": (slow_loop, 1),
    "slow-8": (slow_loop, 8),
    "slow-64": (slow_loop, 64),
    "slowloris-200": (slowloris, 200),
    "mixed-8": (mixed, 8),
    "mixed-32": (mixed, 32),
    "mixed-128": (mixed, 128),
    "parser-bombs": (bomb_loop, 4),
}


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else float("nan")


def worker_exits(log: Path) -> tuple[int, int]:
    """Workers ended by the watchdog (exit 75), and every other worker death, from gunicorn's log."""
    text = log.read_text(errors="replace")
    watchdog = len(re.findall(r"Worker \(pid:\d+\) exited with code 75", text))
    others = len(re.findall(r"Worker \(pid:\d+\) (?:exited with code (?!75\b)\d+|was sent)", text))
    return watchdog, others


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=12.0, help="length of each attack (default 12)")
    parser.add_argument("--only", default=None, help="comma-separated attacks to run (default: all)")
    parser.add_argument(
        "--workers", type=int, default=4, help="gunicorn workers (default 4, as serve --production)"
    )
    args = parser.parse_args()
    chosen = args.only.split(",") if args.only else list(ATTACKS)
    unknown = set(chosen) - set(ATTACKS)
    if unknown:
        parser.error(f"unknown attacks {sorted(unknown)}; known: {', '.join(ATTACKS)}")
    folder = Path(tempfile.mkdtemp(prefix="claimgraph-abuse-"))
    port = free_port()
    log = folder / "server.log"
    env = {**os.environ, "CLAIMGRAPH_BASE_IRI": f"http://127.0.0.1:{port}/"}
    command = [str(BIN / "claimgraph"), "serve", "--production", "--workers", str(args.workers)]
    command += ["--host", "127.0.0.1", "--port", str(port), "--store", str(folder / "store")]
    with log.open("wb") as out:
        server = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=folder)
    rows = []
    try:
        deadline = time.monotonic() + 120
        while request(port, "GET", "/health", "127.0.0.1", 2) != 200:
            if server.poll() is not None or time.monotonic() > deadline:
                print(log.read_text(), file=sys.stderr)
                return 1
            time.sleep(0.2)
        print(f"server: {' '.join(command[1:])} (pid {server.pid}); log {log}", flush=True)
        for block, name in enumerate(chosen, start=1):
            settle(port)
            print(f"{name}: before: {uptime()}", flush=True)
            rows.append(run_attack(name, block, port, args.seconds, log, server.pid))
            print(format_row(rows[-1]), flush=True)
            for miss in rows[-1]["misses"]:  # type: ignore[attr-defined]
                print(f"  probe at {miss}", flush=True)
            print(f"{name}: after: {uptime()}", flush=True)
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    print()
    print(report(rows, args))
    return 0


def recovery(port: int, limit: float = 40.0) -> float:
    """Seconds from the attack's end (the attackers stop sending; what they sent is still answered)
    until /health answers within 100 ms (from the probe's address), at most ``limit``."""
    started = time.monotonic()
    while time.monotonic() - started < limit:
        sent = time.monotonic()
        if request(port, "GET", "/health", "127.0.0.1", 5) == 200 and time.monotonic() - sent < 0.1:
            return sent - started
        time.sleep(0.05)
    return limit


def settle(port: int, limit: float = 40.0) -> None:
    """Wait (at most ``limit`` s) until the server has finished the last attack's work: three lookups
    in a row answered within 100 ms."""
    deadline, good = time.monotonic() + limit, 0
    path = "/sparql?query=" + quote(LOOKUP)
    while good < 3 and time.monotonic() < deadline:
        started = time.monotonic()
        status = request(port, "GET", path, "127.0.0.1", 5)
        good = good + 1 if status == 200 and time.monotonic() - started < 0.1 else 0
        time.sleep(0.2)


def cpu_seconds(root: int) -> dict[str, float]:
    """CPU seconds (user + system) so far of the server's processes, by kind: the gunicorn master
    (with the workers it has reaped), its live workers, and the query processes below them."""
    tick = os.sysconf("SC_CLK_TCK")
    children: dict[int, list[int]] = collections.defaultdict(list)
    times: dict[int, tuple[float, float]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children[int(fields[1])].append(int(entry.name))
        times[int(entry.name)] = (
            (int(fields[11]) + int(fields[12])) / tick,
            (int(fields[13]) + int(fields[14])) / tick,
        )
    totals = {"master": 0.0, "workers": 0.0, "query processes": 0.0}
    if root not in times:
        return totals
    totals["master"] = sum(times[root])
    for worker in children[root]:
        totals["workers"] += sum(times.get(worker, (0.0, 0.0)))
        below = list(children[worker])
        while below:
            pid = below.pop()
            totals["query processes"] += times.get(pid, (0.0, 0.0))[0]
            below.extend(children[pid])
    return totals


def run_attack(name: str, block: int, port: int, seconds: float, log: Path, server: int) -> dict[str, object]:
    target, count = ATTACKS[name]
    before = worker_exits(log)
    receiver, sender = multiprocessing.Pipe(duplex=False)
    probe = multiprocessing.get_context("fork").Process(target=probe_process, args=(port, seconds, sender))
    stop = threading.Event()
    statuses: collections.Counter = collections.Counter()
    threads = [
        threading.Thread(target=target, args=(port, block, index, stop, statuses), daemon=True)
        for index in range(count)
    ]
    cpu_before, own_before = cpu_seconds(server), os.times()
    probe.start()
    for thread in threads:
        thread.start()
    samples = receiver.recv()
    probe.join()
    stop.set()
    cpu_after, own_after = cpu_seconds(server), os.times()
    health = recovery(port)
    for thread in threads:
        thread.join(timeout=35)
    time.sleep(2)  # the watchdog's exits are logged
    after = worker_exits(log)
    answered = [took for _, took, status, _ in samples if status]
    if os.environ.get("ABUSE_TRACE"):
        first = samples[0][0] if samples else 0.0
        with open(os.environ["ABUSE_TRACE"], "a") as trace:
            for sent, took, status, _ in samples:
                trace.write(f"{name} {sent - first:.2f} {took:.3f} {status}\n")
    cpu = {kind: cpu_after[kind] - cpu_before[kind] for kind in cpu_after}
    cpu["attackers"] = own_after.user + own_after.system - own_before.user - own_before.system
    return {
        "name": name,
        "probes": len(samples),
        "p50": percentile([t for _, t, _, _ in samples], 0.5),
        "p99": percentile([t for _, t, _, _ in samples], 0.99),
        "max": max((t for _, t, _, _ in samples), default=float("nan")),
        "over_1s": sum(1 for took in answered if took > 1),
        "timeouts": sum(1 for _, _, status, _ in samples if status == 0),
        "not_200": sum(1 for _, _, status, _ in samples if status not in (0, 200)),
        "misses": [
            f"{sent - samples[0][0]:.1f} s: {status} after {took:.2f} s: {' '.join(answer.split())[:160]}"
            for sent, took, status, answer in samples
            if status != 200
        ],
        "attackers": dict(sorted(statuses.items(), key=lambda item: -item[1])),
        "watchdog": after[0] - before[0],
        "crashes": after[1] - before[1],
        "cpu": cpu,
        "health": health,
    }


def format_row(row: dict[str, object]) -> str:
    attackers = ", ".join(f"{status}: {n}" for status, n in row["attackers"].items())  # type: ignore[union-attr]
    return (
        f"| {row['name']} | {row['probes']} | {row['p50'] * 1000:.0f} | {row['p99'] * 1000:.0f} |"  # type: ignore[operator]
        f" {row['max'] * 1000:.0f} | {row['over_1s']} | {row['timeouts']} | {row['not_200']} | {attackers} |"  # type: ignore[operator]
        f" {row['watchdog']} | {row['crashes']} | {row['health']:.1f} | {cpu_text(row['cpu'])} |"  # type: ignore[arg-type]
    )


def cpu_text(cpu: dict[str, float]) -> str:
    """CPU seconds over the attack: gunicorn workers / query processes / master / the attackers' process."""
    kinds = ("workers", "query processes", "master", "attackers")
    return " / ".join(f"{cpu.get(kind, 0.0):.1f}" for kind in kinds)


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()


def report(rows: list[dict[str, object]], args: argparse.Namespace) -> str:
    head = [
        f"`make abuse`: {args.workers} workers, {args.seconds:g} s per attack, probe every {PROBE_EVERY} s"
        f" (timeout {PROBE_TIMEOUT:g} s)",
        "",
        "| attack | probes | p50 ms | p99 ms | max ms | > 1 s | timeouts | probe non-200 | attackers' answers"
        " (status: count; 0 = no answer) | watchdog exits | crashes | /health < 100 ms after, s |"
        " CPU s: workers / query processes / master / attackers |",
        "|---|--:|--:|--:|--:|--:|--:|--:|---|--:|--:|--:|---|",
    ]
    body = [format_row(row) for row in rows]
    verdicts = []
    for row in rows:
        met = row["p99"] <= 1 and row["timeouts"] == 0 and row["crashes"] == 0 and row["not_200"] == 0  # type: ignore[operator]
        verdicts.append(f"- {row['name']}: {'MET' if met else 'MISSED'}")
        verdicts.extend(f"  - probe at {miss}" for miss in row["misses"])  # type: ignore[attr-defined]
    p99s = [row["p99"] for row in rows]
    summary = f"worst probe p99: {max(p99s) * 1000:.0f} ms" if p99s else ""  # type: ignore[type-var,operator]
    return "\n".join(
        [
            *head,
            *body,
            "",
            *verdicts,
            "",
            summary,
            f"median p50: {statistics.median([r['p50'] for r in rows]) * 1000:.0f} ms" if rows else "",
        ]
    )  # type: ignore[misc]


if __name__ == "__main__":
    sys.exit(main())
