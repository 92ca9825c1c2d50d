"""The remote backends in `make bench` (issue 13, item 8): the same data loaded through the `sparql`
backend into Oxigraph server and into Virtuoso (each started as the tests start it: tests/live_server.py,
tests/virtuoso_server.py), the load's time, and every example query's median through the backend next
to the same request (same text, same dataset parameters) sent to the engine's own HTTP endpoint.

    .venv/bin/python bench/run.py --sizes 10k --no-shipped --no-throughput --remote oxigraph,virtuoso
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import requests
from claimgraph.iris import Iris
from claimgraph.querylib import load_library
from claimgraph.store.sparql import JSON, SparqlStore
from claimgraph.store.sparql_http import Endpoint, allow_headers
from claimgraph.store.sparql_load import NO_GRAPH

from bench.measure import count_json_rows, timed_median

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from live_server import oxigraph_server
from virtuoso_server import virtuoso_endpoint, virtuoso_server

ENGINES = ("oxigraph", "virtuoso")


@dataclass
class RemoteResult:
    label: str
    engine: str
    load_s: float = 0.0
    #: query name -> (through the backend ms, the engine's own endpoint ms, rows)
    queries: dict[str, tuple[float, float, int]] = field(default_factory=dict)
    #: query name -> why it has no timing
    errors: dict[str, str] = field(default_factory=dict)
    graphs: int = 0


@contextmanager
def _oxigraph(folder: Path) -> Iterator[Endpoint]:
    with oxigraph_server(folder) as url:
        yield Endpoint(f"{url}/query", f"{url}/update", f"{url}/store", timeout=120)


@contextmanager
def _virtuoso(folder: Path) -> Iterator[Endpoint]:
    with virtuoso_server(folder) as url:
        yield virtuoso_endpoint(url, timeout=120)


STARTERS: dict[str, Callable[[Path], AbstractContextManager[Endpoint]]] = {
    "oxigraph": _oxigraph,
    "virtuoso": _virtuoso,
}


def bench_remote(label: str, nquads: bytes, base: str, engine: str, reps: int, budget: float) -> RemoteResult:
    """Load ``nquads`` into ``engine`` through the backend, then time every example query both ways."""
    result = RemoteResult(label, engine)
    with tempfile.TemporaryDirectory() as folder, STARTERS[engine](Path(folder)) as endpoint:
        store = SparqlStore(endpoint, base_iri=base, prefixes=Iris(base).prefixes())
        started = time.perf_counter()
        store.replace_all(nquads)
        result.load_s = time.perf_counter() - started
        result.graphs = len(store.graph_names())
        with requests.Session() as session:
            for name, query in load_library().items():
                try:
                    backend_s, rows = timed_median(_backend(store, query.text), reps, 2, budget)
                    engine_s, direct = timed_median(_engine(session, store, query.text), reps, 2, budget)
                except Exception as exc:  # a miss is reported with its cause, not hidden
                    result.errors[name] = f"{type(exc).__name__}: {str(exc)[:160]}"
                    continue
                if rows != direct:
                    result.errors[name] = f"{rows} rows through the backend, {direct} straight to the engine"
                    continue
                result.queries[name] = (1000 * backend_s, 1000 * engine_s, int(rows))  # type: ignore[call-overload]
    print(f"{label} on {engine}: done", file=sys.stderr)
    return result


def _backend(store: SparqlStore, text: str) -> Callable[[], int]:
    def run() -> int:
        return count_json_rows(b"".join(store.sparql(text, media_type=JSON).chunks))

    return run


def _engine(session: requests.Session, store: SparqlStore, text: str) -> Callable[[], int]:
    """The request the backend sends, sent by hand: its text and dataset, straight to the engine."""
    full, shape = store._shape(text)
    graphs = sorted(store.graph_names())
    allow_headers(2 * len(graphs) + 2)  # Virtuoso echoes every graph of the dataset in a header
    data = {
        "query": full,
        "default-graph-uri": [store._union] if store._union else graphs,
        "named-graph-uri": graphs if shape.names_graphs else [NO_GRAPH],
    }

    def run() -> int:
        answer = session.post(store.endpoint.query_url, data=data, headers={"Accept": JSON}, timeout=120)
        answer.raise_for_status()
        return count_json_rows(answer.content)

    return run


def render(results: list[RemoteResult]) -> str:
    """The remote backends' section of the report (markdown)."""
    if not results:
        return ""
    lines = ["", "## Remote backends (`sparql`), through the backend vs. the engine's own endpoint", ""]
    for result in results:
        lines += [
            f"### {result.label} on {result.engine}: load through the backend {result.load_s:.1f} s,"
            f" {result.graphs} live graphs",
            "",
            "| query | rows | backend ms | engine ms | ratio | within 1.5x + 3 ms |",
            "|---|---|---|---|---|---|",
        ]
        for name, (backend, engine, rows) in result.queries.items():
            within = "yes" if backend <= 1.5 * engine + 3 else "no"
            lines.append(
                f"| {name} | {rows} | {backend:.1f} | {engine:.1f} | {backend / engine:.2f}x | {within} |"
            )
        for name, error in result.errors.items():
            lines.append(f"| {name} | failed: {error.replace('|', '/')} | | | | no |")
        lines.append("")
    return "\n".join(lines)
