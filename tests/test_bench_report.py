"""The benchmark report's issue 13 targets at 10M: each verdict follows the measured numbers, and a run
without that size says "not measured" rather than a verdict."""

from __future__ import annotations

from bench.measure import FirstView
from bench.report import QueryTiming, SizeResult, render, target_rows


def huge(**changes: object) -> SizeResult:
    result = SizeResult(
        "10m",
        quads=20_000_000,
        load_disk_s=100.0,
        load_bulk_s=85.0,
        peak_rss_mb=9000.0,
        peak_pss_mb=7000.0,
        memory_store_mb=6500.0,
        first_view=FirstView(first_ms=12.0, unseen_ms=5.0, warm_ms=5.0),
        queries=[
            QueryTiming("a", 10, in_process_ms=900.0, http_ms=700.0, in_memory_ms=500.0),
            QueryTiming("b", 10, in_process_ms=100.0, http_ms=140.0, in_memory_ms=120.0),
        ],
    )
    for name, value in changes.items():
        setattr(result, name, value)
    return result


def verdicts(result: SizeResult | None) -> dict[str, str]:
    rows = target_rows([result] if result else [])
    return {
        target.split(":")[1].strip().split()[0]: verdict
        for target, _, verdict in rows
        if target.startswith("10M")
    }


def test_targets_met_at_10m():
    assert verdicts(huge()) == {"load": "PASS", "every": "PASS", "first": "PASS", "summed": "stated"}


def test_each_10m_target_missed_on_its_own_numbers():
    assert verdicts(huge(load_bulk_s=70.0))["load"] == "MISS"  # 0.70x the bulk loader's rate
    slow = [QueryTiming("a", 10, in_process_ms=900.0, http_ms=760.0, in_memory_ms=500.0)]
    assert verdicts(huge(queries=slow))["every"] == "MISS"  # 1.52x the in-memory time
    assert verdicts(huge(first_view=FirstView(16.0, 5.0, 5.0)))["first"] == "MISS"
    assert verdicts(huge(failed_queries=["c"]))["every"] == "MISS"  # a query without an answer


def test_a_run_without_10m_says_not_measured():
    assert set(verdicts(None).values()) == {"not measured"}
    report = render([huge()], ["header"])
    assert "| 10m | 20,000,000 |" in report
    assert "in-memory store 6,500.0 MB" in report


def test_the_report_so_far_is_written_whole_and_replaced(tmp_path):
    from bench.run import write_report

    in_progress = huge(queries=[], first_view=None)
    write_report(tmp_path, [in_progress], [], None, ["- so far: 12:00"])
    first = (tmp_path / "latest.md").read_text(encoding="utf-8")
    assert "- so far: 12:00" in first
    assert "| 10m | 20,000,000 |" in first
    assert "| 10m | a |" not in first
    write_report(tmp_path, [huge()], [], None, ["- end: 13:00"])
    done = (tmp_path / "latest.md").read_text(encoding="utf-8")
    assert "- end: 13:00" in done
    assert "so far" not in done
    assert "| 10m | a | 10 |" in done
    assert [p.name for p in tmp_path.iterdir()] == ["latest.md"]


def test_the_server_line_states_given_settings_but_never_a_secret(monkeypatch, tmp_path):
    from bench.run import Plan, conditions

    monkeypatch.setenv("CLAIMGRAPH_SPARQL_PASSWORD", "hunter2")
    monkeypatch.setenv("CLAIMGRAPH_INGEST_TOKENS", "s3cret")
    monkeypatch.setenv("CLAIMGRAPH_STORE_MEMORY_MB", "16000")
    monkeypatch.setenv("CLAIMGRAPH_QUERY_TIMEOUT", "45")
    monkeypatch.setenv("CLAIMGRAPH_STORE_PATH", "/not/what/the/server/opens")
    plan = Plan(
        reps=3, warmup=1, query_budget_s=60, throughput_s=10, workers=1, baseline=False, folder=tmp_path
    )
    [line] = [line for line in conditions(plan, "start") if line.startswith("- server:")]
    assert "hunter2" not in line
    assert "s3cret" not in line
    assert "CLAIMGRAPH_SPARQL_PASSWORD=(given)" in line
    assert "CLAIMGRAPH_STORE_MEMORY_MB=16000" in line
    assert "query_timeout 45 s" in line
    assert "/not/what/the/server/opens" not in line
