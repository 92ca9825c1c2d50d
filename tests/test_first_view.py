"""Issue 12, item 5: nothing is computed on the first request after a load. The read model reads
everything a claim page needs when the content changes (its versions included), and the app answers
one claim page at start so that the first reader does not pay a process's first render."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from claimgraph import create_app
from claimgraph.iris import Iris
from claimgraph.reading.descriptions import StoreReader, load_page_queries
from claimgraph.reading.versions import read_all_claim_versions
from claimgraph.store.oxigraph import OxigraphStore
from conftest import CANONICAL
from rdflib import URIRef

STORE_CALLS = ("sparql", "select", "ask", "construct", "export", "graph_names")


@pytest.fixture(scope="module")
def released_store(released_nquads: bytes) -> Iterator[OxigraphStore]:
    """The shipped data with its released versions (data/releases/), under the canonical base."""
    iris = Iris(CANONICAL)
    store = OxigraphStore(base_iri=iris.base, prefixes=iris.prefixes())
    store.replace_all(released_nquads)
    yield store
    store.close()


def count_store_calls(store: OxigraphStore, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every call the app makes to ``store`` from now on, by method name."""
    calls: list[str] = []
    for name in STORE_CALLS:
        method = getattr(store, name)

        def counted(*args, _name=name, _method=method, **kwargs):
            calls.append(_name)
            return _method(*args, **kwargs)

        monkeypatch.setattr(store, name, counted)
    return calls


def test_no_claim_page_runs_a_query_after_the_load(released_store, monkeypatch):
    client = create_app({"base_iri": CANONICAL}, store=released_store).test_client()
    iris = Iris(CANONICAL)
    reader = StoreReader(released_store, load_page_queries())
    claims = [str(row["claim"]) for row in reader.select("claim-versions")]
    assert len(set(claims)) == 82  # every shipped claim was released
    calls = count_store_calls(released_store, monkeypatch)
    for claim in sorted(set(claims)):
        page = client.get("/" + claim.removeprefix(iris.base), headers={"Accept": "text/html"})
        assert page.status_code == 200, claim
        assert 'id="versions"' in page.get_data(as_text=True)
        assert 'rel="latest-version"' in page.get_data(as_text=True) or "Changed since" in page.get_data(
            as_text=True
        )
    assert calls == []


def test_every_claims_versions_read_at_once_are_those_read_one_claim_at_a_time(released_store):
    reader = StoreReader(released_store, load_page_queries())
    every = read_all_claim_versions(reader)
    assert len(every) == 82
    for claim, versions in every.items():
        rows = reader.select("claim-versions", claim=URIRef(claim))
        assert list(dict.fromkeys(str(row["version"]) for row in rows)) == [e.iri for e in versions.entries]
        assert versions.current == (str(rows[0]["current"]) if "current" in rows[0] else None)


def test_the_start_leaves_nothing_in_the_page_cache(released_store):
    client = create_app({"base_iri": CANONICAL}, store=released_store).test_client()
    health = client.get("/health").get_json()
    assert health["page_cache"]["entries"] == 0
    assert (health["page_cache"]["hits"], health["page_cache"]["misses"]) == (0, 0)
    first = client.get("/claims/c001", headers={"Accept": "text/html"})
    assert first.status_code == 200
    assert client.get("/health").get_json()["page_cache"]["misses"] == 1
