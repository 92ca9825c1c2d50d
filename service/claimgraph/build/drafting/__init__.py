"""`claimgraph draft TEXT_FILE`: a reviewable article folder whose claims are candidates found by rules.

segment (lines and sentences, pysbd) -> tokens and dates (every number token, dates and periods)
-> figures (values, bounds, ranges, units) -> attribution (the phrase and the status it gives) ->
candidates (one per sentence with something checkable; the account of every number token) ->
draft (article.yaml, article.txt, claims.yaml) and coverage (the report). Imports the base only.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from claimgraph import paths
from claimgraph.build.drafting.draft import Draft, DraftOptions, draft_article, slug_for, write_draft
from claimgraph.errors import DataError

__all__ = ["Draft", "DraftOptions", "draft_article", "run_draft", "write_draft"]


def run_draft(
    text_file: str,
    output: str | None,
    *,
    force: bool = False,
    data_dir: Path | None = None,
    slug: str | None = None,
    title: str | None = None,
    url: str | None = None,
    published: str | None = None,
    language: str | None = None,
    context: str | None = None,
) -> tuple[Draft, Path]:
    """Draft ``text_file`` into ``output`` (default ./SLUG; the folder's name is the article's slug);
    the shared context is ``context`` or the data folder's context.yaml. Raises DataError on bad
    input, and writes nothing then."""
    source = Path(text_file)
    when = None
    if published:
        try:
            when = dt.date.fromisoformat(published)
        except ValueError as exc:
            raise DataError(f"--published {published!r}: give a date as YYYY-MM-DD") from exc
    if url is not None and not url.startswith(("http://", "https://")):
        raise DataError(f"--url {url!r}: give an http(s) URL")
    # An article folder's name is its slug: -o names both unless --slug is given too.
    if slug and output and Path(output).name != slug:
        raise DataError(f"-o {output!r}: an article folder's name is its slug; the slug is {slug!r}")
    chosen = slug or (Path(output).name if output else slug_for(source))
    options = DraftOptions(chosen, title or None, url, when, language or "en")
    shared = Path(context) if context else (data_dir or paths.data_dir()) / "context.yaml"
    if context and not shared.is_file():
        raise DataError("no such context file", file=str(shared))
    drafted = draft_article(source, options, shared)
    folder = Path(output) if output else Path(options.slug)
    write_draft(drafted, folder, force=force)
    return drafted, folder
