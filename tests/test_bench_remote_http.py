"""bench/remote_http.py and bench/cache.py, their pure logic only: which backends a flag names, the
remote target (1.5x the engine's own HTTP time + 3 ms), the load ratio, the cache ratios and their
report rows, and the count a bulk load must reach; and the remote loads alone on a small size. No
timings here: those are `make bench`'s.
"""

from __future__ import annotations

import doctest
import importlib

import pyoxigraph as ox
import pytest
from virtuoso_server import VIRTUOSO

from bench.cache import CacheResult, ratio, render_cache
from bench.generate import DEFAULT_SEED
from bench.measure import Throughput
from bench.remote_http import (
    RemoteQuery,
    RemoteResult,
    bench_remote,
    data_quads,
    interleaved,
    parse_backends,
    remote_limit_ms,
    served_data,
)


@pytest.mark.parametrize("module", ["bench.remote_http", "bench.cache"])
def test_doctests(module):
    failed, attempted = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert attempted
    assert not failed


def test_backends_flag():
    assert parse_backends("embedded,oxigraph-server,virtuoso") == ["embedded", "oxigraph-server", "virtuoso"]
    assert parse_backends(" Virtuoso ") == ["virtuoso"]
    with pytest.raises(ValueError, match="fuseki"):
        parse_backends("embedded,fuseki")
    with pytest.raises(ValueError, match="none"):
        parse_backends(" , ")


def test_remote_target_is_one_and_a_half_times_the_engine_plus_three_ms():
    assert remote_limit_ms(10.0) == pytest.approx(18.0)
    assert RemoteQuery("q", 1, engine_ms=10.0, service_ms=18.0).passed
    assert not RemoteQuery("q", 1, engine_ms=10.0, service_ms=18.01).passed
    assert RemoteQuery("q", 1, engine_ms=1.0, service_ms=4.4).passed  # the slack counts at small times
    assert RemoteQuery("q", 1, engine_ms=4.0, service_ms=6.0).ratio == pytest.approx(1.5)


def test_load_ratio_is_the_service_rate_over_the_bulk_loaders():
    assert RemoteResult("oxigraph-server", "10k", service_load_s=4.0, bulk_load_s=1.0).load_ratio == 0.25
    assert RemoteResult("virtuoso", "10k", service_load_s=4.0).load_ratio is None


def wrk(per_second: float) -> Throughput:
    return Throughput("wrk", int(per_second * 10), 10.0, 0, 1.0, 2.0)


def test_cache_rows_say_pass_or_miss_against_the_bare_app():
    result = CacheResult(cached=wrk(3100), uncached=wrk(790), distinct=wrk(900), bare=wrk(1000))
    assert ratio(result.cached, result.bare) == pytest.approx(3.1)
    assert ratio(result.cached, None) is None
    rows = "\n".join(render_cache(result))
    assert "| 3.10x | >= 3x | PASS |" in rows
    assert "| 0.79x | >= 0.8x | MISS |" in rows
    assert "| 0.90x | >= 0.8x | PASS |" in rows


def test_the_bulk_count_is_the_datas_quads_under_the_bench_base():
    from bench.generate import BENCH_BASE

    nquads = (
        f'<http://s> <http://p> "o" <{BENCH_BASE}graphs/a> .\n'
        f'<http://s> <http://p> "o2" <{BENCH_BASE}graphs/b> .\n'
        '<http://s> <http://p> "o" <http://elsewhere/g> .\n'
    ).encode()
    assert data_quads(nquads) == 2


def test_engine_and_service_are_timed_in_turns():
    calls: list[str] = []
    (_, first), (_, second) = interleaved(
        lambda: calls.append("e") or 1, lambda: calls.append("s") or 2, 3, 1
    )
    assert (first, second) == (1, 2)
    assert calls == ["e", "s"] * 4  # one warm-up turn, three timed


@pytest.mark.integration
@pytest.mark.parametrize("engine", ["oxigraph-server", "virtuoso"])
def test_the_remote_loads_alone_at_10k(engine, tmp_path):
    """`bench/run.py --remote-load-only` on a small size: both loads run (the service's through the
    README's settings: Oxigraph server streamed, Virtuoso by its bulk loader) and the engine holds
    every quad the generator wrote, counted by the store as front ends count it."""
    if engine == "virtuoso" and VIRTUOSO is None:
        pytest.skip("virtuoso-t is not installed (make virtuoso-deps)")
    result = bench_remote(engine, "10k", DEFAULT_SEED, tmp_path, 1, 1, load_only=True)
    assert result.service_load_s > 0
    assert result.bulk_load_s > 0
    written = ox.parse(served_data("10k", DEFAULT_SEED)[0], format=ox.RdfFormat.N_QUADS)
    assert result.quads == len({q for q in written if isinstance(q.graph_name, ox.NamedNode)})
    assert result.queries == []
