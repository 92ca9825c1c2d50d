"""`make bench`: load time, memory, query latency in process vs. over HTTP, and throughput.

For the shipped data and each synthetic size (bench/generate.py): the load into
the store the service uses (pyoxigraph in memory, and the on-disk store
production builds), the production command started on it (gunicorn workers
opening the store read-only, the query guard and time limit at their defaults)
on a free 127.0.0.1 port, the median latency of every example query in
queries/ over HTTP next to the same query on the same store in this process,
throughput of value lookups and HTML claim pages with 8 concurrent clients, and
the peak memory of all the server's processes, and the first claim page after the server
started against the same page warm (the read model is built at start). The report goes to stdout and
bench/results/latest.md. A script, never a test: timings depend on the machine.

    .venv/bin/python bench/run.py                 # shipped data, 10k, 100k, 1m
    .venv/bin/python bench/run.py --quick         # smoke run: shipped data and 10k, few repetitions
    .venv/bin/python bench/run.py --sizes 10k,100k
    .venv/bin/python bench/run.py --sizes 10m --no-shipped --no-throughput   # 10M: loads and queries
    .venv/bin/python bench/run.py --sizes 10k --no-shipped --backends oxigraph-server,virtuoso --reps 5
    .venv/bin/python bench/run.py --sizes 10m --no-shipped --no-throughput \\
        --backends embedded,oxigraph-server,virtuoso
    .venv/bin/python bench/run.py --sizes 10m --no-shipped --no-throughput --no-baseline \\
        --backends oxigraph-server,virtuoso --remote-load-only    # the remote loads alone
    .venv/bin/python bench/run.py --cache-only --seconds 3       # cached vs uncached lookups only
"""

from __future__ import annotations

import argparse
import dataclasses
import multiprocessing
import os
import platform
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

if __package__ in (None, ""):  # run as a script: make the checkout importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pyoxigraph as ox
import requests
from claimgraph.build.sources import read_sources
from claimgraph.iris import Iris
from claimgraph.querylib import load_library
from claimgraph.settings import Settings
from claimgraph.store import generations
from claimgraph.store.oxigraph import OxigraphStore

from bench.cache import CacheResult, bench_cache, render_cache
from bench.generate import BENCH_BASE, DEFAULT_SEED, generate, parse_size
from bench.measure import (
    JSON_RESULTS,
    Throughput,
    first_view,
    in_process,
    over_http,
    throughput,
    timed_median,
)
from bench.remote_http import RemoteResult, bench_remote, parse_backends, render_remote
from bench.report import SHIPPED, QueryTiming, SizeResult, render
from bench.serving import (
    BIN,
    PRODUCTION_SETTINGS,
    TIMING_CLIENT_SECONDS,
    Server,
    baseline_env,
    free_port,
    production_command,
    serve,
    server_env,
    tree_cpu,
)

RESULTS = Path(__file__).resolve().parent / "results"
#: The point lookup of the throughput targets: a figure by its value (73197 exists in every dataset).
LOOKUP = (
    "PREFIX schema: <http://schema.org/>\nPREFIX cg: <https://w3id.org/claimgraph/ontology#>\n"
    "SELECT ?claim WHERE { GRAPH ?a { ?f schema:value 73197 } ?claim cg:assertion ?a }"
)
CLAIM_IDS = (
    "SELECT ?id WHERE { GRAPH ?g { ?c a <http://schema.org/Claim> ; <http://schema.org/identifier> ?id } }"
    " ORDER BY ?id"
)
LOOKUP_PATH = f"/sparql?query={quote(LOOKUP)}"
#: Called with the size being measured whenever a part of it is done (main rewrites the report).
Progress = Callable[[SizeResult], None]
PAGE_SAMPLE = 100


