"""Serving many articles (issue 12, item 1): /articles, each article's page, the article facet of
/claims, /api/claims and /search, claim pages and Linked Data under articles/<slug>/.

The second article is the TEST FIXTURE tests/data/articles/test-fixture-permits/ (not journalism):
its claim ids repeat the shipped article's.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import requests
from claimgraph import create_app
from claimgraph.build.pipeline import build_reviewed, to_nquads
from claimgraph.build.sources import read_sources
from claimgraph.store.oxigraph import OxigraphStore
from conftest import DATA
from live_server import BIN, free_port, running

SECOND = Path(__file__).resolve().parent / "data" / "articles" / "test-fixture-permits"
SLUG = SECOND.name
HTML = {"Accept": "text/html"}
JSON = {"Accept": "application/json"}


@pytest.fixture(scope="module")
def built(iris):
    return build_reviewed(read_sources(DATA, [SECOND]), iris)


@pytest.fixture(scope="module")
def client(built, iris):
    store = OxigraphStore(base_iri=iris.base, prefixes=iris.prefixes())
    store.replace_all(to_nquads(built.dataset))
    return create_app({"base_iri": iris.base}, store=store).test_client()


def test_every_iri_minted_for_the_second_article_dereferences(built, client, iris):
    prefix = f"{iris.base}articles/{SLUG}"
    minted = {
        str(term).split("#")[0]
        for s, _, o, g in built.dataset.quads((None, None, None, None))
        for term in (s, o, g)
        if str(term).startswith(prefix)
    }
    assert len(minted) > 25
    for iri in sorted(minted):
        response = client.get(iri[len(iris.base) - 1 :], headers={"Accept": "text/turtle"})
        assert response.status_code == 200, iri
        assert iri.encode() in response.data or iri[len(iris.base) - 1 :].encode() in response.data, iri


def test_the_articles_index_lists_both_as_html_and_json(client, iris):
    page = client.get("/articles", headers=HTML)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'href="/articles/russians-in-serbia"' in html
    assert f'href="/articles/{SLUG}"' in html
    assert "Test fixture: residence permit applications in 2023" in html
    assert f'href="/claims?article={SLUG}"' in html
    for response in (client.get("/articles", headers=JSON), client.get("/api/articles")):
        assert response.status_code == 200
        body = response.get_json()
        assert body["count"] == 2
        by_id = {a["id"]: a for a in body["articles"]}
        assert by_id["russians-in-serbia"]["claimCount"] == 82
        assert by_id["russians-in-serbia"]["type"] == "BlogPosting"
        second = by_id[SLUG]
        assert second["claimCount"] == 3
        assert second["type"] == "NewsArticle"
        assert second["iri"] == f"{iris.base}articles/{SLUG}"
        assert second["text"] == f"{iris.base}articles/{SLUG}/text"
        assert second["claims"] == [f"{iris.base}articles/{SLUG}/claims/c00{n}" for n in (1, 2, 3)]
        assert sum(second["verdicts"].values()) == 3
    one = client.get(f"/api/articles/{SLUG}")
    assert one.status_code == 200
    assert one.get_json()["headline"] == "Test fixture: residence permit applications in 2023"
    missing = client.get("/api/articles/no-such-article")
    assert missing.status_code == 404
    assert "no-such-article" in missing.get_json()["detail"]


def test_each_article_has_its_annotated_page_and_article_stays_the_shipped_one(client):
    second = client.get(f"/articles/{SLUG}", headers=HTML).get_data(as_text=True)
    assert "<h1>Test fixture: residence permit applications in 2023</h1>" in second
    assert f'href="/articles/{SLUG}/claims/c001"' in second
    assert 'href="/claims/c001"' not in second
    shipped = client.get("/article", headers=HTML)
    assert shipped.status_code == 200
    assert 'href="/claims/c001"' in shipped.get_data(as_text=True)
    assert f"/articles/{SLUG}/claims/" not in shipped.get_data(as_text=True)
    text = client.get(f"/articles/{SLUG}/text", headers={"Accept": "text/plain"})
    assert text.get_data(as_text=True) == (SECOND / "article.txt").read_text(encoding="utf-8")


def test_the_article_facet_filters_claims_in_html_and_json(client, iris):
    api = client.get(f"/api/claims?article={SLUG}").get_json()
    assert [c["iri"] for c in api["claims"]] == [str(iris.claim(f"c00{n}", SLUG)) for n in (1, 2, 3)]
    assert [c["key"] for c in api["claims"]] == [f"{SLUG}/c001", f"{SLUG}/c002", f"{SLUG}/c003"]
    assert api["filters"]["article"] == [SLUG]
    counts = {v["id"]: v["count"] for v in api["facets"]["article"]}
    assert counts == {"russians-in-serbia": 82, SLUG: 3}
    both = client.get(f"/api/claims?article={SLUG}&article=russians-in-serbia").get_json()
    assert both["count"] == 85
    shipped = client.get("/api/claims?article=russians-in-serbia&kind=interpretation").get_json()
    assert all(c["article"] == str(iris.article("russians-in-serbia")) for c in shipped["claims"])
    page = client.get(f"/claims?article={SLUG}", headers=HTML).get_data(as_text=True)
    assert len(re.findall(r'<li>\s*<h2 class="visually-plain">', page)) == 3
    assert f'name="article" value="{SLUG}" checked' in page
    bad = client.get("/api/claims?article=nope")
    assert bad.status_code == 400
    assert "unknown article 'nope'" in bad.get_json()["detail"]


def test_search_has_an_article_facet_across_both(client):
    result = client.get("/api/search?q=applications").get_json()
    counts = {v["id"]: v["count"] for v in result["facets"]["article"]}
    assert counts[SLUG] == 3
    assert counts["russians-in-serbia"] > 0
    only = client.get(f"/api/search?q=applications&article={SLUG}").get_json()
    assert only["count"] == 3
    assert {hit["claim"]["key"] for hit in only["hits"]} == {f"{SLUG}/c001", f"{SLUG}/c002", f"{SLUG}/c003"}


def test_a_claim_page_says_which_article_and_the_same_id_is_two_claims(client):
    second = client.get(f"/articles/{SLUG}/claims/c001", headers=HTML)
    assert second.status_code == 200
    html = second.get_data(as_text=True)
    assert f'<a href="/articles/{SLUG}#c001">the article</a>' in html
    assert "“Test fixture: residence permit applications in 2023”" in html
    assert "24,704" in html
    assert f"/api/articles/{SLUG}/claims/c001" in html
    shipped = client.get("/claims/c001", headers=HTML).get_data(as_text=True)
    assert '<a href="/articles/russians-in-serbia#c001">the article</a>' in shipped
    assert "<code>russians-in-serbia</code>" in shipped
    detail = client.get(f"/api/articles/{SLUG}/claims/c002").get_json()
    assert detail["quote"] == "250 applications were rejected in 2023"
    assert client.get("/api/claims/c002").get_json()["quote"] != detail["quote"]
    assert client.get(f"/articles/{SLUG}/claims/c099", headers=HTML).status_code == 404
    assert client.get(f"/api/articles/{SLUG}/claims/c099").status_code == 404


def test_related_claims_reach_across_articles_by_key(client):
    related = client.get(f"/api/articles/{SLUG}/claims/c001").get_json()["related"]
    # the shipped article gives the same measure: its claims are listed by their (legacy) ids
    assert "c018" in related["sameMeasure"]
    shipped = client.get("/api/claims/c018").get_json()["related"]
    assert f"{SLUG}/c001" in shipped["sameMeasure"]


def test_linked_data_of_the_second_article_resolves(client, iris):
    for path in (
        f"/articles/{SLUG}/claims/c001.ttl",
        f"/articles/{SLUG}/claims/c001/assertion.trig",
        f"/articles/{SLUG}/claims/c001/figure-1.ttl",
        f"/articles/{SLUG}/graphs/article.ttl",
        f"/articles/{SLUG}/reviews/c002-unsourced.ttl",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        assert (
            f"{iris.base}articles/{SLUG}/".encode() in response.data
            or f"/articles/{SLUG}/".encode() in response.data
        )


def test_openapi_lists_the_articles_routes_and_the_article_filter(client):
    doc = client.get("/openapi.json").get_json()
    for path in ("/api/articles", "/articles", "/api/articles/{id}", "/api/articles/{article}/claims/{id}"):
        assert path in doc["paths"], path
    parameters = {p["name"]: p for p in doc["paths"]["/api/claims"]["get"]["parameters"]}
    assert set(parameters["article"]["schema"]["items"]["enum"]) == {"russians-in-serbia", SLUG, ""}
    assert "Article" in doc["components"]["schemas"]
    assert "key" in doc["components"]["schemas"]["Claim"]["properties"]


def test_checks_and_sources_pages_name_claims_by_key(client):
    checks = client.get("/checks", headers=HTML).get_data(as_text=True)
    assert f">{SLUG}/c002</a>" in checks
    sources = client.get("/api/sources").get_json()["sources"]
    cited = next(s for s in sources if s["id"] == "bpa-response-2025-02-12")
    assert f"{SLUG}/c001" in cited["claims"]
    assert "c018" in cited["claims"]


def test_the_check_report_names_findings_by_key(client):
    rules = client.get("/api/checks").get_json()["rules"]
    unsourced = next(rule for rule in rules if rule["id"] == "unsourced")
    keys = {finding["claim"]["key"] for finding in unsourced["findings"]}
    assert f"{SLUG}/c002" in keys
    assert "c001" in keys


def test_a_real_server_serves_the_articles_folder_and_refuses_a_store_of_other_articles(tmp_path):
    added = tmp_path / "added"
    shutil.copytree(SECOND, added / SLUG)
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    store = tmp_path / "store"
    env = {"CLAIMGRAPH_ARTICLES_DIR": str(added), "CLAIMGRAPH_BASE_IRI": base}
    built = subprocess.run(
        [str(BIN / "claimgraph"), "build-store", str(store)],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert built.returncode == 0, built.stderr
    serve = [str(BIN / "claimgraph"), "serve", "--port", str(port)]
    settings = {**env, "CLAIMGRAPH_STORE_PATH": str(store), "CLAIMGRAPH_STORE_READ_ONLY": "true"}
    with running(serve, settings, port, tmp_path / "serve.log") as url:
        listed = requests.get(url + "api/articles", timeout=30).json()
        assert [a["id"] for a in listed["articles"]] == ["russians-in-serbia", SLUG]
        claim = requests.get(url + f"articles/{SLUG}/claims/c001", headers=HTML, timeout=30)
        assert claim.status_code == 200
        assert "24,704" in claim.text
        assert requests.get(url + "claims/c001.ttl", timeout=30).status_code == 200
    # another article in the folder is another data version: the read-only store no longer serves it
    shutil.copytree(SECOND, added / "test-fixture-copy")
    refused = subprocess.run(
        serve, env={**os.environ, **settings}, capture_output=True, text=True, timeout=120
    )
    assert refused.returncode != 0
    assert "data version" in refused.stderr
