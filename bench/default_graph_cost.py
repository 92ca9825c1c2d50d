"""What the set default graph costs: load and query times, Oxigraph's own union against the
materialised set (service/claimgraph/store/oxigraph.py), in memory, best of five.

    .venv/bin/python bench/generate.py --size 100k -o /tmp/synthetic-100k.nq
    .venv/bin/python bench/default_graph_cost.py /tmp/synthetic-100k.nq
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pyoxigraph as ox
from claimgraph.store.oxigraph_load import UNION_UPDATE

QUERIES = {
    "count": "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }",
    "claims": "SELECT (COUNT(*) AS ?n) { ?s a <http://schema.org/Claim> ; ?p ?o }",
}


def best(store: ox.Store, query: str, **options: object) -> tuple[str, float]:
    times, answer = [], ""
    for _ in range(5):
        start = time.perf_counter()
        answer = next(iter(store.query(query, **options)))["n"].value  # type: ignore[arg-type,index,union-attr]
        times.append(time.perf_counter() - start)
    return answer, min(times)


def main(path: str) -> None:
    data = Path(path).read_bytes()
    for mode in ("oxigraph union", "set default graph"):
        start = time.perf_counter()
        store = ox.Store()
        store.bulk_load(data, format=ox.RdfFormat.N_QUADS)
        loaded = time.perf_counter()
        options: dict[str, object] = {"use_default_graph_as_union": True}
        if mode == "set default graph":
            store.update(UNION_UPDATE)
            options = {}
        materialised = time.perf_counter()
        extra = materialised - loaded
        print(f"{mode}: {len(store)} quads, load {loaded - start:.2f} s, materialise {extra:.2f} s")
        for name, query in QUERIES.items():
            answer, seconds = best(store, query, **options)
            print(f"  {name}: {answer} in {seconds * 1000:.1f} ms")


if __name__ == "__main__":
    main(sys.argv[1])
