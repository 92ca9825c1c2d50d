"""Citation mode on /sparql (issue 5): ``cite=1`` answers a SELECT with, for each solution, the claims
and sources whose graphs supplied it (protocol/lineage.py), under the same negotiated result type,
time limit and row limit as any query; what it cannot handle is a 400 naming the construct."""

from __future__ import annotations

from flask import Response, request

from claimgraph.errors import QueryRejected
from claimgraph.limits.guard import GuardedQuery
from claimgraph.limits.time_limit import public_time_limit
from claimgraph.media_sparql import QueryForm
from claimgraph.protocol import lineage as citations
from claimgraph.web import get_iris, get_settings, get_store

#: ``cite=1`` and its spellings.
CITE_VALUES = frozenset({"1", "true", "yes", "on"})


def wants_citations() -> bool:
    """Whether the request asks for citation mode (``cite`` in the URL, or in a form POST)."""
    values = request.args.getlist("cite")
    if request.method == "POST":
        values += request.form.getlist("cite")
    return any(value.strip().lower() in CITE_VALUES for value in values)


def respond(admitted: GuardedQuery, media_type: str) -> Response:
    """The guarded query answered in citation mode; QueryRejected (400) for anything but a SELECT
    over the whole dataset, or for a construct citations.py cannot rewrite."""
    if admitted.form is not QueryForm.SELECT:
        raise QueryRejected("citation mode (cite=1) works on SELECT queries only")
    if admitted.dataset is not None:
        raise QueryRejected(
            "citation mode (cite=1) runs over the whole dataset: drop FROM and default-graph-uri"
        )
    settings, iris = get_settings(), get_iris()
    with public_time_limit() as timeout:
        result = citations.run_cited(
            get_store(),
            admitted.text,
            base=iris.base,
            prefixes=iris.prefixes(),
            media_type=media_type,
            timeout=timeout,
            max_rows=settings.max_result_rows,
            max_bytes=settings.max_result_bytes,
        )
    return Response(result.chunks, content_type=result.media_type)
