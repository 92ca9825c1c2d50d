"""`make bench` on remote engines (`--backends oxigraph-server,virtuoso`): each engine started on
127.0.0.1 on free ports, loaded with the same generated data as the embedded runs (bench/generate.py)
through the service's own `sparql` load path (SparqlStore.replace_all: what `claimgraph build-store`
does with store_backend=sparql) and, for reference, with the engine's own bulk loader (`oxigraph
load` into a fresh location; Virtuoso's ld_dir + rdf_loader_run through isql into a Virtuoso of its
own, a fresh database stopped again); then `claimgraph serve --production`
in front of it (its result cache off: query_cache_bytes=0, so every timed query reaches the engine),
and every example query in queries/ timed over the service's HTTP and over the engine's own endpoint
(the same text, prologue and dataset the backend sends), in turns, median of N; the first claim page after the
service started against the same page warm (bench/measure.py first_view); the peak summed RSS of the
service's process tree and of the engine's.
"""

from __future__ import annotations

import contextlib
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
import requests
from claimgraph.build.sources import read_sources
from claimgraph.querylib import load_library
from claimgraph.store.sparql import Endpoint, SparqlStore
from claimgraph.store.sparql_http import allow_headers, complete
from claimgraph.store.sparql_text import query_shape, with_prologue

from bench.generate import BENCH_BASE, generate, parse_size
from bench.measure import JSON_RESULTS, FirstView, count_json_rows, first_view, over_http
from bench.serving import BIN, TIMING_CLIENT_SECONDS, MemoryWatch, free_port, serve

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from live_server import oxigraph_graph_store, oxigraph_process, sparql_settings
from virtuoso_server import INI, PASSWORD, USER, VIRTUOSO, virtuoso_bulk, virtuoso_endpoint, virtuoso_settings

EMBEDDED, OXIGRAPH, VIRTUOSO_NAME = "embedded", "oxigraph-server", "virtuoso"
BACKENDS = (EMBEDDED, OXIGRAPH, VIRTUOSO_NAME)
#: The issue's target for a remote backend: the service's HTTP time within this of the engine's own.
REMOTE_RATIO, REMOTE_SLACK_MS = 1.5, 3.0
#: Where the bulk loader puts default-graph triples (the data has none).
BULK_DEFAULT = "urn:claimgraph:bulk:default"
#: Seconds an engine query may run, and the service's client timeout on it (the bench's own limits).
ENGINE_SECONDS = 120
#: The claims' identifiers, from the union (the default graph): a GRAPH pattern is scoped by the
#: generation's record, a check per row that 10M triples make slow.
CLAIM_IDS = (
    "SELECT ?id WHERE { ?c a <http://schema.org/Claim> ; <http://schema.org/identifier> ?id } ORDER BY ?id"
)


def parse_backends(text: str) -> list[str]:
    """The backends named by ``--backends``, in the order given, each once.

    >>> parse_backends("embedded, virtuoso,embedded")
    ['embedded', 'virtuoso']
    """
    names = list(dict.fromkeys(n.strip().lower() for n in text.split(",") if n.strip()))
    unknown = [n for n in names if n not in BACKENDS]
    if unknown or not names:
        raise ValueError(f"--backends: {', '.join(unknown) or 'none'} not among {', '.join(BACKENDS)}")
    return names


def remote_limit_ms(engine_ms: float) -> float:
    """The most the service's HTTP time may be: 1.5x the engine's own + 3 ms."""
    return REMOTE_RATIO * engine_ms + REMOTE_SLACK_MS


@dataclass(frozen=True)
class RemoteQuery:
    name: str
    rows: int
    engine_ms: float  # the engine's own HTTP endpoint
    service_ms: float  # claimgraph serve --production in front of it

    @property
    def ratio(self) -> float:
        return self.service_ms / self.engine_ms if self.engine_ms else float("inf")

    @property
    def passed(self) -> bool:
        return self.service_ms <= remote_limit_ms(self.engine_ms)


