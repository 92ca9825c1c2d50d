"""The one place that locates ontology/, data/ and queries/: wheel first, checkout second."""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def _root(name: str) -> Path:
    bundled = resources.files("claimgraph") / "_bundled" / name
    if bundled.is_dir():
        return Path(str(bundled))
    checkout = Path(__file__).resolve().parents[2] / name
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(f"cannot find the {name}/ folder (neither bundled nor in a checkout)")


def ontology_dir() -> Path:
    return _root("ontology")


def data_dir() -> Path:
    return _root("data")


def queries_dir() -> Path:
    return _root("queries")


def package_dir() -> Path:
    return Path(__file__).resolve().parent
