"""The pages a fact-checker reads, through the Flask test client: article, claims, sources, checks."""

from __future__ import annotations

import doctest
import json
import re
from html.parser import HTMLParser
from urllib.parse import quote

import pytest
from claimgraph import wording
from claimgraph.reading import article_view as article
from claimgraph.reading import bibliography as citing
from claimgraph.reading import listing as claim_list
from claimgraph.reading import ontology_doc
from claimgraph.reading.article_view import Span, blocks, nest, unreachable
from claimgraph.reading.bibliography import Agent, DatasetInfo, Work
from claimgraph.reading.claim_page import ClaimPage
from claimgraph.reading.model import Claim, Ref, Review
from claimgraph.web import sparql
from flask import render_template

BASE = "http://claimgraph.test/"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8"
HTML = {"Accept": BROWSER}
PAGES = ["/article", "/claims", "/claims/c013", "/sources", "/sources/bcsp-survey", "/entities/serbia"]
PAGES += ["/checks", "/ontology", "/articles", "/articles/russians-in-serbia", "/reviews/c015-ratio-bound"]


@pytest.fixture(scope="module")
def client(site_client):
    return site_client


@pytest.fixture(scope="module")
def claim_count(reviewed_store) -> int:
    rows = reviewed_store.select("SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { GRAPH ?g { ?c a schema:Claim } }")
    return int(rows[0]["n"])


def page(client, path: str) -> str:
    response = client.get(path, headers=HTML)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "text/html"
    return response.get_data(as_text=True)


class Highlights(HTMLParser):
    """The text inside each claim's <mark>s (fragments joined), leaving out tooltips and signs."""

    SKIP = ("tip", "verdict-sign", "claim-ref")

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[tuple[str, str | None, bool]] = []  # tag, claim, skipped
        self.text: dict[str, str] = {}
        self.links: dict[str, set[str]] = {}

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        classes = (attributes.get("class") or "").split()
        skipped = any(name in classes for name in self.SKIP) or any(s for _, _, s in self.stack)
        claim = attributes.get("data-claim") if tag == "mark" else None
        if claim:
            self.text.setdefault(claim, "")
        if tag == "a" and not skipped and self._open_claims():
            self.links.setdefault(self._open_claims()[-1], set()).add(attributes["href"])
        self.stack.append((tag, claim, skipped))

    def handle_endtag(self, tag):
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data):
        if any(s for _, _, s in self.stack):
            return
        for claim in set(self._open_claims()):
            self.text[claim] += data

    def _open_claims(self) -> list[str]:
        return [claim for _, claim, _ in self.stack if claim]


# -- the layout of highlights (pure) ---------------------------------------------------------------
def test_nested_anchor_is_a_mark_inside_its_sentence():
    pieces = nest("one two three", [Span(0, 13, "sentence"), Span(4, 7, "figure")], 0, 13)
    (sentence,) = pieces
    assert [c.kind for c in sentence.children] == ["text", "mark", "text"]
    assert sentence.children[1].span.key == "figure"
    assert not unreachable(pieces)


def test_crossing_anchors_are_split_so_both_keep_their_own_text():
    pieces = nest("abcdefghij", [Span(0, 6, "a"), Span(4, 9, "b")], 0, 10)
    marks = [p for p in pieces if p.kind == "mark"]
    assert [(m.span.key, m.span.start, m.span.end, m.span.opens, m.span.closes) for m in marks] == [
        ("a", 0, 6, True, True),
        ("b", 6, 9, False, True),
    ]
    assert marks[0].children[1].span == Span(4, 6, "b", opens=True, closes=False)
    assert not unreachable(pieces)


def test_identical_anchors_leave_one_claim_without_text_of_its_own_and_say_so():
    pieces = nest("abcdef", [Span(1, 4, "x"), Span(1, 4, "y")], 0, 6)
    assert unreachable(pieces) == {"x"}  # the page gives it a [x] marker link


def test_paragraphs_split_an_anchor_that_crosses_a_line_break():
    laid_out = blocks("First line.\nSecond line.", [Span(6, 18, "c")])
    first, second = (b.pieces for b in laid_out)
    assert first[1].span == Span(6, 11, "c", opens=True, closes=False)
    assert second[0].span == Span(12, 18, "c", opens=False, closes=True)


