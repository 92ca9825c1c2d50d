"""The query library: named .rq files with a `# title:` / `# description:` comment header."""

from __future__ import annotations

import re
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
        """The query with a VALUES block of ``values`` as the first element of its WHERE group: user
        input never enters the text by formatting.

        At the top of the group the block is joined with the rest of it, which gives the answers of
        a trailing VALUES (joined with the whole result) as long as every bound variable is bound by
        the group's required patterns (not only in an OPTIONAL, a FILTER or a BIND, nor through an
        aggregate): the library's queries keep to that, and tests/test_querylib_binding.py holds
        them to it. Virtuoso 7.2 refuses a trailing VALUES whose variable a UNION branch uses in a
        BIND (SQ200), and both engines start from the bound terms.

        >>> from rdflib import URIRef
        >>> q = NamedQuery("x", "t", "d", "SELECT ?s WHERE { ?s ?p ?o }", {})
        >>> q.bind(s=URIRef("http://example.org/a")).splitlines()
        ['SELECT ?s WHERE {', '  VALUES (?s) { (<http://example.org/a>) }', ' ?s ?p ?o }']
        """
        if not values:
            return self.text
        return BoundQuery.of(self.text, list(values), [term.n3() for term in values.values()])


class BoundQuery(str):
    """A library query with values bound (NamedQuery.bind): its text, with the template and the
    VALUES block it was made of, so that a store can read a query's form and graphs once per
    template instead of once per value (store/sparql.py: rdflib's parser, at ~5,000 articles, was
    most of a remote front end's start)."""

    template: str
    block: str
    terms: list[str]  # the bound terms as written in the block

    @classmethod
    def of(cls, template: str, names: list[str], terms: list[str]) -> BoundQuery:
        block = f"VALUES ({' '.join(f'?{name}' for name in names)}) {{ ({' '.join(terms)}) }}"
        return cls.made(template, block, terms)

    @classmethod
    def made(cls, template: str, block: str, terms: list[str]) -> BoundQuery:
        """``template`` with ``block`` (of ``terms``) inserted."""
        bound = cls(insert_values(template, block))
        bound.template, bound.block, bound.terms = template, block, terms
        return bound


def insert_values(text: str, block: str) -> str:
    """``text`` with the VALUES ``block`` as the first element of its WHERE group (NamedQuery.bind).

    >>> insert_values("SELECT * { ?s ?p ?o }", "VALUES (?s) { (<x:a>) }")
    'SELECT * {\\n  VALUES (?s) { (<x:a>) }\\n ?s ?p ?o }'
    """
    at = where_group(text) + 1
    return f"{text[:at]}\n  {block}\n{text[at:]}"


#: Where a brace can be the WHERE group's: the keyword WHERE, then optional white space.
_WHERE = re.compile(r"(?<![\w?$:])where\s*$", re.IGNORECASE)
#: An IRI reference: no white space, quotes or braces inside (a `<` that is not one is an operator).
_IRI = re.compile(r'<[^<>"{}|^`\\\s]*>')


def where_group(text: str) -> int:
    """The offset of the ``{`` that opens the query's WHERE group, outside comments, strings and
    IRIs: the outermost brace after the keyword WHERE, else (the keyword is optional) the first
    outermost brace, the second in a CONSTRUCT (its template comes first).

    >>> where_group("# a { comment\\nSELECT ?s WHERE { ?s ?p '{' }")
    30
    >>> where_group("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
    29
    >>> where_group("SELECT * { ?s ?p ?o }")
    9
    """
    outermost: list[int] = []
    depth, i, n = 0, 0, len(text)
    while i < n:
        char = text[i]
        if char == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end + 1
            continue
        if char in "'\"":
            quote = char * 3 if text.startswith(char * 3, i) else char
            i += len(quote)
            while i < n and not text.startswith(quote, i):
                i += 2 if text[i] == "\\" else 1
            i += len(quote)
            continue
        iri = _IRI.match(text, i) if char == "<" else None
        if iri:
            i = iri.end()
            continue
        if char == "{":
            if depth == 0:
                if _WHERE.search(text, 0, i):
                    return i
                outermost.append(i)
            depth += 1
        elif char == "}":
            depth -= 1
        i += 1
    construct = bool(re.search(r"\bconstruct\b", re.sub(r"#[^\n]*", "", text), re.IGNORECASE))
    if len(outermost) <= construct:
        raise ValueError("the query has no WHERE group to bind values in")
    return outermost[int(construct)]


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
