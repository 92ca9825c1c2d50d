"""A failed build, said as the author of the uploaded folder needs it: file, line, claim, fault."""

from __future__ import annotations

from collections.abc import Iterable

from claimgraph.build.sources import DataSources
from claimgraph.build.validation import Problem
from claimgraph.build.yaml_source import Located
from claimgraph.errors import DataError

Fault = dict[str, object]


def data_error(exc: DataError) -> list[Fault]:
    """A source that cannot be compiled: one fault, with the file and line the compiler named."""
    message = str(exc)
    where = f"{exc.file}:{exc.line}: " if exc.file and exc.line else (f"{exc.file}: " if exc.file else "")
    return [{"file": exc.file, "line": exc.line, "claim": None, "fault": message.removeprefix(where)}]


def validation_problems(problems: Iterable[Problem], sources: DataSources) -> list[Fault]:
    """Each SHACL or anchor problem, with the file and line of the claim it is about where known."""
    places = claim_places(sources)
    faults: list[Fault] = []
    for problem in problems:
        file, line = places.get((problem.article, problem.claim_id or ""), (None, None))
        fault = problem.message + (f" [{problem.path}]" if problem.path else "")
        faults.append(
            {
                "file": file,
                "line": line,
                "claim": problem.claim_id,
                "article": problem.article,
                "fault": fault,
                "focus": problem.focus,
                "sentence": problem.sentence,
            }
        )
    return faults


def claim_places(sources: DataSources) -> dict[tuple[str | None, str], tuple[str, int]]:
    """Where each claim is written: (its article's slug, None for the shipped article's legacy
    IRIs; its id) -> (``<slug>/claims.yaml``, line)."""
    places: dict[tuple[str | None, str], tuple[str, int]] = {}
    for article in sources.articles:
        entries = article.claims.get("claims") if isinstance(article.claims, Located) else None
        for entry in entries if isinstance(entries, list) else []:
            if isinstance(entry, Located) and isinstance(entry.get("id"), str):
                places.setdefault((article.scope, entry["id"]), entry.where())
    return places
