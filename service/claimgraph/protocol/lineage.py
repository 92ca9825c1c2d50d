"""Citation mode: each SELECT solution with the claims and sources whose graphs supplied it.

Why-provenance by algebra rewriting (rdflib's parser and algebra, re-serialised with
translateAlgebra, never by editing query text):

1. the query runs unchanged, so its solutions (and aggregates) are exactly the ordinary ones;
2. a second, *lineage* query is derived from its algebra: every triple pattern is wrapped in
   its own ``GRAPH ?__citeN`` (a user's own ``GRAPH`` binds its graph the same way), joined
   with ``VALUES`` of the key variables of the rows just returned, and projects the keys and
   the graphs;
3. each solution's citations are the graphs of the lineage rows with its key: for a grouped
   query the key is the GROUP BY variables, so the citations of a group are the union of its
   members'. Graphs map to claims (assertion and provenance graphs) and claims to sources.

Supported: basic graph patterns, OPTIONAL, UNION, FILTER, BIND, VALUES, GRAPH, property paths of
length one (``p``, ``^p``, ``p|q``, ``!p``) and sequences of them (``p/q``, expanded into a chain
of triples, each cited), DISTINCT, ORDER BY, LIMIT, GROUP BY with aggregates, and sub-queries of
those (a nested SELECT, grouped or not). Anything else (``p*``, ``p+``, ...) is refused with
QueryRejected naming the construct.

A sub-query's rows are cited as a query's are: by what its own pattern matched, keyed by the
variables it projects (a grouped one: its GROUP BY variables, which it must project). In the
lineage query it stays a sub-query (its other variables stay inside), projecting those keys and
its citations; an aggregate it computes is matched back from the outer row, not recomputed.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

import pyoxigraph as ox
from rdflib import Literal, URIRef, Variable
from rdflib.paths import AlternativePath, InvPath, NegatedPath, Path, SequencePath
from rdflib.plugins.sparql.algebra import translateAlgebra, translateQuery
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.plugins.sparql.sparql import Query
from rdflib.query import Result, ResultRow
from rdflib.term import Identifier, Node

from claimgraph.errors import QueryRejected, ResultTooLarge
from claimgraph.limits.runner import QueryRunner
from claimgraph.media import SOLUTIONS
from claimgraph.store import SparqlResult, Store

CITE_PREFIX = "__cite"
CLAIMS_VAR = "citedClaims"
SOURCES_VAR = "citedSources"

#: Pattern nodes the rewrite walks through; anything else is refused.
_PATTERN_CHILDREN = {
    "BGP": (),
    "Join": ("p1", "p2"),
    "LeftJoin": ("p1", "p2"),
    "Union": ("p1", "p2"),
    "Filter": ("p",),
    "Extend": ("p",),
    "Graph": (),
    "ToMultiSet": (),
    "Minus": ("p1",),
}
_NAMES = {
    "Project": "a sub-query (nested SELECT)",
    "Group": "a sub-query with GROUP BY",
    "ServiceGraphPattern": "SERVICE",
}


@dataclass(frozen=True)
class CitationPlan:
    """What the original query projects, which of those variables key the lineage, and how."""

    variables: tuple[str, ...]
    keys: tuple[str, ...]
    pattern: CompValue
    cite_vars: tuple[str, ...]

    def lineage_query(self, rows: Sequence[dict[str, Node]]) -> str:
        """The lineage query for these rows of the original query's result."""
        keys = [Variable(k) for k in self.keys]
        pattern = self.pattern
        if keys:
            # One VALUES block per set of bound keys: a key left unbound (OPTIONAL) is not
            # constrained, and the lineage rows are matched back by their full key anyway.
            by_bound: dict[tuple[Variable, ...], set[tuple[Node, ...]]] = {}
            for row in rows:
                bound = tuple(k for k in keys if row.get(str(k)) is not None)
                by_bound.setdefault(bound, set()).add(tuple(row[str(k)] for k in bound))
            blocks = [
                CompValue(
                    "ToMultiSet",
                    p=CompValue("values", res=[dict(zip(bound, combo, strict=True)) for combo in combos]),
                )
                for bound, combos in sorted(by_bound.items(), key=lambda item: len(item[0]))
            ]
            values = blocks[0]
            for block in blocks[1:]:
                values = CompValue("Union", p1=values, p2=block)
            pattern = CompValue("Join", p1=values, p2=pattern, lazy=False)
        projected = [*keys, *(Variable(c) for c in self.cite_vars)]
        project = CompValue("Project", p=pattern, PV=projected)
        query = CompValue("SelectQuery", p=CompValue("Distinct", p=project), PV=projected, datasetClause=None)
        # _Query has the two attributes translateAlgebra reads of an rdflib Query.
        return translateAlgebra(cast(Query, _Query(query)))


