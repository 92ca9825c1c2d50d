"""The reader's web in headless Chromium (Debian's, driven by Playwright) against a live server.

The server is `claimgraph serve` on a free loopback port, reading a store the
test builds from the shipped data (with the checks' reviews). Every test saves
a screenshot of what it saw under tests/artifacts/.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from claimgraph.build.pipeline import build_reviewed, to_nquads
from claimgraph.build.sources import read_sources
from claimgraph.iris import Iris
from live_server import BIN, build_store, free_port, running, server_env

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("browser")
    port = free_port()
    built = build_reviewed(read_sources(), Iris(f"http://127.0.0.1:{port}/"))
    build_store(folder / "store", to_nquads(built.dataset))
    command = [str(BIN / "claimgraph"), "serve", "--port", str(port)]
    with running(command, server_env(folder / "store", port), port, folder / "serve.log") as base:
        yield base.rstrip("/")


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail("/usr/bin/chromium is missing: `make test` installs it (make browser-deps)")
        pytest.skip("/usr/bin/chromium is missing: run `make browser-deps`")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    tab.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    tab.errors = errors
    yield tab
    context.close()


def shoot(page, name: str, *, full_page: bool = False) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=full_page)


def claim_count(server: str) -> int:
    query = "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { GRAPH ?g { ?c a schema:Claim } }"
    body = requests.get(f"{server}/sparql", params={"query": query, "format": "json"}, timeout=30).json()
    return int(body["results"]["bindings"][0]["n"]["value"])


def test_article_shows_one_highlight_per_claim(server, page):
    page.goto(f"{server}/article")
    shown = page.eval_on_selector_all(
        "mark[data-claim]", "marks => new Set(marks.map(m => m.dataset.claim)).size"
    )
    assert shown == claim_count(server) == 82
    shoot(page, "article")
    assert not page.errors


def test_clicking_a_highlight_opens_its_claim_page(server, page):
    page.goto(f"{server}/article")
    page.locator('mark[data-claim="c013"] > a').first.click()
    page.wait_for_url(f"{server}/claims/c013")
    assert page.locator("h1").inner_text() == "Claim c013"
    shoot(page, "claim-c013", full_page=True)


def test_keyboard_tab_reaches_the_highlights_and_shows_the_tooltip(server, page):
    page.goto(f"{server}/article")
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("!!document.activeElement.closest('mark.claim')"):
            break
    else:
        pytest.fail("60 presses of Tab never reached a highlight")
    focused = page.evaluate("document.activeElement.closest('mark.claim').dataset.claim")
    assert focused == "c001"  # the first claim in reading order
    tip = page.locator(":focus > .tip")
    assert tip.is_visible()
    assert "Source: none stated" in tip.inner_text()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('mark.claim').dataset.claim") == "c002"
    shoot(page, "article-keyboard-focus")


def test_query_page_loads_an_example_runs_it_and_shows_rows(server, page):
    page.goto(f"{server}/sparql")
    page.locator('a.example[data-name="timeline"]').click()
    page.wait_for_selector('#results[data-view="timeline"]')  # dates: drawn as a timeline first
    page.click('#view-switch button[data-view="table"]')
    page.wait_for_selector("table.results tbody tr")
    assert page.locator("table.results tbody tr").count() == 6  # the events the article dates
    assert "?query=" in page.url
    link = page.locator("table.results tbody a").first
    assert link.get_attribute("href").startswith("/")  # IRIs of the dataset link to this server's pages
    shoot(page, "sparql")
    page.check("#cite")
    page.click("#run")
    page.wait_for_selector("table.results th:text-is('citedClaims')")
    assert page.locator("table.results th").all_inner_texts()[-2:] == ["citedClaims", "citedSources"]
    shoot(page, "sparql-citations")
    assert not page.errors


def test_shared_query_link_reopens_and_runs_the_query(server, page):
    query = "SELECT ?claim WHERE { ?claim a schema:Claim } ORDER BY ?claim LIMIT 3"
    page.goto(f"{server}/sparql?" + requests.compat.urlencode({"query": query}))
    page.wait_for_selector("table.results tbody tr")
    assert page.locator("table.results tbody tr").count() == 3
    assert page.locator("#download-csv").get_attribute("href").endswith("format=csv")


def test_query_errors_are_shown_inline(server, page):
    page.goto(f"{server}/sparql")
    page.evaluate("document.querySelector('.CodeMirror').CodeMirror.setValue('SELECT * WHERE { ?s ?p }')")
    page.click("#run")
    page.wait_for_selector("#error:not([hidden])")
    assert page.locator("#error").inner_text().startswith("Bad Request:")
    shoot(page, "sparql-error")


def test_claim_page_jsonld_parses_and_carries_the_claimreview_fields(server, page):
    page.goto(f"{server}/claims/c015")
    data = json.loads(page.locator('script[type="application/ld+json"]').text_content())
    (review,) = data["@graph"]
    for field in ("claimReviewed", "reviewRating", "itemReviewed", "author", "datePublished", "url"):
        assert review[field], field
    assert review["reviewRating"]["alternateName"] == "consistent"
    assert review["itemReviewed"]["@type"] == "Claim"
    assert review["itemReviewed"]["appearance"]["@type"] == "BlogPosting"


@pytest.mark.parametrize(
    ("path", "name", "current"),
    [
        ("/claims?verdict=consistent", "claims", "Claims"),
        ("/sources", "sources", "Sources"),
        ("/sources/bpa-response-2024-08-05", "source", "Sources"),
        ("/entities/belgrade", "entity", None),
        ("/checks", "checks", "Checks"),
        ("/ontology", "ontology", "Ontology"),
    ],
)
def test_pages_render_without_script_errors(server, page, path, name, current):
    page.goto(f"{server}{path}")
    assert page.locator("h1").count() == 1
    marked = page.locator('nav[aria-label="Main"] a[aria-current="page"]').all_inner_texts()
    assert marked == ([current] if current else [])
    shoot(page, name)
    assert not page.errors


def test_tab_leaves_the_query_editor(server, page):
    page.goto(f"{server}/sparql")
    page.click(".CodeMirror")
    assert page.evaluate("!!document.activeElement.closest('.CodeMirror')")
    page.keyboard.press("Tab")  # no keyboard trap: focus moves on to the citations switch
    assert page.evaluate("document.activeElement.id") == "cite"


ATTACK = (
    "SELECT ?x ?y WHERE { VALUES (?x ?y) { "
    "(<javascript:window.__pwned=1> <https://example.org/ok>) "
    "(<data:text/html,pwned> <http://example.org/a>) } }"
)


def test_a_shared_query_with_a_javascript_iri_runs_nothing_when_clicked(server, page):
    page.goto(f"{server}/sparql?" + requests.compat.urlencode({"query": ATTACK, "view": "graph"}))
    # The graph view (chosen for IRI-to-IRI results) links http(s) nodes only.
    page.wait_for_selector("svg.graph-view .graph-node")
    assert page.locator("svg.graph-view a.graph-node").count() == 2
    assert page.locator("svg a[href^='javascript' i], svg a[href^='data' i]").count() == 0
    page.goto(f"{server}/sparql?" + requests.compat.urlencode({"query": ATTACK, "view": "table"}))
    page.wait_for_selector("table.results tbody tr")
    cells = page.locator("table.results tbody td")
    assert "javascript:window.__pwned=1" in cells.all_inner_texts()
    assert page.locator("table.results a[href^='javascript' i], table.results a[href^='data' i]").count() == 0
    # The other IRIs still link: http(s) only.
    hrefs = page.eval_on_selector_all("table.results tbody a", "links => links.map(a => a.href)")
    assert sorted(hrefs) == ["http://example.org/a", "https://example.org/ok"]
    page.locator("table.results tbody td", has_text="javascript:").click()
    assert page.evaluate("window.__pwned") is None
    assert page.url.startswith(f"{server}/sparql")
    assert not page.errors


def test_injected_inline_script_is_blocked_by_the_csp(server, page):
    page.goto(f"{server}/sparql")
    # What an injection would try: an inline script and an inline handler. CSP refuses both.
    page.evaluate(
        """() => {
        const s = document.createElement('script'); s.textContent = 'window.__pwned = 1';
        document.body.appendChild(s);
        const i = document.createElement('img');
        i.setAttribute('onerror', 'window.__pwned = 2'); i.src = 'x:';
        document.body.appendChild(i);
    }"""
    )
    page.wait_for_timeout(200)
    assert page.evaluate("window.__pwned") is None
    assert any("Content Security Policy" in e for e in page.errors)


@pytest.mark.parametrize(
    "path", ["/article", "/articles", "/claims", "/claims/c013", "/sources", "/sparql", "/checks"]
)
def test_pages_work_under_the_csp_without_violations(server, page, path):
    response = page.goto(server + path)
    assert response.status == 200
    headers = response.headers
    assert "unsafe-inline" not in headers["content-security-policy"]
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "strict-origin-when-cross-origin"
    page.wait_for_load_state("networkidle")
    assert not page.errors
