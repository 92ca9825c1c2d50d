"""Real server processes for the protocol tests: `claimgraph serve` or gunicorn on a free loopback port.

The server opens, read-only, an on-disk store the test built from its own small
dataset (tests/data/protocol.trig), resolved against the server's base IRI so
relative IRIs in queries work. It answers on 127.0.0.1 only.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pyoxigraph as ox
import requests
from claimgraph.build.sources import read_sources
from claimgraph.settings import Settings
from claimgraph.store.oxigraph import OxigraphStore
from claimgraph.store.sparql import SparqlStore
from claimgraph.store.sparql_http import Endpoint

PROTOCOL_DATA = Path(__file__).resolve().parent / "data" / "protocol.trig"
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def protocol_nquads(base: str) -> bytes:
    """tests/data/protocol.trig with its relative IRIs resolved against ``base``, as N-Quads."""
    quads = ox.parse(path=str(PROTOCOL_DATA), format=ox.RdfFormat.TRIG, base_iri=base)
    return ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b""


#: The data version of the bundled data/, which a read-only server checks its store against.
def data_version() -> str:
    return read_sources(None).fingerprint


def served_nquads(base: str) -> bytes:
    """The protocol dataset as a server's store holds it: its version stands in for the bundled
    data's (a read-only server refuses a store of another data version)."""
    return protocol_nquads(base).replace(b'"protocol-test-1"', f'"{data_version()}"'.encode())


def build_store(path: Path, nquads: bytes) -> None:
    store = OxigraphStore(str(path))
    try:
        store.replace_all(nquads)
    finally:
        store.close()


#: The pid of the process started for each base URL (for `serve --production`, gunicorn's master).
SERVER_PIDS: dict[str, int] = {}


@contextmanager
def running(command: list[str], env: Mapping[str, str], port: int, log: Path) -> Iterator[str]:
    """Start ``command``, wait until /health answers, yield the base URL, then stop it."""
    base = f"http://127.0.0.1:{port}/"
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, env={**os.environ, **env}, stdout=out, stderr=subprocess.STDOUT, cwd=log.parent
        )
    SERVER_PIDS[base] = process.pid
    try:
        _wait_for_health(process, base, log)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_for_health(process: subprocess.Popen[bytes], base: str, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}:\n{log.read_text()}")
        try:
            if requests.get(base + "health", timeout=5).status_code == 200:
                return
        # Not up yet: refused, or (workers still starting on a loaded machine) slow to answer.
        except (requests.ConnectionError, requests.Timeout):
            pass
        time.sleep(0.1)
    raise RuntimeError(f"the server did not answer /health within 60 s:\n{log.read_text()}")


def server_env(store: Path, port: int, **settings: object) -> dict[str, str]:
    """CLAIMGRAPH_* variables for a server on ``port`` reading ``store`` read-only."""
    env = {
        "CLAIMGRAPH_STORE_PATH": str(store),
        "CLAIMGRAPH_STORE_READ_ONLY": "true",
        "CLAIMGRAPH_BASE_IRI": f"http://127.0.0.1:{port}/",
        "CLAIMGRAPH_PORT": str(port),
    }
    env.update({f"CLAIMGRAPH_{name.upper()}": str(value) for name, value in settings.items()})
    return env


@contextmanager
def claimgraph_serve(folder: Path, **settings: object) -> Iterator[str]:
    """`claimgraph serve` on the protocol dataset; ``settings`` become CLAIMGRAPH_* variables."""
    port = free_port()
    store = folder / "store"
    build_store(store, served_nquads(f"http://127.0.0.1:{port}/"))
    command = [str(BIN / "claimgraph"), "serve", "--port", str(port)]
    with running(command, server_env(store, port, **settings), port, folder / "serve.log") as base:
        yield base


#: The gunicorn master's pid file, by the base URL gunicorn_serve yielded.
_GUNICORN_PIDS: dict[str, Path] = {}


@contextmanager
def gunicorn_serve(folder: Path, workers: int = 2, **settings: object) -> Iterator[str]:
    """The README's production command: gunicorn with claimgraph's gunicorn settings, sync workers
    each opening the store read-only."""
    port = free_port()
    store = folder / "store"
    build_store(store, served_nquads(f"http://127.0.0.1:{port}/"))
    command = [
        str(BIN / "gunicorn"),
        "--config",
        "python:claimgraph.gunicorn_conf",
        "--workers",
        str(workers),
        "--bind",
        f"127.0.0.1:{port}",
        "--pid",
        str(folder / "gunicorn.pid"),
        "claimgraph:create_app()",
    ]
    with running(command, server_env(store, port, **settings), port, folder / "gunicorn.log") as base:
        _GUNICORN_PIDS[base] = folder / "gunicorn.pid"
        try:
            yield base
        finally:
            del _GUNICORN_PIDS[base]


