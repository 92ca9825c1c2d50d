"""Named graphs scoped to the live generation without listing them: each ``GRAPH X { P }`` of a query
becomes ``{ GRAPH X { P } FILTER EXISTS { GRAPH ?_cg_record { <NODE> <LIVE_GRAPH> X } } }``, X being
a variable or an IRI, NODE the live generation's record (store/sparql_load.py), which only META holds.
The record's graph is a variable, not <META>: Virtuoso 7.2, given a default-graph-uri, finds nothing
in ``GRAPH <META>`` inside FILTER EXISTS and then drops the filter (every graph passed).

The request then names no named graph at all (the engine's own: every graph it holds, staged and
internal ones included), and stays the same size whatever the number of graphs (a list of
named-graph-uri grew with the data: 431 graphs at 10k generated triples, ~40,000 at 1M; Virtuoso
plans a GRAPH ?g over such a list as a union, and gave up on history-corrected-sources with
"Stack Overflow in cost model"). The filter sits in a group of its own with the GRAPH pattern, so it
applies to nothing else, and Virtuoso cannot move it past a BIND.

The GRAPH keywords are found by a scanner that skips strings, IRIs and comments; the number found is
checked against rdflib's parse of the query (GraphGraphPattern nodes): a query the scanner might
misread is refused (QueryRejected), never sent with a named graph left open.
"""

from __future__ import annotations

import functools
import re

from rdflib.plugins.sparql.parser import parseQuery

from claimgraph.errors import QueryRejected
from claimgraph.sparql_syntax import parse_tree_nodes
from claimgraph.store.sparql_load import LIVE_GRAPH

#: Reserved variable names: the record's graph in the filter, and a named graph as a variable (a
#: query may not use them: they would be substituted, or joined).
RESERVED = "_cg_"
RECORD = f"{RESERVED}record"

#: A token the scanner must see whole: a string, an IRI, a comment, a brace, GRAPH as a keyword (not
#: part of a prefixed name, variable, blank node label or language tag), or a variable.
_TOKEN = re.compile(
    r'"""(?:.|\n)*?"""|\'\'\'(?:.|\n)*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\''
    r"|<[^<>\"{}|^`\\\s]*>|\#[^\n]*|[{}]|(?<![\w:?$@.-])(?i:graph)(?![\w:-])|[?$]\w+"
)
#: What follows GRAPH: blanks and comments, the graph (a variable, an IRI or a prefixed name), then '{'.
_GRAPH_NAME = re.compile(
    r"(?:\s|\#[^\n]*)*(?P<name>[?$]\w+|<[^<>\"{}|^`\\\s]*>|[\w.-]*:[\w.:%\\-]*)(?:\s|\#[^\n]*)*\{"
)


def scoped(query: str, node: str, *, graph_iris_as_variables: bool = False) -> str:
    """``query`` with each GRAPH pattern restricted to the graphs ``node`` records as live.

    ``graph_iris_as_variables``: ``GRAPH <iri> { P }`` goes out as a sub-select of P's variables over
    ``GRAPH ?_cg_N { P } FILTER(?_cg_N = <iri>)`` (Virtuoso, given a default-graph-uri and no
    named-graph-uri, finds nothing in ``GRAPH <iri>`` while ``GRAPH ?g`` sees every graph).

    >>> print(scoped("SELECT * { GRAPH ?g { ?s ?p 'GRAPH' } }", "urn:n"))
    SELECT * { { GRAPH ?g { ?s ?p 'GRAPH' } FILTER EXISTS { GRAPH ?_cg_record \
{ <urn:n> <urn:claimgraph:graph> ?g } } } }
    >>> print(scoped("ASK { GRAPH <g> { ?s ?p ?o } }", "urn:n", graph_iris_as_variables=True))
    ASK { { SELECT ?s ?p ?o WHERE { GRAPH ?_cg_1 { ?s ?p ?o } FILTER(?_cg_1 = <g>) FILTER EXISTS \
{ GRAPH ?_cg_record { <urn:n> <urn:claimgraph:graph> ?_cg_1 } } } } }
    """
    if any(name[1:].startswith(RESERVED) for name in _variables(query)):
        raise QueryRejected(f"variables starting ?{RESERVED} are reserved by this store; rename them")
    text, found = _rewrite(query, node, graph_iris_as_variables)
    if found != _graph_patterns(query):
        raise QueryRejected("the GRAPH patterns of this query could not be told apart; simplify it")
    return text


