"""The query guard, as a unit: what it admits, what it refuses, and that the cheap screen is sound."""

from __future__ import annotations

import pytest
from claimgraph.errors import QueryForbidden, QueryRejected
from claimgraph.limits import guard as sparql_guard
from claimgraph.limits.guard import QueryGuard, QueryTooLarge, check_depth, decode_escapes, needs_parse
from claimgraph.media import QueryForm
from claimgraph.store import QueryDataset
from hypothesis import given, settings
from hypothesis import strategies as st

BASE = "http://claimgraph.test/"
LOCAL = frozenset({BASE + "claims/c1/assertion", BASE + "graphs/context"})
PREFIXES = {"schema": "http://schema.org/", "prov": "http://www.w3.org/ns/prov#", "cg": BASE + "ontology#"}


@pytest.fixture
def guard() -> QueryGuard:
    return QueryGuard(base=BASE, prefixes=PREFIXES, max_bytes=2000, max_depth=16)


def check(guard: QueryGuard, query: str, dataset: QueryDataset | None = None):
    return guard.check(query, dataset, lambda: LOCAL)


@pytest.fixture
def parses(monkeypatch) -> list[str]:
    """Every text the guard hands to rdflib's parser."""
    seen: list[str] = []
    real = sparql_guard.parseQuery

    def counting(text: str):
        seen.append(text)
        return real(text)

    monkeypatch.setattr(sparql_guard, "parseQuery", counting)
    return seen


# -- forms -------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("query", "form"),
    [
        ("SELECT * WHERE { ?s ?p ?o }", QueryForm.SELECT),
        ("# a comment\nPREFIX ex: <http://e/>\nBASE <http://b/>\nask { ?s ?p ?o }", QueryForm.ASK),
        ("CONSTRUCT WHERE { ?s ?p ?o }", QueryForm.CONSTRUCT),
        ("DESCRIBE <claims/c1>", QueryForm.DESCRIBE),
        ("SELECT ?s FROM <http://claimgraph.test/graphs/context> WHERE { ?s ?p ?o }", QueryForm.SELECT),
        ("CONSTRUCT { ?s ?p ?o } FROM <graphs/context> WHERE { ?s ?p ?o }", QueryForm.CONSTRUCT),
    ],
)
def test_form_is_found_with_or_without_a_parse(guard, query, form):
    assert check(guard, query).form is form


def test_keyword_free_queries_are_never_parsed(guard, parses):
    for query in (
        "SELECT ?claim WHERE { ?claim prov:wasDerivedFrom ?source ; schema:text ?text }",
        "SELECT ?address ?fromDate WHERE { ?x cg:address ?address ; cg:validFrom ?fromDate }",
        "PREFIX ex: <http://example.org/> ASK { ex:a ex:loadFactor ?o }",
    ):
        check(guard, query)
    assert parses == []


def test_parses_are_cached(guard, parses):
    query = f"SELECT * FROM <{BASE}graphs/context> WHERE {{ ?s ?p ?o }}"
    for _ in range(3):
        check(guard, query)
    assert len(parses) == 1


def test_the_engine_runs_the_decoded_text(guard):
    admitted = check(guard, r"SELECT * WHERE { ?s schema:text 'S\u00E3o Paulo' }")
    assert admitted.text == "SELECT * WHERE { ?s schema:text 'São Paulo' }"


# -- SERVICE ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
        "SELECT * WHERE { SERVICE SILENT <https://example.org/sparql> { ?s ?p ?o } }",
        "SELECT * WHERE { SERVICE ?endpoint { ?s ?p ?o } }",
        "SELECT * WHERE { ?s ?p ?o OPTIONAL { SERVICE <file:///etc/passwd> { ?s ?q ?r } } }",
        "SELECT * WHERE { ?s ?p ?o FILTER EXISTS { SERVICE <http://x/> { ?s ?q ?r } } }",
        "ASK { { SELECT * WHERE { SERVICE <http://x/> { ?s ?p ?o } } } }",
        "ASK { ?s ?p ?o MINUS { SERVICE <http://x/> { ?s ?q ?r } } }",
        "CONSTRUCT { ?s ?p ?o } WHERE { service <http://x/> { ?s ?p ?o } }",
        "PREFIX e: <http://x/> SELECT * { SERVICE e:sparql { ?s ?p ?o } }",
        r"SELECT * WHERE { SERV\u0049CE <http://x/> { ?s ?p ?o } }",
        r"SELECT * WHERE { \u0053\u0045\u0052\u0056\u0049\u0043\u0045 <http://x/> { ?s ?p ?o } }",
        r"SELECT * WHERE { SERVI\U00000043E <http://x/> { ?s ?p ?o } }",
        "SELECT * WHERE { ?s ?p 1 SERVICE <http://x/> { } }",
    ],
)
def test_service_is_refused(guard, query):
    with pytest.raises(QueryRejected, match="SERVICE is not allowed"):
        check(guard, query)