DOCTESTED = [article, citing, claim_list, ontology_doc, sparql, wording]


@pytest.mark.parametrize("module", DOCTESTED)
def test_doctests(module):
    result = doctest.testmod(module)
    assert result.attempted > 0
    assert result.failed == 0


# -- the article -----------------------------------------------------------------------------------
def test_article_highlights_every_claim_at_its_stored_offsets(
    client, reviewed_store, article_text, claim_count
):
    parser = Highlights()
    parser.feed(page(client, "/article"))
    rows = reviewed_store.select(
        "SELECT ?id ?start ?end WHERE { GRAPH ?g { ?c a schema:Claim ; schema:identifier ?id ; cg:anchor ?t ."
        " ?t oa:hasSelector ?s . ?s a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end } }"
    )
    assert len(parser.text) == claim_count == len(rows)
    for row in rows:
        expected = article_text[int(row["start"]) : int(row["end"])]
        assert parser.text[str(row["id"])] == expected, row["id"]


def test_every_highlight_links_to_its_claim_page(client, claim_count):
    parser = Highlights()
    parser.feed(page(client, "/article"))
    assert len(parser.links) == claim_count
    for claim, hrefs in parser.links.items():
        assert hrefs == {f"/claims/{claim}"}


def test_crossing_claims_of_the_article_are_both_reachable(client):
    html = page(client, "/article")
    # c068 ("saw a significant increase in 2024") and c069 ("in 2024, with 1,465 denials") overlap.
    assert html.count('data-claim="c069"') == 2
    assert re.search(r'data-claim="c068"[^>]*id="c068"', html)


def test_article_marks_kind_and_verdict_with_a_legend(client):
    html = page(client, "/article")
    assert 'class="claim kind-statistic verdict-unexplained-residual" data-claim="c013"' in html
    assert 'aria-labelledby="legend-title"' in html
    for label in ("survey finding", "statistic", "unsourced", "consistent", "not checked"):
        assert label in html


def test_tooltip_gives_figure_source_and_date_without_script(client):
    html = page(client, "/article")
    tip = re.search(r'<span id="tip-c013">([^<]*)</span>', html).group(1)
    assert "Figure: 73,197 applications" in tip
    assert "Serbian Border Police Administration" in tip
    assert "24 February 2022 to 31 December 2024" in tip
    assert 'aria-describedby="tip-c013"' in html
    assert "<script" not in html  # the tooltips are CSS: hover and keyboard focus


def test_article_iri_page_is_the_annotated_article(client):
    response = client.get("/articles/russians-in-serbia", headers=HTML)
    assert 'data-claim="c001"' in response.get_data(as_text=True)
    assert "Accept" in response.vary
    assert any('type="text/turtle"' in link for link in response.headers.getlist("Link"))


# -- a claim ---------------------------------------------------------------------------------------
def test_claim_page_shows_quote_in_context_figure_and_provenance(client):
    html = page(client, "/claims/c013")
    assert "…5, 2024, and February 12, 2025, <mark" in html  # the stored prefix
    assert "73,197 applications" in html
    assert "24 February 2022 to 31 December 2024" in html
    assert "Russian immigrants in Serbia" in html  # the population
    citation = "Serbian Border Police Administration, response to BCSP&#39;s access-to-information request"
    assert f'<a href="/sources/bpa-response-2024-08-05">{citation}, received 5 August 2024</a>' in html
    assert "stated in the sentence" in html
    # a computation, with the period it read the 2022 figure as
    assert (
        "73197 − (67236 + 309 (2022 read as 2022-02-24 to 2022-12-31) + 245 (2023) + 1465 (2024)) = 3942"
        in html
    )
    assert "compares the article with itself" in html


@pytest.mark.parametrize(
    ("claim", "text"),
    [("c015", "over 90%"), ("c028", "80,000 to 110,000 persons, approximate"), ("c007", "up to 30 days")],
)
def test_claim_page_words_bounds_and_ranges(client, claim, text):
    assert text in page(client, f"/claims/{claim}")


def test_claim_page_says_what_is_not_stated(client):
    html = page(client, "/claims/c028")
    assert "estimation method, estimator" in html
    assert "stated in the sentence" in html  # "based on the provided data above"
    html = page(client, "/claims/c024")
    assert "issuer stated, document inferred" in html
    assert "names who issued the source, not which of its documents" in html


