"""Where the on-disk store's time goes at scale: each example query on the same data, in process,
on pyoxigraph's on-disk store (RocksDB) built as production builds it, on variants of it, and on an
in-memory copy; plus a raw read of one predicate's triples, and what each costs to build and hold.

    .venv/bin/python bench/generate.py --size 1m -o /tmp/synthetic-1m.nq
    .venv/bin/python bench/disk_vs_memory.py /tmp/synthetic-1m.nq [--reps 5] [--folder /tmp/dvm]

Variants (each a store of its own in ``--folder``):
- ``disk as built``: bulk load, then the union of the named graphs written into the default graph
  by store/oxigraph_load.py load_with_union, flushed: what `build-store` makes;
- ``disk compacted``: the same, then ``Store.optimize()`` (RocksDB's full compaction);
- ``memory``: an in-memory store filled from the on-disk one (what serving from memory would do).
Queries run as the server runs them (the set default graph; query_kwargs), warm: the median of
``--reps`` runs after one untimed run, whose time is reported too (``first``).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pyoxigraph as ox
from claimgraph.iris import Iris
from claimgraph.querylib import load_library
from claimgraph.store.oxigraph_load import load_with_union
from claimgraph.store.oxigraph_query import QueryOptions, query_kwargs

from bench.generate import BENCH_BASE

SCHEMA_TEXT = ox.NamedNode("http://schema.org/text")


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def folder_mib(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / (1 << 20)


def timed(call: Callable[[], object], reps: int) -> tuple[float, float, object]:
    """(first run, median of ``reps`` more) in ms, and what the first run returned."""
    start = time.perf_counter()
    answer = call()
    first = time.perf_counter() - start
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return first * 1000, statistics.median(times) * 1000, answer


def run(store: ox.Store, text: str, kwargs: dict[str, object]) -> Callable[[], object]:
    def call() -> int:
        result = store.query(text, **kwargs)  # type: ignore[arg-type]
        return len(result.serialize(format=ox.QueryResultsFormat.JSON) or b"")  # type: ignore[union-attr]

    return call


def scan(store: ox.Store) -> Callable[[], object]:
    def call() -> int:
        return sum(1 for _ in store.quads_for_pattern(None, SCHEMA_TEXT, None, ox.DefaultGraph()))

    return call


def build_disk(path: Path, data: bytes, *, compact: bool) -> float:
    shutil.rmtree(path, ignore_errors=True)
    start = time.perf_counter()
    builder = ox.Store(str(path))
    load_with_union(builder, data, on_disk=True)
    builder.flush()
    if compact:
        builder.optimize()
    del builder
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("nquads")
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--folder", default="/tmp/disk-vs-memory")
    parser.add_argument("--reuse", action="store_true", help="reuse the stores a previous run built there")
    args = parser.parse_args()
    folder = Path(args.folder)
    folder.mkdir(parents=True, exist_ok=True)
    data = Path(args.nquads).read_bytes()
    print(f"{len(data) / (1 << 20):.0f} MiB of N-Quads; load average {os.getloadavg()}")
    # As the server runs them: union_default_graph on (the store's default graph, which holds the
    # union of the named graphs as a set), the deployment's prefixes.
    kwargs = query_kwargs(QueryOptions(BENCH_BASE, Iris(BENCH_BASE).prefixes(), True))
    queries = load_library()

    stores: dict[str, ox.Store] = {}
    for name, compact in (("disk as built", False), ("disk compacted", True)):
        path = folder / name.replace(" ", "-")
        if args.reuse and (path / "CURRENT").exists():
            print(f"{name}: reused")
        else:
            seconds = build_disk(path, data, compact=compact)
            print(f"{name}: built in {seconds:.1f} s, {folder_mib(path):.0f} MiB on disk")
        stores[name] = ox.Store.read_only(str(path))
    del data
    before = rss_mib()
    start = time.perf_counter()
    memory = ox.Store()
    memory.bulk_extend(stores["disk compacted"])
    copied = time.perf_counter() - start
    stores["memory"] = memory
    print(
        f"memory: copied from disk in {copied:.1f} s, RSS +{rss_mib() - before:.0f} MiB ({len(memory)} quads)"
    )

    names = list(stores)
    print("\n| query | " + " | ".join(f"{n} (ms, first / warm)" for n in names) + " |")
    print("|---|" + "---|" * len(names))
    for query_name, query in [("scan schema:text", None), *queries.items()]:
        cells, sizes = [], set()
        for store in stores.values():
            call = scan(store) if query is None else run(store, query.text, kwargs)
            first, warm, size = timed(call, args.reps)
            sizes.add(size)
            cells.append(f"{first:.1f} / {warm:.1f}")
        if len(sizes) != 1:
            raise RuntimeError(f"{query_name}: the stores' answers differ in size: {sizes}")
        print(f"| {query_name} ({sizes.pop()} bytes or quads) | " + " | ".join(cells) + " |")
    print(f"\nload average at the end {os.getloadavg()}")


if __name__ == "__main__":
    main()
