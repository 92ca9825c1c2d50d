"""Peak worker RSS for a result at the size cap, against `max_result_bytes` (issue 15, item 6).

Starts `claimgraph serve --production --workers 1` on the shipped data and sends one query whose JSON
result is far larger than the cap (`SELECT * { ?a ?b ?c . ?d ?e ?f }`, 4,555² rows), so the engine
writes until the cap stops it, or with `--limit N` one that stays under it and is sent; it reads
the worker's peak RSS (VmHWM) from /proc before and after.
A script, never a test.

    .venv/bin/python bench/result_memory.py [--max-result-bytes 134217728]
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

BIN = Path(sys.executable).parent
QUERY = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def status(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--max-result-bytes", type=int, default=134217728)
    parser.add_argument("--limit", type=int, default=None, help="LIMIT the query: a result under the cap")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="claimgraph-memory-"))
    port = free_port()
    env = {
        **os.environ,
        "CLAIMGRAPH_MAX_RESULT_BYTES": str(args.max_result_bytes),
        "CLAIMGRAPH_MAX_RESULT_ROWS": "100000000",
        "CLAIMGRAPH_QUERY_TIMEOUT": "25",
    }
    command = [str(BIN / "claimgraph"), "serve", "--production", "--workers", "1", "--port", str(port)]
    command += ["--store", str(folder / "store")]
    server = subprocess.Popen(command, env=env, stdout=(folder / "log").open("wb"), stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}/"
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if requests.get(base + "health", timeout=2).ok:
                    break
            except requests.RequestException:
                time.sleep(0.3)
        children = [int(pid) for pid in subprocess.check_output(["pgrep", "-P", str(server.pid)]).split()]
        worker = max(children, key=lambda pid: status(pid, "VmRSS"))  # gunicorn's worker, the largest
        before = status(worker, "VmHWM")
        started = time.monotonic()
        answer = requests.post(
            base + "sparql",
            data={"query": QUERY},
            timeout=120,
            headers={"Accept": "application/sparql-results+json"},
        )
        took = time.monotonic() - started
        after = status(worker, "VmHWM")
        mib = 1024 * 1024
        print(
            f"max_result_bytes: {args.max_result_bytes / mib:.0f} MiB; answer {answer.status_code}"
            f" ({len(answer.content) / mib:.1f} MiB) in {took:.1f} s: {answer.text[:120]!r}"
        )
        print(
            f"worker peak RSS: {before / mib:.0f} MiB before, {after / mib:.0f} MiB after"
            f" (+{(after - before) / mib:.0f} MiB, {(after - before) / args.max_result_bytes:.2f}x the cap)"
        )
    finally:
        server.terminate()
        server.wait(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