@pytest.mark.parametrize(
    "query",
    [
        # pyoxigraph reads these as a triple pattern followed by SERVICE (or FROM).
        "SELECT * WHERE { ?s ?p trueSERVICE <http://x/> { } }",
        "SELECT * WHERE { ?s ?p 1SERVICE <http://x/> { } }",
        "ASKFROM <http://x/> {}",
    ],
)
def test_keywords_glued_to_the_previous_token_are_never_admitted(guard, query):
    with pytest.raises(QueryRejected):
        check(guard, query)


def test_an_escape_that_decodes_into_an_escape_is_refused(guard):
    # Decoded once, this is `SERV\u0049CE`: a parser that decodes twice would see SERVICE.
    with pytest.raises(QueryRejected, match="may not decode into another escape"):
        check(guard, r"SELECT * WHERE { SERV\u005Cu0049CE <http://x/> { ?s ?p ?o } }")


def test_a_string_mentioning_service_is_fine(guard):
    admitted = check(guard, "SELECT * WHERE { ?s schema:text 'the SERVICE of the state' }")
    assert admitted.form is QueryForm.SELECT


# -- FROM, FROM NAMED, the protocol's dataset -------------------------------------------------------
@pytest.mark.parametrize(
    "query",
    [
        "SELECT * FROM <http://127.0.0.1:9/data.ttl> WHERE { ?s ?p ?o }",
        "SELECT * FROM NAMED <https://example.org/g> WHERE { GRAPH ?g { ?s ?p ?o } }",
        "SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }",
        "SELECT * FROM <claims/c9/assertion> WHERE { ?s ?p ?o }",
        "PREFIX e: <http://x/> SELECT * FROM e:g WHERE { ?s ?p ?o }",
        r"SELECT * FR\u004FM <http://x/> WHERE { ?s ?p ?o }",
    ],
)
def test_from_a_graph_that_is_not_local_is_refused(guard, query):
    with pytest.raises(QueryRejected, match="is not a named graph of this dataset"):
        check(guard, query)


def test_from_local_graphs_gives_the_query_dataset(guard):
    admitted = check(guard, "SELECT * FROM <graphs/context> FROM NAMED <claims/c1/assertion> { ?s ?p ?o }")
    assert admitted.dataset == QueryDataset((BASE + "graphs/context",), (BASE + "claims/c1/assertion",))


def test_no_dataset_clause_means_no_dataset(guard):
    assert check(guard, "SELECT * { ?s ?p ?o }").dataset is None


@pytest.mark.parametrize("field", ["default_graphs", "named_graphs"])
def test_protocol_dataset_naming_an_outside_graph_is_refused(guard, field):
    with pytest.raises(QueryRejected, match=r"<http://127\.0\.0\.1:9/g> is not a named graph"):
        check(guard, "ASK {}", QueryDataset(**{field: ("http://127.0.0.1:9/g",)}))


def test_protocol_dataset_overrides_the_query_dataset(guard):
    requested = QueryDataset((BASE + "claims/c1/assertion",))
    assert check(guard, "SELECT * FROM <graphs/context> { ?s ?p ?o }", requested).dataset == requested


def test_graphs_are_only_listed_when_a_dataset_is_named(guard):
    def no_listing():
        raise AssertionError("listed the graphs for a query without a dataset")

    guard.check("SELECT * { ?s ?p ?o }", None, no_listing)


# -- updates ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "update",
    [
        "INSERT DATA { <x:a> <x:b> <x:c> }",
        "DELETE WHERE { ?s ?p ?o }",
        "LOAD <http://127.0.0.1:9/data.ttl>",
        "LOAD SILENT <file:///etc/passwd> INTO GRAPH <x:g>",
        "CLEAR ALL",
        "DROP GRAPH <x:g>",
        "CREATE GRAPH <x:g>",
        "ADD DEFAULT TO <x:g>",
        "MOVE <x:a> TO <x:b>",
        "COPY <x:a> TO <x:b>",
        "WITH <x:g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
        "DELETE { ?s ?p ?o } USING <x:g> WHERE { ?s ?p ?o }",
        "PREFIX ex: <http://e/> INSERT { ex:a ex:b ?o } WHERE { ?s ?p ?o }",
    ],
)
def test_updates_are_forbidden(guard, update):
    with pytest.raises(QueryForbidden, match="read-only"):
        check(guard, update)


