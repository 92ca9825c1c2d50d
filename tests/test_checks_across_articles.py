"""Checks across articles: the same figure stated by two articles, on hand-made graphs where the
rule must fire (and with which verdict) and where it must not."""

from __future__ import annotations

import os
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
import requests
from claimgraph.build.checks import load_rules, review_id, review_iri, run_checks
from claimgraph.build.pipeline import build_dataset, build_reviewed, compile_data, to_nquads
from claimgraph.build.sources import read_sources
from claimgraph.build.validation import load_ontology
from claimgraph.errors import DataError
from claimgraph.iris import SCHEMA, Iris
from claimgraph.store.oxigraph import OxigraphStore
from claimgraph.wording import HONESTY, HONESTY_ACROSS
from conftest import DATA
from live_server import BIN, free_port, running
from rdflib import Dataset, Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD

IRIS = Iris("http://checks.test/")
CG = IRIS.cg
RULE = next(rule for rule in load_rules() if rule.id == "same-figure-across-articles")


def claim_iri(article: str, cid: str) -> URIRef:
    """The shipped article's claims sit at claims/<id>; another article's under articles/<slug>/."""
    return IRIS.claim(cid) if article == "a" else URIRef(f"{IRIS.base}articles/{article}/claims/{cid}")


class Articles:
    """Claims of several articles, each with one figure, built as triples."""

    def __init__(self) -> None:
        self.ds = Dataset()
        self.meta = self.ds.graph(IRIS.graph("claims"))
        for article, title in (("a", "Article A"), ("b", "Article B"), ("c", "Article C")):
            self.meta.add((IRIS.article(article), RDFS.label, Literal(title)))
        self.meta.add((IRIS.measure("apps"), RDFS.label, Literal("applications")))
        self.meta.add((IRIS.unit("percent"), SCHEMA.unitCode, Literal("P1")))

    def figure(self, article: str, cid: str, value=None, *, period=2022, place="serbia", measure="apps",
               unit="count", population=None, readings=(), minimum=None, maximum=None,
               min_inclusive=True, max_inclusive=True, approximate=False):  # fmt: skip
        claim = claim_iri(article, cid)
        graph_iri = URIRef(f"{claim}/assertion")
        self.meta.add((claim, RDF.type, SCHEMA.Claim))
        self.meta.add((claim, SCHEMA.appearance, IRIS.article(article)))
        self.meta.add((claim, CG.assertion, graph_iri))
        g = self.ds.graph(graph_iri)
        node = URIRef(f"{claim}/figure-1")
        g.add((node, RDF.type, CG.Figure))
        g.add((node, SCHEMA.variableMeasured, IRIS.measure(measure)))
        g.add((node, CG.unit, IRIS.unit(unit)))
        g.add((node, CG.approximate, Literal(approximate)))
        for prop, number in ((SCHEMA.value, value), (SCHEMA.minValue, minimum), (SCHEMA.maxValue, maximum)):
            if number is not None:
                g.add((node, prop, _number(number)))
        if minimum is not None:
            g.add((node, CG.minInclusive, Literal(min_inclusive)))
        if maximum is not None:
            g.add((node, CG.maxInclusive, Literal(max_inclusive)))
        if period is not None:
            start, end = period if isinstance(period, tuple) else (period, period)
            g.add((node, CG.periodStart, _date(start)))
            g.add((node, CG.periodEnd, _date(end)))
        if place:
            g.add((node, SCHEMA.observationAbout, IRIS.entity(place)))
        if population:
            g.add((node, CG.population, IRIS.population(population)))
        for k, reading in enumerate(readings, start=1):
            reading_node = URIRef(f"{node}-reading-{k}")
            g.add((node, CG.populationReading, reading_node))
            g.add((reading_node, CG.population, IRIS.population(reading)))
        return self

    def run(self):
        ontology = self.ds.graph(IRIS.ontology)
        for triple in load_ontology(IRIS):
            ontology.add(triple)
        store = OxigraphStore(base_iri=IRIS.base, prefixes=IRIS.prefixes())
        store.replace_all(to_nquads(self.ds))
        return run_checks(store, IRIS, (RULE,)).findings

    def verdicts(self) -> dict[tuple[str, str], str]:
        """(claim IRI, evidence IRI) -> verdict."""
        return {(str(f.claim), str(f.evidence[0])): f.verdict_id for f in self.run()}