@dataclass(frozen=True)
class Plan:
    reps: int
    warmup: int
    query_budget_s: float  # per query and mode
    throughput_s: float
    workers: int
    baseline: bool
    folder: Path
    throughput: bool = True  # lookups, pages and the bare app's lookups
    query_timeout: float | None = None  # the server's query_timeout (None: the setting's default)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    sizes = ["10k"] if args.quick else [s.strip().lower() for s in args.sizes.split(",") if s.strip()]
    for size in sizes:
        parse_size(size)  # fail fast on a bad size
    plan = Plan(
        reps=5 if args.quick else args.reps,
        warmup=3 if args.quick else args.warmup,
        query_budget_s=10.0 if args.quick else 60.0,
        throughput_s=3.0 if args.quick else args.seconds,
        workers=args.workers,
        baseline=not args.no_baseline and not args.no_throughput,
        folder=Path(args.output_dir),
        throughput=not args.no_throughput,
        query_timeout=args.query_timeout,
    )
    plan.folder.mkdir(parents=True, exist_ok=True)
    backends = parse_backends(args.backends)
    header = conditions(plan, "start")
    results: list[SizeResult] = []
    remote: list[RemoteResult] = []

    def progress(current: SizeResult | None = None) -> None:
        """Rewrite the report with what is measured so far (the size in progress included): a 10M
        run takes an hour, and one ended early (a time limit, a crash) keeps what it measured."""
        so_far = [*results, *([current] if current is not None else [])]
        note = (
            []
            if current is None
            else [f"- in progress: {current.label} (its rows and targets count what is measured so far)"]
        )
        write_report(plan.folder, so_far, remote, None, [*header, *conditions(plan, "so far"), *note])

    def remote_progress(current: RemoteResult) -> None:
        """As ``progress``, for a remote engine under way (its rows so far)."""
        note = [f"- in progress: {current.engine} {current.label} (its rows count what is measured so far)"]
        write_report(
            plan.folder, results, [*remote, current], None, [*header, *conditions(plan, "so far"), *note]
        )

    if not (args.no_shipped or args.cache_only):
        results.append(bench_shipped(plan, progress))
    for size in [] if args.cache_only else sizes:
        if "embedded" in backends:
            results.append(bench_synthetic(size, args.seed, plan, progress))
        for engine in (b for b in backends if b != "embedded"):
            remote.append(
                bench_remote(
                    engine,
                    size,
                    args.seed,
                    plan.folder,
                    plan.reps,
                    plan.workers,
                    remote_progress,
                    plan.warmup,
                    load_only=args.remote_load_only,
                )
            )
            progress()
    cache = (
        bench_cache(LOOKUP, plan.folder, plan.throughput_s, plan.workers)
        if args.cache or args.cache_only
        else None
    )
    report = write_report(plan.folder, results, remote, cache, [*header, *conditions(plan, "end")])
    print(report)
    print(f"written to {plan.folder / 'latest.md'}", file=sys.stderr)
    return 0


def write_report(
    folder: Path,
    results: list[SizeResult],
    remote: list[RemoteResult],
    cache: CacheResult | None,
    header: list[str],
) -> str:
    """The report of what was measured so far, written to ``folder``/latest.md (replaced whole)."""
    more = [*(render_remote(remote) if remote else []), *(render_cache(cache) if cache else [])]
    report = render(results, header) + "\n".join(more) + ("\n" if more else "")
    partial = folder / "latest.md.partial"
    partial.write_text(report, encoding="utf-8")
    partial.replace(folder / "latest.md")  # a reader never sees half a report
    return report


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    summary, _, usage = __doc__.partition("\n\n")
    parser = argparse.ArgumentParser(
        description=summary, epilog=usage, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--sizes", default="10k,100k,1m", help="comma-separated: 10k, 100k, 1m, 10m or numbers of triples"
    )
    parser.add_argument(
        "--no-throughput",
        action="store_true",
        help="generation, loads and example queries only (no lookups, pages or bare app): e.g. for 10m",
    )
    parser.add_argument("--quick", action="store_true", help="smoke run: 10k only, few repetitions")
    parser.add_argument("--reps", type=int, default=20, help="timed runs per query and mode (median)")
    parser.add_argument(
        "--warmup",
        type=int,
        default=6,
        help="untimed runs of each query before the timed ones (HTTP; 2 in process)",
    )
    parser.add_argument(
        "--query-timeout",
        type=float,
        default=None,
        help="the server's query_timeout in seconds (default: the setting's, 10 s; at 10M the heavy example"
        " queries take longer on disk)",
    )
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each throughput run")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (the production command)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--no-shipped", action="store_true", help="skip the shipped data")
    parser.add_argument(
        "--no-baseline",
        action="store_true",
        help="skip the bare Flask + pyoxigraph reference (bench/baseline.py)",
    )
    parser.add_argument(
        "--backends",
        default="embedded",
        help="comma-separated: embedded (the on-disk store), oxigraph-server (`oxigraph serve`), virtuoso"
        " (virtuoso-t 7.2): each remote engine started on 127.0.0.1, loaded through the `sparql` backend and"
        " with its own bulk loader, and every example query timed through `claimgraph serve --production`"
        " against the engine's own HTTP endpoint",
    )
    parser.add_argument(
        "--remote-load-only",
        action="store_true",
        help="remote backends: the loads only (the service's and the engine's bulk loader), no serving",
    )
    parser.add_argument(
        "--cache",
        action="store_true",
        help="also cached vs uncached lookups on the shipped data (result cache on, off, distinct texts)"
        " against bench/baseline.py, each for --seconds",
    )
    parser.add_argument("--cache-only", action="store_true", help="only the --cache comparison")
    parser.add_argument("--output-dir", default=str(RESULTS), help="data, stores, logs and latest.md")
    return parser.parse_args(argv)


