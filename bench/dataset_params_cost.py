"""What the `sparql` backend's explicit dataset costs: every query is sent with one
default-graph-uri and one named-graph-uri per live graph (171 each for the shipped data), so that
readers never see staged graphs. Measured against each engine's own HTTP endpoint, median of N:

- ``every graph``: one default-graph-uri and one named-graph-uri per live graph (the backend
  before it wrote a union graph per generation);
- ``union graph``: as the backend sends it now: default-graph-uri = the generation's union graph,
  named-graph-uri = the live graphs only if the query may say GRAPH (else one empty graph);
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
from claimgraph.store.sparql_http import allow_headers  # noqa: E402
from claimgraph.store.sparql_load import NO_GRAPH  # noqa: E402
from claimgraph.store.sparql_text import query_shape, with_prologue  # noqa: E402
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
    store.revision()  # looks the live generation (and its union graph) up
    graphs = sorted(store.graph_names())
    allow_headers(2 * len(graphs))  # Virtuoso echoes each graph of the dataset in a header
    session = requests.Session()
    print(f"\n{name}: {len(graphs)} live graphs")
    print(
        "| query | every graph (ms) | union graph (ms) | engine union (ms)"
        " | request bytes: every / union / bare |"
    )
    print("|---|---|---|---|---|")
    for query in load_library().values():
        text = with_prologue(query.text, store.base_iri, store.prefixes)
        explicit = {"query": text, "default-graph-uri": graphs, "named-graph-uri": graphs}
        named = graphs if query_shape(text, store.base_iri).names_graphs else [NO_GRAPH]
        union = {"query": text, "default-graph-uri": [store._union], "named-graph-uri": named}
        bare = {"query": text}
        sizes = [len(urlencode(body, doseq=True)) for body in (explicit, union, bare)]
        url = store.endpoint.query_url
        times = [median_ms(session, url, body, reps) for body in (explicit, union, bare)]
        print(
            f"| {query.name} | {' | '.join(f'{t:.2f}' for t in times)}"
            f" | {' / '.join(f'{n:,}' for n in sizes)} |"
        )


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
