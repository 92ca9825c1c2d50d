"""Full-text search: the grammar, the FTS5 index against known claims, the page and the API."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from claimgraph.build.pipeline import build_reviewed, to_nquads
from claimgraph.build.sources import read_sources
from claimgraph.reading.search_query import SearchSyntaxError, parse
from claimgraph.store.oxigraph import OxigraphStore
from conftest import SHIPPED


@pytest.fixture(scope="module")
def client(site_client):
    return site_client


def search(client, q: str, **facets: str | list[str]) -> dict:
    response = client.get("/api/search", query_string={"q": q, **facets})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def ids(body: dict) -> list[str]:
    return [hit["claim"]["id"] for hit in body["hits"]]


@pytest.mark.parametrize(
    ("search_text", "fts"),
    [
        ("border police", '"border" AND "police"'),
        ('"Border Police"', '"border police"'),
        ("admin*", '"admin"*'),
        ('"border pol"*', '"border pol"*'),
        ("police -Levada", '"police" NOT "levada"'),
        ("NEAR(a b)", '"near a" AND "b"'),
        ("quote:border", '"quote border"'),
        ("20,270", '"20 270"'),
        ("OR AND NOT", '"or" AND "and" AND "not"'),
    ],
)
def test_the_grammar_quotes_every_word_for_fts5(search_text, fts):
    assert parse(search_text).fts() == fts


@pytest.mark.parametrize("bad", ['"', '"Border Police', "*", '""', "-police", "   ", "a" * 501, "x " * 40])
def test_the_grammar_refuses_what_it_cannot_read(bad):
    with pytest.raises(SearchSyntaxError):
        parse(bad)


def test_border_police_ranks_the_claim_that_names_it_first(client):
    body = search(client, "Border Police")
    assert ids(body)[0] == "c067"  # "Serbian Border Police Administration, on August 5, 2024, …"
    quote = body["hits"][0]["highlights"]["quote"]
    assert [s["text"] for s in quote if s["match"]] == ["Border", "Police"]
    scores = [hit["score"] for hit in body["hits"]]
    assert scores == sorted(scores, reverse=True)
    # every figure from the Border Police responses is found through its source
    assert {"c013", "c014", "c017", "c018", "c019"} <= set(ids(body))


def test_phrase_is_stricter_than_words(client):
    words = set(ids(search(client, "police administration serbian")))
    phrase = set(ids(search(client, '"serbian border police administration"')))
    assert phrase
    assert phrase <= words
    assert not ids(search(client, '"police border"'))


def test_prefix_finds_word_beginnings(client):
    exact = set(ids(search(client, "applications")))
    prefix = set(ids(search(client, "applic*")))
    assert exact <= prefix
    assert {"c013", "c017", "c018", "c019"} <= prefix  # the applications total and series


def test_known_claims_are_found_by_their_words(client):
    assert "c030" in ids(search(client, "Belgrade"))
    putin = search(client, "Putin")
    assert putin["total"] >= 1
    assert all("putin" in str(hit["highlights"]).lower() for hit in putin["hits"])
    assert ids(search(client, "20,270")) == ["c017"]


def test_exclusion_leaves_claims_out(client):
    both = set(ids(search(client, "russia")))
    without = set(ids(search(client, "russia -putin")))
    assert without < both
    assert not without & set(ids(search(client, "putin")))


def test_facets_filter_and_count_over_the_other_facets(client):
    everything = search(client, "police")
    kinds = {v["id"]: v["count"] for v in everything["facets"]["kind"]}
    statistics = search(client, "police", kind="statistic")
    assert statistics["total"] == kinds["statistic"] > 0
    assert all(hit["claim"]["kind"]["id"] == "statistic" for hit in statistics["hits"])
    assert statistics["filters"]["kind"] == ["statistic"]
    chosen = {v["id"]: v for v in statistics["facets"]["kind"]}
    assert chosen["statistic"]["selected"]
    assert chosen["survey-finding"]["count"] == kinds.get("survey-finding", 0)
    for facet in ("article", "verdict", "source", "attribution"):
        counts = {v["id"]: v["count"] for v in everything["facets"][facet]}
        value = max(counts, key=counts.__getitem__)
        assert search(client, "police", **{facet: value})["total"] == counts[value]


@pytest.mark.parametrize(
    "hostile",
    ['"', "*", '""', "'; DROP TABLE claims; --", "a" * 2000, "\x00", "-x", '"a" NEAR/2 "b', "claims MATCH"],
)
def test_hostile_searches_are_400_with_a_message_or_harmless(client, hostile):
    response = client.get("/api/search", query_string={"q": hostile})
    assert response.status_code in (200, 400)
    body = response.get_json()
    if response.status_code == 400:
        assert body["status"] == 400
        assert "search" in body["detail"]
    page = client.get("/search", query_string={"q": hostile}, headers={"Accept": "text/html"})
    assert page.status_code == response.status_code
    assert page.status_code != 500


def test_missing_and_unknown_parameters_are_400(client):
    assert client.get("/api/search").status_code == 400
    response = client.get("/api/search?q=police&kind=nope")
    assert response.status_code == 400
    assert "known:" in response.get_json()["detail"]


def test_the_page_marks_matches_and_links_to_sparql(client):
    page = client.get("/search?q=Border+Police", headers={"Accept": "text/html"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "<mark>Border</mark> <mark>Police</mark>" in html
    assert html.index("/claims/c067") < html.index("/claims/c013")
    link = html.split('class="run-sparql" href="')[1].split('"')[0].replace("&amp;", "&")
    query = parse_qs(urlparse(link).query)["query"][0]
    assert "VALUES (?claim ?rank)" in query
    assert "<http://claimgraph.test/claims/c067> 1" in query


def test_the_sparql_of_the_matches_returns_them(client):
    body = search(client, '"Border Police"', kind="statistic")
    response = client.get(
        "/sparql",
        query_string={"query": body["sparql"]},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert response.status_code == 200
    found = [b["claim"]["value"].rsplit("/", 1)[1] for b in response.get_json()["results"]["bindings"]]
    assert list(dict.fromkeys(found)) == ids(body)


def test_every_page_has_the_search_box(client):
    for path in ("/article", "/claims", "/checks", "/sparql", "/claims/c013", "/search"):
        html = client.get(path, headers={"Accept": "text/html"}).get_data(as_text=True)
        assert 'role="search"' in html, path
        assert 'action="/search"' in html, path


def test_the_index_follows_the_store_content(iris, data_copy: Path):
    from claimgraph import create_app

    store = OxigraphStore(base_iri=iris.base, prefixes=iris.prefixes())
    store.replace_all(to_nquads(build_reviewed(read_sources(data_copy), iris).dataset))
    client = create_app({"base_iri": iris.base}, store=store).test_client()
    assert search(client, "zanzibarquokka")["total"] == 0
    claims = data_copy / SHIPPED / "claims.yaml"
    text = claims.read_text(encoding="utf-8")
    marker = "    note: >-\n"
    assert marker in text
    claims.write_text(text.replace(marker, marker + "      zanzibarquokka\n", 1), encoding="utf-8")
    store.replace_all(to_nquads(build_reviewed(read_sources(data_copy), iris).dataset))
    assert search(client, "zanzibarquokka")["total"] == 1
    claims.write_text(text, encoding="utf-8")
    store.replace_all(to_nquads(build_reviewed(read_sources(data_copy), iris).dataset))
    assert search(client, "zanzibarquokka")["total"] == 0
