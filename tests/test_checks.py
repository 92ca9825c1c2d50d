"""The check rules, each on hand-made graphs where it must fire and where it must not, and the
verdicts they give on the shipped article."""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal

import pytest
from claimgraph.build.checks import HONESTY, load_rules, reviews_graph, run_checks, verdict_labels
from claimgraph.build.pipeline import build_reviewed, to_nquads
from claimgraph.build.sources import read_sources
from claimgraph.build.validation import load_ontology
from claimgraph.iris import SCHEMA, Iris
from claimgraph.store.oxigraph import OxigraphStore
from rdflib import Dataset, Literal, URIRef
from rdflib.namespace import PROV, RDF, XSD

IRIS = Iris("http://checks.test/")
CG = IRIS.cg
RULES = {rule.id: rule for rule in load_rules()}


class Graphs:
    """A tiny claim graph built in code: claims, figures, statements, sources."""

    def __init__(self) -> None:
        self.ds = Dataset()
        self.meta = self.ds.graph(IRIS.graph("claims"))
        self.vocab = self.ds.graph(IRIS.graph("vocabulary"))
        self.vocab.add((IRIS.unit("percent"), SCHEMA.unitCode, Literal("P1")))
        self.counter = 0

    def claim(self, cid, *, kind="statistic", attribution="stated", source="src", article="a", **links):
        claim = IRIS.claim(cid)
        self.meta.add((claim, RDF.type, SCHEMA.Claim))
        self.meta.add((claim, SCHEMA.appearance, IRIS.article(article)))
        self.meta.add((claim, CG.kind, CG[f"kind-{kind}"]))
        self.meta.add((claim, CG.attribution, CG[f"attribution-{attribution}"]))
        self.meta.add((claim, CG.assertion, IRIS.assertion_graph(cid)))
        if attribution != "none":
            self.meta.add((claim, PROV.wasDerivedFrom, IRIS.source(source)))
            self.meta.add(
                (IRIS.source(source), URIRef("http://www.w3.org/2000/01/rdf-schema#label"), Literal(source))
            )
        for other in links.get("compares", ()):
            self.meta.add((claim, CG.compares, IRIS.claim(other)))
        if "method" in links:
            self.meta.add((claim, CG.estimationMethod, Literal(links["method"])))
        return self

    def figure(self, cid, measure, value=None, *, period=None, unit="count", population=None,
               question=None, minimum=None, min_inclusive=True):  # fmt: skip
        self.counter += 1
        g = self.ds.graph(IRIS.assertion_graph(cid))
        node = IRIS.claim_part(cid, f"figure-{self.counter}")
        g.add((node, RDF.type, CG.Figure))
        g.add((node, SCHEMA.variableMeasured, IRIS.measure(measure)))
        g.add((node, CG.unit, IRIS.unit(unit)))
        if value is not None:
            g.add((node, SCHEMA.value, _number(value)))
        if minimum is not None:
            g.add((node, SCHEMA.minValue, _number(minimum)))
            g.add((node, CG.minInclusive, Literal(min_inclusive)))
        if period is not None:
            start, end = period if isinstance(period, tuple) else (period, period)
            g.add((node, CG.periodStart, _date(start)))
            g.add((node, CG.periodEnd, _date(end)))
        if population:
            g.add((node, CG.population, IRIS.population(population)))
            self.vocab.add(
                (
                    IRIS.population(population),
                    URIRef("http://www.w3.org/2000/01/rdf-schema#label"),
                    Literal(population),
                )
            )
        if question:
            g.add((node, CG.question, IRIS.question(question)))
        return self

    def trend(self, cid, measure, trend, period):
        g = self.ds.graph(IRIS.assertion_graph(cid))
        node = IRIS.claim_part(cid, "statement-1")
        start, end = period if isinstance(period, tuple) else (period, period)
        g.add((node, RDF.type, CG.Proposition))
        g.add((node, CG.trend, CG[f"trend-{trend}"]))
        g.add((node, SCHEMA.about, IRIS.measure(measure)))
        g.add((node, CG.periodStart, _date(start)))
        g.add((node, CG.periodEnd, _date(end)))
        self.vocab.add(
            (IRIS.measure(measure), URIRef("http://www.w3.org/2000/01/rdf-schema#label"), Literal(measure))
        )
        return self

    def vocabulary(self, subject, predicate, obj):
        self.vocab.add((subject, predicate, obj))
        return self

    def run(self, rule_id):
        ontology = self.ds.graph(IRIS.ontology)
        for triple in load_ontology(IRIS):
            ontology.add(triple)
        store = OxigraphStore(base_iri=IRIS.base, prefixes=IRIS.prefixes())
        store.replace_all(to_nquads(self.ds))
        run = run_checks(store, IRIS, (RULES[rule_id],))
        return {(f.claim_id, f.verdict_id): f for f in run.findings}


