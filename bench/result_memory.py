"""Peak worker RSS for results just under `max_result_bytes`, sent, in every result format (issue 15).

Starts `claimgraph serve --production --workers 1` on the shipped data (the one worker runs every
query itself, as a production worker does on its long slot), then, for each result format, sends a
query whose result is just under the cap, each on a freshly started worker:
`SELECT * { ?a ?b ?c . ?d ?e ?f } LIMIT n` for the SELECT formats (JSON, XML, CSV, TSV) and a
CONSTRUCT over the same pattern for the RDF formats (Turtle, N-Triples, JSON-LD, RDF/XML, TriG,
N-Quads), n found from a calibration run of the same
query. The growth of the worker's peak RSS (VmHWM) over its RSS at rest is reported, as a multiple
of the cap (a fresh worker each time: memory an allocator keeps after one result would hide the
next one's).
`max_result_rows` stays at its default (100,000) unless `--max-result-rows` says otherwise: a SELECT
result near the cap is larger in bytes than that, so its rows are counted (parsed back) as for any
large result; a CONSTRUCT's triples are fewer bytes each, so the row cap stops it first (the engine
keeps every triple it sent, to drop duplicates: the row cap is what bounds that set). With
`--runaway`, one more query whose result is far over the cap
(stopped with a 400 at the cap). A script, never a test.

    .venv/bin/python bench/result_memory.py [--max-result-bytes 134217728] [--max-result-rows 100000]
        [--formats json,csv] [--runaway]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

BIN = Path(sys.executable).parent
PATTERN = "WHERE { ?a ?b ?c . ?d ?e ?f }"
SELECT = "SELECT * " + PATTERN
CONSTRUCT = "CONSTRUCT { ?a ?b ?f } " + PATTERN  # at most one triple per solution
FORMATS = {
    "json": (SELECT, "application/sparql-results+json"),
    "xml": (SELECT, "application/sparql-results+xml"),
    "csv": (SELECT, "text/csv"),
    "tsv": (SELECT, "text/tab-separated-values"),
    "turtle": (CONSTRUCT, "text/turtle"),
    "ntriples": (CONSTRUCT, "application/n-triples"),
    "jsonld": (CONSTRUCT, "application/ld+json"),
    "rdfxml": (CONSTRUCT, "application/rdf+xml"),
    "trig": (CONSTRUCT, "application/trig"),
    "nquads": (CONSTRUCT, "application/n-quads"),
}
CALIBRATION = 20_000
MIB = 1024 * 1024


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def status(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    return 0


def is_worker(pid: int) -> bool:
    """A gunicorn worker carries the server's command line (the master has other children too)."""
    try:
        return b"claimgraph" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def fresh_worker(base: str, server: int, old: int | None) -> int:
    """End gunicorn's worker ``old`` (if any) and return the one the master starts instead, ready."""
    if old is not None:
        with contextlib.suppress(ProcessLookupError):  # ended already (at a time limit)
            os.kill(old, signal.SIGTERM)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        children = [
            int(pid)
            for pid in subprocess.run(
                ["pgrep", "-P", str(server)], capture_output=True, text=True, check=False
            ).stdout.split()
        ]
        fresh = [pid for pid in children if pid != old and is_worker(pid)]
        if fresh:
            try:
                if requests.get(base + "health", timeout=5).ok:
                    time.sleep(0.5)
                    return fresh[0]
            except requests.RequestException:
                pass
        time.sleep(0.3)
    raise RuntimeError("no fresh worker")


def post(base: str, query: str, accept: str) -> requests.Response:
    return requests.post(base + "sparql", data={"query": query}, timeout=300, headers={"Accept": accept})