def _number(value):
    if isinstance(value, int):
        return Literal(value, datatype=XSD.integer)
    return Literal(str(Decimal(value)), datatype=XSD.decimal)


def _date(value):
    text = str(value)
    kind = XSD.gYear if len(text) == 4 else XSD.gYearMonth if len(text) == 7 else XSD.date
    return Literal(text, datatype=kind)


A1, B1 = str(claim_iri("a", "c1")), str(claim_iri("b", "c1"))


def _pair(a: dict, b: dict) -> dict[tuple[str, str], str]:
    return Articles().figure("a", "c1", **a).figure("b", "c1", **b).verdicts()


def test_equal_figures_are_consistent_on_both_claims():
    found = _pair({"value": 20270}, {"value": 20270})
    assert found == {(A1, B1): "consistent", (B1, A1): "consistent"}


def test_different_exact_counts_are_inconsistent_on_both_claims():
    found = _pair({"value": 20270}, {"value": 21000})
    assert found == {(A1, B1): "inconsistent", (B1, A1): "inconsistent"}


def test_the_finding_names_the_other_article_and_both_figures():
    finding = next(f for f in Articles().figure("a", "c1", value=20270).figure("b", "c1", value=21000).run()
                   if str(f.claim) == A1)  # fmt: skip
    assert "Another article (Article B) states 21000 for applications" in finding.explanation
    assert "this claim states 20270" in finding.explanation
    assert "cannot both hold" in finding.explanation
    assert finding.computation == f"here: 20270 (2022); {B1}: 21000 (2022)"
    assert finding.evidence == (URIRef(B1),)


def test_a_percentage_holds_to_its_rounding():
    def pct(value):
        return {"value": value, "unit": "percent", "population": "all"}

    assert set(_pair(pct("91.9"), pct("91.86")).values()) == {"consistent"}
    assert set(_pair(pct("91.9"), pct("92.1")).values()) == {"inconsistent"}
    assert set(_pair(pct(92), pct("91.86")).values()) == {"consistent"}
    assert set(_pair(pct(92), pct("91.4")).values()) == {"inconsistent"}


def test_an_approximate_value_allows_five_percent():
    assert set(_pair({"value": 20000, "approximate": True}, {"value": 20270}).values()) == {"consistent"}
    assert set(_pair({"value": 20000, "approximate": True}, {"value": 21500}).values()) == {"inconsistent"}
    assert set(_pair({"value": 20000}, {"value": 20270}).values()) == {"inconsistent"}


def test_a_strict_lower_bound_excludes_its_limit():
    over = {"minimum": 20000, "min_inclusive": False}
    assert set(_pair(over, {"value": 20001}).values()) == {"consistent"}
    assert set(_pair(over, {"value": 20000}).values()) == {"inconsistent"}
    assert set(_pair({**over, "min_inclusive": True}, {"value": 20000}).values()) == {"consistent"}
    over_90 = {"minimum": 90, "min_inclusive": False, "unit": "percent", "population": "all"}
    assert set(_pair(over_90, {"value": "91.86", "unit": "percent", "population": "all"}).values()) == {
        "consistent"
    }
    assert set(_pair(over_90, {"value": "89.9", "unit": "percent", "population": "all"}).values()) == {
        "inconsistent"
    }


def test_ranges_overlap_or_not():
    estimate = {"minimum": 80000, "maximum": 110000, "period": None}
    assert set(_pair(estimate, {"value": 95000, "period": None}).values()) == {"consistent"}
    assert set(_pair(estimate, {"value": 150000, "period": None}).values()) == {"inconsistent"}
    assert set(_pair(estimate, {"minimum": 100000, "maximum": 200000, "period": None}).values()) == {
        "consistent"
    }
    # "up to 110,000" against "over 110,000": they only touch, and one end is open
    up_to = {"maximum": 110000, "period": None}
    over = {"minimum": 110000, "min_inclusive": False, "period": None}
    assert set(_pair(up_to, over).values()) == {"inconsistent"}


def test_an_approximate_range_widens():
    estimate = {"minimum": 80000, "maximum": 110000, "approximate": True, "period": None}
    assert set(_pair(estimate, {"value": 114000, "period": None}).values()) == {"consistent"}
    assert set(_pair(estimate, {"value": 120000, "period": None}).values()) == {"inconsistent"}


def test_a_year_and_its_days_are_the_same_period():
    found = _pair({"value": 20270, "period": 2022}, {"value": 20270, "period": ("2022-01-01", "2022-12-31")})
    assert set(found.values()) == {"consistent"}


