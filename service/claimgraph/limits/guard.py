"""The policy every public query passes before any store sees it.

Refused with 400 and a message: SERVICE (the engine would make the HTTP
request), FROM / FROM NAMED / default-graph-uri / named-graph-uri naming
anything but a graph of this dataset, brackets nested deeper than the engine's
stack survives, and queries over the size limit (413). Updates get 403.

Speed matters (this runs on every request): rdflib's parser takes milliseconds,
more than most queries need to run. So a sound screen comes first. After the
codepoint escapes are decoded (SPARQL decodes them before parsing, so
``SERV\\u0049CE`` is SERVICE), a query in which none of SCREEN_WORDS occurs, as a
keyword could, contains no SERVICE, no dataset clause and no update, and only
needs its form, read from the prologue. Any other query is parsed with rdflib,
and the parse tree decides; parses are cached. The engine runs the decoded text,
so the guard and the engine read the same characters.

>>> guard = QueryGuard(base="http://example.org/", prefixes={}, max_bytes=1000, max_depth=8)
>>> guard.check("SELECT * WHERE { ?s ?p ?o }").form
<QueryForm.SELECT: 'SELECT'>
>>> guard.check("PREFIX p: <http://example.org/> ASK { ?s p:wasDerivedFrom ?o }").form
<QueryForm.ASK: 'ASK'>
>>> guard.check("SELECT * WHERE { SERV\\\\u0049CE <http://127.0.0.1:9/> { ?s ?p ?o } }")
Traceback (most recent call last):
...
claimgraph.errors.QueryRejected: SERVICE is not allowed: this endpoint never queries other services
"""

from __future__ import annotations

import functools
import re
import sys
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass

from rdflib.plugins.sparql.algebra import translatePrologue
from rdflib.plugins.sparql.parser import expandUnicodeEscapes, parseQuery, parseUpdate

from claimgraph.errors import QueryForbidden, QueryRejected
from claimgraph.media import QueryForm
from claimgraph.sparql_syntax import may_be_keyword, parse_tree_nodes
from claimgraph.store import QueryDataset

#: Words whose absence proves a query has no SERVICE, FROM, LOAD or update operation.
SCREEN_WORDS = (
    "service", "from", "load", "insert", "delete", "clear", "drop",
    "create", "add", "move", "copy", "with", "using",
)  # fmt: skip
_SCREEN = re.compile("|".join(SCREEN_WORDS))
_SERVICE = re.compile("service")
SERVICE_REFUSAL = "SERVICE is not allowed: this endpoint never queries other services"
_ESCAPE = re.compile(r"\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}")
_SURROGATE = re.compile("[\ud800-\udfff]")
#: Most operators and pattern separators a query may hold (the engine builds one tree node per
#: operator, and walks its trees recursively: a long chain overflows its stack like deep nesting).
MAX_OPERATORS = 1000
#: Brackets, operators, and the tokens that may hide them from the parser: comments, strings, IRIs.
_TOKEN = re.compile(
    r"""[(){}\[\]]|\#[^\n\r]*
    |\|\||&&|[!=<>]=|[-+*/|^!<>=.;]
    |(?i:\b(?:union|optional|minus|filter|bind|graph|service|exists)\b)
    |'''(?:(?:'|'')?(?:[^'\\]|\\.))*'''|\"\"\"(?:(?:"|"")?(?:[^"\\]|\\.))*\"\"\"
    |'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*"
    |<[^<>"{}|^`\\\x00-\x20]*>""",
    re.VERBOSE | re.DOTALL,
)
_PROLOGUE = re.compile(
    r"""(?:\s+|\#[^\n\r]*|(?i:base)\s*<[^<>\s]*>|(?i:prefix)\s*[^\s:]*:\s*<[^<>\s]*>)*
    (?P<form>(?i:select|ask|construct|describe))\b""",
    re.VERBOSE,
)
_FORMS = {
    "SelectQuery": QueryForm.SELECT,
    "AskQuery": QueryForm.ASK,
    "ConstructQuery": QueryForm.CONSTRUCT,
    "DescribeQuery": QueryForm.DESCRIBE,
}


