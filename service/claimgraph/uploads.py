"""An article folder as it arrives: a zip or tar(.gz) archive, a JSON document, or a folder on disk.

Whatever the form, the result is an ArticleBundle: the slug (when the upload names one) and the
folder's files by name, read within limits and refused when unsafe, before anything is written:

- the body is at most ``max_bytes`` (the web layer refuses a larger Content-Length unread);
- an archive may hold at most ``max_files`` members and unpack to at most ``max_unpacked_bytes``,
  counted while decompressing (never trusted from the headers), so a zip bomb or a tar member
  announcing terabytes stops at the limit (UploadTooLarge);
- a member name must be relative, without ``..``, backslashes or control characters, at most one
  folder deep (``<slug>/article.yaml`` or ``article.yaml``); symbolic links, hard links, devices
  and encrypted members are refused (BadUpload); nothing is ever extracted by an archive library,
  the bytes are read and written by name by the ingestion, under its own folder;
- the files are an article folder's: names of letters, digits, ``._-`` with a ``.yaml``, ``.yml``,
  ``.txt`` or ``.md`` suffix. macOS's ``__MACOSX/`` and ``.DS_Store`` members are skipped.
"""

from __future__ import annotations

import gzip
import io
import json
import re
import stat
import tarfile
import zipfile
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Any

import yaml

from claimgraph.errors import BadUpload, UnsupportedUpload, UploadTooLarge

#: An article's slug: its folder name, and the last segment of its IRIs' namespace.
SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
#: A file of an article folder.
FILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
SUFFIXES = (".yaml", ".yml", ".txt", ".md")
#: Members archivers add that are no part of the folder.
SKIPPED = ("__MACOSX/",)
SKIPPED_NAMES = (".DS_Store",)
#: The files of the JSON document's structured form.
ARTICLE_FILE, CLAIMS_FILE, TEXT_FILE = "article.yaml", "claims.yaml", "article.txt"

ZIP, TAR_GZ, TAR, JSON = "zip", "tar.gz", "tar", "json"
#: Media types an ingestion reads, and the form each names.
MEDIA_TYPES: Mapping[str, str] = {
    "application/zip": ZIP,
    "application/x-zip-compressed": ZIP,
    "application/gzip": TAR_GZ,
    "application/x-gzip": TAR_GZ,
    "application/x-tar+gzip": TAR_GZ,
    "application/x-compressed-tar": TAR_GZ,
    "application/x-tar": TAR,
    "application/json": JSON,
}
#: File suffixes `claimgraph ingest` reads as archives.
ARCHIVE_SUFFIXES = {".zip": ZIP, ".tar.gz": TAR_GZ, ".tgz": TAR_GZ, ".tar": TAR, ".json": JSON}


@dataclass(frozen=True)
class UploadLimits:
    max_bytes: int
    max_unpacked_bytes: int
    max_files: int


@dataclass(frozen=True)
class ArticleBundle:
    """An article folder's files by name, and the slug the upload gave (None: not given)."""

    slug: str | None
    files: Mapping[str, bytes]

    def with_slug(self, slug: str | None) -> ArticleBundle:
        """The bundle under ``slug`` (the URL's or the form's); BadUpload when it names another."""
        if slug is None:
            return self
        check_slug(slug)
        if self.slug is not None and self.slug != slug:
            raise BadUpload(f"the upload is for the article {self.slug!r}, the request names {slug!r}")
        return ArticleBundle(slug, self.files)


def check_slug(slug: str) -> str:
    if not SLUG.match(slug):
        raise BadUpload(
            f"{slug[:80]!r} is not an article slug: 1-64 lower-case letters, digits and hyphens,"
            " beginning and ending with a letter or digit"
        )
    return slug


def upload_form(media_type: str) -> str:
    """The form (ZIP, TAR_GZ, TAR, JSON) a media type names (parameters ignored); UnsupportedUpload
    for any other."""
    form = MEDIA_TYPES.get(media_type.split(";", 1)[0].strip().lower())
    if form is None:
        accepted = ", ".join(sorted(MEDIA_TYPES))
        raise UnsupportedUpload(
            f"an article is uploaded as one of {accepted}, not {media_type[:80] or 'nothing'!r}"
        )
    return form


