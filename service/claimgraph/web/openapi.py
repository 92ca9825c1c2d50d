"""The OpenAPI 3.1 description of the JSON routes; its schemas are JSON Schema 2020-12, and the
tests validate every route's answer against them (tests/test_api.py), so the document cannot drift."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from importlib.metadata import version
from typing import Any

Schema = dict[str, Any]


def _ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def _null(schema: Schema) -> Schema:
    return {"oneOf": [schema, {"type": "null"}]}


def _array(items: Schema) -> Schema:
    return {"type": "array", "items": items}


def _object(doc: str = "", /, **properties: Schema) -> Schema:
    found: Schema = {"type": "object", "required": sorted(properties), "properties": properties}
    return {"description": doc, **found} if doc else found


STRING, INTEGER, NUMBER, BOOLEAN = ({"type": t} for t in ("string", "integer", "number", "boolean"))
OPT_STRING, OPT_NUMBER, OPT_BOOLEAN = (_null(s) for s in (STRING, NUMBER, BOOLEAN))
REFS = _array(_ref("Ref"))
#: A claim's review status: a draft is found by rules, not reviewed by a person, and never checked.
STATUS = {
    "type": "string",
    "enum": ["draft", "reviewed"],
    "description": "`draft`: a candidate found by `claimgraph draft`, not reviewed (shown as "
    '"Draft — not reviewed", never checked); `reviewed`: every other claim.',
}
STATUS_PARAMETER = {
    "name": "status",
    "in": "query",
    "description": "draft or reviewed; repeat for both.",
    "schema": _array({"type": "string", "enum": ["draft", "reviewed", ""]}),
    "style": "form",
    "explode": True,
}

SCHEMAS: dict[str, Schema] = {
    "Error": _object("Every error of the JSON API.", title=STRING, status=INTEGER, detail=STRING),
    "Ref": _object(
        "A linked resource: its IRI, a short id (SKOS notation or last path segment), a label.",
        id=STRING,
        iri=STRING,
        label=STRING,
    ),
    "Period": _object(start=OPT_STRING, end=OPT_STRING, text=STRING),
    "Figure": _object(
        "A value, or a range or bound (minimum/maximum with inclusiveness), with its context.",
        iri=STRING,
        text=STRING,
        value=OPT_NUMBER,
        minimum=OPT_NUMBER,
        maximum=OPT_NUMBER,
        minInclusive=OPT_BOOLEAN,
        maxInclusive=OPT_BOOLEAN,
        approximate=BOOLEAN,
        unit=_null(_ref("Ref")),
        period=_null(_ref("Period")),
        place=_null(_ref("Ref")),
        population=_null(_ref("Ref")),
        measure=_null(_ref("Ref")),
        question=_null(_ref("Ref")),
        answerMode=_null(_ref("Ref")),
        ambiguity=OPT_STRING,
        populationReadings=_array(_ref("PopulationReading")),
    ),
    "PopulationReading": _object(
        "One population an ambiguous figure may be a share of (then `population` is null), and why.",
        population=_ref("Ref"),
        note=STRING,
    ),
    "Fact": _object(label=STRING, text=STRING, ref=_null(_ref("Ref"))),
    "Statement": _object(
        "A proposition, event, legal rule, quotation or quantifier the claim asserts.",
        iri=STRING,
        kind={"enum": ["statement", "event", "legal rule", "quotation", "quantifier"]},
        text=STRING,
        facts=_array(_ref("Fact")),
    ),
    "Anchor": _object(
        "Offsets in Unicode code points into the article text, and the quote's context.",
        start=INTEGER,
        end=INTEGER,
        prefix=STRING,
        suffix=STRING,
    ),
    "Claim": _object(
        "One claim of an article. id is unique within its article; key names it across articles (its id"
        " for the shipped article, <article>/<id> for any other); article is the article's IRI.",
        id=STRING,
        key=STRING,
        iri=STRING,
        quote=STRING,
        kind=_ref("Ref"),
        attribution=_ref("Ref"),
        note=OPT_STRING,
        article=STRING,
        anchor=_ref("Anchor"),
        sources=REFS,
        about=REFS,
        compares=REFS,
        notStated=REFS,
        hedges=_array(STRING),
        figures=_array(_ref("Figure")),
        statements=_array(_ref("Statement")),
        verdicts=REFS,
        status=STATUS,
        attributionPhrase=OPT_STRING,
    ),
    "FacetValue": _object(id=STRING, label=STRING, count=INTEGER, selected=BOOLEAN),
    "ClaimList": _object(
        "Claims passing the filters; a facet's counts are over the claims the other filters leave.",
        total=INTEGER,
        count=INTEGER,
        filters=_object(
            article=_array(STRING),
            kind=_array(STRING),
            source=_array(STRING),
            attribution=_array(STRING),
            verdict=_array(STRING),
            status=_array(STRING),
            q=STRING,
        ),
        facets=_object(
            **{
                f: _array(_ref("FacetValue"))
                for f in ("article", "kind", "source", "attribution", "verdict", "status")
            }
        ),
        claims=_array(_ref("Claim")),
    ),
    "Review": _object(
        "A ClaimReview of the automated checks.",
        iri=STRING,
        name=OPT_STRING,
        verdict=_ref("Ref"),
        explanation=OPT_STRING,
        body=STRING,
        computation=OPT_STRING,
        rule=_null(_ref("Ref")),
        evidence=REFS,
        author=_null(_ref("Ref")),
        datePublished=OPT_STRING,
        url=OPT_STRING,
    ),
    "ClaimDetail": {
        "allOf": [
            _ref("Claim"),
            _object(
                sourceDetails=_array(_ref("Source")),
                reviews=_array(_ref("Review")),
                related=_object(**{}) | {"additionalProperties": _array(STRING)},
                citation=_object(text=STRING, bibtex=STRING, csl=_array({"type": "object"})),
                honesty=STRING,
            ),
        ]
    },
    "Activity": _object(
        "How a source came about (a request, a study, a poll's fieldwork).",
        id=STRING,
        iri=STRING,
        label=STRING,
        types=REFS,
        requesters=REFS,
        addressees=REFS,
        started=OPT_STRING,
        ended=OPT_STRING,
        period=OPT_STRING,
        population=_null(_ref("Ref")),
        notStated=REFS,
    ),
    "Source": _object(
        "A source; notStated lists what the article does not say about it or its activity.",
        id=STRING,
        iri=STRING,
        label=STRING,
        types=REFS,
        issuers=REFS,
        received=OPT_STRING,
        date=OPT_STRING,
        partOf=_null(_ref("Ref")),
        activity=_null(_ref("Activity")),
        notStated=REFS,
    ),
    "SourceWithClaims": {"allOf": [_ref("Source"), _object(claims=_array(STRING))]},
    "Entity": _object(
        "A place, person or organisation; sameAs holds only verified Wikidata identifiers.",
        id=STRING,
        iri=STRING,
        label=STRING,
        types=REFS,
        sameAs=_array(STRING),
        description=_array(_object(label=STRING, text=STRING)),
        claims=_array(STRING),
    ),
    "CheckReport": _object(
        "The automated checks: they compare the article with itself and its cited sources, not with reality.",
        honesty=STRING,
        claimsChecked=INTEGER,
        claimsTotal=INTEGER,
        verdicts=_array(_object(id=STRING, iri=STRING, label=STRING, definition=STRING, count=INTEGER)),
        rules=_array(
            _object(
                id=STRING,
                iri=STRING,
                label=STRING,
                title=STRING,
                checks=STRING,
                version=STRING,
                query=STRING,
                verdicts=REFS,
                counts={"type": "object", "additionalProperties": INTEGER},
                findings=_array(
                    _object(
                        claim=_object(id=STRING, key=STRING, iri=STRING, quote=STRING),
                        review=STRING,
                        verdict=_ref("Ref"),
                        explanation=OPT_STRING,
                        computation=OPT_STRING,
                    )
                ),
            )
        ),
    ),
    "Segment": _object(
        "A piece of a highlighted field; match marks the words the search found.", text=STRING, match=BOOLEAN
    ),
    "SearchResult": _object(
        "Claims matching a full-text search, best first (BM25), with facet counts over the matches.",
        query=STRING,
        parsed=STRING,
        fts=STRING,
        filters=_object(
            **{f: _array(STRING) for f in ("article", "kind", "verdict", "source", "attribution", "status")}
        ),
        total=INTEGER,
        count=INTEGER,
        facets=_object(
            **{
                f: _array(_ref("FacetValue"))
                for f in ("article", "kind", "verdict", "source", "attribution", "status")
            }
        ),
        hits=_array(
            _object(
                rank=INTEGER,
                score=NUMBER,
                claim=_ref("Claim"),
                highlights={"type": "object", "additionalProperties": _array(_ref("Segment"))},
            )
        ),
        sparql=OPT_STRING,
    ),
}

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
            "schema": _array(STRING),
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


ARTICLE = _object(
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
    basedOn=_null(_ref("Ref")),
    notStated=REFS,
    text=STRING,
    claimCount=INTEGER,
    draftCount=INTEGER,
    verdicts={"type": "object", "additionalProperties": INTEGER},
    claims=_array(STRING),
)
ARTICLE_CLAIM: Schema = {
    "get": {
        "summary": "One claim of any other article in full (as /api/claims/{id})",
        "parameters": [
            {"name": name, "in": "path", "required": True, "description": description, "schema": STRING}
            for name, description in (("article", "Article slug"), ("id", "Claim id within the article"))
        ],
        "responses": {
            "200": {"description": "OK", "content": {"application/json": {"schema": _ref("ClaimDetail")}}},
            "404": {"description": "Error", "content": {"application/json": {"schema": _ref("Error")}}},
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
            "schema": _array(
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
    error = {"description": "Error", "content": {"application/json": {"schema": _ref("Error")}}}
    responses = {"200": {"description": "OK", "content": {"application/json": {"schema": _ref(schema)}}}}
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
        "paths": {
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
            "/api/entities/{id}": _get("One entity and the claims about it", "Entity", path_id="Entity id"),
            "/api/search": _get("Full-text search of the claims, ranked", "SearchResult", parameters=SEARCH),
            "/api/checks": _get("The check rules and their verdicts", "CheckReport"),
            "/openapi.json": {
                "get": {"summary": "This document", "responses": {"200": {"description": "OK"}}}
            },
        },
        "components": {
            "schemas": {
                **SCHEMAS,
                "SourceList": _object(sources=_array(_ref("SourceWithClaims"))),
                "Article": ARTICLE,
                "ArticleList": _object(count=INTEGER, articles=_array(_ref("Article"))),
            }
        },
    }