def _number(value):
    if isinstance(value, int):
        return Literal(value, datatype=XSD.integer)
    return Literal(str(Decimal(value)), datatype=XSD.decimal)


def _date(value):
    text = str(value)
    return Literal(text, datatype=XSD.gYear if len(text) == 4 else XSD.date)


# -- parts that should add up to a stated total -------------------------------------------------
def _total_with_parts(*parts):
    g = Graphs().claim("t").figure("t", "apps", 100, period=("2022-01-01", "2024-12-31"))
    for year, value in zip((2022, 2023, 2024), parts, strict=False):
        g.claim(f"p{year}").figure(f"p{year}", "apps", value, period=year)
    return g


def test_sum_of_parts_consistent_when_parts_add_up():
    findings = _total_with_parts(30, 30, 40).run("sum-of-parts")
    assert set(findings) == {("t", "consistent")}
    assert (
        findings["t", "consistent"].computation == "2022: 30 + 2023: 30 + 2024: 40 = 100; stated total: 100"
    )


def test_sum_of_parts_inconsistent_when_parts_do_not_add_up():
    findings = _total_with_parts(30, 30, 41).run("sum-of-parts")
    assert set(findings) == {("t", "inconsistent")}
    assert "not the stated total of 100 (a difference of -1)" in findings["t", "inconsistent"].explanation


def test_figures_of_another_article_are_not_parts_of_this_ones_total():
    g = Graphs().claim("t").figure("t", "apps", 100, period=("2022-01-01", "2024-12-31"))
    for year, value in ((2022, 30), (2023, 30)):
        g.claim(f"p{year}").figure(f"p{year}", "apps", value, period=year)
    g.claim("p2024", article="other").figure("p2024", "apps", 40, period=2024)
    assert set(g.run("sum-of-parts")) == set()
    g.claim("q2024").figure("q2024", "apps", 40, period=2024)
    assert set(g.run("sum-of-parts")) == {("t", "consistent")}


def test_sum_of_parts_silent_when_a_year_is_missing():
    assert _total_with_parts(30, 30).run("sum-of-parts") == {}


# -- a stated ratio or bound against numerator and denominator ----------------------------------
def _rate(numerator, *, value=None, minimum=None, inclusive=True):
    period = ("2022-01-01", "2022-12-31")
    g = Graphs()
    g.vocabulary(IRIS.measure("rate"), CG.ratioNumerator, IRIS.measure("approved"))
    g.vocabulary(IRIS.measure("rate"), CG.ratioDenominator, IRIS.measure("apps"))
    g.claim("n").figure("n", "approved", numerator, period=period)
    g.claim("d").figure("d", "apps", 1000, period=period)
    g.claim("r").figure("r", "rate", value, period=period, unit="percent", population="apps",
                        minimum=minimum, min_inclusive=inclusive)  # fmt: skip
    return g.run("ratio-bound")