class QueryTooLarge(QueryRejected):
    """A query text over max_query_bytes (413)."""


@dataclass(frozen=True)
class GuardedQuery:
    """A query the policy admits: the text the engine runs (escapes decoded), its form, its dataset.

    ``dataset`` is the request's (default-graph-uri / named-graph-uri), which
    overrides the query's own FROM / FROM NAMED, or else the query's, or None:
    the store must be told, as its union default graph would otherwise win.
    """

    text: str
    form: QueryForm
    dataset: QueryDataset | None = None


@dataclass(frozen=True)
class QueryFacts:
    """What the policy needs to know of a query text, independent of the store's graphs."""

    form: QueryForm
    services: int = 0
    dataset: QueryDataset | None = None


class QueryGuard:
    """Admits or refuses public queries; one per app (it holds the parse cache)."""

    def __init__(
        self,
        *,
        base: str,
        prefixes: Mapping[str, str],
        max_bytes: int,
        max_depth: int,
        cache_size: int = 1024,
    ) -> None:
        self.base = base
        self.prefixes = dict(prefixes)
        self.max_bytes = max_bytes
        self.max_depth = max_depth
        # Where rdflib parses: by default here; a QueryRunner sets its sandbox, where the parse runs
        # within the time limit (a few kilobytes of operators take rdflib seconds).
        self.parse_call: Callable[[ParseCall], QueryFacts] = lambda call: call.run(None)
        # Keyed by the text as received: a repeated query (most traffic) costs one lookup. Refusals
        # are cached as well, so a refused query (a parser bomb too) costs one lookup when repeated.
        self._examined = functools.lru_cache(maxsize=cache_size)(self._examine_or_refusal)

    def check(
        self,
        query: str,
        dataset: QueryDataset | None = None,
        graphs: Callable[[], Collection[str]] = frozenset,
    ) -> GuardedQuery:
        """The admitted query; ``graphs`` lists the store's named graphs, asked only when needed.

        Raises QueryTooLarge (413), QueryForbidden for an update (403), QueryRejected (400).
        """
        examined = self._examined(query)
        if isinstance(examined, Exception):
            raise examined
        text, facts = examined
        if facts.services:
            raise QueryRejected(SERVICE_REFUSAL)
        requested = [d for d in (facts.dataset, dataset) if d and (d.default_graphs or d.named_graphs)]
        local = graphs() if requested else frozenset()
        for iri in (iri for d in requested for iri in (*d.default_graphs, *d.named_graphs)):
            if iri not in local:
                raise QueryRejected(
                    f"<{iri}> is not a named graph of this dataset: FROM, FROM NAMED, "
                    "default-graph-uri and named-graph-uri may only name local graphs "
                    "(the endpoint never fetches)"
                )
        return GuardedQuery(text, facts.form, requested[-1] if requested else None)

    def _examine_or_refusal(self, query: str) -> tuple[str, QueryFacts] | QueryRejected | QueryForbidden:
        try:
            return self._examine(query)
        except (QueryRejected, QueryForbidden) as exc:  # not StoreUnavailable, QueryTimeout: transient
            exc.__traceback__ = None  # the cache keeps the refusal, not the frames it was raised in
            return exc

    def _examine(self, query: str) -> tuple[str, QueryFacts]:
        """The text the engine reads (escapes decoded) and what it asks for; raises if it is refused."""
        if len(query.encode("utf-8")) > self.max_bytes:
            raise QueryTooLarge(f"the query is longer than {self.max_bytes} bytes (max_query_bytes)")
        text = decode_escapes(query)
        check_depth(text, self.max_depth)
        return text, self._inspect(text)

    def _inspect(self, text: str) -> QueryFacts:
        if not needs_parse(text):
            match = _PROLOGUE.match(text)
            if match:
                return QueryFacts(QueryForm(match["form"].upper()))
        return self.parse_call(ParseCall(text, self.base, self.prefixes))


