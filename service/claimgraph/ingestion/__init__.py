"""Ingestion: add, replace or delete one article, validated first, swapped in atomically, audited.

One change, under the ingestion lock (every thread and process of the machine, one at a time;
service/claimgraph/ingest_folder.py):

1. the new folder is written to ARTICLES_DIR/.staging/ (never into place directly);
2. the whole build runs (compile, checks, SHACL, anchors) over the shipped data, every other
   ingested article and the new folder: a fault is an ArticleInvalid with file, line, claim and
   fault, and nothing has changed;
3. the staged folder is renamed into place (the old one moved aside), then the store is
   replaced with the built dataset (``Store.replace_all``: on disk a new generation, published by
   one rename, which every server process follows on its next request). If that fails, the old
   folder is put back: the folder and the store stay a consistent pair;
4. the change is appended to the audit trail (service/claimgraph/ingestion/audit.py).

The shipped data's articles (the data folder) are never replaced or deleted this way.
"""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime
from pathlib import Path

from rdflib import URIRef
from rdflib.namespace import RDF

from claimgraph import paths
from claimgraph.build.pipeline import BuiltDataset, build_dataset
from claimgraph.build.sources import ARTICLES_DIR, read_configured, read_sources
from claimgraph.errors import (
    ArticleExists,
    ArticleInvalid,
    BadUpload,
    DataError,
    IngestionUnavailable,
    NotFound,
)
from claimgraph.ingest_folder import FolderSwap, IngestFolder
from claimgraph.ingestion import audit
from claimgraph.ingestion.report import data_error, validation_problems
from claimgraph.iris import SCHEMA, Iris
from claimgraph.loading import load_dataset
from claimgraph.querylib import NamedQuery
from claimgraph.settings import Settings
from claimgraph.store import Store
from claimgraph.store.backends import open_store
from claimgraph.tokens import Agent
from claimgraph.uploads import ArticleBundle, UploadLimits, check_slug

log = logging.getLogger(__name__)

#: How many claims of one article (?article, bound) the store holds.
CLAIM_COUNT = NamedQuery(
    "claim-count",
    "Claims of an article",
    "How many claims appear in ?article.",
    "SELECT (COUNT(DISTINCT ?claim) AS ?n) WHERE {\n"
    "  GRAPH ?g { ?claim a <http://schema.org/Claim> ; <http://schema.org/appearance> ?article }\n"
    "} GROUP BY ?article",
    {},
)