def test_ratio_bound_consistent_over_a_strict_lower_bound():
    findings = _rate(919, minimum=90, inclusive=False)
    assert set(findings) == {("r", "consistent")}
    assert findings["r", "consistent"].computation == "100 × 919 / 1000 = 91.9%; stated: over 90%"


def test_ratio_bound_inconsistent_under_the_bound():
    assert set(_rate(899, minimum=90, inclusive=False)) == {("r", "inconsistent")}


def test_ratio_bound_strict_bound_excludes_equality():
    assert set(_rate(900, minimum=90, inclusive=False)) == {("r", "inconsistent")}
    assert set(_rate(900, minimum=90, inclusive=True)) == {("r", "consistent")}


def test_ratio_value_holds_to_its_rounding():
    assert set(_rate(919, value="91.9")) == {("r", "consistent")}
    assert set(_rate(919, value="92.1")) == {("r", "inconsistent")}
    assert set(_rate(919, value=92)) == {("r", "consistent")}


# -- a stated trend against the series ----------------------------------------------------------
def _series(trend, period, values):
    g = Graphs().claim("s").trend("s", "apps", trend, period)
    for year, value in values.items():
        g.claim(f"y{year}").figure(f"y{year}", "apps", value, period=year)
    return g.run("trend-against-series")


def test_trend_increasing_each_year_consistent():
    findings = _series("increasing-each-year", (2022, 2024), {2022: 1, 2023: 2, 2024: 3})
    assert set(findings) == {("s", "consistent")}
    assert findings["s", "consistent"].computation.startswith("series 2022: 1, 2023: 2, 2024: 3")


def test_trend_increasing_each_year_inconsistent_on_a_dip():
    findings = _series("increasing-each-year", (2022, 2024), {2022: 1, 2023: 3, 2024: 2})
    assert set(findings) == {("s", "inconsistent")}


def test_trend_increase_in_a_year():
    assert set(_series("increase", 2024, {2023: 5, 2024: 6})) == {("s", "consistent")}
    assert set(_series("increase", 2024, {2023: 5, 2024: 4})) == {("s", "inconsistent")}


def test_trend_peak():
    assert set(_series("peak", 2024, {2022: 9, 2023: 5, 2024: 10})) == {("s", "consistent")}
    assert set(_series("peak", 2024, {2022: 11, 2023: 5, 2024: 10})) == {("s", "inconsistent")}


def test_trend_without_a_series_is_left_to_the_unverifiable_rule():
    assert _series("peak", 2024, {2024: 10}) == {}


# -- a statement about data the article does not give -------------------------------------------
def test_trend_without_data_is_unverifiable():
    findings = Graphs().claim("s").trend("s", "registrations", "peak", 2024).run("trend-without-data")
    assert set(findings) == {("s", "unverifiable")}
    assert "gives no yearly figures" in findings["s", "unverifiable"].explanation


def test_trend_with_a_series_is_not_unverifiable():
    g = Graphs().claim("s").trend("s", "apps", "peak", 2024)
    g.claim("a").figure("a", "apps", 1, period=2023).claim("b").figure("b", "apps", 2, period=2024)
    assert g.run("trend-without-data") == {}


# -- shares of one whole, aware of multi-answer questions ---------------------------------------
def _shares(values, mode):
    g = Graphs().vocabulary(IRIS.question("q"), CG.answerMode, CG[f"answers-{mode}"])
    for n, value in enumerate(values):
        g.claim(f"s{n}").figure(f"s{n}", f"m{n}", value, unit="percent", population="all", question="q")
    return g.run("shares-of-one-whole")


def test_shares_over_100_inconsistent_for_single_answer():
    assert set(_shares(["60.5", "50"], "single")) == {("s0", "inconsistent"), ("s1", "inconsistent")}


def test_shares_over_100_allowed_for_multiple_answers():
    findings = _shares(["60.5", "50"], "multiple")
    assert set(findings) == {("s0", "consistent"), ("s1", "consistent")}
    assert "several answers" in findings["s0", "consistent"].explanation


