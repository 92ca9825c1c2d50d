"""The QueryRunner: public queries admitted by the guard, then run within the time limit, in the
sandbox's query processes (killed at the deadline, no network) or, in a gunicorn sync worker, in
process under the watchdog."""

from __future__ import annotations

import os
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest
from claimgraph import create_app
from claimgraph.errors import EngineFailure, QueryRejected, QueryTimeout, ResultTooLarge, StoreUnavailable
from claimgraph.limits import runner as runner_module
from claimgraph.limits.guard import QueryTooLarge
from claimgraph.limits.watchdog import EXPIRED
from claimgraph.store import QueryDataset
from claimgraph.store.oxigraph import OxigraphStore
from claimgraph.web import RUNNER_KEY
from live_server import protocol_nquads, slow_query

BASE = "http://claimgraph.test/"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
CSV = "text/csv"
OTHER_DATA = b'<http://e/s> <http://e/p> "other" <http://e/g> .\n'


def count(runner, query: str = COUNT, **kwargs) -> int:
    return int(runner.sparql(query, media_type=CSV, **kwargs).chunks[0].split()[1])


@pytest.fixture(scope="module")
def nquads() -> bytes:
    return protocol_nquads(BASE)


@pytest.fixture
def store(nquads):
    opened = OxigraphStore(base_iri=BASE)
    opened.replace_all(nquads)
    yield opened
    opened.close()


@pytest.fixture
def disk_store(tmp_path, nquads):
    opened = OxigraphStore(str(tmp_path / "store"), base_iri=BASE)
    opened.replace_all(nquads)
    yield opened
    opened.close()


@pytest.fixture
def runner(store, make_runner):
    return make_runner(store)


# -- admission -----------------------------------------------------------------------------------------
def test_admit_lets_a_query_name_only_graphs_of_the_store(runner):
    context = BASE + "graphs/context"
    admitted = runner.admit(f"SELECT * FROM <{context}> WHERE {{ ?s ?p ?o }}")
    assert admitted.dataset == QueryDataset(default_graphs=(context,))
    with pytest.raises(QueryRejected, match="not a named graph of this dataset"):
        runner.admit("SELECT * WHERE { ?s ?p ?o }", QueryDataset(named_graphs=("http://e/elsewhere",)))


def test_admit_applies_the_size_setting(store, make_runner):
    with pytest.raises(QueryTooLarge, match="longer than 100 bytes"):
        make_runner(store, max_query_bytes=100).admit("SELECT * WHERE { ?s ?p ?o } # " + "x" * 100)


# -- in the sandbox's query processes ---------------------------------------------------------------------
@pytest.mark.parametrize(("union", "expected"), [(True, 20), (False, 0)])
def test_query_processes_keep_the_stores_default_graph(nquads, make_runner, union, expected):
    store = OxigraphStore(base_iri=BASE, union_default_graph=union)
    store.replace_all(nquads)
    runner = make_runner(store)
    assert count(runner) == expected
    assert count(runner, "SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } }") == 20
    assert len(runner.query_process_ids()) == 2  # the zygote and one worker answered


def test_a_request_dataset_reaches_the_query_process(runner):
    dataset = QueryDataset(default_graphs=(BASE + "claims/c1/provenance",))
    assert count(runner, dataset=dataset) == 4


def test_query_processes_reopen_an_on_disk_store_read_only(disk_store, tmp_path, make_runner):
    reader = OxigraphStore(str(tmp_path / "store"), base_iri=BASE, read_only=True)
    try:
        assert count(make_runner(disk_store)) == 20
        assert count(make_runner(reader)) == 20
    finally:
        reader.close()


@pytest.mark.parametrize("fixture", ["store", "disk_store"])
def test_a_failed_load_changes_nothing_the_query_processes_answer(request, make_runner, fixture):
    store = request.getfixturevalue(fixture)
    runner = make_runner(store)
    assert count(runner) == 20
    processes = runner.query_process_ids()
    with pytest.raises(SyntaxError):
        store.replace_all(b'<http://e/a> <http://e/b> "unterminated .\n')
    assert count(runner) == 20
    assert runner.query_process_ids() == processes


