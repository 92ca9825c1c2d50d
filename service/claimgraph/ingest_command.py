"""`claimgraph ingest`: add, replace or delete an article from the command line.

Against the configured store and articles_dir (the same change as over HTTP: validated, swapped
in atomically, audited as the local user), or, with ``--url``, by HTTP against a running server,
with the token in the environment variable CLAIMGRAPH_TOKEN (never on the command line, where
other users of the machine could read it).
"""

from __future__ import annotations

import io
import json
import os
import sys
import tarfile
import urllib.error
import urllib.request
from pathlib import Path

from claimgraph.errors import ArticleInvalid
from claimgraph.ingestion import Ingestor
from claimgraph.iris import Iris
from claimgraph.settings import Settings
from claimgraph.store.backends import open_store
from claimgraph.tokens import Agent
from claimgraph.uploads import ARCHIVE_SUFFIXES, JSON, TAR, TAR_GZ, ZIP, read_path

#: The client's token for --url (the server's tokens are its own settings).
TOKEN_VARIABLE = "CLAIMGRAPH_TOKEN"
#: Content-Type of each form, as --url sends it.
FORM_MEDIA = {
    ZIP: "application/zip",
    TAR_GZ: "application/gzip",
    TAR: "application/x-tar",
    JSON: "application/json",
}


def ingest(
    settings: Settings, path: str | None, *, replace: bool, delete: str | None, slug: str | None
) -> int:
    """The change here, on the configured store and articles_dir; prints the audit record."""
    writable = settings.replace(store_read_only=False)
    has_store = bool(settings.store_path) or settings.store_backend != "oxigraph"
    store = open_store(writable) if has_store else None
    ingestor = Ingestor(writable, Iris(writable.base), store)
    agent = Agent.local_user()
    try:
        if delete is not None:
            change = ingestor.delete(delete, agent)
        else:
            assert path is not None
            bundle = read_path(Path(path), ingestor.limits).with_slug(slug)
            if replace:
                if bundle.slug is None:
                    raise ValueError("--replace needs the article's slug (--slug, or the folder's name)")
                change = ingestor.replace(bundle.slug, bundle, agent)
            else:
                change = ingestor.add(bundle, agent)
    except ArticleInvalid as exc:
        print_problems(exc.problems)
        return 1
    finally:
        if store is not None:
            store.close()
    print(json.dumps(change, indent=2, ensure_ascii=False))
    if store is None:
        print(
            "claimgraph: no store is configured; servers serve the article from their next start",
            file=sys.stderr,
        )
    return 0


def print_problems(problems: tuple[dict[str, object], ...]) -> None:
    print(f"error: the article does not validate: {len(problems)} problem(s)", file=sys.stderr)
    for problem in problems:
        where = ":".join(str(part) for part in (problem.get("file"), problem.get("line")) if part)
        claim = f"claim {problem['claim']}: " if problem.get("claim") else ""
        print(f"  {where or '-'}: {claim}{problem.get('fault')}", file=sys.stderr)


def ingest_remote(url: str, path: str | None, *, replace: bool, delete: str | None, slug: str | None) -> int:
    """The change by HTTP against the server at ``url``."""
    token = os.environ.get(TOKEN_VARIABLE)
    if not token:
        raise ValueError(f"--url needs the token in the environment variable {TOKEN_VARIABLE}")
    root = url.rstrip("/")
    if delete is not None:
        method, target, body, media = "DELETE", f"{root}/api/articles/{delete}", None, None
    else:
        assert path is not None
        body, media, folder_slug = _payload(Path(path))
        name = slug or folder_slug
        if replace:
            if not name:
                raise ValueError("--replace needs the article's slug (--slug, or the folder's name)")
            method, target = "PUT", f"{root}/api/articles/{name}"
        else:
            method, target = "POST", f"{root}/api/articles" + (f"?slug={name}" if slug else "")
    request = urllib.request.Request(target, data=body, method=method)
    request.add_header("Authorization", f"Bearer {token}")
    request.add_header("Accept", "application/json")
    if media:
        request.add_header("Content-Type", media)
    try:
        with urllib.request.urlopen(request, timeout=600) as response:
            print(response.read().decode("utf-8"))
            return 0
    except urllib.error.HTTPError as exc:
        answer = exc.read().decode("utf-8", "replace")
        try:
            detail = json.loads(answer)
        except ValueError:
            print(f"error: {exc.code} {answer.strip()}", file=sys.stderr)
            return 1
        print(f"error: {exc.code} {detail.get('title')}: {detail.get('detail')}", file=sys.stderr)
        if detail.get("problems"):
            print_problems(tuple(detail["problems"]))
        return 1


def _payload(path: Path) -> tuple[bytes, str, str | None]:
    """What --url sends: an archive or JSON file as it is, a folder as a tar.gz of its files."""
    if path.is_dir():
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
            for entry in sorted(path.iterdir()):
                if entry.is_file() and not entry.is_symlink():
                    archive.add(entry, arcname=f"{path.name}/{entry.name}", recursive=False)
        return buffer.getvalue(), FORM_MEDIA[TAR_GZ], path.name
    form = next((f for suffix, f in ARCHIVE_SUFFIXES.items() if path.name.endswith(suffix)), None)
    if form is None:
        raise ValueError(f"{path}: not a folder, nor a {', '.join(ARCHIVE_SUFFIXES)} file")
    return path.read_bytes(), FORM_MEDIA[form], None