def measure(base: str, worker: int, query: str, accept: str) -> tuple[int, int, int, int, float]:
    """(status, body bytes, RSS before, peak RSS during, seconds) for one query."""
    before = status(worker, "VmRSS")
    started = time.monotonic()
    answer = post(base, query, accept)
    took = time.monotonic() - started
    return answer.status_code, len(answer.content), before, status(worker, "VmHWM"), took


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--max-result-bytes", type=int, default=128 * MIB)
    parser.add_argument(
        "--formats", default=",".join(FORMATS), help="comma-separated, of: " + ", ".join(FORMATS)
    )
    parser.add_argument("--max-result-rows", type=int, default=100_000)
    parser.add_argument("--runaway", action="store_true", help="also a result far over the cap (JSON)")
    args = parser.parse_args()
    cap = args.max_result_bytes
    folder = Path(tempfile.mkdtemp(prefix="claimgraph-memory-"))
    port = free_port()
    env = {
        **os.environ,
        "CLAIMGRAPH_MAX_RESULT_BYTES": str(cap),
        "CLAIMGRAPH_MAX_RESULT_ROWS": str(args.max_result_rows),
        "CLAIMGRAPH_QUERY_TIMEOUT": "25",
        "CLAIMGRAPH_QUERY_CACHE_BYTES": "0",
        "CLAIMGRAPH_CLIENT_QUERY_SECONDS": "1000000",  # one client sends every query here
        "CLAIMGRAPH_LIGHT_CLIENT_SECONDS": "1000000",
    }
    command = [str(BIN / "claimgraph"), "serve", "--production", "--workers", "1", "--port", str(port)]
    command += ["--store", str(folder / "store")]
    server = subprocess.Popen(command, env=env, stdout=(folder / "log").open("wb"), stderr=subprocess.STDOUT)
    rows = []
    try:
        base = f"http://127.0.0.1:{port}/"
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            try:
                if requests.get(base + "health", timeout=2).ok:
                    break
            except requests.RequestException:
                time.sleep(0.3)
        worker = fresh_worker(base, server.pid, None)
        print(f"worker {worker}: {status(worker, 'VmRSS') / MIB:.0f} MiB at rest; cap {cap / MIB:.0f} MiB")
        for name in args.formats.split(","):
            query, accept = FORMATS[name]
            calibration = post(base, f"{query} LIMIT {CALIBRATION}", accept)
            if calibration.status_code != 200:
                print(f"{name}: calibration answered {calibration.status_code}: {calibration.text[:200]}")
                continue
            limit = min(int(CALIBRATION * 0.97 * cap / len(calibration.content)), args.max_result_rows)
            for _ in range(6):
                worker = fresh_worker(base, server.pid, worker)
                code, size, before, peak, took = measure(base, worker, f"{query} LIMIT {limit}", accept)
                if code != 400:  # 400: over the cap, try a smaller LIMIT; anything else is the answer
                    break
                limit = int(limit * 0.95)
            rows.append((name, limit, code, size, before, peak, took))
            print(row_text(rows[-1], cap), flush=True)
        if args.runaway:
            worker = fresh_worker(base, server.pid, worker)
            code, size, before, peak, took = measure(base, worker, SELECT, FORMATS["json"][1])
            rows.append(("json, far over the cap", 0, code, size, before, peak, took))
            print(row_text(rows[-1], cap), flush=True)
    finally:
        server.terminate()
        server.wait(timeout=30)
    print()
    print("| format | LIMIT | status | result MiB | of the cap | RSS before MiB | peak MiB | peak - before |")
    print("|---|--:|--:|--:|--:|--:|--:|--:|")
    for row in rows:
        print(row_text(row, cap))
    worst = max(((peak - before) / cap for *_, before, peak, _ in rows), default=float("nan"))
    print(f"\nworst: peak growth {worst:.2f}x max_result_bytes ({cap / MIB:.0f} MiB)")
    return 0


def row_text(row: tuple[str, int, int, int, int, int, float], cap: int) -> str:
    name, limit, code, size, before, peak, took = row
    return (
        f"| {name} | {limit} | {code} | {size / MIB:.1f} | {size / cap:.2f} | {before / MIB:.0f} |"
        f" {peak / MIB:.0f} | +{(peak - before) / MIB:.0f} MiB = {(peak - before) / cap:.2f}x the cap"
        f" ({took:.1f} s) |"
    )


if __name__ == "__main__":
    sys.exit(main())
