"""The OpenAPI 3.1 description of the JSON routes; its schemas are JSON Schema 2020-12, and the
tests validate every route's answer against them (tests/test_api.py), so the document cannot drift."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from importlib.metadata import version

from claimgraph.web import openapi_writes
from claimgraph.web.openapi_schemas import (
    INTEGER,
    OPT_STRING,
    REFS,
    SCHEMAS,
    STATUS_PARAMETER,
    STRING,
    Schema,
    array_of,
    nullable,
    object_of,
    ref,
)

SEARCH = (
    [
        {
            "name": "q",
            "in": "query",
            "required": True,
            "description": 'The search: words (all must match), "a phrase", prefix*, -excluded. '
            "A search the grammar cannot read is a 400 with a message.",
            "schema": STRING,
        }
    ]
    + [
        {
            "name": name,
            "in": "query",
            "description": f"Keep only claims with this {name} (id); repeat for alternatives.",
            "schema": array_of(STRING),
            "style": "form",
            "explode": True,
        }
        for name in ("article", "kind", "verdict", "source", "attribution")
    ]
    + [STATUS_PARAMETER]
)

FILTER_DESCRIPTIONS = (
    (
        "article",
        "Article slug (the last segment of its IRI, as /api/articles lists it); repeat for alternatives.",
    ),
    ("kind", "Claim kind notation (statistic, survey-finding, …); repeat for alternatives."),
    ("source", "Source id (the last segment of its IRI); repeat for alternatives."),
    ("attribution", "stated, issuer-stated, inferred or none; repeat for alternatives."),
    ("verdict", "Verdict notation, or `unchecked` for claims no check reviewed; repeat for alternatives."),
)


ARTICLE = object_of(
    "An article: its slug (id), IRI, name, what the data states about it (type, headline, authors, url,"
    " publication date; notStated what the article does not give), its text resource, the IRIs of its"
    " claims and how many of them have each worst verdict.",
    id=STRING,
    iri=STRING,
    label=STRING,
    type=STRING,
    headline=OPT_STRING,
    authors=REFS,
    url=OPT_STRING,
    datePublished=OPT_STRING,
    basedOn=nullable(ref("Ref")),
    notStated=REFS,
    text=STRING,
    claimCount=INTEGER,
    draftCount=INTEGER,
    verdicts={"type": "object", "additionalProperties": INTEGER},
    claims=array_of(STRING),
)
ARTICLE_CLAIM: Schema = {
    "get": {
        "summary": "One claim of any other article in full (as /api/claims/{id})",
        "parameters": [
            {"name": name, "in": "path", "required": True, "description": description, "schema": STRING}
            for name, description in (("article", "Article slug"), ("id", "Claim id within the article"))
        ],
        "responses": {
            "200": {"description": "OK", "content": {"application/json": {"schema": ref("ClaimDetail")}}},
            "404": {"description": "Error", "content": {"application/json": {"schema": ref("Error")}}},
        },
    }
}


def filters(accepted: Mapping[str, Sequence[str]]) -> list[Schema]:
    """The parameters of /api/claims: each facet's values are an enum of those the API accepts
    (``accepted``, from the data served: any other value is refused with a 400), and "" (a form's
    blank choice, which filters nothing)."""
    facets: list[Schema] = [
        {
            "name": name,
            "in": "query",
            "description": description,
            "schema": array_of(
                {"type": "string", "enum": [*accepted[name], ""]} if name in accepted else STRING
            ),
            "style": "form",
            "explode": True,
        }
        for name, description in FILTER_DESCRIPTIONS
    ] + [STATUS_PARAMETER]
    text: Schema = {
        "name": "q",
        "in": "query",
        "description": "Words that must all appear (quote, note, figures).",
        "schema": STRING,
    }
    return [*facets, text]


def _get(
    summary: str, schema: str, *, parameters: list[Schema] | None = None, path_id: str | None = None
) -> Schema:
    params = list(parameters or [])
    if path_id:
        params.append(
            {"name": "id", "in": "path", "required": True, "description": path_id, "schema": STRING}
        )
    error = {"description": "Error", "content": {"application/json": {"schema": ref("Error")}}}
    responses = {"200": {"description": "OK", "content": {"application/json": {"schema": ref(schema)}}}}
    responses |= {"400": error} if parameters else {}
    responses |= {"404": error} if path_id else {}
    return {"get": {"summary": summary, "parameters": params, "responses": responses}}


def document(server: str, accepted: Mapping[str, Sequence[str]] | None = None) -> Schema:
    """The OpenAPI document, with ``server`` (this server's root URL) as its one server, and
    ``accepted`` the values each /api/claims filter accepts (free strings when not given)."""
    return {
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "info": {
            "title": "claimgraph JSON API",
            "version": version("claimgraph"),
            "description": "Claims of a published article with their sources, figures and automated checks. "
            "The same data is RDF at every IRI and queryable at /sparql.",
        },
        "servers": [{"url": server}],
        "paths": openapi_writes.merged(
            {
                "/api/claims": _get(
                    "List and filter the claims", "ClaimList", parameters=filters(accepted or {})
                ),
                "/claims": _get(
                    "The same list, for a client that sends Accept: application/json",
                    "ClaimList",
                    parameters=filters(accepted or {}),
                ),
                "/api/claims/{id}": _get(
                    "One claim of the shipped article in full", "ClaimDetail", path_id="Claim id, e.g. c013"
                ),
                "/api/articles": _get("Every article with its metadata, claims and verdicts", "ArticleList"),
                "/articles": _get(
                    "The same list, for a client that sends Accept: application/json", "ArticleList"
                ),
                "/api/articles/{id}": _get(
                    "One article", "Article", path_id="Article slug, e.g. russians-in-serbia"
                ),
                "/api/articles/{article}/claims/{id}": ARTICLE_CLAIM,
                "/api/sources": _get("Every source", "SourceList"),
                "/api/sources/{id}": _get("One source", "SourceWithClaims", path_id="Source id"),
                "/api/entities/{id}": _get(
                    "One entity and the claims about it", "Entity", path_id="Entity id"
                ),
                "/api/search": _get(
                    "Full-text search of the claims, ranked", "SearchResult", parameters=SEARCH
                ),
                "/api/checks": _get("The check rules and their verdicts", "CheckReport"),
                "/openapi.json": {
                    "get": {"summary": "This document", "responses": {"200": {"description": "OK"}}}
                },
            }
        ),
        "components": {
            "schemas": {
                **SCHEMAS,
                "SourceList": object_of(sources=array_of(ref("SourceWithClaims"))),
                "Article": ARTICLE,
                "ArticleList": object_of(count=INTEGER, articles=array_of(ref("Article"))),
                **openapi_writes.SCHEMAS,
            },
            "securitySchemes": openapi_writes.SECURITY_SCHEMES,
        },
    }
