"""`claimgraph serve --production` (service/claimgraph/production.py): the production server from one
command, whose workers read whole requests before dispatch (limits/intake.py) and admit public queries
by fair use (limits/fairuse.py). Clients on other loopback addresses (127.0.0.2 and up) are other clients."""

from __future__ import annotations

import http.client
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from live_server import SERVER_PIDS, children, production_serve, slow_query

pytestmark = pytest.mark.integration

LOOKUP = "SELECT ?s WHERE { ?s ?p ?o } LIMIT 1"


FOLDERS: dict[str, Path] = {}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("production")
    settings = {"query_timeout": 2, "request_read_timeout": 30, "client_query_seconds": 4}
    with production_serve(folder, workers=2, **settings) as base:
        FOLDERS[base] = folder
        yield base


def port_of(base: str) -> int:
    return int(base.rstrip("/").rsplit(":", 1)[1])


def ask(
    base: str, query: str, source: str = "127.0.0.1", timeout: float = 20
) -> tuple[int, dict[str, str], str]:
    """GET /sparql from the loopback address ``source``: status, headers, body."""
    connection = http.client.HTTPConnection(
        "127.0.0.1", port_of(base), timeout=timeout, source_address=(source, 0)
    )
    try:
        connection.request(
            "GET", "/sparql?query=" + quote(query), headers={"Accept": "application/sparql-results+json"}
        )
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read().decode()
    finally:
        connection.close()


def test_the_production_command_runs_gunicorn_with_the_buffering_workers(server: str):
    status, _, body = ask(server, LOOKUP)
    assert status == 200
    assert '"bindings"' in body
    assert len(children(SERVER_PIDS[server])) == 2
    log = FOLDERS[server] / "production.log"
    assert "Using worker: claimgraph.limits.intake.BufferedSyncWorker" in log.read_text()


