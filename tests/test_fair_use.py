"""The fair-use policy for public queries (service/claimgraph/limits/fairuse.py), on a table of its own."""

from __future__ import annotations

import math
import os

import pytest
from claimgraph.errors import QueryTimeout, ServerBusy, TooManyQueries
from claimgraph.limits.fairuse import FairUse, Policy, SharedTable, client_of

POLICY = Policy(
    slots=3,
    long_slots=2,
    per_client=2,
    budget=30.0,
    window=60.0,
    timeout=10.0,
    busy_timeout=0.5,
    light=5.0,
    queue_wait=0.0,
)


def fair(**changes: float) -> FairUse:
    values = {**POLICY.__dict__, **changes}
    return FairUse(Policy(**values), SharedTable())


def test_a_query_runs_with_the_full_limit_while_other_slots_stay_free():
    scheduler = fair()
    ticket = scheduler.admit("a", now=100.0)
    assert (ticket.timeout, ticket.setting) == (10.0, "query_timeout")
    scheduler.release(ticket, now=100.2)
    assert scheduler.shared.table.running == 0


def test_a_client_runs_at_most_per_client_queries_at_once_and_gets_429():
    scheduler = fair()
    scheduler.admit("a", now=100.0)
    scheduler.admit("a", now=100.0)
    with pytest.raises(TooManyQueries, match="client_max_queries") as refused:
        scheduler.admit("a", now=100.0)
    assert refused.value.retry_after >= 1
    # another client is not affected
    assert scheduler.admit("b", now=100.0).timeout == 0.5  # the last slot: short limit


def test_the_last_slot_is_short_and_kept_for_light_clients():
    scheduler = fair()
    heavy_a = scheduler.admit("heavy", now=0.0)
    scheduler.release(heavy_a, stopped=True, now=1.0)  # a stopped query costs the whole query_timeout
    first, second = scheduler.admit("x", now=1.0), scheduler.admit("y", now=1.0)
    assert first.timeout == second.timeout == 10.0
    with pytest.raises(ServerBusy, match="light_client_seconds") as busy:
        scheduler.admit("heavy", now=1.0)
    assert busy.value.retry_after >= 1
    light = scheduler.admit("probe", now=1.0)
    assert (light.timeout, light.setting) == (0.5, "busy_query_timeout")


def test_a_client_past_its_query_seconds_gets_429_with_the_time_its_budget_needs_to_come_back():
    scheduler = fair()
    for start in (0.0, 10.0, 20.0, 30.0):
        scheduler.release(scheduler.admit("loop", now=start), now=start + 10.0)
    with pytest.raises(TooManyQueries, match="client_query_seconds") as refused:
        scheduler.admit("loop", now=40.0)
    used = 10 * (math.exp(-30 / 60) + math.exp(-20 / 60) + math.exp(-10 / 60) + 1)
    assert refused.value.retry_after == math.ceil(60 * math.log(used / 30) + 1)
    # other clients are not refused meanwhile
    scheduler.release(scheduler.admit("other", now=40.0), now=40.0)
    # the budget decays back: after Retry-After the client is admitted again
    scheduler.admit("loop", now=40.0 + refused.value.retry_after)


def test_every_slot_taken_waits_at_most_query_queue_wait_then_503():
    scheduler = fair(slots=1, queue_wait=0.1)
    scheduler.admit("a")
    with pytest.raises(ServerBusy, match="query_queue_wait"):
        scheduler.admit("b")


def test_a_stopped_query_is_charged_the_whole_time_limit():
    scheduler = fair()
    with pytest.raises(QueryTimeout), scheduler.admitted("a") as ticket:
        raise QueryTimeout.after(ticket.timeout)
    record = next(c for c in scheduler.shared.table.clients if c.running == 0 and c.used > 0)
    assert record.used == pytest.approx(10.0, abs=0.1)