def _rewrite(query: str, node: str, iris_as_variables: bool) -> tuple[str, int]:
    out: list[str] = []
    # Per open brace: None, or the GRAPH pattern it opens: its name as sent, the graph IRI (if sent
    # as a variable), where its opening sits in ``out``, and where its group starts in ``query``.
    stack: list[tuple[str, str | None, int, int] | None] = []
    pending: tuple[str, str | None, int] | None = None  # a GRAPH whose '{' comes next
    position = 0
    found = 0
    for match in _TOKEN.finditer(query):
        token = match.group()
        if token[0] in "\"'<#?$":
            continue
        if token == "{":
            out.append(query[position : match.end()])
            position = match.end()
            stack.append(None if pending is None else (*pending[:2], pending[2], match.end()))
            pending = None
        elif token == "}":
            out.append(query[position : match.end()])
            position = match.end()
            opened = stack.pop() if stack else None
            if opened is None:
                continue
            name, iri, at, begin = opened
            test = f" FILTER({name} = {iri})" if iri else ""
            out.append(f"{test} FILTER EXISTS {{ GRAPH ?{RECORD} {{ <{node}> <{LIVE_GRAPH}> {name} }} }} }}")
            if iri:
                names = " ".join(dict.fromkeys(_variables(query[begin : match.start()]))) or "*"
                out[at] = f"{{ SELECT {names} WHERE {{ "
                out.append(" }")
        else:  # GRAPH as a keyword
            graph = _GRAPH_NAME.match(query, match.end())
            if graph is None:
                raise QueryRejected("GRAPH must be followed by a variable or an IRI, then a group")
            found += 1
            out.append(query[position : match.start()])
            out.append("{ ")
            name = graph["name"]
            if iris_as_variables and name[0] not in "?$":
                out.append(f"GRAPH ?{RESERVED}{found}")
                position = graph.start("name") + len(name)
                pending = (f"?{RESERVED}{found}", name, len(out) - 2)
            else:
                position = match.start()
                pending = (name, None, len(out) - 1)
    out.append(query[position:])
    return "".join(out), found


def _variables(text: str) -> list[str]:
    """The variables of a group's text (not those in strings, IRIs or comments)."""
    return [m.group() for m in _TOKEN.finditer(text) if m.group()[0] in "?$"]


@functools.lru_cache(maxsize=1024)
def _graph_patterns(query: str) -> int:
    """How many GRAPH patterns rdflib reads in ``query``."""
    try:
        tree = parseQuery(query)
    except Exception as exc:  # pyparsing raises several types: not a query rdflib can read
        raise QueryRejected(f"not a SPARQL query: {exc}") from exc
    return sum(1 for node in parse_tree_nodes(tree) if node.name == "GraphGraphPattern")


#: A term that is one token and nothing else, as rdflib writes it: an IRI, a literal (with a
#: language tag or a datatype IRI), a number or a boolean. Nothing in it can open a group, a GRAPH
#: pattern or a comment, whatever the engine's reading.
_PLAIN_TERM = re.compile(
    r'<[^<>"{}|^`\\\s]*>'
    r'|"(?:[^"\\\n\r]|\\.)*"(?:@[A-Za-z]+(?:-[A-Za-z0-9]+)*|\^\^<[^<>"{}|^`\\\s]*>)?'
    r"|[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|true|false"
)


def plain_terms(terms: list[str]) -> bool:
    """Whether every term is one plain token (``_PLAIN_TERM``): a VALUES block of them adds no
    group and no GRAPH pattern to a query, so the query is scoped as its template is.

    >>> plain_terms(['<http://e/a>', '"Granična policija"@sr-Latn', '"1"^^<http://e/int>', '12'])
    True
    >>> plain_terms(['<a"> } GRAPH ?g { ?s ?p ?o } #">'])
    False
    """
    return all(_PLAIN_TERM.fullmatch(term) for term in terms)


@functools.lru_cache(maxsize=1024)
def scoped_cached(query: str, node: str, graph_iris_as_variables: bool = False) -> str:
    """``scoped``, remembered (the same queries come again and again)."""
    return scoped(query, node, graph_iris_as_variables=graph_iris_as_variables)
