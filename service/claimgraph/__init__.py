"""claimgraph: an article's claims as RDF with provenance, served over SPARQL and Linked Data."""

from __future__ import annotations

from importlib.metadata import version
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask

    from claimgraph.store import Store

__version__ = version("claimgraph")


def create_app(config: dict[str, Any] | None = None, *, store: Store | None = None) -> Flask:
    """The web application (claimgraph/app.py): ``gunicorn 'claimgraph:create_app()'``."""
    # Imported here so that `import claimgraph.build` (the CLI, the tests) does not load Flask.
    from claimgraph.app import create_app as create

    return create(config, store=store)