def test_shares_within_100_consistent():
    assert set(_shares(["60.5", "30"], "not-stated")) == {("s0", "consistent"), ("s1", "consistent")}


def test_shares_of_different_populations_are_not_added():
    g = Graphs()
    g.claim("a").figure("a", "m", 70, unit="percent", population="approvers", question="q")
    g.claim("b").figure("b", "m", 70, unit="percent", population="opponents", question="q")
    assert g.run("shares-of-one-whole") == {}


# -- a residual the article leaves unexplained --------------------------------------------------
def _residual(part_values, with_denials=True):
    period = ("2022-01-01", "2023-12-31")
    g = Graphs().claim("t").figure("t", "apps", 100, period=period)
    g.vocabulary(IRIS.measure("approved"), CG.partOfMeasure, IRIS.measure("apps"))
    g.vocabulary(IRIS.measure("denied"), CG.partOfMeasure, IRIS.measure("apps"))
    g.claim("a").figure("a", "approved", 90, period=period)
    if with_denials:
        for year, value in zip((2022, 2023), part_values, strict=True):
            g.claim(f"d{year}").figure(f"d{year}", "denied", value, period=year)
    return g.run("unexplained-residual")


def test_residual_fires_when_parts_fall_short():
    findings = _residual((3, 5))
    assert set(findings) == {("t", "unexplained-residual")}
    finding = findings["t", "unexplained-residual"]
    assert finding.computation == "100 − (90 + 3 (2022) + 5 (2023)) = 2"
    assert {e.rsplit("/", 1)[-1] for e in finding.evidence} == {"a", "d2022", "d2023"}


def test_residual_consistent_when_parts_account_for_the_total():
    assert set(_residual((5, 5))) == {("t", "consistent")}


def test_residual_silent_when_a_part_is_not_given():
    assert _residual((5, 5), with_denials=False) == {}


# -- a comparison across populations or pollsters -----------------------------------------------
def test_comparison_across_pollsters_needs_context():
    g = Graphs().claim("c", kind="interpretation", attribution="none", compares=("a", "b"))
    g.claim("a", source="survey").figure("a", "x", 15, unit="percent", population="emigrants")
    g.claim("b", source="poll").figure("b", "y", 87, unit="percent", population="residents")
    findings = g.run("comparison-needs-context")
    assert set(findings) == {("c", "needs-context")}
    assert "87% (residents; poll)" in findings["c", "needs-context"].computation


def test_comparison_within_one_population_and_source_is_fine():
    g = Graphs().claim("c", kind="interpretation", attribution="none", compares=("a", "b"))
    g.claim("a").figure("a", "x", 15, unit="percent", population="all")
    g.claim("b").figure("b", "y", 87, unit="percent", population="all")
    assert g.run("comparison-needs-context") == {}


# -- a claim with no source; an estimate with no method -----------------------------------------
def test_unsourced_fact_is_flagged_but_not_an_opinion_or_a_sourced_claim():
    g = Graphs().claim("f", kind="factual-statement", attribution="none")
    g.claim("o", kind="interpretation", attribution="none").claim("s", kind="statistic")
    assert set(g.run("unsourced")) == {("f", "unsourced")}


def test_estimate_without_method():
    g = Graphs().claim("e", kind="estimate", attribution="inferred")
    g.claim("m", kind="estimate", attribution="inferred", method="population registry minus exits")
    assert set(g.run("estimate-without-method")) == {("e", "method-not-stated")}


# -- the shipped article ------------------------------------------------------------------------
@pytest.fixture(scope="module")
def article_run():
    built = build_reviewed(read_sources(), IRIS)
    run = built.check_run
    return built, {(f.claim_id, f.rule.id): f for f in run.findings}


def test_article_applications_add_up(article_run):
    _, findings = article_run
    assert findings["c013", "sum-of-parts"].verdict_id == "consistent"


