"""The component schemas of the OpenAPI document (web/openapi.py): every object the JSON routes
answer with, as JSON Schema 2020-12, and the small builders they are written with."""

from __future__ import annotations

from typing import Any

Schema = dict[str, Any]


def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def nullable(schema: Schema) -> Schema:
    return {"oneOf": [schema, {"type": "null"}]}


def array_of(items: Schema) -> Schema:
    return {"type": "array", "items": items}


def object_of(doc: str = "", /, **properties: Schema) -> Schema:
    found: Schema = {"type": "object", "required": sorted(properties), "properties": properties}
    return {"description": doc, **found} if doc else found


STRING, INTEGER, NUMBER, BOOLEAN = ({"type": t} for t in ("string", "integer", "number", "boolean"))
OPT_STRING, OPT_NUMBER, OPT_BOOLEAN = (nullable(s) for s in (STRING, NUMBER, BOOLEAN))
REFS = array_of(ref("Ref"))
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
    "schema": array_of({"type": "string", "enum": ["draft", "reviewed", ""]}),
    "style": "form",
    "explode": True,
}

SCHEMAS: dict[str, Schema] = {
    "Error": object_of("Every error of the JSON API.", title=STRING, status=INTEGER, detail=STRING),
    "Ref": object_of(
        "A linked resource: its IRI, a short id (SKOS notation or last path segment), a label.",
        id=STRING,
        iri=STRING,
        label=STRING,
    ),
    "Period": object_of(start=OPT_STRING, end=OPT_STRING, text=STRING),
    "Figure": object_of(
        "A value, or a range or bound (minimum/maximum with inclusiveness), with its context.",
        iri=STRING,
        text=STRING,
        value=OPT_NUMBER,
        minimum=OPT_NUMBER,
        maximum=OPT_NUMBER,
        minInclusive=OPT_BOOLEAN,
        maxInclusive=OPT_BOOLEAN,
        approximate=BOOLEAN,
        unit=nullable(ref("Ref")),
        period=nullable(ref("Period")),
        place=nullable(ref("Ref")),
        population=nullable(ref("Ref")),
        measure=nullable(ref("Ref")),
        question=nullable(ref("Ref")),
        answerMode=nullable(ref("Ref")),
        ambiguity=OPT_STRING,
        populationReadings=array_of(ref("PopulationReading")),
    ),
    "PopulationReading": object_of(
        "One population an ambiguous figure may be a share of (then `population` is null), and why.",
        population=ref("Ref"),
        note=STRING,
    ),
    "Fact": object_of(label=STRING, text=STRING, ref=nullable(ref("Ref"))),
    "Statement": object_of(
        "A proposition, event, legal rule, quotation or quantifier the claim asserts.",
        iri=STRING,
        kind={"enum": ["statement", "event", "legal rule", "quotation", "quantifier"]},
        text=STRING,
        facts=array_of(ref("Fact")),
    ),
    "Anchor": object_of(
        "Offsets in Unicode code points into the article text, and the quote's context.",
        start=INTEGER,
        end=INTEGER,
        prefix=STRING,
        suffix=STRING,
    ),
    "Claim": object_of(
        "One claim of an article. id is unique within its article; key names it across articles (its id"
        " for the shipped article, <article>/<id> for any other); article is the article's IRI.",
        id=STRING,
        key=STRING,
        iri=STRING,
        quote=STRING,
        kind=ref("Ref"),
        attribution=ref("Ref"),
        note=OPT_STRING,
        article=STRING,
        anchor=ref("Anchor"),
        sources=REFS,
        about=REFS,
        compares=REFS,
        notStated=REFS,
        hedges=array_of(STRING),
        figures=array_of(ref("Figure")),
        statements=array_of(ref("Statement")),
        verdicts=REFS,
        status=STATUS,
        attributionPhrase=OPT_STRING,
    ),
    "FacetValue": object_of(id=STRING, label=STRING, count=INTEGER, selected=BOOLEAN),
    "ClaimList": object_of(
        "Claims passing the filters; a facet's counts are over the claims the other filters leave.",
        total=INTEGER,
        count=INTEGER,
        filters=object_of(
            article=array_of(STRING),
            kind=array_of(STRING),
            source=array_of(STRING),
            attribution=array_of(STRING),
            verdict=array_of(STRING),
            status=array_of(STRING),
            q=STRING,
        ),
        facets=object_of(
            **{
                f: array_of(ref("FacetValue"))
                for f in ("article", "kind", "source", "attribution", "verdict", "status")
            }
        ),
        claims=array_of(ref("Claim")),
    ),
    "Review": object_of(
        "A ClaimReview of the automated checks.",
        iri=STRING,
        name=OPT_STRING,
        verdict=ref("Ref"),
        explanation=OPT_STRING,
        body=STRING,
        computation=OPT_STRING,
        rule=nullable(ref("Ref")),
        evidence=REFS,
        author=nullable(ref("Ref")),
        datePublished=OPT_STRING,
        url=OPT_STRING,
    ),
    "ClaimDetail": {
        "allOf": [
            ref("Claim"),
            object_of(
                sourceDetails=array_of(ref("Source")),
                reviews=array_of(ref("Review")),
                related=object_of(**{}) | {"additionalProperties": array_of(STRING)},
                citation=object_of(text=STRING, bibtex=STRING, csl=array_of({"type": "object"})),
                versions=ref("ClaimVersions"),
                honesty=STRING,
            ),
        ]
    },
    "ClaimVersions": object_of(
        "The claim's released versions (nanopublications named by Trusty URIs), oldest first; cite is"
        " the version to cite (null when the served claim changed since its last release).",
        current=OPT_STRING,
        cite=OPT_STRING,
        changedSince=OPT_STRING,
        pendingChanges=array_of(STRING),
        versions=array_of(
            object_of(
                iri=STRING,
                created=STRING,
                release=OPT_STRING,
                supersedes=OPT_STRING,
                retracts=OPT_STRING,
                changes=array_of(STRING),
            )
        ),
    ),
    "Activity": object_of(
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
        population=nullable(ref("Ref")),
        notStated=REFS,
    ),
    "Source": object_of(
        "A source; notStated lists what the article does not say about it or its activity.",
        id=STRING,
        iri=STRING,
        label=STRING,
        types=REFS,
        issuers=REFS,
        received=OPT_STRING,
        date=OPT_STRING,
        partOf=nullable(ref("Ref")),
        activity=nullable(ref("Activity")),
        notStated=REFS,
    ),
    "SourceWithClaims": {"allOf": [ref("Source"), object_of(claims=array_of(STRING))]},
    "Entity": object_of(
        "A place, person or organisation; sameAs holds only verified Wikidata identifiers.",
        id=STRING,
        iri=STRING,
        label=STRING,
        types=REFS,
        sameAs=array_of(STRING),
        description=array_of(object_of(label=STRING, text=STRING)),
        claims=array_of(STRING),
    ),
    "CheckReport": object_of(
        "The automated checks: they compare the article with itself and its cited sources, not with reality.",
        honesty=STRING,
        claimsChecked=INTEGER,
        claimsTotal=INTEGER,
        verdicts=array_of(object_of(id=STRING, iri=STRING, label=STRING, definition=STRING, count=INTEGER)),
        rules=array_of(
            object_of(
                id=STRING,
                iri=STRING,
                label=STRING,
                title=STRING,
                checks=STRING,
                version=STRING,
                query=STRING,
                verdicts=REFS,
                counts={"type": "object", "additionalProperties": INTEGER},
                findings=array_of(
                    object_of(
                        claim=object_of(id=STRING, key=STRING, iri=STRING, quote=STRING),
                        review=STRING,
                        verdict=ref("Ref"),
                        explanation=OPT_STRING,
                        computation=OPT_STRING,
                    )
                ),
            )
        ),
    ),
    "Segment": object_of(
        "A piece of a highlighted field; match marks the words the search found.", text=STRING, match=BOOLEAN
    ),
    "SearchResult": object_of(
        "Claims matching a full-text search, best first (BM25), with facet counts over the matches.",
        query=STRING,
        parsed=STRING,
        fts=STRING,
        filters=object_of(
            **{f: array_of(STRING) for f in ("article", "kind", "verdict", "source", "attribution", "status")}
        ),
        total=INTEGER,
        count=INTEGER,
        facets=object_of(
            **{
                f: array_of(ref("FacetValue"))
                for f in ("article", "kind", "verdict", "source", "attribution", "status")
            }
        ),
        hits=array_of(
            object_of(
                rank=INTEGER,
                score=NUMBER,
                claim=ref("Claim"),
                highlights={"type": "object", "additionalProperties": array_of(ref("Segment"))},
            )
        ),
        sparql=OPT_STRING,
    ),
}