@dataclass
class RemoteResult:
    engine: str
    label: str  # the size
    quads: int = 0
    service_load_s: float | None = None  # SparqlStore.replace_all
    bulk_load_s: float | None = None  # the engine's own bulk loader
    start_s: float | None = None
    first_view: FirstView | None = None
    service_rss_mb: float | None = None  # peak summed RSS of the service's process tree
    engine_rss_mb: float | None = None  # peak summed RSS of the engine's process tree
    queries: list[RemoteQuery] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def load_ratio(self) -> float | None:
        """The service's load rate as a fraction of the bulk loader's (same data)."""
        if not self.service_load_s or self.bulk_load_s is None:
            return None
        return self.bulk_load_s / self.service_load_s


# -- engines -----------------------------------------------------------------------------------


@dataclass
class Engine:
    name: str
    base: str
    process: subprocess.Popen[bytes]
    endpoint: Endpoint
    settings: dict[str, str]  # the service's settings for it (CLAIMGRAPH_<NAME> without the prefix)
    folder: Path
    sql_port: int | None = None


def _wait(process: subprocess.Popen[bytes], url: str, log: Path, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"{url}: the engine exited: {log.read_text(errors='replace')[-3000:]}")
        with contextlib.suppress(requests.RequestException):
            if requests.get(url, params={"query": "ASK {}"}, timeout=5).ok:
                return
        if time.monotonic() > deadline:
            raise RuntimeError(f"{url} did not answer within {seconds:g} s; log: {log}")
        time.sleep(0.2)


def _stop(process: subprocess.Popen[bytes], seconds: float) -> None:
    process.terminate()
    try:
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextlib.contextmanager
def oxigraph_engine(folder: Path) -> Iterator[Engine]:
    """`oxigraph serve` (the test extra's console script) on a free loopback port, data in ``folder``,
    started as the tests start it."""
    with oxigraph_process(folder) as (base, process):
        store = oxigraph_graph_store(base)  # the README's settings: ?no_transaction, streamed
        endpoint = Endpoint(f"{base}/query", f"{base}/update", store, timeout=ENGINE_SECONDS, stream=True)
        yield Engine(OXIGRAPH, base, process, endpoint, sparql_settings(base), folder)


#: The most Virtuoso's optimiser may predict a query to take (seconds): far over any estimate.
ESTIMATE_SECONDS = 1_000_000
#: Virtuoso's page buffers for the bench (8 kB each; the tests' 10,000 are 80 MB): 1 GB.
VIRTUOSO_BUFFERS = 128_000


@contextlib.contextmanager
def virtuoso_engine(folder: Path) -> Iterator[Engine]:
    """Virtuoso 7.2 as tests/virtuoso_server.py starts it (own database and ini, loopback ports), with
    more buffers and the bench's time limit."""
    if VIRTUOSO is None:
        raise RuntimeError("virtuoso-t is not installed: run `make virtuoso-deps`")
    http_port, sql_port = free_port(), free_port()
    (folder / "www").mkdir(exist_ok=True)
    ini = INI.format(
        folder=folder, sql_port=sql_port, http_port=http_port, rows=1_000_000, seconds=ENGINE_SECONDS
    )
    ini = ini.replace("NumberOfBuffers = 10000", f"NumberOfBuffers = {VIRTUOSO_BUFFERS}")
    ini = ini.replace("MaxDirtyBuffers = 6000", f"MaxDirtyBuffers = {VIRTUOSO_BUFFERS * 3 // 4}")
    # The optimiser's estimate refused access-to-information-figures at 1M before it ran (832 s
    # against 120) where it took about 11 s: timed, the queries are stopped by the time limit alone.
    estimate = f"MaxQueryCostEstimationTime = {ENGINE_SECONDS}"
    if estimate not in ini:
        raise RuntimeError(f"tests/virtuoso_server.py's INI has no line {estimate!r} to raise")
    ini = ini.replace(estimate, f"MaxQueryCostEstimationTime = {ESTIMATE_SECONDS}")
    (folder / "virtuoso.ini").write_text(ini)
    base = f"http://127.0.0.1:{http_port}"
    log = folder / "virtuoso.out"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [VIRTUOSO, "+configfile", str(folder / "virtuoso.ini"), "+foreground"],
            cwd=folder,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait(process, f"{base}/sparql", log, 300)
        # The service's load by the engine's bulk loader (the README's settings for Virtuoso).
        endpoint = virtuoso_endpoint(base, timeout=ENGINE_SECONDS, bulk=virtuoso_bulk(folder))
        yield Engine(VIRTUOSO_NAME, base, process, endpoint, virtuoso_settings(base), folder, sql_port)
    finally:
        _stop(process, 120)


