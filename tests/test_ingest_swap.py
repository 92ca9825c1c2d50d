"""The pieces of an atomic ingestion, without a server: the ingestion lock excludes other processes and
threads, a folder swap undoes completely, an on-disk store opened read-only elsewhere follows the
generation another process publishes, a load that fails leaves the folder as it was, and a source
that does not compile is reported with its file and line."""

from __future__ import annotations

import multiprocessing
import threading
import time
from pathlib import Path

import pytest
from claimgraph.errors import ArticleInvalid, IngestionUnavailable
from claimgraph.ingest_folder import FolderSwap, IngestFolder
from claimgraph.ingestion import Ingestor
from claimgraph.iris import Iris
from claimgraph.settings import Settings
from claimgraph.store.oxigraph import OxigraphStore
from claimgraph.tokens import Agent
from claimgraph.uploads import ArticleBundle, read_path

ONE = b'<http://x.test/a> <http://x.test/p> "one" <http://x.test/g> .\n'
TWO = ONE + b'<http://x.test/b> <http://x.test/p> "two" <http://x.test/g> .\n'


def _hold(root: str, started: multiprocessing.synchronize.Event, seconds: float) -> None:
    with IngestFolder(root).locked():
        started.set()
        time.sleep(seconds)


def test_the_lock_excludes_another_process_and_another_thread(tmp_path: Path):
    context = multiprocessing.get_context("spawn")
    started = context.Event()
    holder = context.Process(target=_hold, args=(str(tmp_path), started, 1.5))
    holder.start()
    try:
        assert started.wait(60)
        begun = time.monotonic()
        with IngestFolder(tmp_path).locked(shared=True):  # a starting server waits for the change
            waited = time.monotonic() - begun
        assert waited > 0.5
    finally:
        holder.join()
    order: list[str] = []
    folder = IngestFolder(tmp_path)

    def change(name: str) -> None:
        with folder.locked():
            order.append(f"{name} in")
            time.sleep(0.2)
            order.append(f"{name} out")

    threads = [threading.Thread(target=change, args=(name,)) for name in "ab"]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert order in (["a in", "a out", "b in", "b out"], ["b in", "b out", "a in", "a out"])


def test_a_swap_undone_leaves_the_folder_as_it_was(tmp_path: Path):
    folder = IngestFolder(tmp_path)
    old = folder.stage("story", {"article.yaml": b"old"})
    FolderSwap(folder, "story", old).apply()
    new = folder.stage("story", {"article.yaml": b"new"})
    swap = FolderSwap(folder, "story", new)
    swap.apply()
    assert (folder.folder("story") / "article.yaml").read_bytes() == b"new"
    swap.undo()
    assert (folder.folder("story") / "article.yaml").read_bytes() == b"old"
    assert [p.name for p in folder.article_folders()] == ["story"]
    delete = FolderSwap(folder, "story", None)
    delete.apply()
    assert folder.article_folders() == []
    delete.undo()
    assert (folder.folder("story") / "article.yaml").read_bytes() == b"old"
    folder.clear_staging()
    assert not any(folder.staging.iterdir())


def test_staging_never_follows_a_name_out_of_the_folder(tmp_path: Path):
    folder = IngestFolder(tmp_path)
    staged = folder.stage("story", {"article.yaml": b"x", "claims.yaml": b"y"})
    assert staged.parent.parent == folder.staging
    assert sorted(p.name for p in staged.iterdir()) == ["article.yaml", "claims.yaml"]


def test_a_read_only_store_follows_what_another_process_publishes(tmp_path: Path):
    writer = OxigraphStore(str(tmp_path / "store"))
    writer.replace_all(ONE)
    reader = OxigraphStore(str(tmp_path / "store"), read_only=True)
    assert reader.stats().quads == 1
    revision = reader.revision()
    other = OxigraphStore(str(tmp_path / "store"))  # as an ingestion in another worker opens it
    other.replace_all(TWO)
    assert reader.revision() != revision
    assert reader.stats().quads == 2
    assert len(reader.select("SELECT ?s WHERE { GRAPH ?g { ?s ?p ?o } }")) == 2
    assert writer.stats().quads == 2  # a writable store follows too (a CLI ingestion beside `serve --store`)


ARTICLES = Path(__file__).resolve().parent / "data" / "ingest"


class FailingStore(OxigraphStore):
    """A store whose load fails (a full disk, say) after the build has passed."""

    def replace_all(self, nquads: bytes) -> None:
        raise OSError(28, "No space left on device")


def test_a_load_that_fails_puts_the_folder_back_and_records_nothing(tmp_path: Path):
    articles = tmp_path / "articles"
    settings = Settings.from_mapping({"articles_dir": str(articles)}, environ={})
    iris = Iris(settings.base)
    ingestor = Ingestor(settings, iris, FailingStore(base_iri=iris.base, prefixes=iris.prefixes()))
    bundle = read_path(ARTICLES / "test-ingest-alpha", ingestor.limits)
    with pytest.raises(IngestionUnavailable, match="No space left on device; nothing was changed"):
        ingestor.add(bundle, Agent("alice"))
    assert IngestFolder(articles).article_folders() == []
    assert not (articles / "audit.nq").exists()
    assert not any((articles / ".staging").iterdir())


def test_a_source_that_does_not_compile_is_a_422_naming_file_and_line(tmp_path: Path):
    settings = Settings.from_mapping({"articles_dir": str(tmp_path)}, environ={})
    iris = Iris(settings.base)
    ingestor = Ingestor(settings, iris, None)
    files = dict(read_path(ARTICLES / "test-ingest-alpha", ingestor.limits).files)
    claims = files["claims.yaml"].decode()
    files["claims.yaml"] = claims.replace("counted 12,400 visits", "counted 12,500 visits").encode()
    with pytest.raises(ArticleInvalid) as caught:
        ingestor.add(ArticleBundle("test-ingest-alpha", files), Agent("alice"))
    [problem] = caught.value.problems
    assert problem["file"] == "test-ingest-alpha/claims.yaml"
    assert problem["line"] == claims.splitlines().index("  - id: c001") + 1
    assert "12,500" in str(problem["fault"])
    assert IngestFolder(tmp_path).article_folders() == []
