"""The query page of /sparql for browsers: an editor, the example library, results as a table.

web/sparql.py hands a browser this page (for a bare GET, and for a GET with a
``query`` when the browser prefers HTML, so a shared ``/sparql?query=…`` link
reopens the query); the page runs queries through the protocol itself (static/query.js).
"""

from __future__ import annotations

from flask import Response, render_template, url_for
from werkzeug.datastructures import MIMEAccept

from claimgraph import media_sparql as formats
from claimgraph.errors import NotAcceptable
from claimgraph.querylib import load_library
from claimgraph.web import get_iris, get_settings

#: Everything /sparql can answer a query with, and the page last: a tie (*/*) goes to the data.
QUERY_OFFERS = (*formats.SOLUTION_OFFERS, *formats.GRAPH_OFFERS, formats.HTML_OFFER)


def prefers_page(accept: MIMEAccept, format_values: list[str]) -> bool:
    """Whether a GET with a query comes from a browser that wants the page rather than results.

    >>> browser = MIMEAccept([("text/html", 1), ("application/xml", 0.9), ("*/*", 0.8)])
    >>> prefers_page(browser, []), prefers_page(browser, ["csv"]), prefers_page(MIMEAccept([("*/*", 1)]), [])
    (True, False, False)
    """
    if format_values:
        return False
    try:
        return formats.negotiate(accept, QUERY_OFFERS) is formats.HTML_OFFER
    except NotAcceptable:
        return False


def render_query_page(query: str | None = None, cite: bool = False) -> Response:
    """The page, with ``query`` (from a shared link) in the editor, to be run when the page opens."""
    settings = get_settings()
    page = render_template(
        "sparql.html",
        endpoint=url_for("sparql.endpoint"),
        examples=list(load_library().values()),
        query=query,
        cite=cite,
        base=get_iris().base,
        timeout=settings.query_timeout,
        max_rows=settings.max_result_rows,
        links=[],
    )
    return Response(page, mimetype="text/html")