def test_the_table_is_shared_with_forked_processes_and_a_dead_holder_frees_its_slot():
    scheduler = fair(slots=2)
    pid = os.fork()
    if pid == 0:  # the child takes a slot and dies holding it, as a worker ended at a deadline does
        scheduler.admit("child")
        os._exit(0)
    os.waitpid(pid, 0)
    assert scheduler.shared.table.running == 1  # the child's slot, seen here
    ticket = scheduler.admit("parent")  # reaps the dead child's slot: the full limit, not the last slot
    assert ticket.timeout == 10.0
    assert scheduler.shared.table.running == 1
    scheduler.release(ticket)
    # the child's client was charged its whole time limit: two more stopped queries use its budget up
    for _ in range(2):
        scheduler.release(scheduler.admit("child", now=0.0), stopped=True, now=0.0)
    with pytest.raises(TooManyQueries):
        scheduler.admit("child", now=0.0)


def test_clients_are_told_apart_by_address_or_by_the_first_forwarded_hop_when_trusted():
    assert client_of("127.0.0.2", "1.2.3.4", trust_forwarded_for=False) == "127.0.0.2"
    assert client_of("127.0.0.2", " 1.2.3.4 , 127.0.0.2", trust_forwarded_for=True) == "1.2.3.4"
    assert client_of("127.0.0.2", "", trust_forwarded_for=True) == "127.0.0.2"


def test_only_long_slots_run_for_the_whole_limit_the_others_are_short():
    scheduler = fair(slots=4, long_slots=1)
    limits = [scheduler.admit(client, now=0.0).setting for client in ("a", "b", "c", "d")]
    assert limits == ["query_timeout", "busy_query_timeout", "busy_query_timeout", "busy_query_timeout"]
    assert scheduler.shared.table.long_running == 1


def test_an_overloaded_server_gives_no_long_slot_and_refuses_heavy_clients_the_short_ones():
    scheduler = fair()
    heavy = scheduler.admit("heavy", now=0.0)
    scheduler.release(heavy, stopped=True, now=1.0)
    light = scheduler.admit("probe", now=1.0, overloaded=True)
    assert (light.timeout, light.setting) == (0.5, "busy_query_timeout")  # a free long slot, not given
    with pytest.raises(ServerBusy, match="light_client_seconds"):
        scheduler.admit("heavy", now=1.0, overloaded=True)
    scheduler.release(light, now=1.1)
    assert scheduler.admit("probe", now=1.1).setting == "query_timeout"  # not overloaded: long again


def test_a_client_is_heavy_once_it_has_used_light_client_seconds():
    scheduler = fair()
    assert not scheduler.heavy("nobody")  # never seen: light
    ticket = scheduler.admit("a")
    assert not scheduler.heavy("a")
    scheduler.release(ticket, stopped=True)  # charged the whole query_timeout (10 s > light 5 s)
    assert scheduler.heavy("a")
    assert not scheduler.heavy("b")


def test_running_queries_count_towards_the_budget_as_the_sum_of_their_times_so_far():
    scheduler = fair(slots=8, long_slots=8, per_client=8, light=1000.0, budget=40.0)
    first = scheduler.admit("a", now=10.0)
    second = scheduler.admit("a", now=11.0)
    third = scheduler.admit("a", now=12.0)
    scheduler.admit("b", now=12.0)  # another client's query counts for it only
    table = scheduler.shared.table
    index = next(i for i, run in enumerate(table.runs) if run.pid and run.start == 10.0)
    a = table.runs[index].client
    assert scheduler._in_flight(table, a, 15.0) == pytest.approx(5 + 4 + 3)
    scheduler.release(second, now=15.0)  # charged its 4 s; the others still run
    assert scheduler._in_flight(table, a, 16.0) == pytest.approx(6 + 4)
    assert table.clients[a].used == pytest.approx(4.0)
    # 4 s used (decayed over 22 s of a 60 s window: 2.8) and 2 queries running for 27 s and 25 s
    with pytest.raises(TooManyQueries, match="used 55 query-seconds"):
        scheduler.admit("a", now=37.0)
    scheduler.release(first, now=37.0)
    scheduler.release(third, now=37.0)
    assert scheduler._in_flight(table, a, 40.0) == 0.0
    assert table.clients[a].started == 0.0


