"""The source files a dataset is built from, read once: the YAML, the article texts and the fingerprint.

The layout (data/README.md)::

    context.yaml                    shared context: dataset, agents, places, works, sources,
                                    activities, units, populations, measures, questions
    articles/<slug>/article.yaml    `article:` (the article's metadata) and, optionally, context
                                    sections (same keys as context.yaml) for what it introduces
    articles/<slug>/article.txt     its text, byte for byte (`text_file:` names another file)
    articles/<slug>/claims.yaml     its claims (`claims:`)

``read_sources(data_dir, extra_article_dirs)`` reads every article folder under
``data_dir/articles/`` and then each folder of ``extra_article_dirs`` (ingested articles,
kept outside the repository: ``article_folders(articles_dir)`` lists them). A folder
whose name starts with "." is never an article, so a writer may stage one there and
rename it into place. The slug is the folder's name; it must be unique.

An id an article's context sections share with the shared context (or with another
article) is one resource: its definition must be identical, else a DataError names
the file, line and id. Each article's claims are its own: the same claim id in two
articles never collides, since every article's claims are minted under
``articles/<slug>/claims/`` except the shipped article's, whose article.yaml declares
the legacy scheme (``iri_scheme: legacy``: ``claims/<id>``), which only an article of
the data folder may declare.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

from rdflib import URIRef

from claimgraph import paths
from claimgraph.build.yaml_source import Located, load_yaml
from claimgraph.errors import DataError
from claimgraph.iris import Iris

CONTEXT_FILE = "context.yaml"
#: The folder of the data folder that holds one folder per article.
ARTICLES_DIR = "articles"
ARTICLE_FILE = "article.yaml"
CLAIMS_FILE = "claims.yaml"
#: The text file of an article entry that names none.
DEFAULT_TEXT_FILE = "article.txt"
#: Largest article text read.
MAX_TEXT_BYTES = 16 * 1024 * 1024
#: An article's slug (its folder's name): lower-case letters, digits and inner hyphens.
SLUG = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?")
#: The IRI schemes an article may declare: ``article`` (the default) mints its claims under
#: articles/<slug>/claims/; ``legacy`` under claims/, as the shipped article always has.
IRI_SCHEMES = ("article", "legacy")
#: The context sections, and the kind of id each defines (agents and places share the entity
#: ids, works and sources the source ids).
CONTEXT_SECTIONS = {
    "agents": "entity",
    "places": "entity",
    "works": "source",
    "sources": "source",
    "activities": "activity",
    "units": "unit",
    "populations": "population",
    "measures": "measure",
    "questions": "question",
}
#: The keys the `article:` entry of an article.yaml may hold.
ARTICLE_KEYS = {
    "id", "iri_scheme", "types", "text_file", "author", "language", "is_based_on", "about",
    "image_credit", "headline", "url", "date_published", "not_stated",
}  # fmt: skip


@dataclass(frozen=True)
class ArticleSource:
    """One article folder: its metadata, its text, its claims and the context it adds."""

    slug: str
    folder: Path
    #: The `article:` entry of article.yaml.
    entry: Located
    text_file: Path
    text: str
    claims: Located
    #: The whole article.yaml, whose context sections are merged into the shared context.
    context: Located
    #: Whether its claims keep the legacy IRIs (claims/<id>).
    legacy: bool
    #: The files read, each with the name it has in the fingerprint (<label>/<file>).
    files: tuple[tuple[str, Path], ...]

    @property
    def ident(self) -> str:
        """The article's id: its IRI is articles/<ident> (its slug)."""
        return self.slug

    @property
    def scope(self) -> str | None:
        """What the claim IRIs are minted under: None for the legacy scheme, else the slug."""
        return None if self.legacy else self.slug


@dataclass(frozen=True)
class DataSources:
    """Everything a build reads from the data folder, and the version it makes."""

    #: The shared context merged with every article's context sections.
    context: Located
    articles: tuple[ArticleSource, ...]
    #: SHA-256 over everything the served dataset is made from (see ``fingerprint``).
    fingerprint: str

    def article_texts(self, iris: Iris) -> Mapping[URIRef, str]:
        """Each article's IRI under ``iris`` and the text its anchors point into."""
        return {iris.article(article.ident): article.text for article in self.articles}