def test_connections_that_send_nothing_whole_hold_no_worker(server: str):
    port = port_of(server)
    held = []
    for _ in range(40):  # slowloris: a request line and then nothing, from another client
        sock = socket.create_connection(("127.0.0.1", port), source_address=("127.0.0.2", 0))
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n")
        held.append(sock)
    short = socket.create_connection(("127.0.0.1", port), source_address=("127.0.0.3", 0))
    short.sendall(
        b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
        b"Content-Length: 1000\r\n\r\nASK {}"
    )  # a Content-Length larger than the body
    tls = socket.create_connection(("127.0.0.1", port), source_address=("127.0.0.4", 0))
    tls.sendall(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03")  # a TLS ClientHello on the plain port
    tls.settimeout(5)
    assert tls.recv(100).startswith(b"HTTP/1.1 400 Bad Request")
    try:
        # with sync workers that read as they go, 2 of these connections held both workers for 30 s
        answers = [ask(server, LOOKUP, timeout=5)[0] for _ in range(10)]
        assert answers == [200] * 10
    finally:
        for sock in [*held, short, tls]:
            sock.close()


def test_a_client_past_its_budget_gets_429_while_another_clients_lookups_answer(server: str):
    abuser: list[tuple[int, dict[str, str]]] = []
    stop = threading.Event()

    def loop() -> None:
        while not stop.is_set():
            status, headers, _ = ask(server, slow_query(), source="127.0.0.5", timeout=30)
            abuser.append((status, headers))

    threads = [threading.Thread(target=loop) for _ in range(4)]
    for thread in threads:
        thread.start()
    try:
        time.sleep(0.5)
        lookups = []
        deadline = time.monotonic() + 8
        while time.monotonic() < deadline:
            lookups.append(ask(server, LOOKUP, timeout=10)[0])
            time.sleep(0.1)
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    assert lookups
    assert set(lookups) == {200}
    statuses = [status for status, _ in abuser]
    assert 429 in statuses, statuses
    assert set(statuses) <= {429, 503}, statuses
    assert all("Retry-After" in headers for status, headers in abuser if status == 429)


# -- an overloaded server answers heavy clients first, and at once --------------------------------------
def test_backlog_reads_how_many_connections_wait_to_be_accepted():
    from claimgraph.limits.intake import backlog

    listener = socket.create_server(("127.0.0.1", 0), backlog=16)
    clients = []
    try:
        assert backlog(listener) == 0
        clients = [socket.create_connection(listener.getsockname()) for _ in range(3)]
        deadline = time.monotonic() + 2
        while backlog(listener) < 3 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert backlog(listener) == 3
        listener.accept()[0].close()
        assert backlog(listener) == 2
    finally:
        for client in clients:
            client.close()
        listener.close()


def send(base: str, path: str, source: str) -> http.client.HTTPConnection:
    """A GET of ``path`` from ``source``, sent whole: the kernel holds it before this returns."""
    connection = http.client.HTTPConnection(
        "127.0.0.1", port_of(base), timeout=30, source_address=(source, 0)
    )
    connection.request("GET", path, headers={"Accept": "application/sparql-results+json"})
    return connection


def answer(connection: http.client.HTTPConnection, results: dict[str, object], name: str) -> None:
    try:
        response = connection.getresponse()
        results[name] = (response.status, response.getheader("Retry-After"), response.read().decode())
    finally:
        connection.close()


def accept_queue(base: str) -> int:
    """Connections waiting in the server's accept queue, as the kernel reports its listening socket
    (/proc/net/tcp: rx_queue of the LISTEN line), read from outside the server."""
    suffix = f":{port_of(base):04X}"
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[1].endswith(suffix) and fields[3] == "0A":
            return int(fields[4].split(":")[1], 16)
    return 0


def wait_for_queue(base: str, length: int, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while accept_queue(base) != length:
        assert time.monotonic() < deadline, f"the accept queue held {accept_queue(base)}, not {length}"
        time.sleep(0.01)


def test_an_overloaded_server_turns_heavy_clients_away_at_once_and_serves_light_ones(tmp_path):
    # Each step waits for the kernel's accept queue, not for a guessed delay, and query_timeout 3 keeps
    # the holder's query on the one worker long enough for both clients to queue on a slow machine.
    settings = {"query_timeout": 3, "light_client_seconds": 0.5, "overload_backlog": 1}
    with production_serve(tmp_path, workers=1, **settings) as base:
        heavy, busy, light = "127.0.0.2", "127.0.0.3", "127.0.0.4"
        assert ask(base, slow_query(), source=heavy)[0] == 503  # stopped at 3 s: charged 3 s > 0.5 s
        results: dict[str, object] = {}
        # Another client's slow query holds the one worker while the heavy and the light client queue.
        holder = send(base, "/sparql?query=" + quote(slow_query()), busy)
        wait_for_queue(base, 0)  # accepted: the worker runs it
        threads = [threading.Thread(target=answer, args=(holder, results, "busy"))]
        for name, source in (("heavy", heavy), ("light", light)):  # accept() is FIFO: heavy first
            queued = send(base, "/health", source)
            threads.append(threading.Thread(target=answer, args=(queued, results, name)))
            wait_for_queue(base, len(threads) - 1)
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    assert results["busy"][0] == 503  # type: ignore[index]
    status, retry_after, body = results["heavy"]  # type: ignore[misc]
    assert status == 503
    assert int(retry_after) >= 1
    assert "overloaded" in body
    assert "light_client_seconds" in body
    assert results["light"][0] == 200  # type: ignore[index]


def test_workers_end_cleanly_when_the_server_is_stopped(tmp_path):
    """SIGTERM to the master: every worker exits by itself, none crashes or outlives it. (A master that
    had opened the RocksDB store before forking left workers that crashed with SIGSEGV or SIGABRT on
    exit, or hung in a futex for good, orphaned, holding the listening socket.)"""
    with production_serve(tmp_path, workers=2) as base:
        assert page(base, "/claims") == 200
        assert ask(base, LOOKUP)[0] == 200
        workers = children(SERVER_PIDS[base])
        assert len(workers) == 2
    deadline = time.monotonic() + 10
    while any(Path(f"/proc/{pid}").exists() and not _zombie(pid) for pid in workers):
        assert time.monotonic() < deadline, "a worker outlived its master"
        time.sleep(0.1)
    log = (tmp_path / "production.log").read_text()
    assert "Worker exiting" in log
    assert "was sent" not in log, log[-2000:]  # gunicorn's "Worker (pid:N) was sent SIGSEGV!"
    assert "terminate called" not in log


def page(base: str, path: str) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port_of(base), timeout=20)
    try:
        connection.request("GET", path, headers={"Accept": "text/html"})
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return False