def test_claim_page_offers_citations_and_rdf(client):
    html = page(client, "/claims/c013")
    assert "@misc{claimgraph-c013," in html
    assert "&#34;container-title&#34;" in html or '"container-title"' in html
    for ext in ("ttl", "jsonld", "trig"):
        assert f'href="/claims/c013.{ext}"' in html


def test_claim_page_keeps_vary_and_link_alternates(client):
    response = client.get("/claims/c013", headers=HTML)
    assert "Accept" in response.vary
    links = response.headers.getlist("Link")
    for media_type in ("text/turtle", "application/ld+json", "application/trig"):
        assert any(f'type="{media_type}"' in link for link in links)
    assert '<link rel="alternate" type="text/turtle" href="/claims/c013.ttl">' in response.get_data(
        as_text=True
    )


def _jsonld(html: str) -> dict:
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.DOTALL)
    return json.loads(match.group(1))


def test_claim_page_embeds_claimreview_jsonld_without_inventing_dates(client):
    data = _jsonld(page(client, "/claims/c015"))
    (review,) = data["@graph"]
    assert review["@type"] == "ClaimReview"
    assert review["claimReviewed"] == "reflecting an approval rate of over 90%"
    assert review["reviewRating"]["alternateName"] == "consistent"
    assert review["author"]["@type"] == "Organization"
    assert review["datePublished"]
    assert review["url"]
    item = review["itemReviewed"]
    assert item["@type"] == "Claim"
    assert item["author"][0]["name"] == "Kristina Nikolic"
    assert item["appearance"]["@type"] == "BlogPosting"
    assert "datePublished" not in item
    assert "datePublished" not in item["appearance"]
    assert "url" not in item["appearance"]


def test_jsonld_cannot_close_its_script_element(client):
    app = client.application
    hostile = "</script><script>alert(1)</script>"
    claim = Claim(
        f"{BASE}claims/x",
        "x",
        hostile,
        Ref("k", "statistic", "statistic"),
        Ref("a", "none", "no"),
        BASE,
        0,
        1,
    )
    review = Review(f"{BASE}reviews/x", claim.iri, Ref("v", "consistent", "consistent"), hostile)
    claim = Claim(**{**claim.__dict__, "reviews": (review,)})
    author = Agent(Ref(f"{BASE}entities/a", "a", hostile), "Person")
    work = Work(BASE, "BlogPosting", (author,), None, ())
    claim_page = ClaimPage(claim, (), (), work, DatasetInfo(BASE, hostile, None, None), "honest")
    with app.test_request_context("/claims/x"):
        html = render_template("claim.html", page=claim_page, links=[])
    assert "<script>alert" not in html
    assert _jsonld(html)["@graph"][0]["claimReviewed"] == hostile


def test_claim_page_lists_related_claims(client):
    html = page(client, "/claims/c017")
    assert "Same measure" in html
    assert 'href="/claims/c018"' in html
    assert "From the same source" in html


def test_unknown_claim_is_an_html_404_for_a_browser(client):
    response = client.get("/claims/c999", headers=HTML)
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert "no claim c999" in response.get_data(as_text=True)


# -- the list, sources, entities, checks, ontology -------------------------------------------------
def test_claim_list_filters_by_kind_and_counts_the_other_facets(client):
    html = page(client, "/claims?kind=statistic")
    assert "15 of 82 claims match" in html
    assert re.search(r'value="statistic" checked>\s*statistic <span class="muted">\(15\)', html)
    assert re.search(r'value="survey-finding">\s*survey finding <span class="muted">\(23\)', html)


def test_claim_list_free_text_matches_every_word(client):
    html = page(client, "/claims?q=approval+rate")
    assert 'href="/claims/c015"' in html
    assert "1 of 82 claims match" in html


def test_sources_page_says_how_and_when_each_source_was_obtained(client):
    html = page(client, "/sources")
    assert html.count('<section aria-labelledby="source-') == 7  # six cited, and the full publication
    assert "received 12 February 2025" in html
    assert "BCSP&#39;s request for access to information" in html
    assert "sample size" in html
    assert "not stated" in html


def test_source_page_lists_claims_derived_from_it(client):
    html = page(client, "/sources/levada-poll-2024-06")
    assert "Levada Centre" in html
    assert "June 2024" in html
    assert "Claims derived from it (2)" in html


