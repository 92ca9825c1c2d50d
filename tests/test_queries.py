"""Every example query in queries/ runs on the shipped data and returns the rows it should."""

from __future__ import annotations

from decimal import Decimal

import pytest
from claimgraph.querylib import load_library

LIBRARY = load_library()


@pytest.fixture(scope="module")
def run(loaded_store):
    def run_query(name: str) -> list[dict[str, str]]:
        rows = loaded_store.select(LIBRARY[name].text)
        return [{k: str(v) for k, v in row.items()} for row in rows]

    return run_query


def ids(rows, key="claim"):
    return {row[key].rsplit("/", 1)[-1] for row in rows}


def test_library_has_documented_queries():
    assert len(LIBRARY) >= 8
    for query in LIBRARY.values():
        assert query.title
        assert len(query.description) > 40


def test_figure_provenance(run):
    rows = run("figure-provenance")
    assert ids(rows) == {"c013"}
    assert sorted(r["received"] for r in rows) == ["2024-08-05", "2025-02-12"]
    assert {r["issuerName"] for r in rows} == {"Serbian Border Police Administration"}
    assert {r["attribution"] for r in rows} == {"stated"}


def test_access_to_information_figures(run):
    rows = run("access-to-information-figures")
    # Not c028: the 80,000-110,000 estimate is only "based on" these data, by an unnamed estimator.
    assert ids(rows) == {
        "c013", "c014", "c015", "c017", "c018", "c019", "c024", "c069", "c070", "c071",
    }  # fmt: skip
    by_claim = {r["claim"].rsplit("/", 1)[-1]: r for r in rows}
    assert by_claim["c015"]["min"] == "90"
    assert "value" not in by_claim["c015"]
    assert by_claim["c024"]["attribution"] == "issuer-stated"
    assert by_claim["c013"]["attribution"] == "stated"
    assert by_claim["c013"]["receivedOn"].split(", ") in (
        ["2024-08-05", "2025-02-12"],
        ["2025-02-12", "2024-08-05"],
    )


def test_survey_findings_name_their_populations(run):
    rows = run("survey-findings")
    by_claim = {r["claim"].rsplit("/", 1)[-1]: r for r in rows}
    # 23 figures; the three with an open denominator (c041, c043, c044) give a row per reading.
    assert len(rows) == 26
    assert "approve of Vladimir Putin" in by_claim["c057"]["population"]
    assert "oppose Vladimir Putin" in by_claim["c058"]["population"]
    assert by_claim["c038"]["answerMode"] == "answer mode not stated"
    assert Decimal(by_claim["c035"]["value"]) == Decimal("96.5")
    assert by_claim["c035"]["base"] == "as stated"
    readings = [r for r in rows if r["claim"].endswith("/c041")]
    assert {r["base"] for r in readings} == {"ambiguous: one of several readings"}
    assert sorted(r["population"] for r in readings) == [
        "BCSP survey respondents (Russian nationals who relocated to Serbia after 24 February 2022)",
        "BCSP survey respondents who have not returned to Russia since arriving in Serbia",
    ]


def test_unsourced_claims(run, loaded_store):
    rows = run("unsourced-claims")
    [count] = loaded_store.select("SELECT (COUNT(*) AS ?n) WHERE { ?c cg:attribution cg:attribution-none }")
    assert len(rows) == int(count["n"]) == 27
    assert {"c010", "c011", "c023", "c065"} <= ids(rows)


def test_timeline_is_in_date_order(run):
    rows = run("timeline")
    dates = [r["date"] for r in rows]
    assert dates == sorted(dates)
    names = {r["date"]: r["name"] for r in rows}
    assert "mobilisation" in names["2022-09-21"]
    assert set(dates) == {"2022-02", "2022-09-21", "2024-08-05", "2025-02-12"}
    # No invented events: no "relocation" (a population bound) and no 2009 signing (a document's year).
    assert not any("elocation" in name or "agreement" in name for name in names.values())


def test_levada_beside_survey(run):
    rows = run("levada-vs-survey")
    values = {(r["pollster"].split(",")[0], Decimal(r["value"])) for r in rows}
    assert values == {
        ("Levada Centre", Decimal(87)),
        ("Levada Centre", Decimal(74)),
        ("BCSP survey", Decimal("15.9")),
        ("BCSP survey", Decimal("51.9")),
    }
    assert all(r["population"] for r in rows)


def test_claims_by_kind_adds_up(run):
    rows = run("claims-by-kind")
    assert sum(int(r["claims"]) for r in rows) == 82
    kinds = {r["kind"] for r in rows}
    assert {"survey finding", "interpretation or opinion", "poll result", "quotation"} <= kinds


def test_article_metadata(run):
    rows = run("article-metadata")
    facts = {(r["role"], r["value"]) for r in rows}
    assert ("author", "Kristina Nikolic") in facts
    assert ("co-author", "Srdjan Cvijic") in facts
    assert ("publisher", "Belgrade Centre for Security Policy") in facts
    assert ("funder", "Canada Fund for Local Initiatives") in facts
    assert ("not stated", "url") in facts
    assert ("not stated", "datePublished") in facts
    [author] = [r for r in rows if r["role"] == "author"]
    assert author["affiliation"].startswith("External Research Associate")


def test_not_stated(run, loaded_store):
    rows = run("not-stated")
    unknowns = {(r["thing"].rsplit("/", 1)[-1], r["notStated"]) for r in rows}
    assert ("bcsp-survey", "sampleSize") in unknowns
    assert ("russians-in-serbia", "url") in unknowns
    assert ("levada-poll-fieldwork", "sampleSize") in unknowns
    assert ("bpa-response-2024-08-05", "date") in unknowns
    # The key unknown: who made the 80,000-110,000 estimate, and how.
    assert {("c028", "estimator"), ("c028", "estimationMethod")} <= unknowns
    assert ("c041", "population") not in unknowns  # a figure's unknown is listed under the figure
    assert ("figure-1", "population") in unknowns
    # The claims it gives no source for, counted by kind, as the description promises.
    by_kind = {r["label"]: int(r["claims"]) for r in rows if r["notStated"] == "wasDerivedFrom"}
    [count] = loaded_store.select("SELECT (COUNT(*) AS ?n) WHERE { ?c cg:notStated prov:wasDerivedFrom }")
    assert sum(by_kind.values()) == int(count["n"]) == 27
    assert by_kind["interpretation or opinion"] == 12


def test_inferred_attributions_carry_a_reason(run):
    rows = run("inferred-attributions")
    assert len(rows) == 32
    assert {"c014", "c016", "c017", "c024", "c064"} <= ids(rows)
    assert "c028" not in ids(rows)  # "based on the provided data above" states its basis
    by_claim = {r["claim"].rsplit("/", 1)[-1]: r for r in rows}
    assert by_claim["c024"]["attribution"] == "issuer-stated"
    assert by_claim["c014"]["attribution"] == "inferred"
    assert all(r.get("note") for r in rows)