def bench_shipped(plan: Plan, progress: Progress = lambda _: None) -> SizeResult:
    """The shipped data, built by `claimgraph build-store` as production builds it."""
    result = SizeResult(SHIPPED)
    folder = fresh_folder(plan.folder / "stores" / SHIPPED)
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    started = time.perf_counter()
    command = [str(BIN / "claimgraph"), "build-store", str(folder), "--base-iri", base]
    subprocess.run(command, check=True, capture_output=True, timeout=600)
    result.load_disk_s = time.perf_counter() - started
    nquads = open_generation(folder).dump(format=ox.RdfFormat.N_QUADS) or b""  # closed again at once
    result.load_memory_s, memory, result.memory_store_mb = in_memory(nquads, base, plan)
    progress(result)
    return bench_server(result, memory, folder, base, port, plan, progress)


def bench_synthetic(size: str, seed: int, plan: Plan, progress: Progress = lambda _: None) -> SizeResult:
    """A generated dataset: written as N-Quads, loaded in memory and on disk, then served."""
    result = SizeResult(size)
    data = generate(parse_size(size), seed=seed)
    (plan.folder / "data").mkdir(exist_ok=True)
    (plan.folder / "data" / f"synthetic-{size}.nq").write_bytes(data.nquads)
    result.claims = data.claims
    result.load_memory_s, memory, result.memory_store_mb = in_memory(data.nquads, BENCH_BASE, plan)
    result.load_bulk_s = bulk_loader_s(data.nquads, plan.folder / "stores" / f"{size}-bulk")
    folder = fresh_folder(plan.folder / "stores" / size)
    started = time.perf_counter()
    builder = OxigraphStore(str(folder))
    try:
        # A read-only server serves a store only at the data version it expects (the bundled data's):
        # the synthetic dataset stands in for it, as tests/live_server.served_nquads does.
        served = data.nquads.replace(
            f'"{data.version}"'.encode(), f'"{read_sources(None).fingerprint}"'.encode()
        )
        builder.replace_all(served)  # what `claimgraph build-store` does once the data is compiled
    finally:
        builder.close()
    result.load_disk_s = time.perf_counter() - started
    del data
    progress(result)
    return bench_server(result, memory, folder, BENCH_BASE, free_port(), plan, progress)


#: The main server's settings beside the production ones: no result cache (bench_server says why), and
#: a query-time budget per client that one benchmark client timing every example query 20 times at 1M
#: (minutes of query time) does not pass: fair use is measured by bench/abuse.py, not here.
UNCACHED = {
    "CLAIMGRAPH_QUERY_CACHE_BYTES": "0",
    "CLAIMGRAPH_CLIENT_QUERY_SECONDS": TIMING_CLIENT_SECONDS,
    "CLAIMGRAPH_TRUST_FORWARDED_FOR": "true",
}
#: The throughput runs' connections are this many clients (X-Forwarded-For, trusted above), as 8 readers
#: would be: from one address, fair use refuses past client_max_queries (2) at once, with 429s.
CLIENTS = 8

#: What a forked child times in memory (set just before the fork; a fork inherits it without a copy).
_FOR_CHILD: bytes = b""


def in_memory(nquads: bytes, base: str, plan: Plan) -> tuple[float, dict[str, tuple[float, int]], float]:
    """Load time into an in-memory store, each example query's median (s, rows) on it, and the
    store's own size (MB: the child's resident memory after the load less before it).

    Measured in a forked child: a million-triple in-memory store in the benchmark's own process
    slows the on-disk store's queries there by half again (malloc, caches), so it is never loaded here.
    """
    global _FOR_CHILD
    _FOR_CHILD = nquads
    try:
        with multiprocessing.get_context("fork").Pool(1) as pool:
            return pool.apply(_time_in_memory, (base, plan.reps, min(2, plan.warmup), plan.query_budget_s))  # type: ignore[no-any-return]
    finally:
        _FOR_CHILD = b""


