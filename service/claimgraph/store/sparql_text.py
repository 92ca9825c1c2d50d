"""What the remote store reads from a query (its form and dataset clause, parsed) and adds to its
text (a prologue)."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from rdflib.plugins.sparql.algebra import translatePrologue
from rdflib.plugins.sparql.parser import parseQuery

from claimgraph.errors import QueryRejected
from claimgraph.sparql_syntax import may_be_keyword, parse_tree_nodes
from claimgraph.store import QueryDataset


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


_PROLOGUE = re.compile(
    r"""(?:\s+|\#[^\n\r]*|(?i:base)\s*<[^<>\s]*>|(?i:prefix)\s*[^\s:]*:\s*<[^<>\s]*>)*
    (?P<form>(?i:select|ask|construct|describe))\b""",
    re.VERBOSE,
)
_SCREEN = re.compile("from|service")
_GRAPH = re.compile("graph")
#: What cannot hold a keyword: strings, IRIs and comments (for the GRAPH screen only: missing a
#: GRAPH would give an emptier answer, never another graph).
_NOT_KEYWORDS = re.compile(
    r'"""(?:.|\n)*?"""|\'\'\'(?:.|\n)*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^<>"{}|^`\\\s]*>|#[^\n]*'
)
_FORMS = {
    "SelectQuery": "SELECT",
    "AskQuery": "ASK",
    "ConstructQuery": "CONSTRUCT",
    "DescribeQuery": "DESCRIBE",
}


@dataclass(frozen=True)
class QueryShape:
    """What the remote store must know of a query before sending it: its form, and its own
    FROM / FROM NAMED graphs (None: it has no dataset clause)."""

    form: str
    dataset: QueryDataset | None = None
    names_graphs: bool = True  # False only if GRAPH cannot be a keyword in it: no named graph is read


def query_form(query: str) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE, from the parsed query (see query_shape).

    >>> query_form('PREFIX s: <http://e/SELECT#> # ASK\\nCONSTRUCT { ?s s:p "SELECT" } WHERE {}')
    'CONSTRUCT'
    >>> query_form('PREFIX ask: <http://e/> SELECT * { ?s ask:p ?o }')
    'SELECT'
    """
    return query_shape(query).form


@functools.lru_cache(maxsize=1024)
def query_shape(query: str, base_iri: str | None = None) -> QueryShape:
    """The form and dataset clause of ``query`` (its prologue declares the prefixes it uses).

    A query whose text starts with a prologue and then its form keyword, and in which neither
    FROM nor SERVICE can be a keyword (as the guard's screen decides), needs no parser; any other
    is parsed with rdflib, as the guard does, so no comment, string or IRI can fool it. SERVICE is
    refused here too: the engine must never be asked to reach another service.

    >>> query_shape("SELECT * { ?s ?p 'FROM <http://e/g>' } # FROM <http://e/h>")
    QueryShape(form='SELECT', dataset=None, names_graphs=False)
    >>> query_shape("SELECT * { GRAPH ?g { ?s a <http://e/graph> } }").names_graphs
    True
    >>> query_shape("SELECT * { ?s a <http://e/graph> } # GRAPH").names_graphs
    False
    >>> query_shape("ASK FROM <http://e/g> FROM NAMED <http://e/h> {}").dataset
    QueryDataset(default_graphs=('http://e/g',), named_graphs=('http://e/h',))
    """
    match = _PROLOGUE.match(query)
    names_graphs = may_be_keyword(_NOT_KEYWORDS.sub(" ", query), _GRAPH)
    if match and not may_be_keyword(query, _SCREEN):
        return QueryShape(match["form"].upper(), None, names_graphs)
    try:
        tree = parseQuery(query)
        prologue = translatePrologue(tree[0], base_iri)
        clauses = tree[1]["datasetClause"] if "datasetClause" in tree[1] else ()  # noqa: SIM401
        default, named = (
            tuple(str(prologue.absolutize(c[key])) for c in clauses if key in c)
            for key in ("default", "named")
        )
    except Exception as exc:  # pyparsing raises several types: not a query rdflib can read
        raise QueryRejected(f"not a SPARQL query: {exc}") from exc
    if any(node.name == "ServiceGraphPattern" for node in parse_tree_nodes(tree)):
        raise QueryRejected("SERVICE is not allowed: this store never queries other services")
    return QueryShape(_FORMS[tree[1].name], QueryDataset(default, named) if clauses else None, names_graphs)
