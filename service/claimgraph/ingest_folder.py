"""The operator's writable folder of added articles (setting ``articles_dir``), and its lock.

    ARTICLES_DIR/<slug>/      one folder per ingested article (article.yaml, its text, claims.yaml)
    ARTICLES_DIR/audit.nq     the audit trail: one PROV activity per ingestion (N-Quads, appended)
    ARTICLES_DIR/.staging/    folders being written; renamed into place once the build holds
    ARTICLES_DIR/.lock        the lock every ingestion holds (fcntl.flock), in every process

The build reads every folder of ARTICLES_DIR whose name does not start with "."
(build/sources.py, ``article_folders``), so neither staging nor the files are articles.

An ingestion takes the lock exclusively: two uploads, in two threads or two gunicorn workers or
a server and `claimgraph ingest`, run one after the other. A server that starts (a gunicorn
worker checking its store) takes it shared, so it never sees the folder and the store half-way
through a change. A new or replaced folder is written in .staging/ first, then moved into
place by one rename; a replaced or deleted one is moved out to .staging/ first, so a failure
puts the old folder back as it was.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import uuid
from collections.abc import Iterator, Mapping
from pathlib import Path

STAGING = ".staging"
AUDIT = "audit.nq"
LOCK = ".lock"


class IngestFolder:
    """The layout above, rooted at ``root`` (created on first use)."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        self.articles = self.root
        self.staging = self.root / STAGING
        self.audit = self.root / AUDIT

    def article_folders(self) -> list[Path]:
        """Every ingested article's folder, by slug (none when the folder does not exist yet)."""
        if not self.articles.is_dir():
            return []
        return sorted(p for p in self.articles.iterdir() if p.is_dir() and not p.name.startswith("."))

    def folder(self, slug: str) -> Path:
        return self.articles / slug

    @contextlib.contextmanager
    def locked(self, *, shared: bool = False) -> Iterator[None]:
        """Hold the ingestion lock (exclusive, or shared for a reader that needs folder and store to
        agree); blocks until it is free. flock locks are per open file, so threads of one process
        exclude each other too."""
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            descriptor = os.open(self.root / LOCK, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        except OSError:
            if not shared:
                raise
            # A folder this process cannot write (served, not ingested into, by this user): nothing
            # here can change it, so there is nothing to wait for.
            yield
            return
        try:
            fcntl.flock(descriptor, fcntl.LOCK_SH if shared else fcntl.LOCK_EX)
            yield
        finally:
            os.close(descriptor)  # closing releases the lock

    def stage(self, slug: str, files: Mapping[str, bytes]) -> Path:
        """Write ``files`` into a new folder ``.staging/<unique>/<slug>`` (not yet in place)."""
        folder = self.staging / uuid.uuid4().hex / slug
        folder.mkdir(parents=True)
        for name, data in files.items():
            target = folder / name
            with open(target, "xb") as file:  # never follows or replaces anything
                file.write(data)
                file.flush()
                os.fsync(file.fileno())
        return folder

    def clear_staging(self) -> None:
        """Remove what a crashed ingestion left in .staging/ (called with the lock held)."""
        if self.staging.is_dir():
            for leftover in self.staging.iterdir():
                shutil.rmtree(leftover, ignore_errors=True)


class FolderSwap:
    """Move a staged folder in (and the old one out), undoable until ``done``."""

    def __init__(self, ingest: IngestFolder, slug: str, staged: Path | None) -> None:
        self.ingest, self.slug, self.staged = ingest, slug, staged
        self.target = ingest.folder(slug)
        self.removed: Path | None = None
        self.placed = False

    def apply(self) -> None:
        self.ingest.articles.mkdir(parents=True, exist_ok=True)
        if self.target.exists():
            self.removed = self.ingest.staging / f"{uuid.uuid4().hex}-old" / self.slug
            self.removed.parent.mkdir(parents=True)
            os.rename(self.target, self.removed)
        if self.staged is not None:
            os.rename(self.staged, self.target)
            self.placed = True
        _sync_dir(self.ingest.articles)

    def undo(self) -> None:
        """Put the old folder back (and the new one away); the folder is as it was before ``apply``."""
        if self.placed:
            shutil.rmtree(self.target, ignore_errors=True)
            self.placed = False
        if self.removed is not None:
            os.rename(self.removed, self.target)
            self.removed = None
        _sync_dir(self.ingest.articles)

    def done(self) -> None:
        """Forget the old folder (the change is published)."""
        if self.removed is not None:
            shutil.rmtree(self.removed.parent, ignore_errors=True)
            self.removed = None
        if self.staged is not None:
            shutil.rmtree(self.staged.parent, ignore_errors=True)


def _sync_dir(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