def test_a_slot_freed_below_others_is_taken_again_and_dead_holders_are_found_there():
    scheduler = fair(slots=3, long_slots=3, light=1000.0)
    tickets = [scheduler.admit(client, now=1.0) for client in ("a", "b", "c")]
    table = scheduler.shared.table
    assert [t.run for t in tickets] == [0, 1, 2]
    assert table.runs_used == 3
    scheduler.release(tickets[0], now=2.0)
    again = scheduler.admit("d", now=2.0)
    assert again.run == 0  # the lowest free place
    assert table.runs_used == 3
    pid = os.fork()
    if pid == 0:  # pragma: no cover - a process that ends at once
        os._exit(0)
    os.waitpid(pid, 0)
    table.runs[2].pid = pid  # c's query, as if run by a worker that died since
    c = table.clients[table.runs[2].client]
    scheduler.release(tickets[1], now=3.0)
    scheduler.admit("e", now=3.0)  # two slots taken: the dead one is reaped and charged
    assert table.runs[2].pid != pid
    assert (c.running, c.started) == (0, 0.0)
    assert c.used == pytest.approx(2.0)  # charged as stopped: its 2 s, past its short slot's 0.5 s


def test_a_query_stopped_on_a_short_slot_is_charged_that_slots_limit_and_the_client_stays_light():
    """A lookup a busy machine slowed past busy_query_timeout is not a slow query: charged all of
    query_timeout (10 s > light 5 s), its client was heavy at once and an overloaded server turned
    it away (make abuse, mixed-128 after the slow-query attacks)."""
    scheduler = fair(slots=4, long_slots=1)
    scheduler.admit("long holder")  # the long slot is taken: the next queries get short ones
    ticket = scheduler.admit("reader")
    assert ticket.setting == "busy_query_timeout"
    scheduler.release(ticket, stopped=True)
    table = scheduler.shared.table
    index = table.runs[ticket.run].client
    assert table.clients[index].used == pytest.approx(0.5, abs=0.01)  # its slot's limit, not 10 s
    assert not scheduler.heavy("reader")
    stops = 1
    while not scheduler.heavy("reader"):  # a client whose queries keep being stopped there turns heavy
        scheduler.release(scheduler.admit("reader"), stopped=True)
        stops += 1
    assert stops in (10, 11)  # 5 s of light_client_seconds at 0.5 s a stop (less a few µs of decay)


def test_the_runners_fair_share_holds_a_slot_sets_its_limit_and_charges_a_stop_the_whole_limit():
    # QueryRunner.fair_share admits and releases as FairUse.admitted does (without its generator).
    from types import SimpleNamespace

    from claimgraph.limits import runner as runner_module
    from claimgraph.limits.runner import QueryRunner

    scheduler = fair()
    runner = SimpleNamespace(fair_use=scheduler, overload=0)
    table = scheduler.shared.table
    with QueryRunner.fair_share(runner, "a"):
        assert table.running == 1
        assert runner_module._LIMIT.get() == (10.0, "query_timeout")
    assert table.running == 0
    assert runner_module._LIMIT.get() is None
    assert scheduler.heavy("a") is False  # charged the moment it ran
    with pytest.raises(ValueError, match="not a stop"), QueryRunner.fair_share(runner, "b"):
        raise ValueError("not a stop")
    assert table.running == 0
    assert not scheduler.heavy("b")
    with pytest.raises(QueryTimeout), QueryRunner.fair_share(runner, "c"):
        raise QueryTimeout.after(10.0)
    assert table.running == 0
    assert scheduler.heavy("c")