def _time_in_memory(
    base: str, reps: int, warmup: int, budget: float
) -> tuple[float, dict[str, tuple[float, int]], float]:
    before = _resident_mb()
    started = time.perf_counter()
    store = ox.Store()
    store.bulk_load(_FOR_CHILD, format=ox.RdfFormat.N_QUADS)
    # As OxigraphStore loads: the union of the named graphs, as a set, in the default graph.
    store.update("INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }")
    load_s = time.perf_counter() - started
    store_mb = _resident_mb() - before
    options = query_options(base, union=False)
    timings = {}
    for name, query in load_library().items():
        seconds, rows = timed_median(in_process(store, query.text, options), reps, warmup, budget)
        timings[name] = (seconds, int(rows))  # type: ignore[call-overload]
    return load_s, timings, store_mb


def _resident_mb() -> float:
    """This process's resident memory, MB (from /proc/self/statm)."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 1e6


def bulk_loader_s(nquads: bytes, folder: Path) -> float:
    """pyoxigraph's own on-disk bulk loader on the same N-Quads (one call, flushed), the rate the
    service's load is held to (issue 13: at least 0.8x it at 10M)."""
    target = fresh_folder(folder)
    started = time.perf_counter()
    store = ox.Store(str(target))
    store.bulk_load(nquads, format=ox.RdfFormat.N_QUADS)
    store.flush()
    seconds = time.perf_counter() - started
    del store
    shutil.rmtree(target, ignore_errors=True)
    return seconds


def query_options(base: str, *, union: bool) -> dict[str, object]:
    """How the server evaluates a query (claimgraph/store/oxigraph_query.py): base, prefixes, and the
    default graph. A store loaded by OxigraphStore holds the union of its named graphs, as a set, in
    its default graph (``union=False`` reads it); a raw pyoxigraph load does not (``union=True``)."""
    return {"base_iri": base, "prefixes": Iris(base).prefixes(), "use_default_graph_as_union": union}