def test_article_leaves_3942_applications_unexplained(article_run):
    _, findings = article_run
    finding = findings["c013", "unexplained-residual"]
    assert finding.verdict_id == "unexplained-residual"
    assert finding.computation.endswith("= 3942")
    assert {e.rsplit("/", 1)[-1] for e in finding.evidence} == {"c014", "c069", "c070", "c071"}


def test_article_approval_rate_over_90_holds(article_run):
    _, findings = article_run
    finding = findings["c015", "ratio-bound"]
    assert finding.verdict_id == "consistent"
    assert "91.86%" in finding.explanation


def test_article_trends(article_run):
    _, findings = article_run
    assert findings["c016", "trend-against-series"].verdict_id == "consistent"
    assert findings["c068", "trend-against-series"].verdict_id == "consistent"
    assert findings["c025", "trend-without-data"].verdict_id == "unverifiable"


def test_article_other_verdicts(article_run):
    _, findings = article_run
    assert findings["c028", "estimate-without-method"].verdict_id == "method-not-stated"
    assert findings["c053", "comparison-needs-context"].verdict_id == "needs-context"
    # 105.2% with the answer mode not stated: a finding, not "consistent because multiple answers".
    assert findings["c038", "shares-of-one-whole"].verdict_id == "unverifiable"
    assert "either they could" in findings["c038", "shares-of-one-whole"].explanation
    assert findings["c010", "unsourced"].verdict_id == "unsourced"
    assert ("c034", "unsourced") not in findings  # an interpretation: opinion, not flagged


def test_reviews_are_claim_reviews_apart_from_the_claims(article_run):
    built, _ = article_run
    reviews = built.dataset.graph(IRIS.graph("reviews"))
    review = IRIS.review("c015-ratio-bound")
    assert (review, RDF.type, SCHEMA.ClaimReview) in reviews
    assert reviews.value(review, SCHEMA.itemReviewed) == IRIS.claim("c015")
    assert reviews.value(review, CG.verdict) == CG["verdict-consistent"]
    assert str(reviews.value(review, SCHEMA.reviewBody)).endswith(HONESTY)
    rating = reviews.value(review, SCHEMA.reviewRating)
    assert str(reviews.value(rating, SCHEMA.alternateName)) == "consistent"
    activity = reviews.value(review, PROV.wasGeneratedBy)
    assert (activity, PROV.used, IRIS.check_rule("ratio-bound")) in reviews
    # nothing about the claim itself is written into the reviews graph
    assert not list(reviews.triples((IRIS.claim("c015"), None, None)))


def test_reviews_graph_is_built_from_findings():
    g = Graphs().claim("f", kind="factual-statement", attribution="none")
    store = OxigraphStore(base_iri=IRIS.base, prefixes=IRIS.prefixes())
    ontology = g.ds.graph(IRIS.ontology)
    for triple in load_ontology(IRIS):
        ontology.add(triple)
    store.replace_all(to_nquads(g.ds))
    run = run_checks(store, IRIS, (RULES["unsourced"],))
    graph = reviews_graph(run, IRIS, verdict_labels(store))
    assert len(list(graph.subjects(RDF.type, SCHEMA.ClaimReview))) == 1


def test_cli_check_table_and_json():
    table = subprocess.run(
        [sys.executable, "-m", "claimgraph.cli", "check"], capture_output=True, text=True, check=False
    )
    assert table.returncode == 0, table.stderr
    assert "c013   unexplained-residual" in table.stdout
    assert HONESTY in table.stdout
    result = subprocess.run(
        [sys.executable, "-m", "claimgraph.cli", "check", "--format", "json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0
    data = json.loads(result.stdout)
    assert {r["id"] for r in data["rules"]} == set(RULES)
    verdicts = {(f["claim"], f["rule"]): f["verdict"] for f in data["findings"]}
    assert verdicts["c015", "ratio-bound"] == "consistent"
