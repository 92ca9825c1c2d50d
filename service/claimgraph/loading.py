"""Bring a store up to date with the data at start, and make sure it can answer.

The data version is the fingerprint of the data sources (service/claimgraph/build/sources.py),
which the dataset states as dcterms:hasVersion on its IRI (minted under the canonical
base): an on-disk store that holds this dataset IRI at this version is served as it
is, anything else is rebuilt. A read-only store is never rebuilt: one built for
another base or another data version refuses to start, saying what to do. A dataset
that fails validation is never loaded, and the store keeps what it had.
"""

from __future__ import annotations

import logging

from claimgraph.build.pipeline import BuiltDataset, build_dataset
from claimgraph.build.sources import read_configured
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


#: Every dataset the store describes, with its data version.
HELD_QUERY = """
SELECT DISTINCT ?dataset ?version WHERE {
  GRAPH ?g { ?dataset a <http://rdfs.org/ns/void#Dataset> ; <http://purl.org/dc/terms/hasVersion> ?version }
}
"""


def held_datasets(store: Store) -> set[tuple[str, str]]:
    """(dataset IRI, data version) of every dataset description in the store."""
    return {(str(row["dataset"]), str(row["version"])) for row in store.select(HELD_QUERY)}


def holds(store: Store, iris: Iris, version: str) -> bool:
    """Whether the store holds the dataset minted under ``iris``' base, at ``version``."""
    return (str(iris.dataset), version) in held_datasets(store)


def ensure_current(store: Store, iris: Iris, data_dir: str | None, articles_dir: str | None = None) -> bool:
    """Build and load the data (the data folder's articles and those of ``articles_dir``) unless the
    store already holds this version, minted under this base; True if it loaded."""
    sources = read_configured(data_dir, articles_dir)
    if holds(store, iris, sources.fingerprint):
        log.info("store is current (data version %s)", sources.fingerprint[:12])
        return False
    load_dataset(store, build_dataset(sources, iris))
    return True


def prepare_store(store: Store, iris: Iris, settings: Settings) -> None:
    """Load the data unless the store is read-only; a read-only store must already hold this data
    version minted under this base (StoreUnavailable, with what to do, when it does not)."""
    if settings.store_read_only:
        check_read_only(store, iris, settings)
    else:
        ensure_current(store, iris, settings.data_dir, settings.articles_dir)


def check_read_only(store: Store, iris: Iris, settings: Settings) -> None:
    """Refuse a read-only store that does not hold the dataset this server would serve."""
    version = read_configured(settings.data_dir, settings.articles_dir).fingerprint
    if holds(store, iris, version):
        return
    held = held_datasets(store)
    rebuild = (
        f"rebuild it with `claimgraph build-store {settings.store_path}` run with the same settings"
        f" (base IRI, data folder, articles folder) as the server"
    )
    if not held:
        raise StoreUnavailable(f"the store at {settings.store_path} holds no claimgraph dataset: {rebuild}")
    found = "; ".join(f"<{dataset}> at data version {v[:12]}" for dataset, v in sorted(held))
    raise StoreUnavailable(
        f"the store at {settings.store_path} holds {found}, but this server serves <{iris.dataset}> at data"
        f" version {version[:12]} (base IRI {iris.base}): {rebuild}"
    )
