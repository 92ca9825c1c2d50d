"""Bring a store up to date with the data at start, and make sure it can answer.

The data version is the SHA-256 of the source files (service/claimgraph/build/compiler.py,
SourceFiles.fingerprint), which the dataset states as dcterms:hasVersion: an
on-disk store whose version matches is served as it is, anything else is
rebuilt (validated first; a dataset that fails validation is never loaded, and
the store keeps what it had).
"""

from __future__ import annotations

import logging

from claimgraph.build.compiler import SourceFiles
from claimgraph.errors import StoreUnavailable
from claimgraph.iris import Iris
from claimgraph.limits.runner import QueryRunner
from claimgraph.settings import Settings
from claimgraph.store import Store

log = logging.getLogger(__name__)


def ensure_current(store: Store, iris: Iris, data_dir: str | None) -> bool:
    """Load the data unless the store already holds this version; True if it loaded."""
    from claimgraph.build.pipeline import data_folder, load_validated

    version = SourceFiles(data_folder(data_dir)).fingerprint()
    if store.stats().data_version == version:
        log.info("store is current (data version %s)", version[:12])
        return False
    load_validated(store, iris, data_dir)
    return True


def prepare_store(store: Store, iris: Iris, settings: Settings, runner: QueryRunner) -> None:
    """Load (unless read-only) and warm up: the query sandbox starts now, before any thread does."""
    if settings.store_read_only:
        if store.stats().data_version is None:
            raise StoreUnavailable(f"the store at {settings.store_path} holds no claimgraph dataset")
    else:
        ensure_current(store, iris, settings.data_dir)
    runner.warm_up()
