"""The JSON API: every route's answer validates against /openapi.json, and the shapes say what they should."""

from __future__ import annotations

import re

import pytest
from claimgraph.iris import ONTOLOGY_NAMESPACE
from jsonschema import Draft202012Validator
from referencing import Registry
from referencing.jsonschema import DRAFT202012

BASE = "http://claimgraph.test/"
ROUTES = {
    "/api/claims": "ClaimList",
    "/api/claims?kind=survey-finding&verdict=consistent&q=russia": "ClaimList",
    "/api/claims/c013": "ClaimDetail",
    "/api/claims/c064": "ClaimDetail",
    "/api/sources": "SourceList",
    "/api/sources/bpa-response-2024-08-05": "SourceWithClaims",
    "/api/entities/belgrade": "Entity",
    "/api/checks": "CheckReport",
    "/api/search?q=Border+Police": "SearchResult",
    "/api/search?q=appl*&kind=statistic": "SearchResult",
}


@pytest.fixture(scope="module")
def client(site_client):
    return site_client


@pytest.fixture(scope="module")
def openapi(client) -> dict:
    response = client.get("/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def validator(openapi: dict, name: str) -> Draft202012Validator:
    """A validator for one component schema, resolving the document's own $refs."""
    registry = Registry().with_resource("urn:openapi", DRAFT202012.create_resource(openapi))
    schema = {"$ref": f"urn:openapi#/components/schemas/{name}"}
    return Draft202012Validator(schema, registry=registry)


def test_openapi_describes_every_json_route(client, openapi):
    app = client.application
    assert openapi["openapi"].startswith("3.1")
    documented = {re.sub(r"\{[^}]+\}", "{id}", path) for path in openapi["paths"]}
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/"):
            assert re.sub(r"<[^>]+>", "{id}", rule.rule) in documented, rule.rule
    assert "/claims" in documented  # the list's JSON twin


def test_openapi_schemas_are_valid_json_schema(openapi):
    for schema in openapi["components"]["schemas"].values():
        Draft202012Validator.check_schema(schema)


@pytest.mark.parametrize(("path", "schema"), ROUTES.items())
def test_answer_validates_against_its_documented_schema(client, openapi, path, schema):
    response = client.get(path)
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    errors = sorted(validator(openapi, schema).iter_errors(response.get_json()), key=str)
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors[:5]]


def test_claim_list_has_totals_filters_and_facet_counts(client):
    body = client.get("/api/claims?kind=statistic&kind=estimate").get_json()
    assert (body["total"], body["count"]) == (82, 16)
    assert body["filters"]["kind"] == ["statistic", "estimate"]
    kinds = {v["id"]: v for v in body["facets"]["kind"]}
    assert kinds["statistic"]["selected"]
    assert kinds["statistic"]["count"] == 15
    assert kinds["survey-finding"]["count"] == 23  # a facet's counts ignore its own filter
    verdicts = {v["id"]: v["count"] for v in body["facets"]["verdict"]}
    assert verdicts["unexplained-residual"] == 1  # c013, among the 16


def test_claim_item_carries_anchor_figures_and_sources(client):
    claims = {c["id"]: c for c in client.get("/api/claims").get_json()["claims"]}
    c015 = claims["c015"]
    assert c015["anchor"] == {
        "start": 1717,
        "end": 1756,
        "prefix": ", 67,236 permits were approved, ",
        "suffix": ".\nThe number of applications has",
    }
    (figure,) = c015["figures"]
    assert (figure["value"], figure["minimum"], figure["minInclusive"], figure["text"]) == (
        None,
        90,
        False,
        "over 90%",
    )
    assert figure["period"] == {
        "start": "2022-02-24",
        "end": "2024-12-31",
        "text": "24 February 2022 to 31 December 2024",
    }
    assert [s["id"] for s in c015["sources"]] == ["bpa-response-2024-08-05", "bpa-response-2025-02-12"]
    kind = {"id": "statistic", "iri": f"{ONTOLOGY_NAMESPACE}kind-statistic", "label": "statistic"}
    assert c015["kind"] == kind