def article_folders(articles_dir: str | Path | None) -> tuple[Path, ...]:
    """The article folders in ``articles_dir``, by name: every folder whose name does not start
    with "."; none when it is None or does not exist (yet)."""
    if not articles_dir:
        return ()
    folder = Path(articles_dir)
    if not folder.is_dir():
        return ()
    return tuple(sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")))


def read_configured(data_dir: str | Path | None, articles_dir: str | Path | None) -> DataSources:
    """What a server or command serves: the data folder's articles and every article folder in
    ``articles_dir`` (the operator's folder of ingested articles; see ``article_folders``)."""
    return read_sources(data_dir, article_folders(articles_dir))


def read_sources(
    data_dir: str | Path | None = None, extra_article_dirs: Iterable[str | Path] = ()
) -> DataSources:
    """Read the data folder (default: the bundled data) and the article folders ``extra_article_dirs``
    (each one article, e.g. ``article_folders(settings.articles_dir)``); raises DataError naming
    file and line."""
    folder = Path(data_dir) if data_dir else paths.data_dir()
    context_file = folder / CONTEXT_FILE
    shared = _mapping(load_yaml(context_file), CONTEXT_FILE)
    if "article" in shared or (folder / CLAIMS_FILE).exists():
        raise DataError(
            "the one-article layout (`article:` in context.yaml, claims.yaml beside it) is gone: each article"
            f" is a folder {ARTICLES_DIR}/<slug>/ with {ARTICLE_FILE}, its text and {CLAIMS_FILE}"
            " (data/README.md)",
            file=CONTEXT_FILE,
        )
    articles = [
        *(
            read_article(path, f"{ARTICLES_DIR}/{path.name}", shipped=True)
            for path in article_folders(folder / ARTICLES_DIR)
        ),
        *(read_article(Path(path), Path(path).name, shipped=False) for path in extra_article_dirs),
    ]
    seen: dict[str, ArticleSource] = {}
    for article in articles:
        if article.slug in seen:
            raise DataError(
                f"article {article.slug!r} is given twice ({seen[article.slug].folder} and {article.folder})",
                file=f"{article.slug}/{ARTICLE_FILE}",
            )
        seen[article.slug] = article
    context = merge_context(shared, articles)
    inputs = [(CONTEXT_FILE, context_file), *(file for article in articles for file in article.files)]
    return DataSources(context, tuple(articles), fingerprint(inputs))


def read_article(folder: Path, label: str, *, shipped: bool) -> ArticleSource:
    """Read one article folder; ``label`` is how errors name it (articles/<slug> in the data folder).
    Only a ``shipped`` article (one of the data folder) may declare the legacy IRI scheme."""
    slug = folder.name
    article_file, claims_file = folder / ARTICLE_FILE, folder / CLAIMS_FILE
    if not SLUG.fullmatch(slug):
        raise DataError(
            "an article folder's name is its slug: lower-case letters, digits and inner hyphens,"
            f" got {slug!r}",
            file=label,
        )
    for path in (article_file, claims_file):
        if path.is_symlink() or not path.is_file():
            raise DataError(
                "missing: every article folder holds it as a plain file", file=f"{label}/{path.name}"
            )
    document = _mapping(load_yaml(article_file, name=f"{label}/{ARTICLE_FILE}"), f"{label}/{ARTICLE_FILE}")
    for key in document:
        if key != "article" and key not in CONTEXT_SECTIONS:
            file, line = document.where()
            raise DataError(
                f"unknown section {key!r}; {ARTICLE_FILE} holds `article:` and the context sections"
                f" {', '.join(CONTEXT_SECTIONS)}",
                file=file,
                line=line,
            )
    entry = _require(document, "article")
    if not isinstance(entry, Located):
        file, line = document.where()
        raise DataError("`article` must be a mapping", file=file, line=line)
    file, line = entry.where()
    unknown = sorted(str(key) for key in entry if key not in ARTICLE_KEYS)
    if unknown:
        raise DataError(
            f"unknown article field(s) {unknown}; known: {sorted(ARTICLE_KEYS)}", file=file, line=line
        )
    if entry.get("id", slug) != slug:
        raise DataError(
            f"the article's id must be its folder's name {slug!r}, got {entry['id']!r}", file=file, line=line
        )
    scheme = entry.get("iri_scheme", "article")
    if scheme not in IRI_SCHEMES:
        raise DataError(f"iri_scheme must be one of {IRI_SCHEMES}, got {scheme!r}", file=file, line=line)
    if scheme == "legacy" and not shipped:
        raise DataError(
            "iri_scheme legacy is kept for the article shipped in the data folder; an added article's claims"
            f" are minted under {ARTICLES_DIR}/<slug>/claims/",
            file=file,
            line=line,
        )
    text_file = folder / _text_file_name(entry)
    text = _read_text(text_file, f"{label}/{text_file.name}")
    claims = _mapping(load_yaml(claims_file, name=f"{label}/{CLAIMS_FILE}"), f"{label}/{CLAIMS_FILE}")
    for key in claims:
        if key != "claims":
            file, line = claims.where()
            where = f"{ARTICLE_FILE} (or the shared {CONTEXT_FILE})" if key in CONTEXT_SECTIONS else "nowhere"
            raise DataError(
                f"{CLAIMS_FILE} holds `claims:` only; `{key}` belongs {where}", file=file, line=line
            )
    files = tuple((f"{label}/{path.name}", path) for path in (article_file, text_file, claims_file))
    return ArticleSource(slug, folder, entry, text_file, text, claims, document, scheme == "legacy", files)


def merge_context(shared: Located, articles: Iterable[ArticleSource]) -> Located:
    """The shared context with every article's context sections added. An id defined again in
    another file is the same resource: an identical definition is dropped, a different one refused."""
    merged = Located(shared)
    merged.file, merged.line = shared.file, shared.line
    first: dict[tuple[str, str], tuple[str, Located]] = {}
    for section, kind in CONTEXT_SECTIONS.items():
        merged[section] = list(_section(shared, section))
        for item in merged[section]:
            if isinstance(item, Located) and isinstance(item.get("id"), str):
                first.setdefault((kind, item["id"]), (section, item))
    for article in articles:
        for section, kind in CONTEXT_SECTIONS.items():
            for item in _section(article.context, section):
                file, line = item.where() if isinstance(item, Located) else article.context.where()
                if not isinstance(item, Located):
                    raise DataError(f"each entry of `{section}` must be a mapping", file=file, line=line)
                ident = item.get("id")
                known = first.get((kind, ident)) if isinstance(ident, str) else None
                if known is None or known[1].file == file:
                    if isinstance(ident, str):
                        first.setdefault((kind, ident), (section, item))
                    merged[section].append(item)
                    continue
                known_section, known_item = known
                if known_section != section or dict(known_item) != dict(item):
                    raise DataError(
                        f"{kind} {ident!r} is already defined in {known_item.file} (line {known_item.line})"
                        " differently; a shared id is one resource: repeat its definition exactly, or give"
                        " this one another id",
                        file=file,
                        line=line,
                    )
    return merged


def fingerprint(data_files: list[tuple[str, Path]]) -> str:
    """The data version: SHA-256 over the data files (each with its name), the ontology and
    shapes, the check rules and the package version, so a release that changes any of them
    rebuilds an on-disk store."""
    digest = hashlib.sha256(version("claimgraph").encode())
    inputs = [*data_files]
    inputs += [(path.name, path) for path in sorted(paths.ontology_dir().glob("*.ttl"))]
    inputs += [(path.name, path) for path in sorted((paths.queries_dir() / "checks").glob("*.rq"))]
    for name, path in inputs:
        digest.update(name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _text_file_name(entry: Located) -> str:
    name = entry.get("text_file", DEFAULT_TEXT_FILE)
    if not isinstance(name, str) or not name or Path(name).name != name or name.startswith("."):
        file, line = entry.where()
        raise DataError(
            "`text_file` must name the article's text file, a file of its folder (no path)",
            file=file,
            line=line,
        )
    return name


def _read_text(path: Path, label: str) -> str:
    try:
        if path.is_symlink() or not path.is_file():
            raise DataError("missing: every article folder holds its text as a plain file", file=label)
        size = path.stat().st_size
        if size > MAX_TEXT_BYTES:
            raise DataError(
                f"the text is {size} bytes; an article may be at most {MAX_TEXT_BYTES}", file=label
            )
        return path.read_bytes().decode("utf-8")
    except OSError as exc:
        raise DataError(f"cannot read: {exc.strerror}", file=label) from exc
    except UnicodeDecodeError as exc:
        raise DataError(f"not UTF-8 text: {exc}", file=label) from exc


def _section(document: Located, section: str) -> list[Any]:
    items = document.get(section)
    if items is None:
        return []
    if not isinstance(items, list):
        file, line = document.where()
        raise DataError(f"`{section}` must be a list", file=file, line=line)
    return items


def _mapping(value: Any, file: str) -> Located:
    if not isinstance(value, Located):
        raise DataError("expected a mapping at the top level", file=file, line=1)
    return value


def _require(item: Located, key: str) -> Any:
    if item.get(key) in (None, "", []):
        file, line = item.where()
        raise DataError(f"missing `{key}`", file=file, line=line)
    return item[key]
