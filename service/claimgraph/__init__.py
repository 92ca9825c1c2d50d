"""claimgraph: an article's claims as RDF with provenance, served over SPARQL and Linked Data."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask

    from claimgraph.store import Store

__version__ = "0.1.0"


def create_app(config: dict[str, Any] | None = None, *, store: Store | None = None) -> Flask:
    """Build the web application: settings, store and blueprints. Nothing happens at import."""
    from claimgraph.web import build_app

    return build_app(config, store=store)