def test_claim_detail_has_reviews_related_and_citations(client):
    body = client.get("/api/claims/c013").get_json()
    verdicts = sorted(r["verdict"]["id"] for r in body["reviews"])
    assert verdicts == ["consistent", "unexplained-residual"]
    assert body["related"]["sameMeasure"] == ["c017", "c018", "c019"]
    assert body["citation"]["bibtex"].startswith("@misc{claimgraph-c013,")
    assert body["citation"]["csl"][0]["URL"] == f"{BASE}claims/c013"
    assert "itself" in body["honesty"]


def test_claims_negotiates_json_for_programs_and_html_for_browsers(client):
    api = client.get("/api/claims?q=levada").get_json()
    for accept in ("application/json", "*/*", None):
        headers = {"Accept": accept} if accept else {}
        response = client.get("/claims?q=levada", headers=headers)
        assert response.mimetype == "application/json"
        assert response.get_json() == api
        assert "Accept" in response.vary
    assert client.get("/claims", headers={"Accept": "text/html"}).mimetype == "text/html"


@pytest.mark.parametrize(
    ("path", "status"),
    [("/api/claims/c999", 404), ("/api/claims?verdict=wrong", 400), ("/api/sources/nowhere", 404)],
)
def test_errors_have_one_json_shape(client, openapi, path, status):
    response = client.get(path)
    assert response.status_code == status
    body = response.get_json()
    assert set(body) == {"title", "status", "detail"}
    assert body["status"] == status
    assert not list(validator(openapi, "Error").iter_errors(body))


def test_claims_json_error_keeps_the_json_shape(client):
    response = client.get("/claims?kind=nonsense", headers={"Accept": "application/json"})
    assert response.status_code == 400
    assert response.get_json()["title"] == "Bad Request"


def test_checks_report_counts_match_the_reviews(client):
    body = client.get("/api/checks").get_json()
    per_rule = sum(sum(rule["counts"].values()) for rule in body["rules"])
    assert per_rule == sum(v["count"] for v in body["verdicts"]) == 46
    assert body["claimsChecked"] == 39
    assert body["claimsTotal"] == 82
    assert "not with the world" in body["honesty"]
    ratio = next(rule for rule in body["rules"] if rule["id"] == "ratio-bound")
    assert ratio["findings"][0]["claim"]["id"] == "c015"
    assert ratio["version"]
    assert "SELECT" in ratio["query"]


def test_the_validation_would_catch_a_changed_shape(client, openapi):
    body = client.get("/api/claims/c015").get_json()
    del body["figures"][0]["period"]
    body["anchor"]["start"] = "1717"
    messages = [e.message for e in validator(openapi, "ClaimDetail").iter_errors(body)]
    assert any("'period' is a required property" in m for m in messages)
    assert any("is not of type 'integer'" in m for m in messages)


def test_unknown_api_route_answers_json_404(client):
    response = client.get("/api/nothing-here")
    assert response.status_code == 404
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert body["status"] == 404
    assert body["title"] == "Not Found"
    assert body["detail"]


def test_wrong_method_on_api_answers_json_405(client):
    response = client.post("/api/claims")
    assert response.status_code == 405
    assert response.get_json()["status"] == 405
    assert "GET" in response.headers["Allow"]


def test_the_filter_enums_are_what_the_api_accepts(client, openapi):
    parameters = {p["name"]: p for p in openapi["paths"]["/api/claims"]["get"]["parameters"]}
    listing = client.get("/api/claims").get_json()
    for facet in ("kind", "source", "attribution", "verdict"):
        enum = parameters[facet]["schema"]["items"]["enum"]
        assert enum == [*(value["id"] for value in listing["facets"][facet]), ""]
        for value in enum:  # every value the document offers is accepted
            assert client.get("/api/claims", query_string={facet: value}).status_code == 200
        refused = client.get("/api/claims", query_string={facet: "no-such-value"})
        assert refused.status_code == 400
        assert "no-such-value" not in enum
