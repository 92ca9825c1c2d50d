"""Bring a store up to date with the data at start, and make sure it can answer.

The data version is the fingerprint of the data sources (service/claimgraph/build/sources.py),
which the dataset states as dcterms:hasVersion: an on-disk store whose version
matches is served as it is, anything else is rebuilt. A dataset that fails
validation is never loaded, and the store keeps what it had.
"""

from __future__ import annotations

import logging

from claimgraph.build.pipeline import BuiltDataset, build_dataset
from claimgraph.build.sources import read_sources
from claimgraph.errors import StoreUnavailable, ValidationFailed
from claimgraph.iris import Iris
from claimgraph.settings import Settings
from claimgraph.store import Store

log = logging.getLogger(__name__)


def load_dataset(store: Store, built: BuiltDataset) -> None:
    """Replace the store's content with ``built``; raises ValidationFailed, loading nothing, when
    its report does not conform."""
    if not built.report.conforms:
        raise ValidationFailed(built.report)
    store.replace_all(built.nquads)


def ensure_current(store: Store, iris: Iris, data_dir: str | None) -> bool:
    """Build and load the data unless the store already holds this version; True if it loaded."""
    sources = read_sources(data_dir)
    if store.stats().data_version == sources.fingerprint:
        log.info("store is current (data version %s)", sources.fingerprint[:12])
        return False
    load_dataset(store, build_dataset(sources, iris))
    return True


def prepare_store(store: Store, iris: Iris, settings: Settings) -> None:
    """Load the data unless the store is read-only; a read-only store must already hold a dataset."""
    if settings.store_read_only:
        if store.stats().data_version is None:
            raise StoreUnavailable(f"the store at {settings.store_path} holds no claimgraph dataset")
    else:
        ensure_current(store, iris, settings.data_dir)
