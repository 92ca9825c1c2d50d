"""The result cache of public queries: hits for the same request on the same data, counted on /health;
another format, dataset or data version is another entry; errors are never kept."""

from __future__ import annotations

import pytest
from claimgraph import create_app
from claimgraph.limits.cache import ENTRY_OVERHEAD
from claimgraph.store.oxigraph import OxigraphStore
from live_server import protocol_nquads

BASE = "http://claimgraph.test/"
CLAIMS = "SELECT ?c ?text WHERE { ?c <http://schema.org/text> ?text } ORDER BY ?c"
JSON = "application/sparql-results+json"


@pytest.fixture
def store() -> OxigraphStore:
    loaded = OxigraphStore(base_iri=BASE)
    loaded.replace_all(protocol_nquads(BASE))
    return loaded


@pytest.fixture
def client(store):
    return create_app({"base_iri": BASE, "query_cache_bytes": 1 << 20}, store=store).test_client()


def cache(client) -> dict[str, int]:
    return client.get("/health").get_json()["query_cache"]


def ask(client, query: str = CLAIMS, accept: str = JSON, **params: str):
    return client.get("/sparql", query_string={"query": query, **params}, headers={"Accept": accept})


def test_the_same_request_on_the_same_data_is_a_hit(client):
    first = ask(client)
    assert first.status_code == 200
    counted = cache(client)
    assert (counted["hits"], counted["misses"], counted["entries"]) == (0, 1, 1)
    # The answer and its key: the query text, the media type, the data version, an entry's own objects.
    assert counted["bytes"] >= len(first.data) + len(CLAIMS) + len(JSON) + ENTRY_OVERHEAD
    again = ask(client)
    assert again.data == first.data
    assert cache(client)["hits"] == 1
    # Surrounding white space is not part of the request's meaning.
    assert ask(client, f"  {CLAIMS}\n").data == first.data
    assert cache(client)["hits"] == 2


def test_another_format_or_dataset_is_another_entry(client):
    ask(client)
    csv = ask(client, accept="text/csv")
    assert csv.data.startswith(b"c,text")
    ask(client, **{"default-graph-uri": BASE + "claims/c1/assertion"})
    assert cache(client) == {**cache(client), "hits": 0, "misses": 3, "entries": 3}


def test_new_data_is_never_answered_from_the_cache(client, store):
    before = ask(client).get_json()
    store.replace_all(b'<http://e/c> <http://schema.org/text> "new" <http://e/g> .\n')
    after = ask(client).get_json()
    assert [b["text"]["value"] for b in after["results"]["bindings"]] == ["new"]
    assert after != before
    assert cache(client)["hits"] == 0


def test_errors_are_not_kept(client):
    assert ask(client, "SELECT ?s WHERE { ?s ?p }").status_code == 400
    assert ask(client, "SELECT ?s WHERE { ?s ?p }").status_code == 400
    assert cache(client)["entries"] == 0


def test_a_cache_of_zero_bytes_is_off(store):
    client = create_app({"base_iri": BASE, "query_cache_bytes": 0}, store=store).test_client()
    ask(client)
    ask(client)
    assert cache(client) == {"hits": 0, "misses": 0, "entries": 0, "bytes": 0}


def test_long_queries_with_small_answers_stay_within_the_bound(store):
    """An entry is charged its key: 60 distinct 2 KB query texts with one-line answers cannot hold
    more than the cache's bytes (charged by answer alone they would all be kept, 120 KB of keys)."""
    bound = 20_000
    client = create_app({"base_iri": BASE, "query_cache_bytes": bound}, store=store).test_client()
    for n in range(60):
        answer = ask(client, f"ASK {{}} # {n:04d} {'x' * 2000}", accept="text/csv")
        assert answer.status_code == 200
    counted = cache(client)
    assert counted["misses"] == 60
    assert counted["bytes"] <= bound
    assert 0 < counted["entries"] <= bound // 2000
