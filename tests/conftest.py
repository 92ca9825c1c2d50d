"""Shared fixtures: the compiled dataset, an injected in-memory store, the Flask app."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import pytest
from claimgraph.build.pipeline import (
    CompiledDataset,
    build_dataset,
    build_reviewed,
    compile_data,
    to_nquads,
)
from claimgraph.build.sources import read_sources
from claimgraph.iris import Iris
from claimgraph.limits.runner import QueryRunner
from claimgraph.settings import Settings
from claimgraph.store import Store
from claimgraph.store.oxigraph import OxigraphStore
from rdflib import URIRef
from virtuoso_server import VIRTUOSO, virtuoso_server

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
#: The shipped article's folder, under the data folder.
SHIPPED = Path("articles", "russians-in-serbia")
BASE = "http://claimgraph.test/"
CANONICAL = "https://w3id.org/claimgraph/"


@pytest.fixture(scope="session")
def iris() -> Iris:
    return Iris(BASE)


@pytest.fixture(scope="session")
def built(iris: Iris) -> CompiledDataset:
    return compile_data(read_sources(DATA), iris)


@pytest.fixture(scope="session")
def article_text() -> str:
    return (DATA / SHIPPED / "article.txt").read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def article_texts(built: CompiledDataset) -> Mapping[URIRef, str]:
    return built.article_texts


@pytest.fixture(scope="session")
def loaded_store(built: CompiledDataset, iris: Iris) -> OxigraphStore:
    store = OxigraphStore(base_iri=iris.base, prefixes=iris.prefixes())
    store.replace_all(built.dataset.serialize(format="nquads", encoding="utf-8"))
    return store


def runner_for(store: Store, **settings: object) -> QueryRunner:
    """The QueryRunner an app with ``settings`` (base IRI: BASE) would have on ``store``. Outside a
    gunicorn worker it runs queries in sandbox processes: close it when done."""
    config = Settings.from_mapping({"base_iri": BASE, **settings}, environ={})
    return QueryRunner.from_settings(store, config, Iris(config.base))


@pytest.fixture
def make_runner() -> Iterator[Callable[..., QueryRunner]]:
    """``make_runner(store, **settings)``: runner_for, closed at the end of the test."""
    runners: list[QueryRunner] = []

    def make(store: Store, **settings: object) -> QueryRunner:
        runners.append(runner_for(store, **settings))
        return runners[-1]

    yield make
    for runner in runners:
        runner.close()


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A writable copy of data/ to break on purpose."""
    target = tmp_path / "data"
    shutil.copytree(DATA, target)
    for path in target.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    return target


@pytest.fixture(scope="session")
def reviewed_store(iris: Iris) -> OxigraphStore:
    """The shipped dataset with the automated checks' reviews, as `claimgraph serve` loads it."""
    built = build_reviewed(read_sources(DATA), iris)
    store = OxigraphStore(base_iri=iris.base, prefixes=iris.prefixes())
    store.replace_all(to_nquads(built.dataset))
    return store


@pytest.fixture(scope="session")
def released_nquads() -> bytes:
    """The dataset as `claimgraph serve` loads it (reviews and released versions), under the canonical
    base, under which data/releases/ was released."""
    return to_nquads(build_dataset(read_sources(DATA), Iris(CANONICAL)).dataset)


@pytest.fixture(scope="session")
def virtuoso_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One Virtuoso for the session, with the default limits of tests/virtuoso_server.py (a fresh
    database takes 20-30 s to start); each test module loads its own data into it."""
    if VIRTUOSO is None:
        pytest.skip("virtuoso-t is not installed (make virtuoso-deps)")
    with virtuoso_server(tmp_path_factory.mktemp("virtuoso")) as url:
        yield url


@pytest.fixture(scope="module")
def data_client(loaded_store, iris):
    """A test client on the compiled data (no reviews)."""
    from claimgraph import create_app

    return create_app({"base_iri": iris.base}, store=loaded_store).test_client()


@pytest.fixture(scope="module")
def site_client(reviewed_store, iris):
    """A test client on the data as `claimgraph serve` loads it, reviews included."""
    from claimgraph import create_app

    return create_app({"base_iri": iris.base}, store=reviewed_store).test_client()