class _Query:
    """The minimal object translateAlgebra reads: ``.algebra`` and ``.prologue``."""

    def __init__(self, algebra: CompValue) -> None:
        self.algebra = algebra
        self.prologue = None


def plan(query: str, *, base: str | None, prefixes: dict[str, str]) -> CitationPlan:
    """Analyse a SELECT for citation mode; raises QueryRejected for what it cannot handle."""
    try:
        parsed = parseQuery(query)
        algebra = translateQuery(parsed, base=base, initNs=prefixes).algebra
    except Exception as exc:  # pyparsing and the algebra raise many types; all are user errors
        raise QueryRejected(f"cannot parse the query for citation mode: {exc}") from exc
    if algebra.name != "SelectQuery":
        raise QueryRejected("citation mode works on SELECT queries only")
    project = _find_project(algebra.p)
    variables = tuple(str(v) for v in project.PV)
    group = _find(project.p, "Group")
    if group is not None:
        pattern_root = group.p
        keys = _group_keys(group, variables)
    else:
        pattern_root = _strip_modifiers(project.p)
        bound = _pattern_vars(pattern_root)
        keys = tuple(v for v in variables if Variable(v) in bound)
    cites: list[str] = []
    rewritten = _rewrite(pattern_root, cites)
    cite_vars = tuple(dict.fromkeys(cites))
    if not cite_vars:
        raise QueryRejected("citation mode needs at least one triple pattern to cite")
    return CitationPlan(variables, keys, rewritten, cite_vars)


def _find_project(node: CompValue) -> CompValue:
    while node.name in {"Slice", "Distinct", "Reduced", "OrderBy"}:
        node = node.p
    if node.name != "Project":
        raise QueryRejected(f"citation mode cannot handle {node.name}")
    return node


def _find(node: Any, name: str) -> CompValue | None:
    """The first node called ``name`` on the chain of ``p`` children (not inside patterns)."""
    while isinstance(node, CompValue):
        if node.name == name:
            return node
        if node.name in {"Extend", "Filter", "OrderBy", "AggregateJoin", "Project"}:
            node = node.p
        else:
            return None
    return None


def _strip_modifiers(node: CompValue) -> CompValue:
    while node.name == "OrderBy":
        node = node.p
    return node


def _group_keys(group: CompValue, variables: tuple[str, ...]) -> tuple[str, ...]:
    keys = []
    for expr in group.expr or []:
        if not isinstance(expr, Variable):
            raise QueryRejected("citation mode needs GROUP BY on plain variables, not expressions")
        if str(expr) not in variables:
            raise QueryRejected(f"citation mode needs the GROUP BY variable ?{expr} in the SELECT clause")
        keys.append(str(expr))
    return tuple(keys)


def _pattern_vars(node: CompValue) -> set[Variable]:
    return set(getattr(node, "_vars", set()) or set())


def _new_cite(cites: list[str]) -> Variable:
    name = f"{CITE_PREFIX}{sum(1 for c in cites if c.startswith(CITE_PREFIX)) + 1}"
    cites.append(name)
    return Variable(name)


def _rewrite(node: CompValue, cites: list[str]) -> CompValue:
    """The pattern with every triple in its own GRAPH ?__citeN; appends the new names to ``cites``."""
    name = node.name
    if name not in _PATTERN_CHILDREN:
        raise QueryRejected(f"citation mode cannot handle {_NAMES.get(name, name)}")
    if name == "BGP":
        return _cite_triples(node.triples, cites)
    if name == "Graph":
        # The user's GRAPH already says where its triples come from: cite that graph.
        if isinstance(node.term, Variable):
            cites.append(str(node.term))
            return node
        return _bind(node, node.term, _new_cite(cites))
    if name == "ToMultiSet":
        return node if node.p.name == "values" else _cite_subquery(node.p, cites)
    if name == "Extend":
        return _bind(_rewrite(node.p, cites), node.expr, node.var)
    changes = {child: _rewrite(node[child], cites) for child in _PATTERN_CHILDREN[name]}
    return CompValue(name, **{**{k: v for k, v in node.items() if k != "_vars"}, **changes})