def test_overlapping_periods_need_context_even_when_the_values_agree():
    found = _pair({"value": 20270, "period": 2022}, {"value": 20270, "period": ("2022-02-24", "2022-12-31")})
    assert set(found.values()) == {"needs-context"}
    finding = (
        Articles()
        .figure("a", "c1", value=1, period=2022)
        .figure("b", "c1", value=1, period=("2022-02-24", "2023-12-31"))
        .run()[0]
    )
    assert "the periods differ" in finding.explanation


def test_a_period_on_one_side_only_needs_context():
    assert set(_pair({"value": 5, "period": None}, {"value": 5}).values()) == {"needs-context"}


def test_disjoint_periods_are_not_compared():
    assert _pair({"value": 20270, "period": 2022}, {"value": 24704, "period": 2023}) == {}


def test_different_populations_need_context():
    found = _pair({"value": "15.9", "unit": "percent", "population": "emigrants"},
                  {"value": "87", "unit": "percent", "population": "russians-in-russia"})  # fmt: skip
    assert set(found.values()) == {"needs-context"}


def test_population_readings_need_context():
    found = _pair({"value": "50.3", "unit": "percent", "readings": ("all", "not-returned")},
                  {"value": "50.3", "unit": "percent", "population": "all"})  # fmt: skip
    assert set(found.values()) == {"needs-context"}
    assert (
        "population readings"
        in Articles()
        .figure("a", "c1", value="50.3", unit="percent", readings=("all", "not-returned"))
        .figure("b", "c1", value="50.3", unit="percent")
        .run()[0]
        .explanation
    )


def test_other_place_measure_or_unit_is_not_compared():
    assert _pair({"value": 5, "place": "serbia"}, {"value": 6, "place": "montenegro"}) == {}
    assert _pair({"value": 5, "measure": "apps"}, {"value": 6, "measure": "permits"}) == {}
    assert _pair({"value": 5, "unit": "count"}, {"value": 6, "unit": "percent"}) == {}


def test_claims_of_one_article_are_not_compared_by_this_rule():
    assert Articles().figure("a", "c1", value=5).figure("a", "c2", value=6).verdicts() == {}


def test_three_articles_give_one_review_per_pair():
    articles = Articles().figure("a", "c1", value=5).figure("b", "c1", value=5).figure("c", "c1", value=7)
    findings = articles.run()
    assert len(findings) == 6
    reviews = {str(review_iri(f, IRIS)) for f in findings}
    assert len(reviews) == 6
    assert f"{IRIS.base}reviews/c1-same-figure-across-articles-articles-b-c1" in reviews
    assert f"{IRIS.base}articles/b/reviews/c1-same-figure-across-articles-c1" in reviews
    assert f"{IRIS.base}articles/b/reviews/c1-same-figure-across-articles-articles-c-c1" in reviews
    assert review_id(findings[0], IRIS).startswith("c1-same-figure-across-articles-")


# -- a stated change against the figures before and after --------------------------------------------
CHANGE_RULE = next(rule for rule in load_rules() if rule.id == "change-against-figures")


def _change(before, after, *, scale="percent", value=None, minimum=None, maximum=None,
            min_inclusive=True, max_inclusive=True, approximate=False):  # fmt: skip
    """Claims b (before) and a (after) of one article, and claim s stating the change between them."""
    articles = Articles().figure("a", "before", before, period=2023).figure("a", "after", after, period=2024)
    claim = claim_iri("a", "s")
    graph_iri = URIRef(f"{claim}/assertion")
    articles.meta.add((claim, RDF.type, SCHEMA.Claim))
    articles.meta.add((claim, CG.assertion, graph_iri))
    g = articles.ds.graph(graph_iri)
    node = URIRef(f"{claim}/change-1")
    g.add((node, RDF.type, CG.Change))
    g.add((node, SCHEMA.variableMeasured, IRIS.measure("apps")))
    g.add((node, CG.changeFrom, claim_iri("a", "before")))
    g.add((node, CG.changeTo, claim_iri("a", "after")))
    g.add((node, CG.changeScale, CG[f"scale-{scale}"]))
    g.add((node, CG.approximate, Literal(approximate)))
    for prop, number in ((SCHEMA.value, value), (SCHEMA.minValue, minimum), (SCHEMA.maxValue, maximum)):
        if number is not None:
            g.add((node, prop, _number(number)))
    if minimum is not None:
        g.add((node, CG.minInclusive, Literal(min_inclusive)))
    if maximum is not None:
        g.add((node, CG.maxInclusive, Literal(max_inclusive)))
    ontology = articles.ds.graph(IRIS.ontology)
    for triple in load_ontology(IRIS):
        ontology.add(triple)
    store = OxigraphStore(base_iri=IRIS.base, prefixes=IRIS.prefixes())
    store.replace_all(to_nquads(articles.ds))
    findings = run_checks(store, IRIS, (CHANGE_RULE,)).findings
    assert all(f.claim == claim for f in findings)
    return findings


