"""Search, charts and pictures in headless Chromium against a live server (marker `browser`).

Screenshots go to tests/artifacts/ (search, provenance, series, shares, checks overview and the
query page's views). The server-rendered pictures are also tested with JavaScript off.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

import pytest
from test_browser import browser, page, server, shoot  # noqa: F401 - fixtures shared with test_browser

pytestmark = pytest.mark.browser
QUERIES = Path(__file__).resolve().parent.parent / "queries"
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"


@pytest.fixture
def no_script(browser):  # noqa: F811
    context = browser.new_context(viewport={"width": 1280, "height": 900}, java_script_enabled=False)
    tab = context.new_page()
    yield tab
    context.close()


def tab_until(page, script: str, presses: int = 80) -> None:  # noqa: F811
    for _ in range(presses):
        page.keyboard.press("Tab")
        if page.evaluate(script):
            return
    pytest.fail(f"{presses} presses of Tab never reached: {script}")


def test_border_police_typed_in_the_header_reaches_the_ranked_claims(server, page):  # noqa: F811
    page.goto(f"{server}/article")
    tab_until(page, "document.activeElement.id === 'site-search-q'")
    page.keyboard.type("Border Police")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{server}/search?q=Border+Police")
    hits = page.locator("ol.search-hits > li h2 a").all_inner_texts()
    assert hits[0] == "c067"
    assert len(hits) == 17
    assert page.locator("ol.search-hits mark").first.inner_text() == "Border"
    shoot(page, "search-border-police")
    page.locator('input[name="kind"][value="statistic"]').check()
    page.locator(".search-form .actions button").click()
    page.wait_for_url("**kind=statistic**")
    assert set(page.locator("ol.search-hits .badge").all_inner_texts()) == {"statistic"}
    page.locator("a.run-sparql").click()
    page.wait_for_selector('#results[data-view="table"] table.results tbody tr')
    assert page.locator("table.results tbody tr").count() >= 5
    assert not page.errors


def test_search_works_without_javascript_and_shows_bad_input_inline(server, no_script):  # noqa: F811
    no_script.goto(f"{server}/claims")
    no_script.fill("#site-search-q", '"Border Police')
    no_script.press("#site-search-q", "Enter")
    no_script.wait_for_load_state()
    assert "not closed" in no_script.locator('[role="alert"]').inner_text()
    shoot(no_script, "search-error")
    no_script.fill("#search-q", "applic*")
    no_script.press("#search-q", "Enter")
    no_script.wait_for_load_state()
    assert no_script.locator("ol.search-hits > li").count() > 3


def test_the_provenance_picture_reads_without_javascript_and_is_walked_by_keyboard(server, no_script):  # noqa: F811
    no_script.goto(f"{server}/claims/c013")
    picture = no_script.locator("svg.provenance-picture")
    assert picture.is_visible()
    assert picture.locator("a").count() == 8  # claim, assertion, 2 sources, 2 requests, 2 agents
    picture.scroll_into_view_if_needed()
    shoot(no_script, "provenance-c013")
    no_script.locator("#provenance-chain").screenshot(path=str(ARTIFACTS / "provenance-c013-picture.png"))
    tab_until(no_script, "!!document.activeElement.closest('svg.provenance-picture')")
    for _ in range(2):  # claim -> assertion graph -> the first source
        no_script.keyboard.press("Tab")
    assert "sources/bpa-response" in no_script.evaluate("document.activeElement.getAttribute('href')")
    no_script.keyboard.press("Enter")
    no_script.wait_for_url("**/sources/bpa-response-*")
    no_script.goto(f"{server}/claims/c001")
    missing = no_script.locator("svg.provenance-picture g.node-missing")
    assert missing.count() == 1
    assert "Source: not stated" in missing.text_content()
    no_script.locator("#provenance-chain").screenshot(path=str(ARTIFACTS / "provenance-c001-picture.png"))


def test_the_series_chart_marks_the_claim_and_works_without_javascript(server, no_script):  # noqa: F811
    no_script.goto(f"{server}/claims/c018")
    chart = no_script.locator("svg.series-chart")
    assert chart.is_visible()
    assert chart.locator("circle.value").count() == 3
    assert (
        no_script.locator("svg.series-chart .point-label.mine").text_content()
        == "this claim: 24,704 applications"
    )
    box = chart.bounding_box()
    assert box["width"] > 300
    assert box["height"] > 150
    figure = no_script.locator("figure.chart-figure").first
    figure.screenshot(path=str(ARTIFACTS / "series-c018.png"))
    assert figure.locator("table.chart-data tbody tr").count() == 3
    tab_until(no_script, "!!document.activeElement.closest('svg.series-chart')")
    assert no_script.evaluate("document.activeElement.getAttribute('href')") == "/claims/c017"
    no_script.keyboard.press("Enter")
    no_script.wait_for_url(f"{server}/claims/c017")
    csv = no_script.request.get(f"{server}/charts/series-1.csv")
    assert csv.ok
    assert "24704" in csv.text()


def test_shares_of_one_whole_are_a_bar_chart(server, no_script):  # noqa: F811
    no_script.goto(f"{server}/claims/c038")
    chart = no_script.locator("svg.shares-chart")
    assert chart.locator("rect.bar").count() == 2
    no_script.locator("figure.chart-figure").first.screenshot(path=str(ARTIFACTS / "shares-c038.png"))


def test_the_checks_overview_draws_without_javascript(server, no_script):  # noqa: F811
    no_script.goto(f"{server}/checks")
    charts = no_script.locator("svg.count-chart")
    assert charts.count() == 2
    assert charts.first.locator("a").count() == 15  # one bar per check rule
    no_script.locator("#overview-by-rule").screenshot(path=str(ARTIFACTS / "checks-overview.png"))
    charts.first.locator('a[href="#unsourced"]').click()
    assert no_script.url.endswith("/checks#unsourced")


def run_named(page, server: str, name: str, view: str | None = None) -> None:  # noqa: F811
    query = (QUERIES / f"{name}.rq").read_text(encoding="utf-8")
    params = {"query": query, **({"view": view} if view else {})}
    page.goto(f"{server}/sparql?{urlencode(params)}")
    page.wait_for_selector("#results[data-view]")


def test_the_query_page_draws_claims_by_kind_as_bars(server, page):  # noqa: F811
    run_named(page, server, "claims-by-kind")
    assert page.get_attribute("#results", "data-view") == "bar"
    assert page.locator("svg.bar-view g.bar-row").count() == 10  # ten kinds
    assert page.locator('#view-switch button[aria-pressed="true"]').inner_text() == "Bar chart"
    page.locator("#results").screenshot(path=str(ARTIFACTS / "query-bar.png"))
    assert not page.errors


def test_the_query_page_draws_the_timeline_and_switches_by_keyboard(server, page):  # noqa: F811
    run_named(page, server, "timeline")
    assert page.get_attribute("#results", "data-view") == "timeline"
    assert page.locator("svg.timeline-view .event").count() == 6
    page.locator("#results").screenshot(path=str(ARTIFACTS / "query-timeline.png"))
    page.focus('#view-switch button[data-view="table"]')
    page.keyboard.press("Enter")
    page.wait_for_selector('#results[data-view="table"] table.results')
    assert "view=table" in page.url
    assert "view=table" in page.get_attribute("#share", "href")
    page.keyboard.press("Tab")  # focus stays on the switch: the next view is one Tab away
    page.keyboard.press("Enter")
    page.wait_for_selector('#results[data-view="timeline"]')
    shared = page.url
    page.goto(shared.replace("view=timeline", "view=graph"))
    page.wait_for_selector('#results[data-view="graph"] svg.graph-view')
    assert page.locator("svg.graph-view a.graph-node").count() >= 6  # every event row has its IRIs as nodes
    page.locator("#results").screenshot(path=str(ARTIFACTS / "query-graph.png"))
    assert not page.errors


def test_the_query_page_draws_a_line_for_numbers_over_dates(server, page):  # noqa: F811
    query = (
        "SELECT ?date (COUNT(*) AS ?events) WHERE { GRAPH ?a { ?e a schema:Event ; schema:startDate ?date } }"
        " GROUP BY ?date ORDER BY ?date"
    )
    page.goto(f"{server}/sparql?{urlencode({'query': query})}")
    page.wait_for_selector("#results[data-view]")
    assert page.get_attribute("#results", "data-view") == "line"
    assert page.locator("svg.line-view circle.point").count() == 4  # four distinct event dates
    page.locator("#results").screenshot(path=str(ARTIFACTS / "query-line.png"))
    assert not page.errors