@dataclass(frozen=True)
class ParseCall:
    """One rdflib parse of a query text as plain data, to cross into a sandbox process (which calls
    ``run``, as it does a QueryCall's, with its store, unused here): the facts, or a refusal."""

    text: str
    base: str
    prefixes: Mapping[str, str]

    def run(self, store: object) -> QueryFacts:
        # pyparsing recurses ~60 frames per bracket: max_nesting_depth brackets need more than 1000.
        sys.setrecursionlimit(max(sys.getrecursionlimit(), 8000))
        return parse_facts(self.text, self.base, self.prefixes)


def parse_facts(text: str, base: str, prefixes: Mapping[str, str]) -> QueryFacts:
    """What rdflib's parse of ``text`` says the policy needs; raises QueryRejected, QueryForbidden."""
    try:
        tree = parseQuery(text)
    except Exception as exc:  # pyparsing raises several types (RecursionError too): "not a query"
        # rdflib's grammar recurses without end on some nested SERVICE patterns: a query it cannot
        # read that may hold SERVICE gets the SERVICE refusal, the one it would get parsed.
        if needs_parse(text, _SERVICE):
            raise QueryRejected(SERVICE_REFUSAL) from exc
        if _is_update(text):
            raise QueryForbidden("updates are not accepted: this endpoint is read-only") from exc
        raise QueryRejected(str(exc)) from exc
    try:
        prologue = translatePrologue(tree[0], base, dict(prefixes))
        # CompValue.get(key) returns the key itself when it is missing: test membership instead.
        clauses = tree[1]["datasetClause"] if "datasetClause" in tree[1] else ()  # noqa: SIM401
        default, named = (
            tuple(str(prologue.absolutize(c[key])) for c in clauses if key in c)
            for key in ("default", "named")
        )
    except Exception as exc:  # an undeclared prefix in a FROM clause
        raise QueryRejected(str(exc)) from exc
    services = sum(1 for node in parse_tree_nodes(tree) if node.name == "ServiceGraphPattern")
    return QueryFacts(_FORMS[tree[1].name], services, QueryDataset(default, named) if clauses else None)


def decode_escapes(query: str) -> str:
    r"""The text with its \u and \U codepoint escapes decoded, as SPARQL does before parsing.

    An escape that decodes into another escape is refused: parsers differ on
    decoding twice, and the guard must read what the engine reads.

    >>> decode_escapes(r"SERV\u0049CE")
    'SERVICE'
    >>> decode_escapes(r"'\u005Cu0041'")
    Traceback (most recent call last):
    ...
    claimgraph.errors.QueryRejected: a \u escape may not decode into another escape
    """
    if "\\u" not in query and "\\U" not in query:
        return query
    try:
        text = expandUnicodeEscapes(query)
    except ValueError as exc:
        raise QueryRejected(str(exc)) from exc
    if _ESCAPE.search(text):
        raise QueryRejected("a \\u escape may not decode into another escape")
    surrogate = _SURROGATE.search(text)
    if surrogate:
        raise QueryRejected(
            f"\\u{ord(surrogate.group()):04X} is a surrogate, not a character: a query is Unicode text"
        )
    return text


def needs_parse(text: str, words: re.Pattern[str] = _SCREEN) -> bool:
    """False only if none of ``words`` (by default SCREEN_WORDS, so no SERVICE, FROM, LOAD or update)
    can be a keyword here.

    An occurrence is harmless when the run of letters, digits and '_' it sits in
    follows ':', '?', '$' or '@': a prefixed name, variable, blank node or language
    tag, one token to every SPARQL parser. Anything else, strings included, goes to
    the parser.

    >>> needs_parse("SELECT ?from WHERE { ?s prov:wasDerivedFrom ?from }")
    False
    >>> needs_parse("ASK FROM <http://example.org/g> { }")
    True
    >>> needs_parse("SELECT * WHERE { ?s ?p true} SERVICE <http://x/> {} }")
    True
    """
    return may_be_keyword(text, words)


