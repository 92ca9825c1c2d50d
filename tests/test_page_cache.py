"""Rendered answers of the read routes are kept per process while the data stays the same
(web/page_cache.py): the same bytes as a fresh render, never across data versions, formats or
personal requests, never for public queries, and everything after the view still runs."""

from __future__ import annotations

import pytest
from claimgraph import create_app
from claimgraph.build.pipeline import CompiledDataset
from claimgraph.iris import Iris
from claimgraph.store.oxigraph import OxigraphStore

HTML = {"Accept": "text/html"}


@pytest.fixture
def store(built: CompiledDataset, iris: Iris) -> OxigraphStore:
    fresh = OxigraphStore(base_iri=iris.base, prefixes=iris.prefixes())
    fresh.replace_all(built.dataset.serialize(format="nquads", encoding="utf-8"))
    return fresh


def client_on(store: OxigraphStore, iris: Iris, **settings: object):
    return create_app({"base_iri": iris.base, **settings}, store=store).test_client()


def pages(client) -> dict[str, int]:
    return client.get("/health").get_json()["page_cache"]


def test_a_second_request_is_answered_from_the_cache_with_the_same_answer(store, iris):
    client = client_on(store, iris)
    first = client.get("/claims/c013", headers=HTML)
    assert first.status_code == 200
    assert b"c013" in first.data
    again = client.get("/claims/c013", headers=HTML)
    assert pages(client)["hits"] == 1
    assert again.data == first.data
    assert again.headers["Content-Type"] == first.headers["Content-Type"]
    assert again.headers["ETag"] == first.headers["ETag"]
    # A cache that is off renders the very same bytes.
    uncached = client_on(store, iris, page_cache_bytes=0)
    assert uncached.get("/claims/c013", headers=HTML).data == first.data
    assert pages(uncached) == {"hits": 0, "misses": 0, "entries": 0, "bytes": 0}


def test_another_format_or_url_is_another_entry(store, iris):
    client = client_on(store, iris)
    html = client.get("/claims/c013", headers=HTML)
    turtle = client.get("/claims/c013", headers={"Accept": "text/turtle"})
    assert turtle.headers["Content-Type"].startswith("text/turtle")
    assert turtle.data != html.data
    client.get("/claims?kind=statistic", headers=HTML)
    client.get("/claims?kind=estimate", headers=HTML)
    assert pages(client) == {**pages(client), "hits": 0, "misses": 4, "entries": 4}


def test_new_data_is_never_answered_from_the_cache(store, iris):
    client = client_on(store, iris)
    assert client.get("/claims/c013", headers=HTML).status_code == 200
    store.replace_all(b"")
    assert client.get("/claims/c013", headers=HTML).status_code == 404
    assert pages(client)["hits"] == 0


def test_headers_added_after_the_view_are_on_every_answer(store, iris):
    client = client_on(store, iris)
    client.get("/api/claims")
    hit = client.get("/api/claims", headers={"Origin": "https://elsewhere.example"})
    assert pages(client)["hits"] == 1
    assert hit.headers["Access-Control-Allow-Origin"] == "*"
    assert "Content-Security-Policy" in client.get("/claims/c013", headers=HTML).headers
    page = client.get("/claims/c013", headers=HTML)
    assert "Content-Security-Policy" in page.headers
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    # What the view noted for the hooks after it holds for a kept answer too: it was negotiated.
    assert "Accept" in page.headers["Vary"]
    assert pages(client)["hits"] == 2


def test_public_queries_errors_and_personal_requests_are_not_kept(store, iris):
    client = client_on(store, iris)
    query = {"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 1"}
    for _ in range(2):
        assert client.get("/sparql", query_string=query).status_code == 200
        assert client.get("/search", query_string={"q": "Belgrade"}, headers=HTML).status_code == 200
        assert client.get("/claims/c999", headers=HTML).status_code == 404
        assert client.get("/claims/c013", headers={**HTML, "Authorization": "Bearer x"}).status_code == 200
    assert pages(client) == {**pages(client), "hits": 0, "entries": 0}
