"""web/http_cache.py answers a request without conditions as werkzeug's make_conditional does,
without parsing the validators back; with any condition it is werkzeug's own."""

from __future__ import annotations

import pytest
from claimgraph.web import http_cache
from claimgraph.web.security import SECURITY_HEADERS, add_security_headers
from flask import Flask, Response, request

APP = Flask("test")
TAG = "v1-0123456789abcdef"
WHEN = "Wed, 25 Nov 2026 10:00:00 GMT"


def body_in_memory() -> Response:
    return Response(b'{"head": {}}', content_type="application/json")


def body_streamed() -> Response:
    return Response(iter([b"a", b"b"]), content_type="text/plain")


PRESET = "Tue, 24 Nov 2026 10:00:00 GMT"


def body_with_date() -> Response:
    response = body_in_memory()
    response.headers["Date"] = PRESET
    return response


def head_only() -> Response:
    response = Response(b"", content_type="text/plain")
    response.headers["Content-Length"] = "99"
    return response


def answered(
    make, method: str, headers: dict[str, str], ours: bool
) -> tuple[int, list[tuple[str, str]], bool]:
    with APP.test_request_context("/x", method=method, headers=headers):
        response = make()
        response.set_etag(TAG)
        response.headers["Last-Modified"] = WHEN
        if ours:
            http_cache.make_conditional(response)
        else:
            response.make_conditional(request)
        kept = [(k, v) for k, v in response.headers if k != "Date"]  # a Date of now may tick between
        return response.status_code, kept, response.headers.get("Date") == PRESET


CONDITIONS = [
    {},
    {"Accept": "text/html", "Range": "bytes=0-1", "If-Range": f'"{TAG}"'},  # no condition werkzeug uses
    {"If-None-Match": f'"{TAG}"'},
    {"If-None-Match": '"other"'},
    {"If-Modified-Since": WHEN},
    {"If-Modified-Since": "Mon, 23 Nov 2026 10:00:00 GMT"},
    {"If-Match": '"other"'},
    {"If-None-Match": ""},
]


@pytest.mark.parametrize("make", [body_in_memory, body_streamed, body_with_date, head_only])
@pytest.mark.parametrize("method", ["GET", "HEAD"])
@pytest.mark.parametrize("headers", CONDITIONS)
def test_the_answer_is_werkzeugs_make_conditional(make, method, headers):
    ours = answered(make, method, headers, ours=True)
    theirs = answered(make, method, headers, ours=False)
    assert ours == theirs
    with APP.test_request_context("/x", method=method, headers=headers):
        response = make()
        http_cache.make_conditional(response)
        assert "Date" in response.headers  # set when absent, kept when present


def test_the_security_headers_are_added_once_and_a_view_may_set_its_own():
    response = Response("x")
    response.headers["x-frame-options"] = "SAMEORIGIN"
    add_security_headers(response)
    add_security_headers(response)
    names = [k.lower() for k, _ in response.headers]
    assert all(names.count(name.lower()) == 1 for name in SECURITY_HEADERS)
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert response.headers["Content-Security-Policy"] == SECURITY_HEADERS["Content-Security-Policy"]
    assert (
        list(response.headers)[-3:]
        == [(name, value) for name, value in SECURITY_HEADERS.items() if name != "X-Frame-Options"][-3:]
    )


def test_the_date_is_werkzeugs_formatted_once_a_second(monkeypatch):
    from werkzeug.http import http_date

    now = [1_795_000_000.25]
    monkeypatch.setattr(http_cache.time, "time", lambda: now[0])
    first = http_cache.now_http_date()
    assert first == http_date(1_795_000_000)
    now[0] += 0.5
    assert http_cache.now_http_date() is first  # the same second: not formatted again
    now[0] += 0.5
    assert http_cache.now_http_date() == http_date(1_795_000_001)


@pytest.mark.parametrize("preset", [{}, {"ETag": '"view"', "Cache-Control": "no-cache", "Vary": "Accept"}])
def test_the_validators_are_what_werkzeugs_setters_write(preset):
    import datetime as dt

    modified = dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.UTC)
    with APP.test_request_context("/x"):
        ours, theirs = Response("x", headers=preset), Response("x", headers=preset)
        http_cache._set(ours, TAG, modified)
        theirs.set_etag(TAG)
        theirs.last_modified = modified
        theirs.headers["Cache-Control"] = http_cache.CACHE_CONTROL
        assert list(ours.headers) == list(theirs.headers)


@pytest.mark.parametrize("preset", [{}, {"Access-Control-Allow-Origin": "https://example.org"}])
def test_cors_headers_are_what_setting_each_writes(preset):
    from claimgraph.web import cors

    app = Flask("cors")
    app.add_url_rule("/x", "x", lambda: "x")
    with app.test_request_context("/x"):
        request.url_rule, request.view_args = app.url_map.bind("localhost").match("/x", return_rule=True)
        ours, theirs = Response("x", headers=preset), Response("x", headers=preset)
        cors.add_cors(ours)
        theirs.headers["Access-Control-Allow-Origin"] = "*"
        theirs.headers["Access-Control-Expose-Headers"] = cors.EXPOSED
        assert list(ours.headers) == list(theirs.headers)


@pytest.mark.parametrize(
    ("content_type", "expected"),
    [
        ("text/csv", "text/csv; charset=utf-8"),
        ("text/csv; charset=utf-8", "text/csv; charset=utf-8"),
        ("text/plain; charset=iso-8859-1", "text/plain; charset=iso-8859-1"),
        ("application/sparql-results+xml", "application/sparql-results+xml; charset=utf-8"),
        ("application/sparql-results+json", "application/sparql-results+json"),
        ("application/sparql-results+json; charset=utf-8", "application/sparql-results+json; charset=utf-8"),
        ("application/octet-stream", "application/octet-stream"),
    ],
)
def test_the_charset_is_added_where_the_format_takes_one_and_none_is_named(content_type, expected):
    from claimgraph.web.charset import add_charset

    assert add_charset(Response("x", content_type=content_type)).headers["Content-Type"] == expected