# -- syntax errors, size ------------------------------------------------------------------------------
def test_a_syntax_error_found_by_the_parse_carries_rdflib_message(guard):
    with pytest.raises(QueryRejected, match="Expected"):
        check(guard, "SELECT * FROM WHERE { ?s ?p ?o }")


def test_a_keyword_free_syntax_error_is_left_to_the_engine(guard, parses):
    # No screen word: the guard admits it without a parse, and the engine reports the error.
    assert check(guard, "SELECT ?s WHERE { ?s ?p }").form is QueryForm.SELECT
    assert parses == []


def test_an_unknown_form_is_parsed_for_a_message(guard):
    with pytest.raises(QueryRejected, match="Expected"):
        check(guard, "SELEC * { ?s ?p ?o }")


def test_a_query_over_max_bytes_is_too_large(guard):
    with pytest.raises(QueryTooLarge, match="max_query_bytes"):
        check(guard, "ASK {} #" + "é" * 1000)  # 2,008 bytes in UTF-8, though 1,008 characters


# -- the screen -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("SELECT * { ?s ?p ?o }", False),
        ("SELECT ?from { ?s prov:wasDerivedFrom ?from }", False),
        ("SELECT * { ?s ex:service ?o }", False),
        ("SELECT * { _:service ?p ?o }", False),
        ("SELECT * { ?s ?p 'x'@service }", False),
        ("SELECT * { ?s ?p 'served from here' }", True),  # strings go to the parser
        ("ASK FROM <x:g> {}", True),
        ("ASKFROM <x:g> {}", True),
        ("SELECT * { ?s ?p <http://x/service> }", True),
        ("SELECT * { ?s ?p 1SERVICE <x:e> {} }", True),
        ("SELECT * { ?s ?p ?o . SERVICE <x:e> {} }", True),
        ("INSERT DATA {}", True),
    ],
)
def test_the_screen(text, expected):
    assert needs_parse(text) is expected


def test_decode_escapes_leaves_plain_text_alone():
    text = "SELECT * { ?s ?p 'no escapes' }"
    assert decode_escapes(text) is text


# -- nesting ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        "SELECT * { FILTER(regex(?o, '((((((((((((((((((((((((((')) }",
        'SELECT * { ?s ?p """[[[[[[[[[[[[[[[[[[[[[[[\n[[[[[[[[[""" }',
        "SELECT * { ?s ?p ?o } # ((((((((((((((((((((((((((((((",
        "SELECT * { ?s ?p <http://en.wikipedia.org/wiki/Serbia_(country)> }" * 30,
    ],
)
def test_brackets_in_strings_comments_and_iris_do_not_count(text):
    check_depth(text, 4)


@pytest.mark.parametrize(
    "text",
    [
        "ASK { " + "{ " * 20 + "}" * 20 + " }",
        "SELECT * { FILTER(" + "(" * 20 + "1" + ")" * 20 + ") }",
        "SELECT * { ?s ?p " + "[ <x:p> " * 20 + "]" * 20 + " }",
        # Closing brackets inside a string cannot lower the count before more openers.
        "SELECT * { FILTER('" + ")" * 30 + "') " + "(" * 20 + "1" + ")" * 20 + " }",
        # Nor inside an IRI-like token, which may be a less-than operator to the parser.
        "SELECT * { FILTER(?a<" + ")" * 30 + ">" + "(" * 20 + "1" + ")" * 20 + ") }",
    ],
)
def test_deep_nesting_is_refused(text):
    with pytest.raises(QueryRejected, match="max_nesting_depth"):
        check_depth(text, 16)


def test_nesting_is_checked_before_any_parser(parses):
    guard = QueryGuard(base=BASE, prefixes=PREFIXES, max_bytes=100_000, max_depth=64)
    with pytest.raises(QueryRejected, match="max_nesting_depth"):
        check(guard, "SELECT * FROM <x:g> { " + "{ " * 5000 + "}" * 5000 + " }")
    assert parses == []


_PIECES = ["(", ")", "{", "}", "[", "]", "!", "+", "-", " ", "?x", "<x:a(b>", "'(('", "# ((\n", ".", "UNION "]


@given(
    pieces=st.lists(st.sampled_from(_PIECES), max_size=40), depth=st.integers(1, 6), ops=st.integers(1, 30)
)
@settings(max_examples=400, deadline=None)
def test_check_depth_skips_the_scan_only_where_the_scan_would_refuse_nothing(pieces, depth, ops):
    text = "".join(pieces)
    refusal = _refusal(lambda: sparql_guard.scan_depth(text, depth, ops))
    assert _refusal(lambda: check_depth(text, depth, ops)) == refusal


def _refusal(check) -> str | None:
    try:
        check()
    except QueryRejected as refused:
        return str(refused)
    return None
