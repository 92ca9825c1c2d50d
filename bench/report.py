"""The benchmark's results and their Markdown report, with the issue's targets marked PASS or MISS."""

from __future__ import annotations

from dataclasses import dataclass, field

from bench.measure import FirstView, Throughput

#: The issue's targets.
RATIO_LIMIT, RATIO_SLACK_MS = 1.5, 2.0
SHIPPED_LOOKUPS, SHIPPED_PAGES, LARGE_LOOKUPS = 3000, 500, 1000
LARGE_LOAD_S, LARGE_RSS_MB = 10.0, 1536
#: Issue 12, item 5: the first claim page after a load costs at most this many warm ones.
FIRST_VIEW_LIMIT = 3.0
LARGE = "1m"
SHIPPED = "shipped"
#: Issue 13's size: the service's load at least this fraction of pyoxigraph's own bulk loader's rate,
#: every example query over HTTP within this factor of the fastest configuration measured.
HUGE = "10m"
HUGE_LOAD_RATIO, HUGE_QUERY_RATIO = 0.8, 1.5


@dataclass(frozen=True)
class QueryTiming:
    name: str
    rows: int
    in_process_ms: float  # on the server's own on-disk store
    http_ms: float
    in_memory_ms: float | None = None  # the same query on an in-memory copy (reference)

    @property
    def ratio(self) -> float:
        return self.http_ms / self.in_process_ms if self.in_process_ms else float("inf")

    @property
    def limit_ms(self) -> float:
        return RATIO_LIMIT * self.in_process_ms + RATIO_SLACK_MS

    @property
    def passed(self) -> bool:
        return self.http_ms <= self.limit_ms


@dataclass
class SizeResult:
    label: str  # shipped, 10k, 100k, 1m
    quads: int = 0
    claims: int = 0
    load_memory_s: float | None = None  # in process: pyoxigraph bulk load into memory
    load_disk_s: float | None = None  # the service's on-disk store (replace_all / build-store)
    load_bulk_s: float | None = None  # pyoxigraph's own on-disk bulk loader, same N-Quads, one call
    memory_store_mb: float | None = None  # the in-memory store's own size (RSS after load less before)
    start_s: float | None = None  # gunicorn start until /health answers
    peak_rss_mb: float | None = None
    peak_rss_sparql_mb: float | None = None  # the peak before the HTML pages ran
    peak_pss_mb: float | None = None
    processes: int = 0
    lookups: Throughput | None = None
    pages: Throughput | None = None
    baseline_lookups: Throughput | None = None  # bench/baseline.py, same command and store
    first_view: FirstView | None = None  # the first claim page after start vs a warm one
    notes: list[str] = field(default_factory=list)
    queries: list[QueryTiming] = field(default_factory=list)
    failed_queries: list[str] = field(default_factory=list)  # queries without an answer (notes say why)