@contextmanager
def production_serve(folder: Path, workers: int = 2, **settings: object) -> Iterator[str]:
    """`claimgraph serve --production`, the one production command, on the protocol dataset."""
    port = free_port()
    store = folder / "store"
    build_store(store, served_nquads(f"http://127.0.0.1:{port}/"))
    command = [
        str(BIN / "claimgraph"),
        "serve",
        "--production",
        "--workers",
        str(workers),
        "--port",
        str(port),
    ]
    with running(command, server_env(store, port, **settings), port, folder / "production.log") as base:
        yield base


def gunicorn_workers(base: str) -> list[int]:
    """The pids of the workers of the gunicorn serving ``base``, and of no other process."""
    return children(int(_GUNICORN_PIDS[base].read_text()))


def children(pid: int) -> list[int]:
    """The pids of ``pid``'s live child processes, from /proc."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone meanwhile
        if int(fields[1]) == pid and fields[0] != "Z":
            found.append(int(stat.parent.name))
    return sorted(found)


def slow_query(patterns: int = 8) -> str:
    """A cross product of every triple with itself ``patterns`` times: 20**8 rows, minutes of work."""
    body = " . ".join(f"?s{n} ?p{n} ?o{n}" for n in range(patterns))
    return f"SELECT (COUNT(*) AS ?n) WHERE {{ {body} }}"


@contextmanager
def oxigraph_server(folder: Path, *options: str) -> Iterator[str]:
    """An Oxigraph server (the `oxigraph` command of the test extra) on a free loopback port, its data
    in ``folder``; yields its base URL (``…/query``, ``…/update``, ``…/store``)."""
    with oxigraph_process(folder, *options) as (base, _):
        yield base


@contextmanager
def oxigraph_process(folder: Path, *options: str) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """``oxigraph_server``, yielding its process too (bench/remote_http.py watches its memory)."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = folder / "oxigraph.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                str(BIN / "oxigraph"),
                "serve",
                "--location",
                str(folder / "data"),
                "--bind",
                f"127.0.0.1:{port}",
                *options,
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"oxigraph serve exited: {log.read_text(errors='replace')}")
            try:
                requests.get(f"{base}/query", params={"query": "ASK {}"}, timeout=2)
                break
            except requests.ConnectionError:
                if time.monotonic() > deadline:
                    raise RuntimeError("oxigraph serve did not start within 30 s") from None
                time.sleep(0.1)
        yield base, process
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def oxigraph_graph_store(server: str) -> str:
    """The Graph Store address the README gives for an Oxigraph server: ``?no_transaction`` has it
    write each request through its bulk loader (1M: 28-34 s against 66 s), which is safe for every
    write the backend makes (staged graphs are unseen until the switch; an initial load is read by
    nobody while its mark is there)."""
    return f"{server}/store?no_transaction"


def sparql_settings(server: str) -> dict[str, str]:
    """The settings of the `sparql` backend over the Oxigraph server at ``server`` (the README's)."""
    return {
        "store_backend": "sparql",
        "sparql_query_url": f"{server}/query",
        "sparql_update_url": f"{server}/update",
        "sparql_graph_store_url": oxigraph_graph_store(server),
        "sparql_load_stream": "true",
    }


#: What EmptyEngine answers every query with: SPARQL JSON results without a row.
NO_ROWS = b'{"head": {"vars": ["s"]}, "results": {"bindings": []}}'


class EmptyEngine(BaseHTTPRequestHandler):
    """A SPARQL endpoint with no data: each POSTed form is handed to ``heard`` (which a test's
    engine overrides: to wait, to record), then answered with no rows."""

    def heard(self, form: dict[str, list[str]]) -> None:
        pass

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.heard(urllib.parse.parse_qs(body.decode()))
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(NO_ROWS)))
        self.end_headers()
        self.wfile.write(NO_ROWS)

    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def fake_engine(handler: type[EmptyEngine]) -> Iterator[str]:
    """``handler`` served on a free loopback port, in a thread; yields its /sparql URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/sparql"
    finally:
        server.shutdown()


def endpoint(**given: object) -> Endpoint:
    """The remote store's endpoint as the `sparql` backend's settings ``given`` make it (no engine)."""
    settings = Settings.from_mapping(
        {"base_iri": "http://e/", "store_backend": "sparql", "sparql_query_url": "http://e/q", **given},
        environ={},
    )
    return SparqlStore.from_settings(settings).endpoint
