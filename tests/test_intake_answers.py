"""Answers the intake worker gives from its cache (service/claimgraph/limits/intake_answers.py): the same
bytes the app sends, keyed by everything an answer depends on, never for a request that could differ,
never of older data. The production server here has one worker, so the second of two identical
requests is the one the intake answers (its /health counts it)."""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
import requests
from claimgraph.limits.fairuse import FairUse, Policy, SharedTable
from claimgraph.limits.intake_answers import IntakeAnswers, keepable, raw_request
from claimgraph.store.oxigraph import OxigraphStore
from live_server import build_store, production_serve, served_nquads, slow_query

LOOKUP = "SELECT ?s WHERE { ?s ?p ?o } LIMIT 1"
ADDED = 'ASK { <urn:claimgraph-test:s> <urn:claimgraph-test:p> "added" }'
JSON = "application/sparql-results+json"
FOLDERS: dict[str, Path] = {}


# -- the key ---------------------------------------------------------------------------------------------
def head(*lines: str, line: str = f"GET /sparql?query={quote(LOOKUP)} HTTP/1.1") -> bytes:
    return ("\r\n".join([line, *lines]) + "\r\n\r\n").encode("latin-1")


def test_the_key_holds_the_request_line_and_the_headers_an_answer_can_depend_on():
    base = raw_request(head("Host: x", f"Accept: {JSON}"))
    assert base is not None
    # Headers that never change an answer are not keyed.
    browser = ("Sec-Fetch-Mode: cors", "Sec-Fetch-Site: cross-site", "Sec-Fetch-Dest: empty", "DNT: 1")
    same = raw_request(
        head("Host: x", "User-Agent: a", f"Accept: {JSON}", "X-Forwarded-For: 203.0.113.9", *browser)
    )
    assert same is not None
    assert same.key == base.key
    assert same.forwarded_for == "203.0.113.9"
    others = [
        head("Host: x", "Accept: text/csv"),
        head("Host: y", f"Accept: {JSON}"),
        head("Host: x", f"Accept: {JSON}", "Origin: https://example.org"),
        head("Host: x", f"Accept: {JSON}", 'If-None-Match: "t"'),
        head("Host: x", f"Accept: {JSON}", line=f"GET /sparql?query={quote(LOOKUP)} HTTP/1.0"),
        head("Host: x", f"Accept: {JSON}", line=f"GET /sparql?query={quote(LOOKUP)}&cite=1 HTTP/1.1"),
    ]
    keys = {raw.key for raw in map(raw_request, others) if raw is not None}
    assert len(keys) == len(others)
    assert base.key not in keys


@pytest.mark.parametrize(
    "data",
    [
        head("Host: x", line=f"HEAD /sparql?query={quote(LOOKUP)} HTTP/1.1"),
        head("Host: x", line=f"POST /sparql?query={quote(LOOKUP)} HTTP/1.1"),
        head("Host: x", line="GET /sparql HTTP/1.1"),
        head("Host: x", line=f"GET /sparqlx?query={quote(LOOKUP)} HTTP/1.1"),
        head("Host: x", line=f"GET /sparql?query={quote(LOOKUP)} HTTP/2.0"),
        head("Host: x", "Content-Length: 0"),
        head("Host: x", "Transfer-Encoding: chunked"),
        head("Host: x", "Range: bytes=0-3"),
        head("Host: x", "Authorization: Bearer t"),
        head("Host: x", "If-Match: *"),
        head("Host: x", "X-Forwarded-Host: evil.example"),
        head("Host: x", "Accept: a", "accept: b"),
        head("Host: x", "Accept: a", " folded"),
        head("Host: x") + b"GET / HTTP/1.1\r\n\r\n",  # a pipelined second request
        head("Host: x") + b"body",
    ],
)
def test_any_other_request_goes_to_the_app(data: bytes):
    assert raw_request(data) is None


