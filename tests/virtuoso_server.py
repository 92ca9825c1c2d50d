"""Virtuoso Open Source 7.2 (Debian's `virtuoso-t`, `make virtuoso-deps`) for the tests: its own
database and virtuoso.ini in a temporary folder, its SQL and HTTP ports free loopback ports, its own
time limit and result limit. The Debian package's system service is never used.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests
from claimgraph.store.sparql import Endpoint
from claimgraph.store.virtuoso_bulk import VirtuosoBulk
from live_server import free_port

VIRTUOSO = shutil.which("virtuoso-t")
#: The dba account of a fresh database (a test database on loopback; an operator sets its own).
USER, PASSWORD = "dba", "dba"
#: The engine's own limits in the tests: seconds a query may run, rows a result may hold.
QUERY_SECONDS = 20
RESULT_ROWS = 100_000

INI = """\
[Database]
DatabaseFile = {folder}/virtuoso.db
ErrorLogFile = {folder}/virtuoso.log
LockFile = {folder}/virtuoso.lck
TransactionFile = {folder}/virtuoso.trx
xa_persistent_file = {folder}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {folder}/virtuoso-temp.db
TransactionFile = {folder}/virtuoso-temp.trx
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
MaxClientConnections = 10
CheckpointInterval = 60
CaseMode = 2
DirsAllowed = ., {folder}
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
ThreadsPerQuery = 2

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {folder}/www
MaxClientConnections = 10
ServerThreads = 10
Charset = UTF-8

[SPARQL]
ResultSetMaxRows = {rows}
MaxQueryExecutionTime = {seconds}
MaxQueryCostEstimationTime = {seconds}
"""


def virtuoso_endpoint(base: str, timeout: float = 30, bulk: VirtuosoBulk | None = None) -> Endpoint:
    """The `sparql` backend's endpoint for the Virtuoso at ``base``: public queries on /sparql,
    updates on /sparql-auth and loads on /sparql-graph-crud-auth, both with Digest auth (and an
    initial load by the engine's bulk loader, given ``bulk``); each query carries its time limit as
    Virtuoso's `timeout` (the README's settings)."""
    return Endpoint(
        f"{base}/sparql",
        f"{base}/sparql-auth",
        f"{base}/sparql-graph-crud-auth",
        USER,
        PASSWORD,
        timeout,
        auth="digest",
        load="graphs",
        bulk=bulk,
        time_parameter="timeout",
    )


def sql_address(folder: Path) -> str:
    """The SQL port (``host:port``) of the Virtuoso virtuoso_server started in ``folder``."""
    parameters = re.search(r"\[Parameters\]\nServerPort = (\S+)", (folder / "virtuoso.ini").read_text())
    assert parameters, f"no SQL port in {folder / 'virtuoso.ini'}"
    return parameters.group(1)


def virtuoso_bulk(folder: Path) -> VirtuosoBulk:
    """The bulk loader of the Virtuoso started in ``folder``: its SQL port, and that folder (in its
    DirsAllowed) for the loader's file."""
    return VirtuosoBulk(sql_address(folder), folder, USER, PASSWORD)


def virtuoso_settings(base: str, folder: Path | None = None) -> dict[str, str]:
    """The same endpoint as CLAIMGRAPH_* settings (the README's Virtuoso example); with the bulk
    loader when given the ``folder`` the engine was started in."""
    settings = {
        "store_backend": "sparql",
        "sparql_query_url": f"{base}/sparql",
        "sparql_update_url": f"{base}/sparql-auth",
        "sparql_graph_store_url": f"{base}/sparql-graph-crud-auth",
        "sparql_user": USER,
        "sparql_password": PASSWORD,
        "sparql_auth": "digest",
        "sparql_load": "graphs",
        "sparql_time_parameter": "timeout",
    }
    if folder is not None:
        settings.update({"virtuoso_sql": sql_address(folder), "virtuoso_load_dir": str(folder)})
    return settings


@contextmanager
def virtuoso_server(folder: Path, *, seconds: int = QUERY_SECONDS, rows: int = RESULT_ROWS) -> Iterator[str]:
    """A fresh Virtuoso on free loopback ports with its data in ``folder``; yields its HTTP base URL."""
    if VIRTUOSO is None:
        raise RuntimeError("virtuoso-t is not installed: run `make virtuoso-deps`")
    http_port, sql_port = free_port(), free_port()
    (folder / "www").mkdir(exist_ok=True)
    ini = folder / "virtuoso.ini"
    ini.write_text(
        INI.format(folder=folder, sql_port=sql_port, http_port=http_port, rows=rows, seconds=seconds)
    )
    base = f"http://127.0.0.1:{http_port}"
    log = folder / "virtuoso.out"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [VIRTUOSO, "+configfile", str(ini), "+foreground"],
            cwd=folder,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 180  # a fresh database takes 20-30 s to create
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"virtuoso-t exited: {log.read_text(errors='replace')}")
            try:
                if requests.get(f"{base}/sparql", params={"query": "ASK {}"}, timeout=5).ok:
                    break
            except (requests.ConnectionError, requests.Timeout):
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"virtuoso-t did not answer within 180 s: {log.read_text(errors='replace')}"
                )
            time.sleep(0.5)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
