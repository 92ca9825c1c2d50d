"""/health: is the service up, and what does it serve (for load balancers and operators)."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from claimgraph.web import get_store

bp = Blueprint("health", __name__)


@bp.get("/health")
def health() -> Response:
    """Store size and data version, as JSON; 200 while the store answers."""
    stats = get_store().stats()
    return jsonify(
        status="ok", quads=stats.quads, named_graphs=stats.named_graphs, data_version=stats.data_version
    )
