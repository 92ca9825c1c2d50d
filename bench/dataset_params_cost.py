"""What the `sparql` backend's explicit dataset costs: every query is sent with one
default-graph-uri and one named-graph-uri per live graph (171 each for the shipped data), so that
readers never see staged graphs. Measured against each engine's own HTTP endpoint, median of N:

- ``explicit``: as the backend sends it (the request size is printed);
- ``engine union``: the same query with no dataset parameters, on an engine whose own default graph
  is the union (``oxigraph serve --union-default-graph``; Virtuoso's default without parameters).

    .venv/bin/python bench/dataset_params_cost.py [--virtuoso] [--reps 30]

It starts its own engines on free loopback ports (Virtuoso needs `make virtuoso-deps`).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

import requests

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

from claimgraph.iris import Iris  # noqa: E402
from claimgraph.loading import ensure_current  # noqa: E402
from claimgraph.querylib import load_library  # noqa: E402
from claimgraph.store.sparql import Endpoint, SparqlStore  # noqa: E402
from claimgraph.store.sparql_text import with_prologue  # noqa: E402
from live_server import oxigraph_server  # noqa: E402
from virtuoso_server import virtuoso_endpoint, virtuoso_server  # noqa: E402

JSON = "application/sparql-results+json"


def median_ms(session: requests.Session, url: str, body: dict[str, object], reps: int) -> float:
    times = []
    for n in range(reps + 3):
        start = time.perf_counter()
        answer = session.post(url, data=body, headers={"Accept": JSON}, timeout=120)
        answer.raise_for_status()
        if n >= 3:
            times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def measure(name: str, store: SparqlStore, reps: int) -> None:
    iris = Iris(store.base_iri or "https://w3id.org/claimgraph/")
    ensure_current(store, iris, None)
    graphs = sorted(store.graph_names())
    session = requests.Session()
    print(f"\n{name}: {len(graphs)} live graphs")
    print("| query | explicit dataset (ms) | engine union (ms) | request bytes, explicit / bare |")
    print("|---|---|---|---|")
    for query in load_library().values():
        text = with_prologue(query.text, store.base_iri, store.prefixes)
        explicit = {"query": text, "default-graph-uri": graphs, "named-graph-uri": graphs}
        bare = {"query": text}
        sizes = len(urlencode(explicit, doseq=True)), len(urlencode(bare))
        url = store.endpoint.query_url
        with_params = median_ms(session, url, explicit, reps)
        without = median_ms(session, url, bare, reps)
        print(f"| {query.name} | {with_params:.2f} | {without:.2f} | {sizes[0]:,} / {sizes[1]:,} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reps", type=int, default=30)
    parser.add_argument("--virtuoso", action="store_true", help="also measure Virtuoso")
    args = parser.parse_args()
    base_iri = "https://w3id.org/claimgraph/"
    with tempfile.TemporaryDirectory() as folder:
        with oxigraph_server(Path(folder), "--union-default-graph") as url:
            endpoint = Endpoint(f"{url}/query", f"{url}/update", f"{url}/store", timeout=60)
            measure(
                "Oxigraph server (--union-default-graph)", SparqlStore(endpoint, base_iri=base_iri), args.reps
            )
        if args.virtuoso:
            (Path(folder) / "virtuoso").mkdir()
            with virtuoso_server(Path(folder) / "virtuoso") as url:
                store = SparqlStore(virtuoso_endpoint(url, timeout=60), base_iri=base_iri)
                measure("Virtuoso 7.2", store, args.reps)


if __name__ == "__main__":
    main()