def _verdict(*args, **kwargs) -> str:
    (finding,) = _change(*args, **kwargs)
    return finding.verdict_id


def test_rose_by_a_percentage_holds_to_its_rounding():
    assert _verdict(100, 140, value=40) == "consistent"
    assert _verdict(100, 141, value=40) == "inconsistent"
    assert _verdict(1000, 1404, value=40) == "consistent"  # 40.4% is "40%"


def test_over_fifty_percent_excludes_fifty():
    assert _verdict(100, 151, minimum=50, min_inclusive=False) == "consistent"
    assert _verdict(100, 150, minimum=50, min_inclusive=False) == "inconsistent"
    assert _verdict(100, 150, minimum=50, min_inclusive=True) == "consistent"
    assert _verdict(100, 149, minimum=50, min_inclusive=True) == "inconsistent"


def test_more_than_doubled_and_tripled():
    assert _verdict(245, 1465, scale="factor", minimum=2, min_inclusive=False) == "consistent"
    assert _verdict(100, 200, scale="factor", minimum=2, min_inclusive=False) == "inconsistent"
    assert _verdict(100, 300, scale="factor", value=3) == "consistent"
    assert _verdict(100, 290, scale="factor", value=3) == "inconsistent"
    assert _verdict(100, 290, scale="factor", value=3, approximate=True) == "consistent"


def test_fell_by_a_third_is_a_negative_change():
    assert _verdict(300, 200, value="-33.3") == "consistent"
    assert _verdict(300, 250, value="-33.3") == "inconsistent"
    # "fell by more than half": under -50%
    assert _verdict(100, 40, maximum=-50, max_inclusive=False) == "consistent"
    assert _verdict(100, 50, maximum=-50, max_inclusive=False) == "inconsistent"


def test_the_change_finding_shows_its_arithmetic_and_evidence():
    (finding,) = _change(100, 151, minimum=50, min_inclusive=False)
    assert finding.computation == "100 × (151 − 100) / 100 = 51%; stated: over 50%"
    assert "give a relative change of 51%, which agrees with the stated over 50%" in finding.explanation
    assert finding.evidence == (claim_iri("a", "before"), claim_iri("a", "after"))


def test_a_change_from_zero_is_unverifiable():
    (finding,) = _change(0, 10, value=40)
    assert finding.verdict_id == "unverifiable"
    assert "the figure before is zero" in finding.explanation


# -- `change:` in claims.yaml ------------------------------------------------------------------------
#: Appended to a copy of the shipped article (never to the shipped one, which states no such change):
#: offsets of the text before it stay as they are.
CHANGE_SENTENCE = "\nDenials rose by over 400% in 2024, and more than doubled; they did not triple."


def _with_change_claims(folder, items: str):
    claims_file = next(folder.rglob("claims.yaml"))
    text_file = claims_file.parent / "article.txt"
    text_file.write_text(text_file.read_text(encoding="utf-8") + CHANGE_SENTENCE, encoding="utf-8")
    claims_file.write_text(claims_file.read_text(encoding="utf-8") + items, encoding="utf-8")
    return folder


CHANGE_CLAIMS = """
  - id: c901
    kind: statistic
    quote: "Denials rose by over 400% in 2024"
    attribution: none
    sources: []
    assertion:
      - change:
          measure: residence-permit-denials
          from: c070
          to: c069
          direction: increase
          min: 400
          min_inclusive: false
  - id: c902
    kind: statistic
    quote: "more than doubled"
    attribution: none
    sources: []
    assertion:
      - change: {measure: residence-permit-denials, from: c070, to: c069, scale: factor, min: 2,
                 min_inclusive: false}
  - id: c903
    kind: statistic
    quote: "they did not triple"
    attribution: none
    sources: []
    assertion:
      - change: {measure: residence-permit-denials, from: c070, to: c069, scale: factor, value: 3}
"""


