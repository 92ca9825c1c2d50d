"""The watchdog keeps a time limit on code it cannot interrupt by answering, then ending the process.

Each case that reaches a deadline runs in a forked child, since the process ends;
the child reports through a pipe what it did, and its exit status is checked.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable

import pyoxigraph as ox
import pytest
from claimgraph.limits.watchdog import EXPIRED, Watchdog


def in_child(body: Callable[[int], None]) -> tuple[int, bytes, float]:
    """Run ``body(write_fd)`` in a forked child: (exit status, what it wrote, seconds it took)."""
    read_fd, write_fd = os.pipe()
    started = time.monotonic()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        try:
            os.close(read_fd)
            body(write_fd)
            os.write(write_fd, b"|returned")
        finally:
            os._exit(0)
    os.close(write_fd)
    chunks = []
    while chunk := os.read(read_fd, 1024):
        chunks.append(chunk)
    os.close(read_fd)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), b"".join(chunks), time.monotonic() - started


def test_a_block_that_ends_in_time_returns_and_nothing_is_called():
    watchdog, calls = Watchdog(), []
    with watchdog.limit(0.2, lambda: calls.append("expired")):
        time.sleep(0.05)
    time.sleep(0.4)  # well past the deadline the block had
    assert calls == []
    with watchdog.limit(0.2, lambda: calls.append("expired")):  # and it can be used again
        pass
    assert calls == []


def test_a_block_past_its_deadline_is_answered_for_and_the_process_ends():
    def body(out: int) -> None:
        with Watchdog().limit(0.3, lambda: os.write(out, b"answered")):
            time.sleep(30)

    status, written, seconds = in_child(body)
    assert (status, written) == (EXPIRED, b"answered")
    assert 0.3 <= seconds < 3


def test_a_block_never_returns_once_its_deadline_has_passed():
    # The block ends while the watcher is still answering: it must wait for the end, never go on
    # to answer a second time.
    def body(out: int) -> None:
        def slow_answer() -> None:
            time.sleep(0.5)
            os.write(out, b"answered")

        with Watchdog().limit(0.1, slow_answer):
            time.sleep(0.3)

    status, written, _ = in_child(body)
    assert (status, written) == (EXPIRED, b"answered")


def test_a_running_pyoxigraph_query_is_stopped_at_the_deadline():
    # What the serving model rests on: the engine releases the GIL, so the watcher runs meanwhile.
    def body(out: int) -> None:
        store = ox.Store()
        chain = "".join(f"<http://x/{i}> <http://x/p> <http://x/{i + 1}> .\n" for i in range(400))
        store.load(chain.encode(), format=ox.RdfFormat.N_TRIPLES)
        query = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?b . ?c ?q ?d . ?e ?r ?f }"  # 400**3 rows
        with Watchdog().limit(0.5, lambda: os.write(out, b"answered")):
            list(store.query(query))  # type: ignore[arg-type]

    status, written, seconds = in_child(body)
    assert (status, written) == (EXPIRED, b"answered")
    assert seconds < 3


def test_one_limit_at_a_time():
    watchdog = Watchdog()
    refused = pytest.raises(RuntimeError, match="already running")
    with watchdog.limit(5, lambda: None), refused, watchdog.limit(5, lambda: None):
        pass
