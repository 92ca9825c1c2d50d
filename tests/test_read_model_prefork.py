"""The read model is built once per store content, and another process starts from it: the gunicorn
master builds it before it forks the workers (claimgraph/app.py: build_before_fork), and each
worker's app resumes it instead of reading the whole store again (issue 12, item 5)."""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path
from typing import Any

import pytest
from claimgraph import app as composition
from claimgraph.commands import build_store
from claimgraph.reading.read_model import CurrentReadModel
from claimgraph.settings import Settings
from claimgraph.store import StoreStats
from claimgraph.web import READ_MODEL_KEY, RUNNER_KEY
from rdflib import URIRef

from tests.conftest import BASE


class CountingStore:
    """A store that counts the queries it is asked, answering them from ``store``."""

    def __init__(self, store: Any) -> None:
        self.store = store
        self.queries = 0

    def select(self, query: str) -> Any:
        self.queries += 1
        return self.store.select(query)

    def construct(self, query: str) -> Any:
        self.queries += 1
        return self.store.construct(query)

    def ask(self, query: str) -> bool:
        self.queries += 1
        return bool(self.store.ask(query))

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)


@pytest.fixture(scope="module")
def built(reviewed_store, iris):
    return CurrentReadModel(reviewed_store, iris).get().built()


def test_a_model_built_elsewhere_is_resumed_without_reading_the_store(built, reviewed_store, iris):
    store = CountingStore(reviewed_store)
    model = CurrentReadModel(store, iris, built).get()  # type: ignore[arg-type]
    assert store.queries == 0
    assert model.catalogue is built.whole["catalogue"]
    assert model.check_report() is built.whole["check-report"]
    claim = model.catalogue.claims[0]
    page = model.claim_page(URIRef(claim.iri))  # what is built per page reads from the new store
    assert page.claim.iri == claim.iri
    assert model.stats == reviewed_store.stats()


@pytest.mark.parametrize(
    "change",
    [
        {"stats": StoreStats(1, 1, "another data version")},  # the store holds other content
        {"base": "http://elsewhere.test/"},  # minted under another base
    ],
)
def test_a_model_built_for_other_content_is_not_used(built, reviewed_store, iris, change):
    store = CountingStore(reviewed_store)
    model = CurrentReadModel(store, iris, dataclasses.replace(built, **change)).get()  # type: ignore[arg-type]
    assert store.queries > 0  # read anew
    assert model.catalogue is not built.whole["catalogue"]
    assert [c.iri for c in model.catalogue.claims] == [c.iri for c in built.whole["catalogue"].claims]  # type: ignore[attr-defined]


def test_the_built_model_is_used_for_the_first_content_only(built, reviewed_store, iris):
    current = CurrentReadModel(reviewed_store, iris, built)
    assert current.get().catalogue is built.whole["catalogue"]
    current._model = None  # as after a load that gave the store new stats, then the old ones again
    assert current.get().catalogue is not built.whole["catalogue"]


@pytest.fixture(scope="module")
def disk_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("prefork") / "store"
    assert build_store(Settings.from_mapping({"store_path": str(path), "base_iri": BASE}, environ={})) == 0
    return path


def test_the_apps_created_after_build_before_fork_start_from_its_model(disk_store, monkeypatch):
    monkeypatch.setattr(composition, "_built_before_fork", None)
    for name in ("STORE_PATH", "BASE_IRI", "STORE_READ_ONLY"):
        monkeypatch.delenv(f"CLAIMGRAPH_{name}", raising=False)
    config = {"store_path": str(disk_store), "base_iri": BASE, "store_read_only": True}
    built = composition.build_before_fork(config)
    assert built is not None
    assert built.base == BASE
    claims = built.whole["catalogue"].claims  # type: ignore[attr-defined]
    assert claims
    app = composition.create_app(config)
    try:
        model = app.extensions[READ_MODEL_KEY].get()
        assert model.catalogue is built.whole["catalogue"]
        page = app.test_client().get(f"/claims/{claims[0].id}", headers={"Accept": "text/html"})
        assert page.status_code == 200
        # Other settings: the app builds its own model.
        other = composition.create_app({**config, "page_cache_bytes": 0})
        try:
            assert other.extensions[READ_MODEL_KEY].get().catalogue is not built.whole["catalogue"]
        finally:
            other.extensions[RUNNER_KEY].close()
    finally:
        app.extensions[RUNNER_KEY].close()


def test_build_before_fork_builds_nothing_without_a_current_store(disk_store, tmp_path, monkeypatch, caplog):
    monkeypatch.setattr(composition, "_built_before_fork", None)
    caplog.set_level(logging.INFO, logger="claimgraph.app")
    assert composition.build_before_fork({"base_iri": BASE}) is None  # no on-disk store: nothing to share
    # A store built under another base is not the one this server serves: the workers say so.
    assert (
        composition.build_before_fork(
            {"store_path": str(disk_store), "base_iri": "http://other.test/", "store_read_only": True}
        )
        is None
    )
    missing = {"store_path": str(tmp_path / "none"), "base_iri": BASE, "store_read_only": True}
    assert composition.build_before_fork(missing) is None
    assert composition._built_before_fork is None
    assert "built in each worker" in caplog.text


@pytest.mark.parametrize(
    "writing",
    [{"store_read_only": False}, {"ingest_tokens": "editor:" + "t" * 20}],
)
def test_nothing_is_built_before_the_fork_for_workers_that_may_write_the_store(
    disk_store, monkeypatch, writing
):
    """The engine's thread pools started in the master do not exist in a forked worker, which would
    then wait forever for the flush of a store it writes (an ingestion)."""
    monkeypatch.setattr(composition, "_built_before_fork", None)
    config = {"store_path": str(disk_store), "base_iri": BASE, "store_read_only": True, **writing}
    assert composition.build_before_fork(config) is None
    assert composition._built_before_fork is None
