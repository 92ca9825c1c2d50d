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