def bench_server(
    result: SizeResult,
    memory: dict[str, tuple[float, int]],
    folder: Path,
    base: str,
    port: int,
    plan: Plan,
    progress: Progress = lambda _: None,
) -> SizeResult:
    """Serve ``folder`` with the production command; time the example queries and the throughput."""
    disk = open_generation(folder)
    result.quads = len(disk)
    ids = [str(s["id"].value) for s in disk.query(CLAIM_IDS)]  # type: ignore[union-attr,index]
    result.claims = result.claims or len(ids)
    command = production_command(port, plan.workers)
    log = plan.folder / f"server-{result.label}.log"
    step = max(1, len(ids) // PAGE_SAMPLE)
    pages = [f"/claims/{claim_id}" for claim_id in ids[::step][:PAGE_SAMPLE]]
    # Without the result cache: each timed query and lookup runs (the same text is asked again and
    # again here); what the cache gives has rows of its own (--cache, bench/cache.py).
    env = {**server_env(folder, base, port), **UNCACHED}
    if plan.query_timeout is not None:
        env["CLAIMGRAPH_QUERY_TIMEOUT"] = str(plan.query_timeout)
    with serve(command, env, port, log) as server:
        result.start_s = server.start_seconds
        # Before anything else asks for a page: the read model is built at start, not by this request.
        result.first_view = first_view(server.url, pages)
        progress(result)
        with requests.Session() as session:
            for name, query in load_library().items():
                try:
                    timing = time_query(
                        name, query.text, disk, query_options(base, union=False), session, server.url, plan
                    )
                except RuntimeError as exc:  # one query's failure (a 503 at the time limit) is a note
                    result.notes.append(f"{name}: {exc}"[:400])
                    result.failed_queries.append(name)
                    progress(result)
                    continue
                memory_s, memory_rows = memory[name]
                if memory_rows != timing.rows:
                    raise RuntimeError(f"{name}: {memory_rows} rows in memory, {timing.rows} on disk")
                result.queries.append(dataclasses.replace(timing, in_memory_ms=1000 * memory_s))
                progress(result)
        if plan.throughput:
            result.lookups = run_throughput(server, [LOOKUP_PATH], JSON_RESULTS, plan)
        server.memory.sample()
        result.peak_rss_sparql_mb = server.memory.peak_rss_kb / 1024
        step = max(1, len(ids) // PAGE_SAMPLE)
        pages = [f"/claims/{claim_id}" for claim_id in ids[::step][:PAGE_SAMPLE]]
        if plan.throughput:
            result.pages = run_throughput(server, pages, "text/html", plan, result.notes)
    result.peak_rss_mb = server.memory.peak_rss_kb / 1024
    result.peak_pss_mb = server.memory.peak_pss_kb / 1024
    result.processes = server.memory.peak_processes
    if plan.baseline:
        result.baseline_lookups = bench_baseline(result.label, folder, base, plan)
    print(f"{result.label}: done", file=sys.stderr)
    progress(result)
    return result


def bench_baseline(label: str, folder: Path, base: str, plan: Plan) -> Throughput | None:
    """Value lookups on bench/baseline.py (bare Flask + pyoxigraph) with the same gunicorn command."""
    port = free_port()
    command = production_command(port, plan.workers, "bench.baseline:create_app()")
    env = baseline_env(open_generation_path(folder), base)
    with serve(command, env, port, plan.folder / f"baseline-{label}.log") as server:
        return run_throughput(server, [LOOKUP_PATH], JSON_RESULTS, plan)


def time_query(
    name: str,
    text: str,
    store: ox.Store,
    options: dict[str, object],
    session: requests.Session,
    url: str,
    plan: Plan,
) -> QueryTiming:
    """Median in process on the server's store, then over HTTP, of one query; the row counts must agree."""
    budget = plan.query_budget_s
    local_s, local_rows = timed_median(
        in_process(store, text, options), plan.reps, min(2, plan.warmup), budget
    )
    http_s, http_rows = timed_median(over_http(session, url + "sparql", text), plan.reps, plan.warmup, budget)
    if local_rows != http_rows:
        raise RuntimeError(f"{name}: {local_rows} rows in process but {http_rows} over HTTP")
    return QueryTiming(name, int(http_rows), 1000 * local_s, 1000 * http_s)  # type: ignore[call-overload]


def run_throughput(
    server: Server, paths: list[str], accept: str, plan: Plan, notes: list[str] | None = None
) -> Throughput | None:
    """8 clients cycling over ``paths`` after a short warm-up; None (and a note) if the first answer fails.

    Also the CPU time each answer cost: gunicorn's processes, the query processes, and the client.
    """
    problem = check(server.url + paths[0][1:], accept)
    if problem:
        if notes is None:
            raise RuntimeError(problem)
        notes.append(problem)
        return None
    throughput(server.url, paths, accept, min(2.0, plan.throughput_s), CLIENTS)
    server_before, client_before = tree_cpu(server.process.pid), os.times()
    measured = throughput(server.url, paths, accept, plan.throughput_s, CLIENTS)
    server_after, client_after = tree_cpu(server.process.pid), os.times()
    answers = max(1, measured.requests - measured.failures)
    spent = {d: server_after.get(d, 0.0) - server_before.get(d, 0.0) for d in server_after}
    gunicorn = spent.get(0, 0.0) + spent.get(1, 0.0)
    queries = sum(seconds for depth, seconds in spent.items() if depth >= 2)
    client = client_cpu(client_after, measured.tool) - client_cpu(client_before, measured.tool)
    cpu = tuple(1000 * s / answers for s in (gunicorn, queries, client))
    return dataclasses.replace(measured, cpu_ms=cpu)


def client_cpu(times: os.times_result, tool: str) -> float:
    """CPU seconds of the client so far: wrk is a finished child; the Python client is this process."""
    if tool == "wrk":
        return times.children_user + times.children_system
    return times.user + times.system


def check(url: str, accept: str) -> str | None:
    """What is wrong with the answer to one request, or None."""
    started = time.perf_counter()
    try:
        response = requests.get(url, headers={"Accept": accept}, timeout=60)
    except requests.RequestException as exc:
        return f"{url}: {exc}"
    took = time.perf_counter() - started
    if response.status_code != 200 or not response.headers.get("Content-Type", "").startswith(accept):
        return f"{url} answered {response.status_code} {response.headers.get('Content-Type')} in {took:.1f} s"
    if accept == JSON_RESULTS and not response.json()["results"]["bindings"]:
        return f"{url}: the lookup found nothing"
    return None


def open_generation(folder: Path) -> ox.Store:
    """The store the server opens, opened read-only in this process too."""
    return ox.Store.read_only(str(open_generation_path(folder)))


def open_generation_path(folder: Path) -> Path:
    generation = generations.active(folder)
    if generation is None:
        raise RuntimeError(f"no store was published in {folder}")
    return generation


def fresh_folder(folder: Path) -> Path:
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


def conditions(plan: Plan, moment: str) -> list[str]:
    """What the machine was doing, and how the server was run."""
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    when = time.strftime("%Y-%m-%d %H:%M:%S")
    lines = [f"- {moment}: {when}, load average {load}, {busy()} other pytest processes"]
    if moment == "start":
        command = " ".join(production_command(0, plan.workers)).replace(str(BIN) + "/", "")
        command = command.replace("127.0.0.1:0", "127.0.0.1:PORT").replace(
            "claimgraph:create_app()", "'claimgraph:create_app()'"
        )
        server_settings = {**given_settings(), **PRODUCTION_SETTINGS, **UNCACHED}
        if plan.query_timeout is not None:
            server_settings["CLAIMGRAPH_QUERY_TIMEOUT"] = f"{plan.query_timeout:g}"
        stated = {k: v for k, v in server_settings.items() if k in LIMIT_NAMES}
        defaults = Settings.from_mapping({}, environ=stated)
        settings = " ".join(
            f"{name}={'(given)' if name.endswith(SECRET_WORDS) else value}"
            for name, value in server_settings.items()
        )
        timeout = defaults.query_timeout
        lines += [
            f"- code: {code_version()}",
            f"- machine: {os.cpu_count()} cores, Python {platform.python_version()}, "
            f"pyoxigraph {ox.__version__}, gunicorn {gunicorn_version()}",
            f"- server: `{settings} {command}` on 127.0.0.1, the README's production command (guard on, "
            f"query_timeout {timeout:g} s, max_result_rows {defaults.max_result_rows}, "
            f"max_query_bytes {defaults.max_query_bytes}: the defaults but what the settings before it say)",
            f"- timing: median of {plan.reps} runs after {plan.warmup} untimed ones (at most 2 in process);"
            " in process = pyoxigraph query + JSON "
            "serialisation on the server's own on-disk store, opened read-only in the benchmark's process; "
            "HTTP = POST application/sparql-query with requests, JSON results, one client; in memory = "
            "the same on an in-memory copy (the store of `claimgraph serve`), in a forked child, for "
            "reference; every side parses the JSON to count rows",
            f"- throughput: 8 concurrent connections, {CLIENTS} clients (X-Forwarded-For, trusted), "
            f"for {plan.throughput_s:g} s "
            f"({'wrk' if shutil.which('wrk') else 'bounded Python client'}); memory = summed RSS (and PSS) "
            "of gunicorn and every process below it, sampled from /proc every 0.25 s; bare lookups = the "
            "same lookups on bench/baseline.py (Flask + pyoxigraph in the worker, no guard, no sandbox, "
            "no time limit) under the same gunicorn command and store",
        ]
    return lines


#: What the bench sets for each server itself (serving.server_env), whatever the environment says.
OVERRIDDEN = ("CLAIMGRAPH_STORE_PATH", "CLAIMGRAPH_BASE_IRI", "CLAIMGRAPH_PORT")
#: Settings whose values the report never prints (credentials, write tokens).
SECRET_WORDS = ("PASSWORD", "TOKENS", "TOKEN", "SECRET", "USER")
#: The settings the report's server line states the values of.
LIMIT_NAMES = ("CLAIMGRAPH_QUERY_TIMEOUT", "CLAIMGRAPH_MAX_RESULT_ROWS", "CLAIMGRAPH_MAX_QUERY_BYTES")


def given_settings() -> dict[str, str]:
    """CLAIMGRAPH_* settings given to the bench through its environment, which reach each server too
    (serving.server_env), but for those the bench sets itself."""
    return {
        k: v for k, v in sorted(os.environ.items()) if k.startswith("CLAIMGRAPH_") and k not in OVERRIDDEN
    }


def code_version() -> str:
    """The commit measured, and whether service/ had uncommitted changes (what the server ran)."""
    root = Path(__file__).resolve().parent.parent
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "service"], cwd=root, capture_output=True, text=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "not a git checkout"
    changed = len(dirty.splitlines())
    return f"commit {head}" + (f", with {changed} uncommitted changes in service/" if changed else "")


def gunicorn_version() -> str:
    from importlib.metadata import version

    return version("gunicorn")


def busy() -> int:
    """Processes running pytest on this machine (other engineers' suites), from /proc."""
    count = 0
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                cmdline = Path(entry.path, "cmdline").read_bytes()
            except OSError:
                continue
            count += b"pytest" in cmdline
    return count


if __name__ == "__main__":
    sys.exit(main())