@pytest.mark.parametrize("fixture", ["store", "disk_store"])
def test_new_content_replaces_the_query_processes(request, make_runner, fixture):
    store = request.getfixturevalue(fixture)
    runner = make_runner(store)
    assert count(runner) == 20
    old = runner.query_process_ids()
    store.replace_all(OTHER_DATA)
    assert count(runner) == 1
    assert not set(old) & set(runner.query_process_ids())
    time.sleep(0.1)
    assert not any(_alive(pid) for pid in old)


@pytest.mark.parametrize("media_type", ["application/sparql-results+json", "application/n-triples"])
def test_max_bytes_stops_a_runaway_result_in_the_query_process(runner, media_type):
    where = "WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    select = media_type.startswith("application/sparql-results")
    runaway = ("SELECT * " if select else "CONSTRUCT { ?a ?b ?i . ?g ?h ?c . ?d ?e ?f } ") + where
    with pytest.raises(ResultTooLarge, match=r"larger than 10000 bytes \(max_result_bytes\)"):
        runner.sparql(runaway, media_type=media_type, max_bytes=10_000)
    small = "SELECT * WHERE { ?s ?p ?o }" if select else "CONSTRUCT WHERE { ?s ?p ?o }"
    capped = runner.sparql(small, media_type=media_type, max_bytes=100_000)
    assert b"".join(capped.chunks) == b"".join(runner.store.sparql(small, media_type=media_type).chunks)


@pytest.mark.parametrize(
    "media_type",
    [
        "application/sparql-results+json",
        "application/sparql-results+xml",
        CSV,
        "text/tab-separated-values",
        "text/turtle",
        "application/n-triples",
        "application/ld+json",
        "application/rdf+xml",
    ],
)
def test_max_rows_caps_solutions_and_triples_in_the_query_process(runner, media_type):
    form = (
        "SELECT ?s ?p ?o"
        if "sparql-results" in media_type or media_type in (CSV, "text/tab-separated-values")
        else "CONSTRUCT"
    )
    query = f"{form} WHERE {{ ?s ?p ?o }}"
    assert runner.sparql(query, media_type=media_type, max_rows=20).chunks
    with pytest.raises(ResultTooLarge, match="more than 19"):
        runner.sparql(query, media_type=media_type, max_rows=19)


def test_a_result_of_many_pieces_comes_back_from_the_query_process_whole(store, make_runner):
    # A result crosses from the query process in pieces of about 1 MiB, never pickled whole (nor
    # joined, unless the result cache keeps it).
    runner = make_runner(store, query_cache_bytes=0)
    query = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } LIMIT 20000"
    here = b"".join(runner.store.sparql(query, media_type=CSV).chunks)
    assert len(here) > 2 * 1024 * 1024
    answer = runner.sparql(query, media_type=CSV, max_bytes=1 << 30)  # capped: written in small chunks
    assert len(answer.chunks) > 1  # type: ignore[arg-type]
    assert b"".join(answer.chunks) == here


