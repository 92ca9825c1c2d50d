"""Virtuoso's bulk loader for an initial load (store/virtuoso_bulk.py): the data reaches the engine
as one file through ld_dir and rdf_loader_run, not a Graph Store request per graph; a loader that
fails leaves the engine as it was; the front end's settings (the README's) use it. Each test on a
fresh Virtuoso (virtuoso_server), its own folder in its DirsAllowed."""

from __future__ import annotations

import dataclasses
import itertools
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests
from claimgraph.errors import StoreUnavailable
from claimgraph.store import sparql_content, sparql_load
from claimgraph.store import virtuoso_bulk as virtuoso_bulk_module
from claimgraph.store.sparql import SparqlStore
from claimgraph.store.sparql_load import GENERATION, META, SWITCHING
from live_server import BIN, free_port, protocol_nquads, running
from virtuoso_server import (
    PASSWORD,
    USER,
    VIRTUOSO,
    sql_address,
    virtuoso_bulk,
    virtuoso_endpoint,
    virtuoso_server,
    virtuoso_settings,
)

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(VIRTUOSO is None, reason="virtuoso-t is not installed (make virtuoso-deps)"),
]

BASE = "http://claimgraph.test/"
JSON = "application/sparql-results+json"
#: Quads of the protocol dataset in its named graphs (tests/data/protocol.trig).
PROTOCOL_QUADS = 20
COUNT_NAMED = (
    "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o }"
    ' FILTER(STRSTARTS(STR(?g), "http://claimgraph.test/")) }'
)


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A fresh Virtuoso: its base URL and its folder."""
    with virtuoso_server(tmp_path) as base:
        yield base, tmp_path


def engine_rows(base: str, query: str) -> list[dict[str, str]]:
    answer = requests.post(f"{base}/sparql", data={"query": query}, headers={"Accept": JSON}, timeout=30)
    answer.raise_for_status()
    return [{k: v["value"] for k, v in row.items()} for row in answer.json()["results"]["bindings"]]


def ours(base: str) -> set[str]:
    """The graphs a load of ours wrote (not Virtuoso's own)."""
    rows = engine_rows(base, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
    return {row["g"] for row in rows if row["g"].startswith(("http://claimgraph.test/", "urn:claimgraph:"))}


def marks(base: str) -> list[dict[str, str]]:
    """What the engine records of our generations and switches."""
    return engine_rows(base, f"SELECT ?p WHERE {{ GRAPH <{META}> {{ <{META}> ?p ?o }} }}")


def load_list(folder: Path) -> str:
    """The bulk loader's rows for files of ours, as isql prints them."""
    done = subprocess.run(
        ["isql-vt", sql_address(folder), USER, PASSWORD, "VERBOSE=OFF", "BANNER=OFF"],
        input="SELECT ll_file FROM DB.DBA.LOAD_LIST WHERE ll_file LIKE '%claimgraph-%';\n",
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def test_an_initial_load_goes_through_the_bulk_loader_and_a_reload_is_staged(engine, monkeypatch):
    base, folder = engine
    monkeypatch.setattr(sparql_load, "CHUNK", 1)  # a record by updates: an update per graph
    store = SparqlStore(virtuoso_endpoint(base, bulk=virtuoso_bulk(folder)), base_iri=BASE)
    requests_sent: list[str] = []
    send = store._client.send

    def recorded(method: str, url: str, *args: object) -> bytes:
        requests_sent.append(f"{method} {url}")
        return send(method, url, *args)  # type: ignore[arg-type]

    store._client.send = recorded  # type: ignore[method-assign]
    store.replace_all(protocol_nquads(BASE))
    assert not [r for r in requests_sent if "graph-crud" in r], "the loader reads a file"
    # The record's graphs went in the file too: updates only mark, record the rest, and end.
    assert len([r for r in requests_sent if "sparql-auth" in r]) <= 5
    assert int(store.select(COUNT_NAMED)[0]["n"].toPython()) == PROTOCOL_QUADS
    union = store.select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")  # the union, read as readers read it
    assert int(union[0]["n"].toPython()) > 0
    assert [row["p"] for row in marks(base)] == [GENERATION]
    assert not list(folder.glob("claimgraph-*.nq")), "the loader's file is removed"
    assert "claimgraph-" not in load_list(folder), "and the loader's note of it"
    # The engine holds a generation now: the next load is staged and switched (the Graph Store).
    requests_sent.clear()
    store.replace_all(b'<http://e/s> <http://e/p> "new" <http://claimgraph.test/g> .\n')
    assert [r for r in requests_sent if "graph-crud" in r]
    rows = store.select("SELECT ?o WHERE { ?s <http://e/p> ?o }")
    assert [str(row["o"]) for row in rows] == ["new"]


def refused_after(good: int, written: Callable[..., bytes]) -> Callable[..., bytes]:
    """nquads_of, writing ``good`` pieces, then a line Virtuoso's loader refuses."""
    pieces = itertools.count()

    def nquads_of(*piece: object) -> bytes:
        if next(pieces) < good:
            return written(*piece)
        return b'<http://e/s> <http://e/p> "unterminated <http://claimgraph.test/g> .\n'

    return nquads_of


def test_a_bulk_load_that_fails_leaves_the_engine_as_it_was(engine, monkeypatch):
    base, folder = engine
    bulk = virtuoso_bulk(folder)
    failing = {
        "the loader refuses the file": bulk,
        "no such isql": dataclasses.replace(bulk, isql=str(folder / "no-such-isql")),
        "a wrong password": dataclasses.replace(bulk, password="not-the-password"),
    }
    written = virtuoso_bulk_module.nquads_of
    for why, wrong in failing.items():
        if why == "the loader refuses the file":  # good pieces, then one the engine's parser refuses
            monkeypatch.setattr(sparql_content, "LOAD_PIECE", 4)
            monkeypatch.setattr(virtuoso_bulk_module, "nquads_of", refused_after(2, written))
        store = SparqlStore(virtuoso_endpoint(base, bulk=wrong), base_iri=BASE)
        with pytest.raises(StoreUnavailable, match="bulk loader") as failed:
            store.replace_all(protocol_nquads(BASE))
        monkeypatch.undo()
        assert "not-the-password" not in str(failed.value), why
        assert ours(base) == set(), why
        assert not [row for row in marks(base) if row["p"] in (SWITCHING, GENERATION)], why
        assert not list(folder.glob("claimgraph-*.nq")), why
    assert "claimgraph-" not in load_list(folder)
    # The engine is as it was: a load that works now is an initial load again.
    SparqlStore(virtuoso_endpoint(base, bulk=bulk), base_iri=BASE).replace_all(protocol_nquads(BASE))
    assert len(ours(base)) > 1


def test_a_front_end_with_the_readmes_settings_loads_by_the_bulk_loader(engine, tmp_path_factory):
    """`claimgraph serve` (not read-only) over an empty Virtuoso, configured by CLAIMGRAPH_*
    variables as the README's Production section gives them: the shipped data goes in by the bulk
    loader at start, and the front end serves it."""
    base, folder = engine
    port = free_port()
    env = {f"CLAIMGRAPH_{k.upper()}": v for k, v in virtuoso_settings(base, folder).items()}
    env.update({"CLAIMGRAPH_PORT": str(port), "CLAIMGRAPH_BASE_IRI": "https://w3id.org/claimgraph/"})
    # A Graph Store that is not there: a load that used it would fail, and the front end not start.
    env["CLAIMGRAPH_SPARQL_GRAPH_STORE_URL"] = f"{base}/no-such-graph-store"
    logs = tmp_path_factory.mktemp("front-end")
    command = [str(BIN / "claimgraph"), "serve", "--port", str(port)]
    with running(command, env, port, logs / "serve.log") as url:
        health = requests.get(f"{url}health", timeout=60).json()
        assert health["quads"] > 1000
        assert requests.get(f"{url}claims/c013", timeout=60).status_code == 200
    log = (logs / "serve.log").read_text()
    assert "Traceback" not in log
    assert "claimgraph-" not in load_list(folder)
    assert not list(folder.glob("claimgraph-*.nq"))