def test_a_change_in_claims_yaml_is_checked_against_the_article_figures(data_copy, iris):
    sources = read_sources(_with_change_claims(data_copy, CHANGE_CLAIMS))
    built = build_dataset(sources, iris)
    assert built.report.conforms, built.report.text
    findings = {f.claim_id: f for f in built.check_run.findings if f.rule.id == "change-against-figures"}
    assert {cid: f.verdict_id for cid, f in findings.items()} == {
        "c901": "consistent",  # 245 -> 1,465 is +497.96%
        "c902": "consistent",  # a factor of 5.98
        "c903": "inconsistent",  # not 3
    }
    assert findings["c901"].computation == "100 × (1465 − 245) / 245 = 497.96%; stated: over 400%"
    change = iris.claim_part("c901", "change-1")
    assert (change, CG.changeScale, CG["scale-percent"]) in built.dataset.graph(iris.assertion_graph("c901"))


def test_a_fall_is_stored_as_a_negative_change_with_its_bounds_swapped(data_copy, iris):
    fall = CHANGE_CLAIMS.replace("direction: increase", "direction: decrease")
    built = build_reviewed(read_sources(_with_change_claims(data_copy, fall)), iris)
    graph = built.dataset.graph(iris.assertion_graph("c901"))
    change = iris.claim_part("c901", "change-1")
    assert graph.value(change, SCHEMA.maxValue) == Literal(-400, datatype=XSD.integer)
    assert graph.value(change, CG.maxInclusive) == Literal(False)
    assert graph.value(change, SCHEMA.minValue) is None
    verdict = next(f.verdict_id for f in built.check_run.findings if f.claim_id == "c901")
    assert verdict == "inconsistent"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("{measure: residence-permit-denials, from: c070, to: c069}", "give the stated change as value"),
        ("{measure: residence-permit-denials, from: c070, to: c070, value: 1}", "two claims"),
        ("{measure: residence-permit-denials, from: c070, to: c999, value: 1}", "unknown claim 'c999'"),
        ("{measure: residence-permit-denials, from: c070, to: c069, value: -5}", "direction: decrease"),
        ("{measure: residence-permit-denials, from: c070, to: c069, scale: odds, value: 1}", "scale must be"),
        ("{measure: residence-permit-denials, from: c070, to: c069, scale: factor, value: 0}", "positive"),
    ],
)
def test_a_bad_change_is_refused_naming_the_claim(data_copy, iris, change, message):
    bad = f"""
  - id: c901
    kind: statistic
    quote: "Denials rose by over 400% in 2024"
    attribution: none
    sources: []
    assertion:
      - change: {change}
"""
    with pytest.raises(DataError, match=message) as info:
        compile_data(read_sources(_with_change_claims(data_copy, bad)), iris)
    assert info.value.file is not None
    assert info.value.file.endswith("claims.yaml")


# -- end to end: two articles served, the finding on both claim pages ----------------------------------
FIXTURE = Path(__file__).resolve().parent / "data" / "articles" / "test-fixture-permits"
FIXTURE_SLUG = FIXTURE.name


def test_two_articles_get_findings_on_both_claims_in_the_build(iris):
    run = build_reviewed(read_sources(DATA, [FIXTURE]), iris).check_run
    found = {
        (f.claim_id, iris.claim_scope(str(f.claim))[0], str(f.evidence[0]), f.verdict_id)
        for f in run.findings
        if f.rule.id == "same-figure-across-articles"
    }
    shipped_c018, shipped_c070 = str(iris.claim("c018")), str(iris.claim("c070"))
    second_c001, second_c002 = str(iris.claim("c001", FIXTURE_SLUG)), str(iris.claim("c002", FIXTURE_SLUG))
    # 24,704 applications in 2023 in both: consistent, on both claims
    assert ("c018", None, second_c001, "consistent") in found
    assert ("c001", FIXTURE_SLUG, shipped_c018, "consistent") in found
    # 250 rejected applications in 2023 against the shipped 245: inconsistent, on both claims
    assert ("c070", None, second_c002, "inconsistent") in found
    assert ("c002", FIXTURE_SLUG, shipped_c070, "inconsistent") in found
    # the 2023 figure against the shipped total for 24 February 2022 - 2024: not the same period
    assert ("c001", FIXTURE_SLUG, str(iris.claim("c013")), "needs-context") in found
    # no finding between two claims of one article
    assert all(
        scope is not None or evidence.startswith(f"{iris.base}articles/") for _, scope, evidence, _ in found
    )