def test_entity_page_links_wikidata_and_claims_about_it(client):
    html = page(client, "/entities/belgrade")
    assert 'href="http://www.wikidata.org/entity/Q3711"' in html
    assert 'href="/claims/c010"' in html


def test_checks_page_lists_rules_verdicts_and_honesty(client):
    html = page(client, "/checks")
    assert html.count('class="rule"') == 13
    assert "compares the article with itself" in html
    assert 'href="/claims?verdict=unsourced">15</a>' in html
    assert "SELECT" in html  # each rule's SPARQL


def test_ontology_page_documents_every_term_with_an_anchor(client):
    html = page(client, "/ontology")
    for anchor in ("Figure", "kind", "VerdictScheme", "verdict-consistent", "Claim"):
        assert f'id="{anchor}"' in html
    assert "The population a figure describes" in html


@pytest.mark.parametrize("path", PAGES)
def test_every_page_has_navigation_title_and_description(client, path):
    html = page(client, path)
    nav = re.search(r'<nav aria-label="Main">(.*?)</nav>', html, re.DOTALL).group(1)
    labels = re.findall(r">(\w+)</a>", nav)
    assert labels == ["Articles", "Claims", "Sources", "Query", "Checks", "Ontology", "Dataset"]
    assert re.search(r"<title>[^<]+ · claimgraph</title>", html)
    assert re.search(r'<meta name="description" content="[^"]{20,}">', html)
    assert '<link rel="stylesheet" href="/static/claimgraph.css">' in html
    assert html.count("<h1") == 1


def test_stylesheet_is_served_and_has_print_rules(client):
    response = client.get("/static/claimgraph.css")
    assert response.status_code == 200
    assert "@media print" in response.get_data(as_text=True)
    response.close()


# -- the query page ----------------------------------------------------------------------------------
def test_query_page_offers_editor_examples_and_citations_switch(client):
    html = page(client, "/sparql")
    assert '<form method="get" action="/sparql" id="query-form"' in html
    assert html.count('class="example"') == 10  # the library in queries/
    assert 'name="cite" value="1"' in html
    assert "/static/vendor/codemirror-5.65.21/codemirror.js" in html


@pytest.mark.parametrize("path", ["/sparql", "/article", "/claims/c013"])
def test_pages_load_nothing_from_outside(client, path):
    html = page(client, path)
    # rel="canonical" names the page's canonical IRI; it loads nothing.
    loaded = re.sub(r'<link rel="canonical"[^>]*>', "", html)
    for attribute in re.findall(r'<(?:script|link|img)\b[^>]*\b(?:src|href)="([^"]*)"', loaded):
        assert attribute.startswith(("/", "data:")), attribute


def test_shared_query_link_reopens_the_query_in_the_page(client):
    query = "SELECT ?claim WHERE { ?claim a schema:Claim } LIMIT 3"
    html = page(client, f"/sparql?query={quote(query)}&cite=1")
    assert "SELECT ?claim WHERE { ?claim a schema:Claim } LIMIT 3</textarea>" in html
    assert 'data-autorun="true"' in html
    assert 'name="cite" value="1" checked' in html
    # a program gets results from the same URL
    assert client.get(f"/sparql?query={quote(query)}").mimetype == "application/sparql-results+json"


def test_citation_mode_adds_the_cited_claims_and_sources(client):
    query = "SELECT ?claim WHERE { ?claim a schema:Claim ; schema:text ?quote } ORDER BY ?claim LIMIT 2"
    response = client.get(
        "/sparql", query_string={"query": query, "cite": "1"}, headers={"Accept": "text/csv"}
    )
    assert response.mimetype == "text/csv"
    lines = response.get_data(as_text=True).splitlines()
    assert lines[0] == "claim,citedClaims,citedSources"
    assert lines[1].startswith(f"{BASE}claims/c001,{BASE}claims/c001,")


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("ASK { ?s ?p ?o }", "SELECT queries only"),
        ("SELECT ?k WHERE { ?c cg:kind+ ?k }", "property paths of length one"),
    ],
)
def test_citation_mode_refuses_what_it_cannot_cite_with_a_400(client, query, message):
    response = client.post("/sparql", data={"query": query, "cite": "1"})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