def test_only_a_whole_200_or_a_304_is_kept():
    assert keepable(b'HTTP/1.1 304 Not Modified\r\nDate: D\r\nETag: "t"\r\n\r\n') is not None
    assert keepable(b"HTTP/1.1 500 INTERNAL SERVER ERROR\r\nContent-Length: 2\r\n\r\nno") is None
    assert keepable(b"HTTP/1.1 429 TOO MANY REQUESTS\r\nContent-Length: 2\r\n\r\nno") is None
    assert keepable(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n") is None
    assert keepable(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nok") is None  # no Content-Length
    assert keepable(b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nok") is None  # cut short


def test_kept_answers_stay_within_the_bound_their_keys_counted():
    answers = IntakeAnswers(OxigraphStore(), 4000)
    answer = b"HTTP/1.1 200 OK\r\nDate: D\r\nContent-Length: 2\r\n\r\nok"
    request = None
    for n in range(20):
        request = raw_request(head("Host: x", line=f"GET /sparql?query={'x' * 1000}{n} HTTP/1.1"))
        assert request is not None
        answers.begin()
        answers.allow()
        assert answers.keep(request, answer)
    stats = answers.stats()
    assert stats.bytes <= 4000
    assert stats.entries == 3  # 1,050 bytes of request and 50 of answer each
    assert request is not None
    answers.begin()  # the app did not allow this one
    assert not answers.keep(request, answer)
    found = answers.find(request.key)
    assert found is not None
    assert found.endswith(b"\r\n\r\nok")
    assert b"\r\nDate: D\r\n" not in found  # the Date of now


def test_a_cache_hit_is_charged_until_the_client_has_used_its_budget():
    policy = Policy(
        slots=2,
        long_slots=1,
        per_client=2,
        budget=1.0,
        window=60.0,
        timeout=5,
        busy_timeout=1,
        light=0.5,
        queue_wait=0,
    )
    fair_use = FairUse(policy, SharedTable())
    assert fair_use.charge("203.0.113.1", 0.6)
    assert fair_use.heavy("203.0.113.1")
    assert not fair_use.heavy("203.0.113.2")
    assert fair_use.charge("203.0.113.1", 0.6)  # under the budget when it came
    assert not fair_use.charge("203.0.113.1", 0.001)  # past it: the app answers 429
    assert fair_use.charge("203.0.113.2", 0.001)


# -- the production server ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("intake-answers")
    settings = {"query_timeout": 2, "client_query_seconds": 1, "request_read_timeout": 30}
    with production_serve(folder, workers=1, **settings) as base:
        FOLDERS[base] = folder
        yield base


def exchange(base: str, data: bytes, source: str = "127.0.0.1") -> bytes:
    """Send ``data`` as it is and read the answer until the server closes the connection."""
    port = int(base.rstrip("/").rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=30, source_address=(source, 0)) as sock:
        sock.sendall(data)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    return received


def get(query: str, *headers: str, version: str = "1.1", extra: str = "") -> bytes:
    return head(*headers, line=f"GET /sparql?query={quote(query)}{extra} HTTP/{version}")


def counts(base: str) -> tuple[int, int]:
    intake = requests.get(base + "health", timeout=30).json()["intake_cache"]
    return intake["hits"], intake["misses"]


def undated(message: bytes) -> bytes:
    dates = re.findall(rb"\r\nDate: ([^\r\n]*)", message)
    assert len(dates) == 1
    assert re.fullmatch(rb"\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d GMT", dates[0])
    return message.replace(dates[0], b"<date>")


@pytest.mark.parametrize(
    "request_bytes",
    [
        get(LOOKUP, "Host: a", f"Accept: {JSON}"),
        get(LOOKUP, "Host: a", "Accept: text/csv", "Origin: https://example.org", "User-Agent: t"),
        get(LOOKUP, "Host: a", "Accept: application/ld+json, */*;q=0.1", version="1.0"),
        get(LOOKUP, "Host: a", f"Accept: {JSON}", extra="&cite=1"),
    ],
)
def test_the_intake_answers_a_repeated_request_with_the_apps_own_bytes(server: str, request_bytes: bytes):
    hits, misses = counts(server)
    from_app = exchange(server, request_bytes)
    assert counts(server) == (hits, misses + 1)
    from_intake = exchange(server, request_bytes)
    assert counts(server) == (hits + 1, misses + 1)
    assert from_app.split(b" ", 2)[1] == b"200", from_app[:300]
    for header in (b"ETag", b"Cache-Control", b"Vary", b"Access-Control-Allow-Origin", b"X-Frame-Options"):
        assert b"\r\n" + header + b": " in from_app
    assert undated(from_intake) == undated(from_app)


def test_a_current_etag_gets_the_apps_304_and_a_stale_one_the_answer(server: str):
    first = exchange(server, get(LOOKUP, "Host: b", f"Accept: {JSON}"))
    tag = re.search(rb"\r\nETag: ([^\r\n]*)", first)
    assert tag is not None
    conditional = get(LOOKUP, "Host: b", f"Accept: {JSON}", f"If-None-Match: {tag.group(1).decode()}")
    hits, _ = counts(server)
    from_app = exchange(server, conditional)
    from_intake = exchange(server, conditional)
    assert counts(server)[0] == hits + 1
    assert from_app.startswith(b"HTTP/1.1 304 ")
    assert undated(from_intake) == undated(from_app)
    stale = exchange(server, get(LOOKUP, "Host: b", f"Accept: {JSON}", 'If-None-Match: "stale"'))
    assert stale.startswith(b"HTTP/1.1 200 ")
    assert b'"bindings"' in stale


def test_another_accept_never_gets_the_answer_kept_for_the_first(server: str):
    for _ in range(2):
        exchange(server, get(LOOKUP, "Host: c", f"Accept: {JSON}"))
    hits, _ = counts(server)
    csv = exchange(server, get(LOOKUP, "Host: c", "Accept: text/csv"))
    assert counts(server)[0] == hits
    assert b"\r\nContent-Type: text/csv" in csv
    assert b'"bindings"' not in csv
    assert b"\r\nVary: Accept" in csv


@pytest.mark.parametrize(
    "request_bytes",
    [
        get(LOOKUP, "Host: d", f"Accept: {JSON}", "Content-Length: 0"),
        get(LOOKUP, "Host: d", f"Accept: {JSON}", "Range: bytes=0-3"),
        get(LOOKUP, "Host: d", f"Accept: {JSON}", "Authorization: Basic eDp5"),
        get(LOOKUP, "Host: d", f"Accept: {JSON}", "If-Match: *"),
        head("Host: d", f"Accept: {JSON}", line=f"HEAD /sparql?query={quote(LOOKUP)} HTTP/1.1"),
        (
            f"POST /sparql HTTP/1.1\r\nHost: d\r\nAccept: {JSON}\r\nContent-Type: application/sparql-query"
            f"\r\nContent-Length: {len(LOOKUP)}\r\n\r\n{LOOKUP}"
        ).encode(),
    ],
)
def test_a_request_that_could_be_answered_otherwise_goes_to_the_app(server: str, request_bytes: bytes):
    cached = get(LOOKUP, "Host: d", f"Accept: {JSON}")
    exchange(server, cached)
    exchange(server, cached)
    hits, misses = counts(server)
    answer = exchange(server, request_bytes)
    assert counts(server) == (hits, misses)  # not even looked up
    assert answer.startswith(b"HTTP/1.1 "), answer[:200]
    if request_bytes.startswith(b"HEAD "):
        assert answer.endswith(b"\r\n\r\n")  # the app's HEAD: headers only


def test_after_a_load_the_intake_never_answers_from_the_older_data(server: str):
    asked = get(ADDED, "Host: e", f"Accept: {JSON}")
    assert b'"boolean":false' in exchange(server, asked)
    hits, misses = counts(server)
    assert b'"boolean":false' in exchange(server, asked)
    assert counts(server) == (hits + 1, misses)
    # Another process publishes new content (the same data version): the next request misses.
    base = server
    added = b'<urn:claimgraph-test:s> <urn:claimgraph-test:p> "added" <urn:claimgraph-test:g> .\n'
    build_store(FOLDERS[server] / "store", served_nquads(base) + added)
    answer = exchange(server, asked)
    assert b'"boolean":true' in answer, answer[-200:]
    assert counts(server) == (hits + 1, misses + 1)
    assert b'"boolean":true' in exchange(server, asked)
    assert counts(server) == (hits + 2, misses + 1)


def test_a_flood_of_kept_answers_is_answered_and_other_clients_are_still_served(server: str):
    kept = get(LOOKUP, "Host: g", f"Accept: {JSON}")
    exchange(server, kept)
    flooded: list[bytes] = []
    stop = threading.Event()

    def flood() -> None:
        while not stop.is_set():
            flooded.append(exchange(server, kept, source="127.0.0.8")[:12])

    threads = [threading.Thread(target=flood) for _ in range(6)]
    for thread in threads:
        thread.start()
    try:
        time.sleep(0.3)
        others = [
            exchange(server, get(f"{LOOKUP}\n# {n}", "Host: g", f"Accept: {JSON}"), source="127.0.0.9")[:12]
            for n in range(20)
        ]
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    assert set(others) == {b"HTTP/1.1 200"}
    assert len(flooded) > len(others)
    assert set(flooded) == {b"HTTP/1.1 200"}


def test_a_client_past_its_budget_gets_429_for_a_kept_answer_and_others_still_get_it(server: str):
    kept = get(LOOKUP, "Host: f", f"Accept: {JSON}")
    # 127.0.0.7's query runs to query_timeout (2 s, charged 2 s: over its budget of 1); the worker that ran
    # it is replaced, so the answer is kept again afterwards, by the new worker.
    stopped = exchange(server, get(slow_query(), "Host: f", f"Accept: {JSON}"), source="127.0.0.7")
    assert stopped.startswith(b"HTTP/1.1 503 "), stopped[:200]
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            counts(server)
            break
        except requests.RequestException:
            time.sleep(0.2)
    exchange(server, kept)
    hits, _ = counts(server)
    assert exchange(server, kept).startswith(b"HTTP/1.1 200 ")
    assert counts(server)[0] == hits + 1
    refused = exchange(server, kept, source="127.0.0.7")
    assert refused.startswith(b"HTTP/1.1 429 "), refused[:300]
    assert b"\r\nRetry-After: " in refused
    assert exchange(server, kept).startswith(b"HTTP/1.1 200 ")