@pytest.mark.integration
def test_a_live_server_shows_the_finding_on_both_claim_pages_the_checks_and_the_api(tmp_path):
    articles = tmp_path / "added"
    shutil.copytree(FIXTURE, articles / FIXTURE_SLUG)
    port = free_port()
    store = tmp_path / "store"
    env = {
        "CLAIMGRAPH_STORE_PATH": str(store),
        "CLAIMGRAPH_ARTICLES_DIR": str(articles),
        "CLAIMGRAPH_BASE_IRI": f"http://127.0.0.1:{port}/",
    }
    # Built first (compile, checks, validation), as production does; the server then opens it read-only.
    build = [str(BIN / "claimgraph"), "build-store", str(store), "--base-iri", env["CLAIMGRAPH_BASE_IRI"]]
    subprocess.run(build, env={**os.environ, **env}, check=True, capture_output=True, timeout=600)
    command = [str(BIN / "claimgraph"), "serve", "--port", str(port)]
    serve_env = {**env, "CLAIMGRAPH_STORE_READ_ONLY": "true"}
    with running(command, serve_env, port, tmp_path / "serve.log") as base:
        html = {"Accept": "text/html"}
        shipped = requests.get(f"{base}claims/c070", headers=html, timeout=60)
        second = requests.get(f"{base}articles/{FIXTURE_SLUG}/claims/c002", headers=html, timeout=60)
        assert shipped.status_code == second.status_code == 200
        # each page shows the finding, names the other article and links the other claim
        assert "The same figure stated by two articles" in shipped.text
        assert "Test fixture: residence permit applications in 2023" in shipped.text
        assert f'href="/articles/{FIXTURE_SLUG}/claims/c002">{FIXTURE_SLUG}/c002</a>' in shipped.text
        assert "The same figure stated by two articles" in second.text
        assert 'href="/claims/c070">c070</a>' in second.text
        for text in (shipped.text, second.text):
            assert "cannot both hold" in text
        api = requests.get(f"{base}api/articles/{FIXTURE_SLUG}/claims/c002", timeout=60).json()
        review = next(r for r in api["reviews"] if r["rule"]["id"] == "same-figure-across-articles")
        assert review["verdict"]["id"] == "inconsistent"
        assert [e["iri"] for e in review["evidence"]] == [f"{base}claims/c070"]
        shipped_api = requests.get(f"{base}api/claims/c018", timeout=60).json()
        assert any(
            r["rule"]["id"] == "same-figure-across-articles" and r["verdict"]["id"] == "consistent"
            for r in shipped_api["reviews"]
        )
        checks = requests.get(f"{base}api/checks", timeout=60).json()
        rule = next(r for r in checks["rules"] if r["id"] == "same-figure-across-articles")
        claims = {(f["claim"]["iri"], f["review"]) for f in rule["findings"]}
        assert (
            f"{base}claims/c070",
            f"{base}reviews/c070-same-figure-across-articles-articles-{FIXTURE_SLUG}-c002",
        ) in claims
        assert any(iri == f"{base}articles/{FIXTURE_SLUG}/claims/c002" for iri, _ in claims)
        page = requests.get(f"{base}checks", headers=html, timeout=60).text
        assert "The same figure stated by two articles" in page


def test_a_review_across_articles_says_it_compares_two_articles(iris):
    built = build_reviewed(read_sources(DATA, [FIXTURE]), iris)
    reviews = built.dataset.graph(iris.graph("reviews"))
    across = URIRef(f"{iris.base}reviews/c070-same-figure-across-articles-articles-{FIXTURE_SLUG}-c002")
    body = str(reviews.value(across, SCHEMA.reviewBody))
    assert body.endswith(HONESTY_ACROSS)
    assert "Another article (Test fixture: residence permit applications in 2023) states 250" in body
    assert (across, CG.evidence, iris.claim("c002", FIXTURE_SLUG)) in reviews
    assert (across, SCHEMA.itemReviewed, iris.claim("c070")) in reviews
    within = URIRef(f"{iris.base}reviews/c013-sum-of-parts")
    assert str(reviews.value(within, SCHEMA.reviewBody)).endswith(HONESTY)
