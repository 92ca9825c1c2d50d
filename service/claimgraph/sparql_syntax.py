"""What the guard and the remote store both read off SPARQL text: where a word can be a keyword,
and the nodes of an rdflib parse tree."""

from __future__ import annotations

import re
from collections.abc import Iterator

from pyparsing import ParseResults
from rdflib.plugins.sparql.parserutils import CompValue


def may_be_keyword(text: str, words: re.Pattern[str]) -> bool:
    """Whether one of ``words`` (lower case) occurs where it can be a keyword.

    An occurrence is harmless when the run of letters, digits and '_' it sits in follows ':',
    '?', '$' or '@': a prefixed name, variable, blank node or language tag, one token to every
    SPARQL parser. Anything else, strings included, may be one.

    >>> may_be_keyword("SELECT ?from WHERE { ?s prov:wasDerivedFrom ?from }", re.compile("from"))
    False
    >>> may_be_keyword("ASK FROM <http://example.org/g> { }", re.compile("from"))
    True
    """
    lowered = text.lower()
    for match in words.finditer(lowered):
        start = match.start()
        while start > 0 and (lowered[start - 1].isalnum() or lowered[start - 1] == "_"):
            start -= 1
        if start == 0 or lowered[start - 1] not in ":?$@":
            return True
    return False


def parse_tree_nodes(node: object) -> Iterator[CompValue]:
    """Every CompValue in an rdflib parse tree, depth first."""
    if isinstance(node, CompValue):
        yield node
        for value in node.values():
            yield from parse_tree_nodes(value)
    elif isinstance(node, list | tuple | ParseResults):
        for item in node:
            yield from parse_tree_nodes(item)