def read_upload(body: bytes, media_type: str, limits: UploadLimits) -> ArticleBundle:
    """The bundle in ``body``, sent as ``media_type`` (parameters ignored)."""
    return read_form(body, upload_form(media_type), limits)


def read_form(body: bytes, form: str, limits: UploadLimits) -> ArticleBundle:
    if len(body) > limits.max_bytes:
        raise UploadTooLarge(
            f"the upload is {len(body)} bytes; at most {limits.max_bytes} (max_ingest_bytes)"
        )
    if form == JSON:
        return read_document(body, limits)
    members = _zip_members(body, limits) if form == ZIP else _tar_members(body, form, limits)
    return _bundle(members, limits)


def read_path(path: Path, limits: UploadLimits) -> ArticleBundle:
    """A folder (its files; the slug is its name) or an archive file, by its suffix."""
    if path.is_dir():
        return read_folder(path, limits)
    form = next((f for suffix, f in ARCHIVE_SUFFIXES.items() if path.name.endswith(suffix)), None)
    if form is None:
        raise UnsupportedUpload(f"{path}: not a folder, nor a {', '.join(ARCHIVE_SUFFIXES)} file")
    size = path.stat().st_size
    if size > limits.max_bytes:
        raise UploadTooLarge(f"{path} is {size} bytes; at most {limits.max_bytes} (max_ingest_bytes)")
    return read_form(path.read_bytes(), form, limits)


def read_folder(folder: Path, limits: UploadLimits) -> ArticleBundle:
    """An article folder on disk: its regular files (no links, no sub-folders); its name is the slug."""
    members: list[tuple[str, bytes]] = []
    entries = sorted(folder.iterdir())
    if len(entries) > limits.max_files:
        raise UploadTooLarge(
            f"{folder} holds {len(entries)} entries; at most {limits.max_files} (max_ingest_files)"
        )
    budget = limits.max_unpacked_bytes
    for entry in entries:
        if entry.is_symlink() or not entry.is_file():
            raise BadUpload(f"{entry}: an article folder holds regular files only (no links, no folders)")
        if entry.name in SKIPPED_NAMES:
            continue
        with entry.open("rb") as file:
            data = _read_bounded(file, budget, entry.name)
        budget -= len(data)
        members.append((f"{folder.name}/{entry.name}", data))
    return _bundle(members, limits)


def read_document(body: bytes, limits: UploadLimits) -> ArticleBundle:
    """The JSON form: ``{"slug", "files": {name: text}}``, or ``{"slug", "article": {...}, "text": "...",
    "claims": [...]}`` (article.yaml, article.txt and claims.yaml written from them)."""
    try:
        document = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise BadUpload(f"the body is not a JSON document: {str(exc)[:200]}") from None
    if not isinstance(document, dict):
        raise BadUpload("the JSON document must be an object")
    slug = document.get("slug")
    if slug is not None and not isinstance(slug, str):
        raise BadUpload("`slug` must be a string")
    if "files" in document:
        files = document["files"]
        extra = sorted(set(document) - {"slug", "files"})
        if not isinstance(files, dict) or not all(isinstance(v, str) for v in files.values()) or extra:
            raise BadUpload("`files` must map file names to their text, beside `slug` only")
        texts = files
    else:
        texts = _structured(document)
    if len(texts) > limits.max_files:
        raise UploadTooLarge(
            f"the document holds {len(texts)} files; at most {limits.max_files} (max_ingest_files)"
        )
    members = [(name, text.encode("utf-8", "surrogatepass")) for name, text in texts.items()]
    size = sum(len(data) for _, data in members)
    if size > limits.max_unpacked_bytes:
        raise UploadTooLarge(
            f"the document's files hold {size} bytes;"
            f" at most {limits.max_unpacked_bytes} (max_ingest_unpacked_bytes)"
        )
    bundle = _bundle(members, limits)
    return bundle.with_slug(check_slug(slug)) if slug is not None else bundle


