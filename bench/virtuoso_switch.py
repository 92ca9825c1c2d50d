"""Loads into Virtuoso while a reader queries: does any reader see a mix of generations, and do the
switches go through? The shipped data (exported by `claimgraph export --format nquads`) alternates
with a bigger variant (every quad of a string literal once more, with an altered string), on a
Virtuoso started as the tests start it (tests/virtuoso_server.py), first alone, then beside a reader
counting the live graphs' quads every 50 ms through the backend (as the service reads: it waits
while a switch is marked and reads again an answer a switch crossed, store/sparql_switch.py).

    .venv/bin/claimgraph export --format nquads -o /tmp/shipped.nq
    .venv/bin/python bench/virtuoso_switch.py /tmp/shipped.nq
"""

from __future__ import annotations

import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from claimgraph.store.sparql import SparqlStore
from virtuoso_server import virtuoso_endpoint, virtuoso_server

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


def main(path: str, loads: int = 4) -> None:
    small = Path(path).read_bytes()
    big = small + b"".join(
        line.replace(b'"', b'"B', 1)
        for line in small.splitlines(keepends=True)
        if b'"' in line and b'"^^' not in line
    )
    with tempfile.TemporaryDirectory() as folder, virtuoso_server(Path(folder)) as base:
        store = SparqlStore(virtuoso_endpoint(base), base_iri="https://w3id.org/claimgraph/")
        store.replace_all(small)
        for n in range(2):
            start = time.perf_counter()
            store.replace_all(big if n % 2 == 0 else small)
            print(f"load alone {n}: {time.perf_counter() - start:.1f} s", flush=True)
        seen: dict[str, int] = {}
        stop = threading.Event()

        reading = SparqlStore(virtuoso_endpoint(base, timeout=120), base_iri=store.base_iri, read_only=True)

        def reader() -> None:
            while not stop.is_set():
                time.sleep(0.05)
                try:
                    count = str(reading.select(COUNT)[0]["n"])
                except Exception as exc:  # a failed read is counted as such
                    count = type(exc).__name__
                seen[count] = seen.get(count, 0) + 1

        thread = threading.Thread(target=reader)
        thread.start()
        try:
            for n in range(loads):
                start = time.perf_counter()
                try:
                    store.replace_all(big if n % 2 == 0 else small)
                    print(f"load beside the reader {n}: {time.perf_counter() - start:.1f} s", flush=True)
                except Exception as exc:  # a failed switch is what is measured
                    print(
                        f"load beside the reader {n} failed after {time.perf_counter() - start:.1f} s: {exc}"
                    )
        finally:
            stop.set()
            thread.join()
        print(
            f"counts the reader saw: {seen} (the two generations hold {len(small.splitlines())} and"
            f" {len(big.splitlines())} lines of N-Quads)"
        )


if __name__ == "__main__":
    main(sys.argv[1])
