"""What the buffering intake (service/claimgraph/limits/intake.py) costs a SPARQL point lookup.

Starts the production gunicorn command twice on the shipped data, once with gunicorn's stock sync
worker (`-k sync`) and once with the default worker class, and drives each with the same closed-loop
lookups (8 threads, new connection per request, as wrk does without keep-alive) for a fixed time,
alternating the two servers for a few rounds. A script, never a test: the numbers belong to the machine.

    .venv/bin/python bench/intake_cost.py [--seconds 5] [--rounds 3]
"""

from __future__ import annotations

import argparse
import http.client
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote

BIN = Path(sys.executable).parent
PATH = "/sparql?query=" + quote(
    "SELECT ?claim WHERE { GRAPH ?a { ?f schema:value 73197 } ?claim cg:assertion ?a }"
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def lookup(port: int) -> bool:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", PATH)
        response = connection.getresponse()
        response.read()
        return response.status == 200
    except OSError:
        return False
    finally:
        connection.close()


def drive(port: int, seconds: float, threads: int = 8) -> float:
    done = [0] * threads
    stop = time.monotonic() + seconds

    def loop(index: int) -> None:
        while time.monotonic() < stop:
            done[index] += lookup(port)

    workers = [threading.Thread(target=loop, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return sum(done) / seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="claimgraph-intake-"))
    subprocess.run([str(BIN / "claimgraph"), "build-store", str(folder / "store")], check=True)
    servers = {}
    for name, extra in (("stock sync", ["-k", "sync"]), ("buffering (default)", [])):
        port = free_port()
        env = {
            **os.environ,
            "CLAIMGRAPH_STORE_PATH": str(folder / "store"),
            "CLAIMGRAPH_STORE_READ_ONLY": "true",
            "CLAIMGRAPH_CLIENT_MAX_QUERIES": "1000",
        }
        command = [str(BIN / "gunicorn"), "-c", "python:claimgraph.gunicorn_conf", "--workers", "2", *extra]
        command += ["--bind", f"127.0.0.1:{port}", "claimgraph:create_app()"]
        log = (folder / f"{port}.log").open("wb")
        servers[name] = (port, subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT))
    try:
        for port, _ in servers.values():
            deadline = time.monotonic() + 60
            while not lookup(port) and time.monotonic() < deadline:
                time.sleep(0.2)
        results: dict[str, list[float]] = {name: [] for name in servers}
        for _ in range(args.rounds):
            for name, (port, _) in servers.items():
                results[name].append(drive(port, args.seconds))
        for name, rates in results.items():
            runs = ", ".join(f"{rate:,.0f}" for rate in rates)
            print(f"{name}: median {statistics.median(rates):,.0f} lookups/s ({runs})")
    finally:
        for _, process in servers.values():
            process.terminate()
            process.wait(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