def _structured(document: dict[str, Any]) -> dict[str, str]:
    article, text, claims = document.get("article"), document.get("text"), document.get("claims")
    extra = sorted(set(document) - {"slug", "article", "text", "claims"})
    if extra:
        raise BadUpload(
            f"unknown member(s) {', '.join(map(repr, extra))}; expected slug, article, text, claims"
        )
    if not isinstance(article, dict) or not isinstance(text, str) or not isinstance(claims, list):
        raise BadUpload(
            "the document needs `article` (an object: article.yaml), `text` (a string: the article's"
            " text) and `claims` (an array: claims.yaml's claims), or `files` (file name -> text)"
        )
    text_file = text_file_of(article)
    dump = dict(sort_keys=False, allow_unicode=True, width=110)
    return {
        ARTICLE_FILE: yaml.safe_dump(article, **dump),  # type: ignore[call-overload]
        text_file: text,
        CLAIMS_FILE: yaml.safe_dump({"claims": claims}, **dump),  # type: ignore[call-overload]
    }


def text_file_of(article: Mapping[str, Any]) -> str:
    """The text file an article.yaml names (``text_file:``, at its top or in its ``article:`` entry)."""
    entry = article.get("article") if isinstance(article.get("article"), dict) else article
    name = entry.get("text_file", TEXT_FILE) if isinstance(entry, dict) else TEXT_FILE
    return name if isinstance(name, str) else TEXT_FILE


def _bundle(members: list[tuple[str, bytes]], limits: UploadLimits) -> ArticleBundle:
    """Check every name; one folder level at most, the same for all; no name twice."""
    files: dict[str, bytes] = {}
    folders: set[str] = set()
    for raw, data in members:
        parts = safe_parts(raw)
        if len(parts) == 2:
            folders.add(parts[0])
        name = parts[-1]
        if not FILE_NAME.match(name) or not name.endswith(SUFFIXES):
            raise BadUpload(
                f"{raw[:120]!r}: an article folder holds files named with letters, digits and ._-,"
                f" ending {', '.join(SUFFIXES)}"
            )
        if name in files:
            raise BadUpload(f"{name!r} is in the upload twice")
        files[name] = data
    if len(folders) > 1 or (folders and any(len(safe_parts(raw)) == 1 for raw, _ in members)):
        raise BadUpload("the archive must hold one article folder (or its files at the top), not several")
    if not files:
        raise BadUpload("the upload holds no file")
    slug = folders.pop() if folders else None
    return ArticleBundle(check_slug(slug) if slug is not None else None, files)


def safe_parts(name: str) -> tuple[str, ...]:
    """The parts of a member name that is safe to use: relative, no ``..``, no backslash or control
    character, at most a folder and a file; BadUpload otherwise.

    >>> safe_parts("slug/article.yaml"), safe_parts("./claims.yaml")
    (('slug', 'article.yaml'), ('claims.yaml',))
    >>> safe_parts("../etc/passwd")
    Traceback (most recent call last):
    ...
    claimgraph.errors.BadUpload: '../etc/passwd': a path outside the article folder (absolute, .., ...)
    """
    shown = repr(name[:120])
    if any(ord(c) < 32 or c == "\x7f" for c in name):
        raise BadUpload(f"{shown}: a control character in a file name")
    path = PurePosixPath(name)
    if name.startswith(("/", "\\")) or "\\" in name or ".." in path.parts or re.match(r"^[A-Za-z]:", name):
        raise BadUpload(f"{shown}: a path outside the article folder (absolute, .., a backslash or a drive)")
    parts = tuple(part for part in path.parts if part != ".")
    if not parts or len(parts) > 2:
        raise BadUpload(f"{shown}: an article folder has no sub-folders")
    return parts


def _skipped(name: str) -> bool:
    return name.startswith(SKIPPED) or PurePosixPath(name).name in SKIPPED_NAMES