class Ingestor:
    """Changes the articles of one server (or of the command line's store), one change at a time.

    ``store`` is the store the server reads; when it is read-only (production workers), each change
    opens the same store writable for the time of the change. Without a store (the command line with
    no store configured) a change validates and writes the folder; servers include it as they start.
    """

    def __init__(self, settings: Settings, iris: Iris, store: Store | None) -> None:
        self.settings = settings
        self.iris = iris
        self.store = store
        self.limits = UploadLimits(
            settings.max_ingest_bytes, settings.max_ingest_unpacked_bytes, settings.max_ingest_files
        )

    @property
    def folder(self) -> IngestFolder:
        if not self.settings.articles_dir:
            raise IngestionUnavailable(
                "ingestion is off on this server: the operator sets articles_dir (CLAIMGRAPH_ARTICLES_DIR),"
                " the writable folder added articles live in"
            )
        return IngestFolder(self.settings.articles_dir)

    # -- the three changes ----------------------------------------------------------------------
    def add(self, bundle: ArticleBundle, agent: Agent) -> dict[str, object]:
        """A new article; ArticleExists when its slug is taken (ingested or shipped)."""
        if bundle.slug is None:
            raise BadUpload(
                "the upload names no slug: put the files in a folder named after it, give `slug` in the"
                " JSON document, or ?slug= in the URL"
            )
        return self._change("added", bundle.slug, bundle, agent)

    def replace(self, slug: str, bundle: ArticleBundle, agent: Agent) -> dict[str, object]:
        """A new version of an ingested article; NotFound when there is none."""
        return self._change("replaced", slug, bundle.with_slug(slug), agent)

    def delete(self, slug: str, agent: Agent) -> dict[str, object]:
        """Remove an ingested article; NotFound when there is none."""
        return self._change("deleted", check_slug(slug), None, agent)

    def audit_records(self) -> list[dict[str, object]]:
        return audit.changes(audit.read_quads(self.folder.audit))

    def audit_nquads(self) -> bytes:
        path = self.folder.audit
        return path.read_bytes() if path.exists() else b""

    # -- how ----------------------------------------------------------------------------------
    def _change(
        self, action: str, slug: str, bundle: ArticleBundle | None, agent: Agent
    ) -> dict[str, object]:
        try:
            return self._locked_change(action, slug, bundle, agent)
        except OSError as exc:  # the folder or the store could not be written: nothing has changed
            where = f" ({exc.filename})" if exc.filename else ""
            raise IngestionUnavailable(
                f"the change could not be written{where}: {exc.strerror or exc}; nothing was changed"
            ) from exc

    def _locked_change(
        self, action: str, slug: str, bundle: ArticleBundle | None, agent: Agent
    ) -> dict[str, object]:
        folder = self.folder
        started = datetime.now(UTC)
        with folder.locked():
            folder.clear_staging()
            self._check_slug_state(action, slug, folder)
            staged = folder.stage(slug, bundle.files) if bundle is not None else None
            try:
                built = self._build(folder, slug, staged)
                change = self._publish(folder, action, slug, staged, built, agent, started)
            finally:
                folder.clear_staging()  # whatever this change left there, done or undone
        log.info("%s article %s (by %s)", action, slug, agent.name)
        return change

    def _check_slug_state(self, action: str, slug: str, folder: IngestFolder) -> None:
        if slug in shipped_slugs(self.settings):
            if action == "added":
                raise ArticleExists(f"the article {slug!r} is part of the shipped data; choose another slug")
            raise ArticleExists(
                f"the article {slug!r} is part of the shipped data, not an ingested article: it is changed in"
                " the data folder and released, never replaced or deleted over ingestion"
            )
        exists = folder.folder(slug).is_dir()
        if action == "added" and exists:
            raise ArticleExists(
                f"an article {slug!r} exists already: replace it with PUT /api/articles/{slug}"
            )
        if action != "added" and not exists:
            raise NotFound(f"no ingested article {slug!r}")

    def _build(self, folder: IngestFolder, slug: str, staged: Path | None) -> BuiltDataset:
        others = [path for path in folder.article_folders() if path.name != slug]
        articles = [*others, *([staged] if staged is not None else [])]
        try:
            sources = read_sources(self.settings.data_dir, articles)
            built = build_dataset(sources, self.iris)
        except DataError as exc:
            raise ArticleInvalid(data_error(exc)) from None
        if not built.report.conforms:
            raise ArticleInvalid(validation_problems(built.report.problems, sources))
        return built

    def _publish(
        self,
        folder: IngestFolder,
        action: str,
        slug: str,
        staged: Path | None,
        built: BuiltDataset,
        agent: Agent,
        started: datetime,
    ) -> dict[str, object]:
        article = self.iris.article(slug)
        writer, opened = self._writer()
        try:
            # What is served now: the store's version, or (no store here) the folder's as it stands.
            before = (
                writer.stats().data_version
                if writer is not None
                else read_configured(self.settings.data_dir, self.settings.articles_dir).fingerprint
            )
            claims_before = (
                count_claims(writer, article) if writer is not None and action != "added" else None
            )
            swap = FolderSwap(folder, slug, staged)
            swap.apply()
            try:
                if writer is not None:
                    load_dataset(writer, built)
            except BaseException:
                swap.undo()
                raise
            swap.done()
        finally:
            if opened and writer is not None:
                writer.close()
        change = audit.Change(
            ident=str(uuid.uuid4()),
            action=action,
            slug=slug,
            article=str(article),
            dataset=str(self.iris.dataset),
            agent=agent.name,
            agent_kind=agent.kind,
            started=started,
            ended=datetime.now(UTC),
            claims_before=claims_before,
            claims_after=None if action == "deleted" else built_claims(built, article),
            version_before=before,
            version_after=built.fingerprint,
        )
        audit.append(folder.audit, change)
        return change.to_json()

    def _writer(self) -> tuple[Store | None, bool]:
        """The store to load into, and whether it was opened for this change (and must be closed)."""
        if self.store is None:
            return None, False
        if not self.settings.store_read_only:
            return self.store, False
        return open_store(self.settings.replace(store_read_only=False)), True


def shipped_slugs(settings: Settings) -> set[str]:
    """The articles of the data folder (the shipped data, or the operator's data_dir)."""
    root = Path(settings.data_dir) if settings.data_dir else paths.data_dir()
    articles = root / ARTICLES_DIR
    return {p.name for p in articles.iterdir() if p.is_dir()} if articles.is_dir() else set()


def count_claims(store: Store, article: URIRef) -> int:
    rows = store.select(CLAIM_COUNT.bind(article=article))
    return int(str(rows[0]["n"])) if rows else 0


def built_claims(built: BuiltDataset, article: URIRef) -> int:
    claims = {claim for claim, _, _, _ in built.dataset.quads((None, SCHEMA.appearance, article, None))}
    return sum(1 for claim in claims if any(built.dataset.quads((claim, RDF.type, SCHEMA.Claim, None))))
