"""The source files a dataset is built from, read once: the YAML, the article texts and the fingerprint.

Today's layout is one folder: context.yaml, claims.yaml and the text file that the
article entry of context.yaml names (``text_file``, default article.txt). Each
article is an ArticleSource of its own, so the rest of the build never assumes one
text or one file name.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from importlib.metadata import version
from pathlib import Path
from typing import Any

from rdflib import URIRef

from claimgraph import paths
from claimgraph.build.yaml_source import Located, load_yaml
from claimgraph.errors import DataError
from claimgraph.iris import Iris
from claimgraph.releaselog import ReleaseLog, read_release_log, release_files

CONTEXT_FILE = "context.yaml"
CLAIMS_FILE = "claims.yaml"
#: The text file of an article entry that names none.
DEFAULT_TEXT_FILE = "article.txt"


@dataclass(frozen=True)
class ArticleSource:
    """One article: its entry in the context file, its text, and the claims made in it."""

    ident: str
    entry: Located
    text_file: Path
    text: str
    claims: Located


@dataclass(frozen=True)
class DataSources:
    """Everything a build reads from the data folder, and the version it makes."""

    context: Located
    articles: tuple[ArticleSource, ...]
    #: SHA-256 over everything the served dataset is made from (see ``fingerprint``).
    fingerprint: str
    #: The data folder whose releases/ holds the release log (None: no release log).
    release_folder: Path | None = None

    @cached_property
    def releases(self) -> ReleaseLog:
        """The release log (data/releases/): every released version of every claim, read (and its
        hashes checked) only when a build needs it, not for the fingerprint alone."""
        return read_release_log(self.release_folder) if self.release_folder else ReleaseLog()

    def article_texts(self, iris: Iris) -> Mapping[URIRef, str]:
        """Each article's IRI under ``iris`` and the text its anchors point into."""
        return {iris.article(article.ident): article.text for article in self.articles}


def read_sources(data_dir: str | Path | None = None) -> DataSources:
    """Read the data folder (default: the bundled data); raises DataError naming file and line."""
    folder = Path(data_dir) if data_dir else paths.data_dir()
    context_file, claims_file = folder / CONTEXT_FILE, folder / CLAIMS_FILE
    context = _mapping(load_yaml(context_file), CONTEXT_FILE)
    claims = _mapping(load_yaml(claims_file), CLAIMS_FILE)
    article = _article(folder, context, claims)
    inputs = [article.text_file, context_file, claims_file, *release_files(folder)]
    return DataSources(context, (article,), fingerprint(inputs), folder)


def fingerprint(data_files: list[Path]) -> str:
    """The data version: SHA-256 over the data files, the ontology and shapes, the check rules and
    the package version, so a release that changes any of them rebuilds an on-disk store."""
    digest = hashlib.sha256(version("claimgraph").encode())
    inputs = [*data_files]
    inputs += sorted(paths.ontology_dir().glob("*.ttl"))
    inputs += sorted((paths.queries_dir() / "checks").glob("*.rq"))
    for path in inputs:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _article(folder: Path, context: Located, claims: Located) -> ArticleSource:
    entry = _require(context, "article")
    if not isinstance(entry, Located):
        file, line = context.where()
        raise DataError("`article` must be a mapping", file=file, line=line)
    ident = _require(entry, "id")
    name = entry.get("text_file", DEFAULT_TEXT_FILE)
    if not isinstance(name, str) or not name:
        file, line = entry.where()
        raise DataError("`text_file` must name the article's text file", file=file, line=line)
    text_file = folder / name
    try:
        text = text_file.read_text(encoding="utf-8")
    except OSError as exc:
        raise DataError(f"cannot read: {exc.strerror}", file=str(text_file)) from exc
    return ArticleSource(ident, entry, text_file, text, claims)


def _mapping(value: Any, file: str) -> Located:
    if not isinstance(value, Located):
        raise DataError("expected a mapping at the top level", file=file, line=1)
    return value


def _require(item: Located, key: str) -> Any:
    if item.get(key) in (None, "", []):
        file, line = item.where()
        raise DataError(f"missing `{key}`", file=file, line=line)
    return item[key]
