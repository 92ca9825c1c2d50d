"""What the remote store reads from and adds to a query's text, without a parser: its form, its prologue."""

from __future__ import annotations

import re

from claimgraph.errors import QueryRejected


def with_prologue(query: str, base_iri: str | None, prefixes: dict[str, str]) -> str:
    """``query`` with a BASE and the prefixes it does not declare itself, as the embedded store
    evaluates it.

    >>> with_prologue("PREFIX a: <x:> SELECT * {}", "http://b/", {"a": "y:", "c": "z:"})
    'BASE <http://b/>\\nPREFIX c: <z:>\\nPREFIX a: <x:> SELECT * {}'
    """
    declared = set(re.findall(r"\bPREFIX\s+([\w.-]*):", query, re.IGNORECASE))
    lines = [f"PREFIX {name}: <{iri}>" for name, iri in prefixes.items() if name not in declared]
    if base_iri and not re.search(r"^\s*BASE\s", query, re.IGNORECASE | re.MULTILINE):
        lines.insert(0, f"BASE <{base_iri}>")
    return "\n".join([*lines, query])


#: What may hide a keyword: strings, IRIs and comments.
_NOT_KEYWORDS = re.compile(
    r'"""(?:.|\n)*?"""|\'\'\'(?:.|\n)*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^<>"{}|^`\\\s]*>|#[^\n]*'
)
_FORM = re.compile(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", re.IGNORECASE)


def query_form(query: str) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: the first of these keywords outside strings, IRIs, comments.

    >>> query_form('PREFIX s: <http://e/SELECT#> # ASK\\nCONSTRUCT { ?s s:p "SELECT" } WHERE {}')
    'CONSTRUCT'
    """
    match = _FORM.search(_NOT_KEYWORDS.sub(" ", query))
    if match is None:
        raise QueryRejected("not a SPARQL query: no SELECT, ASK, CONSTRUCT or DESCRIBE")
    return match.group(1).upper()