def _cite_subquery(node: CompValue, cites: list[str]) -> CompValue:
    """A nested SELECT's lineage: its pattern cited, as a sub-query projecting its keys (the projected
    variables its pattern binds; grouped, its GROUP BY variables) and the citations made inside."""
    while node.name in {"Slice", "Distinct", "Reduced"}:
        node = node.p
    if node.name != "Project":
        raise QueryRejected(f"citation mode cannot handle {_NAMES.get(node.name, node.name)} in a sub-query")
    projected = [str(v) for v in node.PV]
    group = _find(node.p, "Group")
    if group is not None:
        keys = _group_keys(group, tuple(projected))
        inner = group.p
    else:
        keys = tuple(projected)  # each bound by the pattern, or by the BIND its projection became
        inner = _strip_modifiers(node.p)
    start = len(cites)
    pattern = _rewrite(inner, cites)
    for name in [c for c in cites[start:] if not c.startswith(CITE_PREFIX)]:
        # A GRAPH ?g of the sub-query: ?g may mean something else outside it, so its graph
        # leaves the sub-query under a name of its own.
        pattern = _bind(pattern, Variable(name), _new_cite(cites))
    cites[start:] = [c for c in cites[start:] if c.startswith(CITE_PREFIX)]
    made = [Variable(c) for c in dict.fromkeys(cites[start:])]
    project = CompValue("Project", p=pattern, PV=[*(Variable(k) for k in keys), *made])
    return CompValue("ToMultiSet", p=project)


def _bind(pattern: CompValue, expr: Any, var: Variable) -> CompValue:
    """BIND(expr AS var) after ``pattern``, written as ``{ SELECT <pattern's vars> (expr AS var) }``.

    The same solutions; translateAlgebra can only write an expression into a SELECT clause
    (it would lift a plain BIND into the outer one).
    """
    variables = sorted(_variables(pattern), key=str)
    project = CompValue("Project", p=CompValue("Extend", p=pattern, expr=expr, var=var), PV=[*variables, var])
    return CompValue("ToMultiSet", p=project)


def _variables(node: Any) -> set[Variable]:
    """Variables a rewritten pattern can bind (not those only inside expressions)."""
    if not isinstance(node, CompValue):
        return set()
    if node.name == "BGP":
        return {term for triple in node.triples for term in triple if isinstance(term, Variable)}
    if node.name == "values":
        return {var for row in node.res for var in row}
    if node.name == "Project":
        return set(node.PV)
    found = {node.term} if node.name == "Graph" and isinstance(node.term, Variable) else set()
    if node.name == "Extend":
        found.add(node.var)
    for child in ("p", "p1", "p2"):
        if child in node and not (node.name == "Minus" and child == "p2"):
            found |= _variables(node[child])
    return found


def _cite_triples(triples: list[tuple[Node, Any, Node]], cites: list[str]) -> CompValue:
    parts = []
    for subject, predicate, obj in triples:
        for triple in _expand_path(subject, predicate, obj, cites):
            parts.append(CompValue("Graph", term=_new_cite(cites), p=CompValue("BGP", triples=[triple])))
    if not parts:
        return CompValue("BGP", triples=[])
    joined = parts[0]
    for part in parts[1:]:
        joined = CompValue("Join", p1=joined, p2=part, lazy=False)
    return joined


def _expand_path(subject: Node, predicate: Any, obj: Node, cites: list[str]) -> list[tuple[Node, Any, Node]]:
    """One triple per step: a sequence of length-one steps becomes a chain through fresh variables."""
    if isinstance(predicate, SequencePath):
        steps = list(predicate.args)
        links = [Variable(f"{CITE_PREFIX}path{len(cites)}x{n}") for n in range(len(steps) - 1)]
        nodes = [subject, *links, obj]
        triples = []
        for n, step in enumerate(steps):
            triples += _expand_path(nodes[n], step, nodes[n + 1], cites)
        return triples
    if isinstance(predicate, Path) and not _length_one(predicate):
        raise QueryRejected(
            "citation mode supports property paths of length one (p, ^p, p|q, !p) and sequences of "
            f"them (p/q), not {predicate.n3()}"
        )
    return [(subject, predicate, obj)]


def _length_one(path: Path) -> bool:
    if isinstance(path, InvPath):
        return isinstance(path.arg, URIRef)
    if isinstance(path, NegatedPath):
        return True
    if isinstance(path, AlternativePath):
        return all(isinstance(a, URIRef) or (isinstance(a, Path) and _length_one(a)) for a in path.args)
    return False


# -- running it --------------------------------------------------------------------------------
JSON_RESULTS = "application/sparql-results+json"
#: The results formats citation mode answers in, by media type.
RESULT_FORMATS = {fmt.media_type: fmt for fmt in SOLUTIONS}
LINEAGE_QUERY = """
SELECT ?graph ?claim ?source WHERE {
  { ?claim cg:assertion ?graph } UNION { GRAPH ?graph { ?claim a schema:Claim } }
  OPTIONAL { ?claim prov:wasDerivedFrom ?source }
}
"""