ENGINES = {OXIGRAPH: oxigraph_engine, VIRTUOSO_NAME: virtuoso_engine}


# -- bulk loaders ------------------------------------------------------------------------------


def oxigraph_bulk_load(data: Path, folder: Path) -> float:
    """Seconds of `oxigraph load` of ``data`` into a fresh location (not the served one)."""
    started = time.perf_counter()
    command = [str(BIN / "oxigraph"), "load", "--location", str(folder / "bulk"), "--file", str(data)]
    subprocess.run(command, check=True, capture_output=True, timeout=24 * 3600)
    return time.perf_counter() - started


def isql(engine: Engine, script: str, timeout: float) -> str:
    """Run SQL statements through isql-vt on the engine's SQL port; its output (errors raise)."""
    command = ["isql-vt", f"127.0.0.1:{engine.sql_port}", USER, PASSWORD, "VERBOSE=OFF", "BANNER=OFF"]
    done = subprocess.run(command, input=script, capture_output=True, text=True, timeout=timeout)
    out = done.stdout + done.stderr
    if done.returncode != 0 or "*** Error" in out:
        raise RuntimeError(f"isql-vt failed ({done.returncode}):\n{out[-3000:]}")
    return out


def data_quads(nquads: bytes) -> int:
    """How many quads of the data are in named graphs under the bench's base (all of them: the
    service refuses default-graph triples), the count a bulk load must reach."""
    return sum(
        1
        for q in ox.parse(nquads, format=ox.RdfFormat.N_QUADS)
        if isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value.startswith(BENCH_BASE)
    )