def test_a_small_result_crosses_as_one_message_and_a_large_one_in_pieces():
    # One message (one write, one wake-up of the server) for a small answer such as a point lookup's.
    from multiprocessing import Pipe

    from claimgraph.limits.zygote import SMALL, recv_chunks, send_chunks

    ours, theirs = Pipe()
    try:
        send_chunks(theirs, [b'{"a":', b"1}"])
        assert ours.recv() == ("ok", [b'{"a":1}'])
        send_chunks(theirs, [b"true"])
        assert ours.recv() == ("ok", [b"true"])
        send_chunks(theirs, [])
        assert ours.recv() == ("ok", [b""])
        assert not ours.poll(0)  # each was one message
        large = [b"x" * (SMALL // 2), b"y" * (SMALL // 2), b"z"]
        send_chunks(theirs, large)
        status, count = ours.recv()
        assert status == "chunks"
        assert b"".join(recv_chunks(ours, count)) == b"".join(large)
    finally:
        ours.close()
        theirs.close()


def test_a_query_processs_time_is_read_through_one_descriptor_and_its_answer_awaited_by_poll():
    from multiprocessing.connection import Connection

    from claimgraph.limits.sandbox import _Worker, cpu_seconds

    ours, theirs = socket.socketpair()
    worker = _Worker(os.getpid(), Connection(ours.detach()), 0)
    try:
        _burn(0.05)
        assert abs(worker.cpu_seconds() - cpu_seconds(os.getpid())) <= 0.02
        descriptor = worker.stat_fd
        before = worker.cpu_seconds()
        _burn(0.1)
        assert worker.stat_fd == descriptor  # read again, not opened again
        assert worker.cpu_seconds() - before >= 0.05
        assert not worker.answer_within(0.01)
        theirs.sendall(b"x")
        assert worker.answer_within(5.0)
        theirs.close()
        assert worker.answer_within(5.0)  # an end (the process died) is an answer too, as conn.poll says
    finally:
        worker.close()
    assert worker.stat_fd is None
    gone = subprocess.Popen(["true"])
    one, other = socket.socketpair()
    ended = _Worker(gone.pid, Connection(one.detach()), 0)
    ended.cpu_seconds()  # opened while it may still run
    gone.wait()
    assert ended.cpu_seconds() == 0.0
    ended.close()
    other.close()


def test_a_query_past_the_time_limit_is_stopped(store, make_runner):
    runner = make_runner(store, query_timeout=1.0)
    started = time.monotonic()
    with pytest.raises(QueryTimeout, match="did not finish within 1 s"):
        runner.sparql(slow_query(), media_type=CSV)
    assert time.monotonic() - started < 3
    assert runner.sparql("ASK {}", media_type=CSV).chunks == [b"true"]


def test_syntax_errors_come_back_from_the_worker(runner):
    with pytest.raises(QueryRejected, match="error at 1:"):
        runner.sparql("SELECT ?s WHERE { ?s ?p }", media_type=CSV)


def test_a_worker_that_crashes_costs_one_answer(runner):
    # Far deeper than the guard admits: pyoxigraph's parser overflows its stack and the worker dies.
    nested = "ASK { " + "{ " * 200_000 + "}" * 200_000 + " }"
    with pytest.raises(EngineFailure, match="crashed on this query"):
        runner.sparql(nested, media_type=CSV)
    assert runner.sparql("ASK {}", media_type=CSV).chunks == [b"true"]


@pytest.fixture
def listener():
    server = socket.create_server(("127.0.0.1", 0))
    connections: list[object] = []

    def accept() -> None:
        while True:
            try:
                conn, peer = server.accept()
            except OSError:
                return
            connections.append(peer)
            conn.close()

    threading.Thread(target=accept, daemon=True).start()
    yield server.getsockname()[1], connections
    server.close()


def test_the_engine_fetches_service_in_process_but_not_from_the_sandbox(store, runner, listener):
    port, connections = listener
    query = f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}"
    # Why the guard exists: in process, pyoxigraph makes the request (our listener sees it).
    with pytest.raises(StoreUnavailable):  # the listener closes, answering nothing
        store.sparql(query, media_type=CSV)
    assert len(connections) == 1
    # Behind the guard, the sandbox is a second wall: its workers have no network at all.
    runner.sparql("ASK {}", media_type=CSV)
    if not runner.sandbox_isolated():
        pytest.skip("this kernel does not let unprivileged processes leave the network")
    with pytest.raises(StoreUnavailable, match="unreachable"):
        runner.sparql(query, media_type=CSV)
    time.sleep(0.2)
    assert len(connections) == 1


def test_warm_up_starts_the_query_processes(runner):
    assert runner.query_process_ids() == []
    runner.warm_up()
    assert len(runner.query_process_ids()) == 2


def test_close_stops_every_query_process(store, make_runner):
    runner = make_runner(store, query_workers=2)
    runner.sparql("ASK {}", media_type=CSV)
    pids = runner.query_process_ids()
    assert len(pids) == 2  # the zygote and one worker
    runner.close()
    time.sleep(0.1)
    for pid in pids:
        assert not _alive(pid)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    status = Path(f"/proc/{pid}/status")
    return not (status.exists() and "zombie" in status.read_text())


# -- in a gunicorn sync worker: in process, under the watchdog ---------------------------------------------
@pytest.fixture
def sync_worker(monkeypatch):
    """This process as adopt_gunicorn_worker leaves a sync worker that left the network."""
    monkeypatch.setattr(runner_module, "_queries_here", True)


def gunicorn_request(app, client: object, path: str = "/sparql", multithread: bool = False):
    """A request context as a gunicorn worker makes one: with the client's socket."""
    overrides = {"gunicorn.socket": client, "wsgi.multithread": multithread}
    return app.test_request_context(path, query_string={"query": slow_query()}, environ_overrides=overrides)


def test_a_sync_worker_runs_queries_itself(store, sync_worker):
    app = create_app({"base_iri": BASE}, store=store)
    runner = app.extensions[RUNNER_KEY]
    runner.warm_up()
    with gunicorn_request(app, object()):
        assert count(runner) == 20
    assert runner.query_process_ids() == []  # no sandbox was started


def test_in_a_sync_worker_warm_up_forks_the_zygote_and_the_first_sandboxed_query_a_process(
    store, sync_worker
):
    app = create_app({"base_iri": BASE, "query_slots": 2}, store=store)
    runner = app.extensions[RUNNER_KEY]
    try:
        runner.warm_up()
        assert len(runner.query_process_ids()) == 1  # the zygote, before any thread starts
        assert runner.sandbox_isolated() is not None
        with gunicorn_request(app, object(), multithread=True):  # a query that goes to the sandbox
            assert count(runner) == 20
        assert len(runner.query_process_ids()) == 2
    finally:
        runner.close()


def test_outside_a_sync_workers_request_queries_go_to_the_sandbox(store, sync_worker):
    app = create_app({"base_iri": BASE}, store=store)
    runner = app.extensions[RUNNER_KEY]
    try:
        with gunicorn_request(app, object(), multithread=True):  # gunicorn's threaded worker
            assert count(runner) == 20
        assert len(runner.query_process_ids()) == 2
    finally:
        runner.close()


def test_at_the_deadline_a_sync_worker_answers_503_itself_and_ends(store, sync_worker):
    app = create_app({"base_iri": BASE, "query_timeout": 0.5}, store=store)
    runner = app.extensions[RUNNER_KEY]
    ours, client = socket.socketpair()
    started = time.monotonic()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child, ended by the watchdog
        try:
            ours.close()
            with gunicorn_request(app, client):
                runner.sparql(slow_query(), media_type=CSV)
        finally:
            os._exit(0)
    client.close()
    answer = b""
    while chunk := ours.recv(65536):
        answer += chunk
    ours.close()
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == EXPIRED
    assert time.monotonic() - started < 5
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 503")
    assert body == f"Service Unavailable: {QueryTimeout.after(0.5)}\n".encode()


# -- one time limit for the guard's parse and the run ------------------------------------------------------
PARSED = "# from: this comment holds a screened word, so the guard parses the query\n" + slow_query()


@pytest.fixture
def slow_parse(monkeypatch):
    """The guard's rdflib parse takes 1 s (a long expression does that); set before any query process
    forks, so the sandbox's processes parse slowly too."""
    from claimgraph.limits.guard import ParseCall

    parse = ParseCall.run

    def slowly(self, store):
        time.sleep(1.0)
        return parse(self, store)

    monkeypatch.setattr(ParseCall, "run", slowly)


def test_a_slow_parse_and_a_slow_run_share_one_query_timeout(store, make_runner, slow_parse):
    runner = make_runner(store, query_timeout=2.0)
    started = time.monotonic()
    with runner.time_limit():
        admitted = runner.admit(PARSED)
        assert time.monotonic() - started > 1.0  # the parse ran, in the sandbox
        with pytest.raises(QueryTimeout, match=r"within 2 s \(query_timeout\)"):
            runner.sparql(admitted.text, media_type=CSV)
    assert time.monotonic() - started < 2.7  # one limit: two would be 1.0 + 2.0 s
    with pytest.raises(QueryTimeout):  # outside a time limit each call gets all of query_timeout
        runner.sparql(admitted.text, media_type=CSV)


def test_the_endpoint_stops_a_slow_parse_and_a_slow_run_at_one_query_timeout(store, slow_parse):
    app = create_app({"base_iri": BASE, "query_timeout": 2.0}, store=store)
    try:
        started = time.monotonic()
        answer = app.test_client().post("/sparql", data={"query": PARSED})
        took = time.monotonic() - started
    finally:
        app.extensions[RUNNER_KEY].close()
    assert answer.status_code == 503
    assert answer.text == f"Service Unavailable: {QueryTimeout.after(2.0)}\n"
    assert 1.0 < took < 2.7


def test_a_sync_worker_stops_the_run_at_what_the_parse_left_of_the_limit(store, sync_worker, slow_parse):
    app = create_app({"base_iri": BASE, "query_timeout": 2.0}, store=store)
    runner = app.extensions[RUNNER_KEY]
    ours, client = socket.socketpair()
    started = time.monotonic()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child, ended by the watchdog
        try:
            ours.close()
            with gunicorn_request(app, client), runner.time_limit():
                runner.sparql(runner.admit(PARSED).text, media_type=CSV)
        finally:
            os._exit(0)
    client.close()
    answer = b""
    while chunk := ours.recv(65536):
        answer += chunk
    ours.close()
    _, status = os.waitpid(pid, 0)
    took = time.monotonic() - started
    runner.close()
    assert os.waitstatus_to_exitcode(status) == EXPIRED
    assert answer.partition(b"\r\n\r\n")[2] == f"Service Unavailable: {QueryTimeout.after(2.0)}\n".encode()
    assert 1.0 < took < 2.7


# -- preemption of a short-slot query while others wait ----------------------------------------------------
def test_a_query_is_stopped_after_its_processor_time_while_others_wait(store, monkeypatch):
    from claimgraph.errors import QueryPreempted
    from claimgraph.limits import sandbox as sandbox_module
    from claimgraph.limits.sandbox import Preempt, Sandbox
    from claimgraph.limits.zygote import QueryCall

    sandbox = Sandbox(store, 1)
    try:
        sandbox.run(QueryCall("ASK {}", CSV), 5.0)  # the zygote and a worker are up
        started = time.monotonic()
        with pytest.raises(QueryPreempted, match="busy_query_cpu") as stopped:
            sandbox.run(QueryCall(slow_query(), CSV), 5.0, Preempt(0.05, lambda: 3))
        assert time.monotonic() - started < 3.0  # not the 5 s time limit
        assert stopped.value.retry_after >= 1
        # A fast query is never preempted, even in a process that has used more than that before;
        # with nobody waiting a slow one runs to its limit.
        assert sandbox.run(QueryCall(slow_query(5), CSV), 20.0)  # a second or so of processor time
        monkeypatch.setattr(sandbox_module, "PREEMPT_TICK", 0.0001)  # looked at before it can answer
        for _ in range(5):
            assert sandbox.run(QueryCall("ASK {}", CSV), 5.0, Preempt(0.05, lambda: 3)) == [b"true"]
        with pytest.raises(QueryTimeout) as timed_out:
            sandbox.run(QueryCall(slow_query(), CSV), 1.0, Preempt(0.05, lambda: 0))
        assert not isinstance(timed_out.value, QueryPreempted)
    finally:
        sandbox.stop()


def _burn(seconds: float) -> None:
    until = time.process_time() + seconds
    while time.process_time() < until:
        pass


def test_opening_the_store_is_not_counted_as_the_first_querys_processor_time(store, monkeypatch):
    # make abuse, mixed-128: a probe's lookup was stopped (busy_query_cpu) on a process that was
    # still opening its on-disk store, whose processor time was counted as the lookup's.
    from claimgraph.limits.sandbox import Preempt, Sandbox
    from claimgraph.limits.zygote import QueryCall

    def slow_opener():
        def open_slowly():
            _burn(0.3)
            return store

        return open_slowly

    monkeypatch.setattr(store, "child_opener", slow_opener)
    sandbox = Sandbox(store, 1)
    try:
        assert sandbox.run(QueryCall("ASK {}", CSV), 5.0, Preempt(0.05, lambda: 3)) == [b"true"]
    finally:
        sandbox.stop()


def test_a_process_that_cannot_open_the_store_is_a_503_that_says_so(store, monkeypatch):
    from claimgraph.limits.sandbox import Sandbox
    from claimgraph.limits.zygote import QueryCall

    def broken_opener():
        def fail():
            raise OSError("no such store")

        return fail

    monkeypatch.setattr(store, "child_opener", broken_opener)
    sandbox = Sandbox(store, 1)
    try:
        with pytest.raises(StoreUnavailable, match="could not open the store"):
            sandbox.run(QueryCall("ASK {}", CSV), 5.0)
    finally:
        sandbox.stop()
