"""Backend names and the factory of each: the one place a backend is chosen.

The names are declared in setting_rows.STORE_BACKENDS, which validates the setting
(tests/test_settings.py checks that the two agree).
"""

from __future__ import annotations

from collections.abc import Callable

from claimgraph.settings import Settings
from claimgraph.store import Store
from claimgraph.store.oxigraph import OxigraphStore
from claimgraph.store.sparql import SparqlStore

BACKENDS: dict[str, Callable[[Settings], Store]] = {
    "oxigraph": OxigraphStore.from_settings,
    "sparql": SparqlStore.from_settings,
}


def open_store(settings: Settings) -> Store:
    """Open the configured backend."""
    return BACKENDS[settings.store_backend](settings)
