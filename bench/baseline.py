"""A bare Flask + pyoxigraph app, the reference the service's serving overhead is measured against.

No guard, no sandbox process, no time limit, no negotiation: GET /sparql?query=
runs the query in the gunicorn worker and answers SPARQL JSON. The benchmark
runs it with the same gunicorn command on the same read-only store, so the
difference to the service is what the service's machinery costs. Never served
anywhere but by `make bench`, on 127.0.0.1.
"""

from __future__ import annotations

import os

import pyoxigraph as ox
from claimgraph.iris import Iris
from flask import Flask, Response, request

JSON_RESULTS = "application/sparql-results+json"


def create_app() -> Flask:
    """The app on the store generation ``BASELINE_STORE``, minted under ``BASELINE_BASE``."""
    store = ox.Store.read_only(os.environ["BASELINE_STORE"])
    base = os.environ["BASELINE_BASE"]
    options = {"base_iri": base, "prefixes": Iris(base).prefixes(), "use_default_graph_as_union": True}
    app = Flask(__name__)

    @app.get("/health")
    def health() -> Response:
        return Response("ok", content_type="text/plain")

    @app.get("/sparql")
    def sparql() -> Response:
        result = store.query(request.args["query"], **options)
        body = result.serialize(format=ox.QueryResultsFormat.JSON)  # type: ignore[union-attr]
        return Response(body, content_type=JSON_RESULTS)

    return app