def check_depth(text: str, max_depth: int, max_operators: int = MAX_OPERATORS) -> None:
    """Refuse brackets ( { [ nested deeper than ``max_depth``; strings and comments don't count.

    A run of prefix operators (``!!!!true``, ``- - -1``) nests as deep as brackets
    do in the engine's parser, so each counts as one level; and a query may hold at
    most ``max_operators`` operators and pattern separators (``+``, ``||``, ``/``,
    ``.``, UNION, OPTIONAL, FILTER, …), as long chains crash the engine too.

    The engine dies of a stack overflow (the whole process) a few thousand levels
    down, so this runs before any parser. Inside an IRI-like token ``<...>``
    (which may also be a less-than operator) brackets count, but cannot close
    below the depth the token started at: the count is never lower than the
    parser's.

    >>> check_depth("SELECT * { FILTER(regex(?o, '((((((((((')) }", 4)
    >>> check_depth("ASK { { { { { } } } } }", 4)
    Traceback (most recent call last):
    ...
    claimgraph.errors.QueryRejected: the query nests brackets 5 deep; the limit is 4 (max_nesting_depth)
    >>> check_depth("ASK { FILTER(!!!!!true) }", 4)
    Traceback (most recent call last):
    ...
    claimgraph.errors.QueryRejected: the query nests brackets 5 deep; the limit is 4 (max_nesting_depth)
    """
    if len(text) <= max_operators and _nesting_bound(text) <= max_depth:
        return  # neither limit can be reached (each token is one character or more): no scan needed
    scan_depth(text, max_depth, max_operators)


def scan_depth(text: str, max_depth: int, max_operators: int = MAX_OPERATORS) -> None:
    """check_depth's scan of the tokens, which it skips where neither limit can be reached."""
    depth = deepest = operators = unary = 0
    for match in _TOKEN.finditer(text):
        token = match.group()
        if token[0] == "<" and len(token) > 1 and token[1] != "=":
            floor = depth
            for char in token:
                if char in "([":
                    depth += 1
                    deepest = max(deepest, depth)
                elif char in ")]" and depth > floor:
                    depth -= 1
        elif token in ("(", "{", "["):
            depth += 1
            deepest = max(deepest, depth)
        elif token in (")", "}", "]"):
            depth = max(depth - 1, 0)
        elif token[0] not in "#'\"":
            operators += 1
            if operators > max_operators:
                raise QueryRejected(
                    f"the query holds more than {max_operators} operators and pattern separators; "
                    "split it into several queries"
                )
            # A run of prefix operators (!!!x, - - x) nests one level per operator in the parser.
            unary = unary + 1 if token in "!+-" and _prefix_position(text, match.start(), unary) else 0
            deepest = max(deepest, depth + unary)
        if token in ("(", "{", "[", ")", "}", "]") or token[0] in "<'\"":
            unary = 0
        if deepest > max_depth:
            raise QueryRejected(
                f"the query nests brackets {deepest} deep; the limit is {max_depth} (max_nesting_depth)"
            )


def _nesting_bound(text: str) -> int:
    """At least the depth check_depth finds: it counts a level for an opening bracket (in a token or
    in an IRI-like one) or a prefix operator (! + -), each a character of the text.

    >>> _nesting_bound("ASK { FILTER(!!?x) }"), _nesting_bound("SELECT * { ?s ?p <x:a-(b)> }")
    (4, 3)
    """
    return sum(text.count(char) for char in "({[!+-")


def _prefix_position(text: str, start: int, unary: int) -> bool:
    """Whether the operator at ``start`` is a prefix (unary) one: it follows another prefix operator,
    an opening bracket, an operator, a comma, or a keyword; not an operand (``?x - 1``)."""
    if unary:
        return True
    before = text[:start].rstrip()
    return not before or before[-1] in "({[,!=<>&|+-*/" or (before[-1].isalpha() and not _operand_end(before))


def _operand_end(before: str) -> bool:
    # A word ending an operand: a variable, a prefixed name, a number's exponent; keywords are not.
    word = re.search(r"[\w:?$.-]*$", before)
    return bool(word and (word.group()[:1] in "?$" or ":" in word.group()))


def _is_update(text: str) -> bool:
    try:
        parseUpdate(text)
    except Exception:  # not an update either: the caller reports the query parser's message
        return False
    return True
