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


def validation_problems(problems: Iterable[Problem], sources: DataSources, article: str) -> list[Fault]:
    """Each SHACL or anchor problem, with the file and line of the claim it is about where known
    (a claim id of ``article``, the uploaded one, first)."""
    places = claim_places(sources, article)
    faults: list[Fault] = []
    for problem in problems:
        file, line = places.get(problem.claim_id or "", (None, None))
        fault = problem.message + (f" [{problem.path}]" if problem.path else "")
        faults.append(
            {
                "file": file,
                "line": line,
                "claim": problem.claim_id,
                "fault": fault,
                "focus": problem.focus,
                "sentence": problem.sentence,
            }
        )
    return faults


def claim_places(sources: DataSources, first: str) -> dict[str, tuple[str, int]]:
    """Where each claim is written: its id -> (``<slug>/claims.yaml``, line), the claims of the
    article ``first`` before any other's."""
    places: dict[str, tuple[str, int]] = {}
    for article in sorted(sources.articles, key=lambda a: a.ident != first):
        entries = article.claims.get("claims") if isinstance(article.claims, Located) else None
        for entry in entries if isinstance(entries, list) else []:
            if isinstance(entry, Located) and isinstance(entry.get("id"), str):
                file, line = entry.where()
                places.setdefault(entry["id"], (file, line))
    return places
