"""The query library: named .rq files with a `# title:` / `# description:` comment header."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rdflib.term import Node

from claimgraph import paths


@dataclass(frozen=True)
class NamedQuery:
    name: str
    title: str
    description: str
    text: str
    headers: dict[str, str]

    def bind(self, **values: Node) -> str:
        """The query with a VALUES block appended: user input never enters the text by formatting.

        >>> from rdflib import URIRef
        >>> q = NamedQuery("x", "t", "d", "SELECT ?s WHERE { ?s ?p ?o }", {})
        >>> q.bind(s=URIRef("http://example.org/a")).splitlines()[-1]
        'VALUES (?s) { (<http://example.org/a>) }'
        """
        if not values:
            return self.text
        names = " ".join(f"?{name}" for name in values)
        terms = " ".join(term.n3() for term in values.values())
        return f"{self.text.rstrip()}\nVALUES ({names}) {{ ({terms}) }}"


def parse_header(text: str) -> dict[str, str]:
    """Leading `# key: value` comment lines (continued by `#   more`) as a dict.

    >>> parse_header("# title: A\\n# description: one\\n#   two\\nSELECT")
    {'title': 'A', 'description': 'one two'}
    """
    headers: dict[str, str] = {}
    last: str | None = None
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        body = line[1:].strip()
        key, sep, value = body.partition(":")
        continuation = line.startswith("#  ")
        if sep and key and " " not in key and not continuation:
            last = key.lower()
            headers[last] = value.strip()
        elif last and body:
            headers[last] = f"{headers[last]} {body}"
    return headers


def load_query(path: Path, required: tuple[str, ...] = ("title", "description")) -> NamedQuery:
    """Read a .rq file; raises ValueError when a required header line is missing."""
    text = path.read_text(encoding="utf-8")
    headers = parse_header(text)
    for key in required:
        if key not in headers:
            raise ValueError(f"{path.name}: the header needs a `# {key}:` line")
    description = headers.get("description", headers.get("checks", ""))
    return NamedQuery(path.stem, headers.get("title", path.stem), description, text, headers)


def load_library(folder: Path | None = None) -> dict[str, NamedQuery]:
    """Every .rq directly in ``folder`` (default: queries/), by name, sorted."""
    folder = folder or paths.queries_dir()
    return {p.stem: load_query(p) for p in sorted(folder.glob("*.rq"))}
