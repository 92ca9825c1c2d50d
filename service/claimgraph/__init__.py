"""claimgraph: an article's claims as RDF with provenance, served over SPARQL and Linked Data."""

from importlib.metadata import version

from claimgraph.app import create_app

__version__ = version("claimgraph")
__all__ = ["__version__", "create_app"]
