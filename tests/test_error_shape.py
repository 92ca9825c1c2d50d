"""One error shape per audience (web/errors.py), for the service's own errors and werkzeug's alike.

The same statuses (400, 404, 405, 406, 500) asked for on each audience's route and
Accept header: plain text on /sparql and for programs, JSON ``{title, status, detail}``
under /api/ and where JSON was negotiated, the error page for browsers.
"""

from __future__ import annotations

import logging
from http import HTTPStatus

import pytest
from claimgraph import create_app

BASE = "http://claimgraph.test/"
BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
ANY = {"Accept": "*/*"}
SECRET = "the store fell over (secret internals)"


@pytest.fixture(scope="module")
def client(site_client):
    return site_client


def assert_text(response, status: int) -> None:
    """SPARQL clients and programs: text/plain, one line ``<reason phrase>: <detail>``."""
    assert response.status_code == status
    assert response.mimetype == "text/plain"
    body = response.get_data(as_text=True)
    title, _, detail = body.partition(": ")
    assert title == HTTPStatus(status).phrase
    assert detail.strip()
    assert body.endswith("\n")
    assert body.count("\n") == 1


def assert_json(response, status: int) -> None:
    """The JSON API: exactly ``{title, status, detail}``."""
    assert response.status_code == status
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"title", "status", "detail"}
    assert body["status"] == status
    assert body["title"] == HTTPStatus(status).phrase
    assert isinstance(body["detail"], str)
    assert body["detail"]


def assert_page(response, status: int) -> None:
    """Browsers: the site's error page (error.html), with its way back to the article."""
    assert response.status_code == status
    assert response.mimetype == "text/html"
    body = response.get_data(as_text=True)
    assert f"<h1>{status} {HTTPStatus(status).phrase}</h1>" in body
    assert 'class="error-box"' in body
    assert 'href="/article"' in body


SHAPES = {"text": assert_text, "json": assert_json, "page": assert_page}


def _who(headers: dict[str, str]) -> str:
    accept = headers.get("Accept")
    return "browser" if accept == BROWSER["Accept"] else accept or "no Accept"


CASES = [
    # /sparql: plain text, whoever asks
    ("POST", "/sparql", {**BROWSER, "Content-Type": "application/sparql-query"}, b"SELEC", 400, "text"),
    ("PUT", "/sparql", BROWSER, None, 405, "text"),
    ("GET", "/sparql?query=ASK%20%7B%7D", {"Accept": "image/png"}, None, 406, "text"),
    # /api/: JSON, whoever asks, for domain errors and werkzeug's
    ("GET", "/api/claims?verdict=wrong", BROWSER, None, 400, "json"),
    ("GET", "/api/claims/c999", BROWSER, None, 404, "json"),
    ("GET", "/api/no-such-route", BROWSER, None, 404, "json"),
    ("POST", "/api/claims", ANY, None, 405, "json"),
    # JSON negotiated on a page route
    ("GET", "/claims?verdict=wrong", {"Accept": "application/json"}, None, 400, "json"),
    ("GET", "/claims?verdict=wrong", ANY, None, 400, "json"),
    # browsers: the error page, for domain errors and werkzeug's
    ("GET", "/claims?verdict=wrong", BROWSER, None, 400, "page"),
    ("GET", "/claims/c999", BROWSER, None, 404, "page"),
    ("GET", "/sources/nowhere", BROWSER, None, 404, "page"),
    ("GET", "/no-such-page", BROWSER, None, 404, "page"),
    ("POST", "/claims", BROWSER, None, 405, "page"),
    ("GET", "/.well-known/void", {"Accept": "text/html"}, None, 406, "page"),
    # everyone else (RDF negotiated, curl): plain text
    ("GET", "/claims/c999.ttl", BROWSER, None, 404, "text"),
    ("GET", "/claims/c999", {"Accept": "text/turtle"}, None, 404, "text"),
    ("GET", "/no-such-page", ANY, None, 404, "text"),
    ("GET", "/no-such-page", {}, None, 404, "text"),
    ("POST", "/claims", ANY, None, 405, "text"),
    ("GET", "/claims/c013", {"Accept": "image/png"}, None, 406, "text"),
]


@pytest.mark.parametrize(
    ("method", "path", "headers", "data", "status", "shape"),
    CASES,
    ids=[f"{c[0]} {c[1]} [{_who(c[2])}] -> {c[4]} {c[5]}" for c in CASES],
)
def test_error_has_the_one_shape_of_its_audience(client, method, path, headers, data, status, shape):
    response = client.open(path, method=method, headers=headers, data=data)
    SHAPES[shape](response, status)


@pytest.mark.parametrize(
    ("path", "shape"),
    [("/sparql", "text"), ("/api/claims", "json"), ("/claims", "page"), ("/claims", "text")],
)
def test_wrong_method_keeps_allow_in_every_shape(client, path, shape):
    response = client.put(path, headers=BROWSER if shape == "page" else ANY)
    SHAPES[shape](response, 405)
    assert "GET" in response.headers["Allow"]


def test_shape_chosen_from_accept_varies_on_accept(client):
    page, text = client.get("/no-such-page", headers=BROWSER), client.get("/no-such-page", headers=ANY)
    assert page.mimetype != text.mimetype
    assert "Accept" in page.vary
    assert "Accept" in text.vary


class FailingStore:
    """The shipped store, except that every query fails the way a bug would."""

    def __init__(self, inner) -> None:
        self.inner = inner

    def __getattr__(self, name: str):
        return getattr(self.inner, name)

    def select(self, query: str):
        raise RuntimeError(SECRET)

    def sparql(self, query: str, **kwargs):
        raise RuntimeError(SECRET)

    def child_opener(self):
        # A sandbox's query process must fail the same way: it opens this store, not the inner one.
        return lambda: self


@pytest.fixture(scope="module")
def failing_client(reviewed_store):
    return create_app({"base_iri": BASE}, store=FailingStore(reviewed_store)).test_client()


@pytest.mark.parametrize(
    ("path", "headers", "shape"),
    [
        ("/sparql?query=ASK%20%7B%7D", ANY, "text"),
        ("/api/claims", BROWSER, "json"),
        ("/claims", {"Accept": "application/json"}, "json"),
        ("/claims/c013", BROWSER, "page"),
        ("/claims/c013.ttl", BROWSER, "text"),
    ],
)
def test_unexpected_error_is_a_logged_generic_500_in_the_audiences_shape(
    failing_client, caplog, path, headers, shape
):
    with caplog.at_level(logging.ERROR):
        response = failing_client.get(path, headers=headers)
    SHAPES[shape](response, 500)
    assert SECRET not in response.get_data(as_text=True)
    assert any(SECRET in (record.exc_text or str(record.exc_info)) for record in caplog.records)
