"""Full-text search: the /search page (the box is in every page's header) and /api/search.

The index is the read model's (reading/search.py), so it follows the store's content. A
search the grammar cannot read, or an unknown facet value, is a 400 with a message
(QueryRejected), in the shape of its audience (web/errors.py).
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, Response, g, jsonify, render_template, request

from claimgraph import media
from claimgraph.errors import QueryRejected
from claimgraph.reading.search import FACET_NAMES, SearchResult
from claimgraph.web import get_read_model

bp = Blueprint("search", __name__)
FACET_TITLES = (
    ("article", "Article"),
    ("kind", "Kind"),
    ("verdict", "Verdict"),
    ("source", "Source"),
    ("attribution", "Attribution"),
    ("status", "Draft or reviewed"),
)


def _facets() -> dict[str, list[str]]:
    return {name: request.args.getlist(name) for name in FACET_NAMES}


def sparql_for(result: SearchResult) -> str:
    """A SELECT of the matching claims (their IRIs as VALUES, in rank order) with quote, kind and source."""
    if not result.claim_iris:
        return ""
    rows = "\n    ".join(f"(<{iri}> {rank})" for rank, iri in enumerate(result.claim_iris, start=1))
    return (
        f"# The {len(result.claim_iris)} claims matching the search: {result.parsed.text}\n"
        "SELECT ?rank ?claim ?quote ?kind ?source WHERE {\n"
        f"  VALUES (?claim ?rank) {{\n    {rows}\n  }}\n"
        "  ?claim schema:text ?quote ; cg:kind ?kind .\n"
        "  OPTIONAL { ?claim prov:wasDerivedFrom ?source }\n"
        "}\nORDER BY ?rank"
    )


def sparql_link(result: SearchResult) -> str | None:
    query = sparql_for(result)
    return f"{request.script_root}/sparql?{urlencode({'query': query})}" if query else None


@bp.get("/api/search")
def api_search() -> Response:
    """The claims matching ``q`` (words, "phrases", prefix*, -exclusions), ranked, with facet counts."""
    query = request.args.get("q", "")
    result = get_read_model().search_index.search(query, _facets())
    body = result.to_json()
    body["sparql"] = sparql_for(result) or None
    return jsonify(body)


@bp.get("/search")
def search_page() -> Response | str:
    """The search page: the ranked matches with highlights, facets, and a link to SPARQL."""
    g.answer = media.HTML.media_type
    query = request.args.get("q", "")
    result, error = None, None
    if query.strip():
        try:
            result = get_read_model().search_index.search(query, _facets())
        except QueryRejected as rejected:
            error = str(rejected)
    status = 400 if error else 200
    page = render_template(
        "search.html",
        search_query=query,
        result=result,
        error=error,
        sparql=sparql_link(result) if result else None,
        facet_titles=FACET_TITLES,
        links=[],
    )
    return Response(page, status=status, mimetype="text/html")