@dataclass(frozen=True)
class Lineage:
    """Which claim a graph belongs to, and which sources each claim is derived from."""

    claim_of_graph: dict[Node, URIRef]
    sources_of_claim: dict[URIRef, frozenset[URIRef]]

    @classmethod
    def read(cls, store: Store) -> Lineage:
        claim_of_graph: dict[Node, URIRef] = {}
        sources: dict[URIRef, set[URIRef]] = {}
        for row in store.select(LINEAGE_QUERY):
            claim = URIRef(str(row["claim"]))
            claim_of_graph[row["graph"]] = claim
            sources.setdefault(claim, set())
            if "source" in row:
                sources[claim].add(URIRef(str(row["source"])))
        return cls(claim_of_graph, {c: frozenset(s) for c, s in sources.items()})

    def cite(self, graphs: set[Node]) -> tuple[list[URIRef], list[URIRef]]:
        claims = sorted({self.claim_of_graph[g] for g in graphs if g in self.claim_of_graph})
        sources = sorted({s for c in claims for s in self.sources_of_claim.get(c, ())})
        return claims, sources


def run_cited(
    runner: QueryRunner,
    query: str,
    *,
    base: str | None,
    prefixes: dict[str, str],
    media_type: str,
    max_rows: int | None = None,
    max_bytes: int | None = None,
) -> SparqlResult:
    """Run ``query`` and its lineage query, each as a public query (``runner``, under its time
    limit); the result has two extra variables of cited IRIs."""
    if media_type not in RESULT_FORMATS:
        raise QueryRejected(f"citation mode answers in {sorted(RESULT_FORMATS)}, not {media_type}")
    citation_plan = plan(query, base=base, prefixes=prefixes)
    # The rows are held as rdflib terms, several times their size as JSON: a smaller cap keeps a
    # worker's memory within what max_result_bytes promises (README, "Memory per result").
    max_bytes = max(1, max_bytes // CITED_SHARE) if max_bytes else max_bytes
    try:
        rows = _select(runner, query, max_rows, max_bytes)
        lineage_rows = _select(runner, citation_plan.lineage_query(rows), None, max_bytes) if rows else []
    except ResultTooLarge as exc:
        if "max_result_bytes" not in str(exc):
            raise
        raise ResultTooLarge(
            f"citation mode holds results in memory as terms, so it takes results up to 1/{CITED_SHARE} of"
            f" max_result_bytes ({max_bytes} bytes); add a LIMIT"
        ) from exc
    cited = attach_citations(citation_plan, rows, lineage_rows, Lineage.read(runner.store))
    result = Result("SELECT")
    result.vars = [Variable(v) for v in (*citation_plan.variables, CLAIMS_VAR, SOURCES_VAR)]
    result.bindings = [{Variable(k): cast(Identifier, v) for k, v in row.items()} for row in cited]
    body = result.serialize(format="json") or b""
    target = RESULT_FORMATS[media_type].oxigraph
    if media_type != JSON_RESULTS and isinstance(target, ox.QueryResultsFormat):
        # rdflib writes no TSV; pyoxigraph writes every results format, as for any other query.
        solutions = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
        body = solutions.serialize(format=target) or b""
    return SparqlResult(media_type, [body])


#: Citation mode takes results up to this fraction of max_result_bytes (run_cited says why).
CITED_SHARE = 16


def attach_citations(
    citation_plan: CitationPlan,
    rows: list[dict[str, Node]],
    lineage_rows: list[dict[str, Node]],
    lineage: Lineage,
) -> list[dict[str, Node]]:
    """Each row with ``citedClaims`` and ``citedSources``: space-separated IRIs, sorted."""
    graphs_by_key: dict[tuple[Node | None, ...], set[Node]] = {}
    for row in lineage_rows:
        key = tuple(row.get(k) for k in citation_plan.keys)
        graphs_by_key.setdefault(key, set()).update(row[c] for c in citation_plan.cite_vars if c in row)
    cited = []
    for row in rows:
        claims, sources = lineage.cite(
            graphs_by_key.get(tuple(row.get(k) for k in citation_plan.keys), set())
        )
        cited.append(
            {
                **row,
                CLAIMS_VAR: Literal(" ".join(claims)),
                SOURCES_VAR: Literal(" ".join(sources)),
            }
        )
    return cited


def _select(
    runner: QueryRunner, query: str, max_rows: int | None, max_bytes: int | None
) -> list[dict[str, Node]]:
    result = runner.sparql(query, media_type=JSON_RESULTS, max_rows=max_rows, max_bytes=max_bytes)
    parsed = Result.parse(io.BytesIO(b"".join(result.chunks)), format="json")
    return [{str(k): v for k, v in cast(ResultRow, row).asdict().items()} for row in parsed]