def _zip_members(body: bytes, limits: UploadLimits) -> list[tuple[str, bytes]]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(body))
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise BadUpload(f"not a readable zip archive: {exc}") from None
    with archive:
        infos = archive.infolist()
        if len(infos) > limits.max_files:
            raise UploadTooLarge(
                f"the archive holds {len(infos)} members; at most {limits.max_files} (max_ingest_files)"
            )
        members, budget = [], limits.max_unpacked_bytes
        for info in infos:
            if _skipped(info.filename):
                continue
            kind = stat.S_IFMT(info.external_attr >> 16)  # 0: no Unix mode recorded (a regular file)
            if kind not in (0, stat.S_IFREG, stat.S_IFDIR):
                raise BadUpload(
                    f"{info.filename[:120]!r}: a link or special file; an article holds regular files"
                )
            if info.flag_bits & 0x1:
                raise BadUpload(f"{info.filename[:120]!r}: encrypted")
            if info.is_dir():
                safe_parts(info.filename)
                continue
            try:
                with archive.open(info) as member:
                    data = _read_bounded(member, budget, info.filename)
            except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError) as exc:
                raise BadUpload(f"{info.filename[:120]!r}: cannot be unpacked: {exc}") from None
            budget -= len(data)
            members.append((info.filename, data))
        return members


def _tar_members(body: bytes, form: str, limits: UploadLimits) -> list[tuple[str, bytes]]:
    # Stream mode reads the archive once, front to back, through a reader that stops decompressing
    # past the limit: a gzip bomb, or a member whose data never ends, costs at most the limit.
    raw: IO[bytes] = io.BytesIO(body)
    source: Any = gzip.GzipFile(fileobj=raw, mode="rb") if form == TAR_GZ else raw
    overhead = 1536 * (limits.max_files + 4) + 20480  # headers (long names take two), padding, end blocks
    stream = _Bounded(source, limits.max_unpacked_bytes + overhead)
    members, budget, count = [], limits.max_unpacked_bytes, 0
    try:
        with tarfile.open(fileobj=stream, mode="r|") as archive:
            for member in _tar_iter(archive):
                count += 1
                if count > limits.max_files:
                    raise UploadTooLarge(
                        f"the archive holds more than {limits.max_files} members (max_ingest_files)"
                    )
                if _skipped(member.name):
                    continue
                if member.issym() or member.islnk():
                    raise BadUpload(f"{member.name[:120]!r}: a link; an article holds regular files only")
                if member.isdir():
                    safe_parts(member.name)
                    continue
                if not member.isreg():
                    raise BadUpload(
                        f"{member.name[:120]!r}: a special file; an article holds regular files only"
                    )
                if member.size > budget:
                    raise UploadTooLarge(
                        f"{member.name[:120]!r} is {member.size} bytes unpacked; the archive may unpack to at"
                        f" most {limits.max_unpacked_bytes} (max_ingest_unpacked_bytes)"
                    )
                safe_parts(member.name)
                extracted = archive.extractfile(member)
                if extracted is None:
                    raise BadUpload(f"{member.name[:120]!r}: no data")
                data = _read_bounded(extracted, budget, member.name)
                budget -= len(data)
                members.append((member.name, data))
    except _Exhausted:
        raise UploadTooLarge(
            f"the archive unpacks to more than {limits.max_unpacked_bytes} bytes (max_ingest_unpacked_bytes)"
        ) from None
    except (tarfile.TarError, OSError, EOFError, ValueError, zlib.error) as exc:
        raise BadUpload(f"not a readable {form} archive: {exc}") from None
    return members


def _tar_iter(archive: tarfile.TarFile) -> Iterator[tarfile.TarInfo]:
    while (member := archive.next()) is not None:
        yield member


class _Exhausted(Exception):
    """The decompressed stream passed its limit."""


class _Bounded(io.RawIOBase):
    """What ``source`` gives (the decompressed archive), refused past ``limit`` bytes in all."""

    def __init__(self, source: IO[bytes], limit: int) -> None:
        self._source, self._left = source, limit

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        wanted = self._left + 1 if size is None or size < 0 else min(size, self._left + 1)
        data = self._source.read(wanted)
        self._left -= len(data)
        if self._left < 0:
            raise _Exhausted
        return data


def _read_bounded(source: IO[bytes], budget: int, name: str) -> bytes:
    """Read ``source`` to its end, refusing more than ``budget`` bytes (never trusting a header)."""
    data = source.read(budget + 1)
    if len(data) > budget:
        raise UploadTooLarge(
            f"{name[:120]!r}: the upload unpacks to more than the limit (max_ingest_unpacked_bytes)"
        )
    return data