def fmt(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else f"{value:,.{digits}f}"


def rate(t: Throughput | None) -> str:
    return "–" if t is None else f"{t.per_second:,.0f}"


def cpu(t: Throughput) -> str:
    if t.cpu_ms is None:
        return "–"
    gunicorn, queries, client = t.cpu_ms
    return f"{gunicorn:.2f} + {queries:.2f} + {client:.2f} = {gunicorn + queries + client:.2f}"


def summary_table(results: list[SizeResult]) -> list[str]:
    lines = [
        "| size | quads | claims | load in memory s | load on disk s | bulk loader s | server start s "
        "| peak RSS MB (PSS) | before pages MB | in-memory store MB | processes | lookups/s | pages/s "
        "| bare lookups/s |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for r in results:
        memory = f"{fmt(r.peak_rss_mb, 0)} ({fmt(r.peak_pss_mb, 0)})"
        lines.append(
            f"| {r.label} | {r.quads:,} | {r.claims:,} | {fmt(r.load_memory_s, 2)} | {fmt(r.load_disk_s, 2)} "
            f"| {fmt(r.load_bulk_s, 2)} | {fmt(r.start_s, 2)} | {memory} | {fmt(r.peak_rss_sparql_mb, 0)} "
            f"| {fmt(r.memory_store_mb, 0)} | {r.processes} "
            f"| {rate(r.lookups)} | {rate(r.pages)} "
            f"| {rate(r.baseline_lookups)} |"
        )
    return lines


def query_table(results: list[SizeResult]) -> list[str]:
    lines = [
        "| size | query | rows | in-process ms | HTTP ms | ratio | limit ms (1.5x + 2) | | in memory ms |",
        "|---|---|--:|--:|--:|--:|--:|---|--:|",
    ]
    for r in results:
        for t in r.queries:
            lines.append(
                f"| {r.label} | {t.name} | {t.rows:,} | {t.in_process_ms:.2f} | {t.http_ms:.2f} "
                f"| {t.ratio:.2f}x | {t.limit_ms:.2f} | {'PASS' if t.passed else 'MISS'} "
                f"| {fmt(t.in_memory_ms, 2)} |"
            )
    return lines


def throughput_table(results: list[SizeResult]) -> list[str]:
    lines = [
        "| size | workload | client | requests | s | req/s | p50 ms | p99 ms | failed "
        "| CPU ms/answer: gunicorn + query processes + client |",
        "|---|---|---|--:|--:|--:|--:|--:|--:|---|",
    ]
    for r in results:
        workloads = (
            ("value lookup (SPARQL)", r.lookups),
            ("HTML claim page", r.pages),
            ("value lookup, bare Flask + pyoxigraph", r.baseline_lookups),
        )
        for name, t in workloads:
            if t is not None:
                lines.append(
                    f"| {r.label} | {name} | {t.tool} | {t.requests:,} | {t.seconds:.1f} "
                    f"| {t.per_second:,.0f} | {fmt(t.p50_ms, 2)} | {fmt(t.p99_ms, 2)} | {t.failures} "
                    f"| {cpu(t)} |"
                )
    return lines


def first_view_table(results: list[SizeResult]) -> list[str]:
    lines = [
        "| size | server start s (warm-up included) | first claim page ms | other pages, first view, ms "
        f"| same page, warm, ms | first / warm | ≤ {FIRST_VIEW_LIMIT:g}x |",
        "|---|--:|--:|--:|--:|--:|---|",
    ]
    for r in results:
        if r.first_view is not None:
            v = r.first_view
            lines.append(
                f"| {r.label} | {fmt(r.start_s, 2)} | {v.first_ms:.1f} | {v.unseen_ms:.1f} | {v.warm_ms:.1f} "
                f"| {v.ratio:.2f}x | {'PASS' if v.ratio <= FIRST_VIEW_LIMIT else 'MISS'} |"
            )
    return lines


def target_rows(results: list[SizeResult]) -> list[tuple[str, str, str]]:
    """(target, measured, PASS/MISS/not measured) for each of the issue's targets."""
    by = {r.label: r for r in results}
    large, shipped = by.get(LARGE), by.get(SHIPPED)
    rows: list[tuple[str, str, str]] = []

    def add(target: str, measured: float | None, ok: bool | None, unit: str) -> None:
        verdict = "not measured" if ok is None else ("PASS" if ok else "MISS")
        rows.append((target, "–" if measured is None else f"{measured:,.1f} {unit}".strip(), verdict))

    if large and large.queries:
        worst = max(large.queries, key=lambda t: t.http_ms - t.limit_ms)
        rows.append(
            (
                "1M: every example query over HTTP ≤ 1.5x in-process + 2 ms",
                f"{sum(t.passed for t in large.queries)}/{len(large.queries) + len(large.failed_queries)}"
                f" within; worst {worst.name}: "
                f"{worst.http_ms:.1f} ms vs limit {worst.limit_ms:.1f} ms",
                "PASS" if all(t.passed for t in large.queries) and not large.failed_queries else "MISS",
            )
        )
    else:
        add("1M: every example query over HTTP ≤ 1.5x in-process + 2 ms", None, None, "")
    lookups = shipped.lookups.per_second if shipped and shipped.lookups else None
    add("shipped data: ≥ 3,000 SPARQL point lookups/s", lookups, _at_least(lookups, SHIPPED_LOOKUPS), "/s")
    pages = shipped.pages.per_second if shipped and shipped.pages else None
    add("shipped data: ≥ 500 HTML claim pages/s", pages, _at_least(pages, SHIPPED_PAGES), "/s")
    large_lookups = large.lookups.per_second if large and large.lookups else None
    add("1M: ≥ 1,000 value lookups/s", large_lookups, _at_least(large_lookups, LARGE_LOOKUPS), "/s")
    load = large.load_disk_s if large else None
    add("1M: load ≤ 10 s (the service's on-disk store)", load, _at_most(load, LARGE_LOAD_S), "s")
    rss = large.peak_rss_mb if large else None
    add(
        "1M: peak RSS of all workers ≤ 1.5 GB (whole run, pages included)",
        rss,
        _at_most(rss, LARGE_RSS_MB),
        "MB",
    )
    view = large.first_view if large else None
    rows.append(
        (
            f"1M: first claim page after a load ≤ {FIRST_VIEW_LIMIT:g}x a warm one",
            "–" if view is None else f"{view.first_ms:.1f} ms vs {view.warm_ms:.1f} ms: {view.ratio:.2f}x",
            "not measured" if view is None else ("PASS" if view.ratio <= FIRST_VIEW_LIMIT else "MISS"),
        )
    )
    sparql_rss = large.peak_rss_sparql_mb if large else None
    add(
        "1M: the same, SPARQL only (before the pages ran)",
        sparql_rss,
        _at_most(sparql_rss, LARGE_RSS_MB),
        "MB",
    )
    rows += huge_target_rows(by.get(HUGE))
    return rows


def huge_target_rows(huge: SizeResult | None) -> list[tuple[str, str, str]]:
    """Issue 13's targets at 10M triples (not measured unless the run had that size)."""
    missing = "not measured"
    load_target = f"10M: load ≥ {HUGE_LOAD_RATIO:g}x the rate of pyoxigraph's own bulk loader (same file)"
    query_target = (
        f"10M: every example query over HTTP ≤ {HUGE_QUERY_RATIO:g}x the fastest configuration measured"
        " (on-disk or in-memory pyoxigraph, in process)"
    )
    view_target = f"10M: first claim page after a load ≤ {FIRST_VIEW_LIMIT:g}x a warm one"
    memory_target = "10M: summed worker RSS, beside the in-memory store's own size"
    if huge is None:
        return [(t, "–", missing) for t in (load_target, query_target, view_target, memory_target)]
    rows: list[tuple[str, str, str]] = []
    if huge.load_bulk_s and huge.load_disk_s:
        ratio = huge.load_bulk_s / huge.load_disk_s
        measured = f"{huge.load_disk_s:,.1f} s vs {huge.load_bulk_s:,.1f} s: {ratio:.2f}x"
        rows.append((load_target, measured, "PASS" if ratio >= HUGE_LOAD_RATIO else "MISS"))
    else:
        rows.append((load_target, "–", missing))
    if huge.queries:
        within = [t for t in huge.queries if t.http_ms <= HUGE_QUERY_RATIO * fastest_ms(t)]
        worst = max(huge.queries, key=lambda t: t.http_ms / fastest_ms(t))
        asked = len(huge.queries) + len(huge.failed_queries)
        measured = (
            f"{len(within)}/{asked} within; worst {worst.name}: {worst.http_ms:,.1f} ms"
            f" vs {fastest_ms(worst):,.1f} ms ({worst.http_ms / fastest_ms(worst):.2f}x)"
            + (f"; no answer: {', '.join(huge.failed_queries)}" if huge.failed_queries else "")
        )
        rows.append((query_target, measured, "PASS" if len(within) == asked else "MISS"))
    else:
        rows.append((query_target, "–", missing))
    view = huge.first_view
    rows.append(
        (
            view_target,
            "–" if view is None else f"{view.first_ms:.1f} ms vs {view.warm_ms:.1f} ms: {view.ratio:.2f}x",
            missing if view is None else ("PASS" if view.ratio <= FIRST_VIEW_LIMIT else "MISS"),
        )
    )
    rows.append(
        (
            memory_target,
            f"peak {fmt(huge.peak_rss_mb)} MB (PSS {fmt(huge.peak_pss_mb)}); in-memory store "
            f"{fmt(huge.memory_store_mb)} MB",
            "stated" if huge.peak_rss_mb is not None else missing,
        )
    )
    return rows


def fastest_ms(t: QueryTiming) -> float:
    """The fastest in-process time measured for a query: on disk or on the in-memory copy."""
    times = [m for m in (t.in_process_ms, t.in_memory_ms) if m]
    return min(times) if times else float("inf")


def _at_least(value: float | None, bound: float) -> bool | None:
    return None if value is None else value >= bound


def _at_most(value: float | None, bound: float) -> bool | None:
    return None if value is None else value <= bound


def render(results: list[SizeResult], header: list[str]) -> str:
    """The whole report: conditions, the summary, targets, per-query latency and throughput tables."""
    targets = ["| target | measured | |", "|---|---|---|"]
    targets += [f"| {t} | {m} | {v} |" for t, m, v in target_rows(results)]
    notes = [f"- {r.label}: {note}" for r in results for note in r.notes]
    sections = [
        "# claimgraph benchmark",
        "",
        *header,
        "",
        "## Load, memory, throughput",
        "",
        *summary_table(results),
        "",
        "## Targets (issue 3, item 8; issue 12, item 5; issue 13 at 10M)",
        "",
        *targets,
        "",
        "## The first claim page after a load (issue 12, item 5)",
        "",
        *first_view_table(results),
        "",
        "## Example queries: in process vs. over HTTP (medians)",
        "",
        *query_table(results),
        "",
        "## Throughput, 8 concurrent clients",
        "",
        *throughput_table(results),
        "",
        *(["## Notes", "", *notes, ""] if notes else []),
    ]
    return "\n".join(sections)