def virtuoso_bulk_load(nquads: bytes, folder: Path) -> float:
    """Seconds of ld_dir + rdf_loader_run + checkpoint of the data into a Virtuoso of its own (a fresh
    database in ``folder``, stopped again), as `oxigraph load` goes to a location of its own. The
    served engine never holds the copy: deleting one there took over 6 minutes at 1M triples."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "data.nq").write_bytes(nquads)
    with virtuoso_engine(folder) as engine:
        started = time.perf_counter()
        isql(
            engine,
            f"ld_dir('{folder}', 'data.nq', '{BULK_DEFAULT}');\nrdf_loader_run();\ncheckpoint;\n",
            24 * 3600,
        )
        took = time.perf_counter() - started
        count = (
            "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
            f'FILTER(STRSTARTS(STR(?g), "{BENCH_BASE}")) }}'
        )
        answer = requests.post(
            engine.endpoint.query_url, data={"query": count}, headers={"Accept": JSON_RESULTS}, timeout=600
        )
        answer.raise_for_status()
        complete(answer)  # a count cut short at the engine's time limit is an error, not a count
        loaded = int(answer.json()["results"]["bindings"][0]["n"]["value"])
    expected = data_quads(nquads)
    if loaded != expected:  # the loader logs its errors in DB.DBA.LOAD_LIST and carries on
        raise RuntimeError(f"Virtuoso's bulk loader loaded {loaded} of {expected} quads")
    return took


# -- the run -----------------------------------------------------------------------------------


def served_data(size: str, seed: int) -> tuple[bytes, int]:
    """The generated dataset as a read-only server expects it (its version stands in for the bundled
    data's, as bench/run.py does for the on-disk store), and its number of claims."""
    data = generate(parse_size(size), seed=seed)
    served = data.nquads.replace(f'"{data.version}"'.encode(), f'"{read_sources(None).fingerprint}"'.encode())
    return served, data.claims


def bench_remote(
    engine_name: str,
    size: str,
    seed: int,
    folder: Path,
    reps: int,
    workers: int,
    progress: Callable[[RemoteResult], None] = lambda _: None,
    warmup: int = 3,
    *,
    load_only: bool = False,
) -> RemoteResult:
    """Start the engine, load it both ways, serve it, and time every example query both ways (with
    ``load_only``, the loads alone); ``progress`` is given the result after each part (a 10M run
    takes hours)."""
    result = RemoteResult(engine_name, size)
    nquads, _claims = served_data(size, seed)
    work = folder / "remote" / f"{engine_name}-{size}"
    if work.exists():
        subprocess.run(["rm", "-rf", str(work)], check=True)
    work.mkdir(parents=True)
    (work / "data.nq").write_bytes(nquads)
    with ENGINES[engine_name](work) as engine:
        engine_memory = MemoryWatch(engine.process.pid)
        engine_memory.start()
        try:
            if engine.name == OXIGRAPH:
                result.bulk_load_s = oxigraph_bulk_load(work / "data.nq", work)
            else:
                result.bulk_load_s = virtuoso_bulk_load(nquads, work / "bulk-engine")
            store = SparqlStore(engine.endpoint, base_iri=BENCH_BASE)
            started = time.perf_counter()
            store.replace_all(nquads)  # what `claimgraph build-store` does with store_backend=sparql
            result.service_load_s = time.perf_counter() - started
            progress(result)
            result.quads = store.stats().quads
            if not load_only:
                ids = [str(row["id"]) for row in store.select(CLAIM_IDS)]
                serve_and_time(result, engine, store, ids, work, (reps, warmup), workers, progress)
        finally:
            engine_memory.stop()
        result.engine_rss_mb = engine_memory.peak_rss_kb / 1024
    print(f"{engine_name} {size}: done", file=sys.stderr)
    return result


def service_env(engine: Engine, port: int) -> dict[str, str]:
    settings = {**engine.settings, "base_iri": BENCH_BASE, "port": str(port), "store_read_only": "true"}
    settings["query_timeout"] = str(ENGINE_SECONDS)
    # Every timed query runs: a repeated query would otherwise come from the result cache (bench/cache.py
    # measures that), and the target compares the service's path to the engine with the engine's own.
    settings["query_cache_bytes"] = "0"
    # At 1M on Virtuoso (10 s a run) the first query used fair use's 30 query-seconds a minute and
    # every later one was refused 429.
    settings["client_query_seconds"] = TIMING_CLIENT_SECONDS
    return {**os.environ, **{f"CLAIMGRAPH_{k.upper()}": v for k, v in settings.items()}}


def serve_and_time(
    result: RemoteResult,
    engine: Engine,
    store: SparqlStore,
    ids: list[str],
    work: Path,
    runs: tuple[int, int],
    workers: int,
    progress: Callable[[RemoteResult], None],
) -> None:
    """Serve the engine and time each example query through the service and on the engine itself,
    ``runs``: (timed runs, untimed runs before them)."""
    port = free_port()
    command = [
        str(BIN / "claimgraph"),
        "serve",
        "--production",
        "--port",
        str(port),
        "--workers",
        str(workers),
    ]
    step = max(1, len(ids) // 100)
    pages = [f"/claims/{claim_id}" for claim_id in ids[::step][:100]]
    with serve(command, service_env(engine, port), port, work / "service.log") as server:
        result.start_s = server.start_seconds
        try:
            result.first_view = first_view(server.url, pages) if pages else None
        except RuntimeError as exc:  # e.g. a page the backend cannot render: reported, queries still timed
            result.notes.append(f"claim pages: {exc} (see {work / 'service.log'})")
        progress(result)
        store.revision()  # the live generation and its union graph, as the service reads them
        allow_headers(2 * len(store.graph_names()) + 2)  # a dataset listed (no record of a generation)
        with requests.Session() as session:
            for query in load_library().values():
                direct = engine_call(session, store, query.text)
                service = over_http(session, server.url + "sparql", query.text)
                try:
                    (engine_s, engine_rows), (service_s, service_rows) = interleaved(direct, service, *runs)
                except RuntimeError as exc:  # a failed query is reported, the others still run
                    result.notes.append(f"{query.name}: {exc}")
                    continue
                if engine_rows != service_rows:
                    result.notes.append(
                        f"{query.name}: {engine_rows} rows from the engine, {service_rows} served"
                    )
                result.queries.append(
                    RemoteQuery(query.name, int(service_rows), 1000 * engine_s, 1000 * service_s)
                )  # type: ignore[call-overload]
                progress(result)
        server.memory.sample()
    result.service_rss_mb = server.memory.peak_rss_kb / 1024


def interleaved(
    first: Callable[[], object], second: Callable[[], object], reps: int, warmup: int = 3, budget: float = 240
) -> tuple[tuple[float, object], tuple[float, object]]:
    """Median seconds (and last result) of each call, run in turns (so that both see the same load
    on a shared machine), after ``warmup`` turns; at most ``reps`` turns, and none begun after ``budget``."""
    results: list[object] = [None, None]
    times: list[list[float]] = [[], []]
    deadline = time.monotonic() + budget
    for turn in range(warmup + reps):
        if turn > warmup and time.monotonic() > deadline:
            break
        for n, call in enumerate((first, second)):
            started = time.perf_counter()
            results[n] = call()
            if turn >= warmup:
                times[n].append(time.perf_counter() - started)
    return (statistics.median(times[0]), results[0]), (statistics.median(times[1]), results[1])


def engine_call(session: requests.Session, store: SparqlStore, text: str):  # type: ignore[no-untyped-def]
    """A call that POSTs the query to the engine itself as the backend would send it: the same text
    (prologue, GRAPH patterns scoped) and dataset parameters (SparqlStore.outgoing)."""
    query = with_prologue(text, store.base_iri, store.prefixes)
    sent, parameters, _ = store.outgoing(query, query_shape(query, store.base_iri), None)
    body: dict[str, str | list[str]] = {"query": sent}
    for name, value in parameters:
        listed = body.setdefault(name, [])
        assert isinstance(listed, list)
        listed.append(value)
    url = store.endpoint.query_url

    def run() -> int:
        answer = session.post(url, data=body, headers={"Accept": JSON_RESULTS}, timeout=ENGINE_SECONDS + 10)
        if answer.status_code != 200:
            raise RuntimeError(f"{url} answered {answer.status_code}: {answer.text[:300]}")
        return count_json_rows(answer.content)

    return run


# -- the report --------------------------------------------------------------------------------


def _ms(value: float | None) -> str:
    return "–" if value is None else f"{value:,.1f}"


def render_remote(results: list[RemoteResult]) -> list[str]:
    """The remote backends' section of the report (the target is the issue's at 1M; reported below)."""
    lines = [
        "",
        "## Remote backends",
        "",
        "Load: the service's `sparql` load path (SparqlStore.replace_all; into the fresh engine an initial"
        " load: validated, then sent to the graphs' own names under a switch mark)"
        " against the engine's own bulk loader on the same file; load ratio = the service's rate as a"
        " fraction of the bulk loader's. Memory: peak summed RSS of each process tree.",
        "",
        "| engine | size | quads | service load s | bulk load s | load ratio | service start s "
        "| first claim page ms | warm page ms | first/warm | service RSS MB | engine RSS MB |",
        "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for r in results:
        view = r.first_view
        lines.append(
            f"| {r.engine} | {r.label} | {r.quads:,} | {_ms(r.service_load_s)} | {_ms(r.bulk_load_s)} "
            f"| {'–' if r.load_ratio is None else f'{r.load_ratio:.2f}x'} | {_ms(r.start_s)} "
            f"| {_ms(view.first_ms if view else None)} | {_ms(view.warm_ms if view else None)} "
            f"| {'–' if view is None else f'{view.ratio:.1f}x'} | {_ms(r.service_rss_mb)} "
            f"| {_ms(r.engine_rss_mb)} |"
        )
    for r in results:
        target = "the target" if r.label == "1m" else "reported (the target is at 1M)"
        lines += [
            "",
            f"### {r.engine}, {r.label}: service HTTP vs the engine's own HTTP (median), "
            f"limit 1.5x + 3 ms: {target}",
            "",
            "| query | rows | engine ms | service ms | ratio | limit ms | status |",
            "|---|--:|--:|--:|--:|--:|---|",
        ]
        for q in r.queries:
            lines.append(
                f"| {q.name} | {q.rows:,} | {q.engine_ms:,.2f} | {q.service_ms:,.2f} | {q.ratio:.2f}x "
                f"| {remote_limit_ms(q.engine_ms):,.2f} | {'PASS' if q.passed else 'MISS'} |"
            )
        passed = sum(q.passed for q in r.queries)
        lines.append(f"\n{passed} of {len(r.queries)} within the limit.")
        lines += [f"- note: {' '.join(note.split())[:400]}" for note in r.notes]
    return lines
