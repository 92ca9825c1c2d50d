"""The pages a fact-checker reads: the annotated article, the claim list, sources, the checks.

Pages of minted IRIs (a claim, a source, an entity, the ontology) are the HTML
branch of the Linked Data views (web/linked_data.py), which render them with the
contexts built here, so a page and its RDF twins answer at the same IRI.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, Response, g, jsonify, render_template, request
from markupsafe import Markup
from rdflib import URIRef

from claimgraph import media
from claimgraph.errors import NotFound
from claimgraph.reading.article_view import ArticleView
from claimgraph.reading.articles import articles_json
from claimgraph.reading.claim_page import ClaimPage
from claimgraph.reading.figure_series import Group
from claimgraph.reading.listing import Filters
from claimgraph.reading.model import Claim, claim_key
from claimgraph.reading.read_model import ReadModel
from claimgraph.web import charts, get_read_model, urls
from claimgraph.web.charts import series_chart, shares_chart
from claimgraph.web.provenance_picture import Picture, provenance_picture
from claimgraph.web.representation import choose, respond_page, with_links

bp = Blueprint("pages", __name__)
JSON = media.JSON.media_type


@bp.get("/article")
def article() -> Response:
    """The shipped article (its canonical page is /articles/<slug>) with its claims highlighted."""
    g.answer = media.HTML.media_type
    model = get_read_model()
    first = model.first_article()
    return respond_page(first, media.RESOURCE, "article.html", **article_context(model, first))


@bp.get("/articles")
def articles() -> Response | str:
    """Every article with its metadata and its claims' verdicts, as a page or as JSON (Accept)."""
    chosen = choose(media.LISTING, None)
    found = get_read_model().articles()
    api = urls.Link(f"{request.script_root}/api/articles", JSON)
    if chosen is media.JSON:
        return with_links(jsonify(articles_json(found)), [api])
    return render_template("articles.html", articles=found, links=[api])


@bp.get("/claims")
def claims() -> Response | str:
    """The claim list with its filters and facet counts, as a page or as JSON (Accept)."""
    chosen = choose(media.LISTING, None)
    listing = get_read_model().listing(Filters.from_args(request.args.to_dict(flat=False)))
    api = urls.Link(f"{request.script_root}/api/claims", JSON)
    if chosen is media.JSON:
        return with_links(jsonify(listing.to_json()), [api])
    return render_template("claims.html", listing=listing, links=[api])


@bp.get("/sources")
def sources() -> str:
    """Every source with its issuer, how and when it was obtained, and the claims derived from it."""
    g.answer = media.HTML.media_type
    return render_template("sources.html", entries=get_read_model().sources(), links=[])


@bp.get("/checks")
def checks() -> str:
    """Every check rule and every verdict with its count, linking to the claims."""
    g.answer = media.HTML.media_type
    model = get_read_model()
    report = model.check_report()
    order = [(v.verdict.id, v.verdict.label) for v in report.verdicts]
    by_rule = charts.verdicts_by_rule([(r.ref.id, r.ref.id, r.counts) for r in report.rules])
    catalogue = model.catalogue
    by_article = charts.verdicts_by_article(catalogue.claims, catalogue.vocabulary.labels, urls.href)
    overview = [
        ("by-rule", "Verdicts by rule", by_rule),
        ("by-article", "Verdicts by article", by_article),
    ]
    pictures = [
        (ident, title, rows, charts.stacked_bars(f"checks-{ident}", title, rows, order))
        for ident, title, rows in overview
    ]
    return render_template("checks.html", report=report, overview=pictures, order=order, links=[])


# -- pages of minted IRIs: what web/linked_data.py renders for text/html ------------------------
Context = dict[str, object]


def article_context(model: ReadModel, iri: URIRef) -> Context:
    view, work = model.article(iri)
    return {
        "view": view,
        "work": work,
        "many": len(model.articles()) > 1,
        "shares": shares_by_block(model, view),
    }


def shares_by_block(model: ReadModel, view: ArticleView) -> dict[int, list[tuple[Group, Markup]]]:
    """Each group of shares of one whole this article states, as a chart placed after the block
    (paragraph) where the last of its claims ends: the survey's answers read beside their chart."""
    placed: dict[int, list[tuple[Group, Markup]]] = {}
    for group in model.figure_groups:
        if group.kind != "shares":
            continue
        blocks = [view.block_of(point.claim.iri) for point in group.points]
        found = [index for index in blocks if index is not None]
        if found:
            placed.setdefault(max(found), []).append((group, shares_chart(group, None, urls.href)))
    return placed


def source_context(model: ReadModel, iri: URIRef) -> Context:
    source, claims = model.source_at(iri)
    return {"source": source, "claims": claims}


def entity_context(model: ReadModel, iri: URIRef) -> Context:
    return {"entity": model.entity(iri)}


#: Collections whose members have a page of their own; the others get the generic resource page.
PAGES: dict[str, tuple[str, Callable[[ReadModel, URIRef], Context]]] = {
    "articles": ("article.html", article_context),
    "sources": ("source.html", source_context),
    "entities": ("entity.html", entity_context),
}

bp.add_app_template_global(urls.href, "href")
bp.add_app_template_global(media.label, "format_label")
#: A claim named by its key (``c070``, or ``<slug>/c002`` in another article), as evidence is shown.
bp.add_app_template_filter(claim_key, "claim_key")


@bp.app_template_global("provenance_picture")
def provenance_picture_of(page: ClaimPage) -> Picture:
    """The claim page's provenance chain as SVG, with its text equivalent."""
    return provenance_picture(page, urls.href)


@bp.app_template_global("figure_charts")
def figure_charts(claim: Claim) -> list[tuple[Group, Markup]]:
    """The series and share groups a claim's figures belong to (within its article), each with its chart."""
    found = []
    for group in get_read_model().groups_of(claim.iri):
        draw = series_chart if group.kind == "series" else shares_chart
        found.append((group, draw(group, claim.id, urls.href)))
    return found


@bp.get("/charts/<ident:group_id>.csv")
def chart_data(group_id: str) -> Response:
    """The data of one chart (a series or a group of shares) as CSV."""
    for group in get_read_model().figure_groups:
        if group.id == group_id:
            response = Response(group.to_csv(), mimetype="text/csv")
            response.headers["Content-Disposition"] = f'attachment; filename="{group_id}.csv"'
            return response
    raise NotFound(f"no chart {group_id}")
