"""A bounded fuzz run (hypothesis): deep and long constructs of every recursive kind of the grammar
reach /sparql, and each gets a 200 or a 4xx with a message: never a 5xx, never a lost process.

The kinds: brackets, prefix operators (``!!!x``, ``- - x``), function calls nested in each other,
property paths (sequences, alternatives, nesting, inverses, modifiers), binary operator chains,
and group patterns (UNION, OPTIONAL, MINUS, nested groups). Each comes plain (the guard's screen
admits it, the engine parses it) and with a FROM clause (the guard's rdflib parse runs, in a
sandbox process within the time limit).
"""

from __future__ import annotations

import pytest
from claimgraph import create_app
from claimgraph.errors import QueryRejected
from conftest import BASE, runner_for
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.integration

P = "<http://claimgraph.test/p>"


def unary(n: int, op: str) -> str:
    return f"ASK {{ FILTER({op * n}true) }}" if op == "!" else f"ASK {{ FILTER(({'- ' * n}1) != 0) }}"


def functions(n: int, name: str) -> str:
    return f"ASK {{ FILTER({f'{name}(' * n}'x'{')' * n} != '') }}"


def path(n: int, shape: str) -> str:
    element = {"seq": f"{P}/", "alt": f"{P}|", "inv": f"^{P}/", "mod": f"{P}*/"}
    if shape == "nest":
        return f"ASK {{ ?s {'(' * n}{P}{')+' * n} ?o }}"
    return f"ASK {{ ?s {element[shape] * n}{P} ?o }}"


def chain(n: int, op: str) -> str:
    operand = "true" if op in ("||", "&&") else "1"
    return f"ASK {{ FILTER(({f' {op} '.join([operand] * (n + 1))}) != 0) }}"


def groups(n: int, kind: str) -> str:
    pattern = "{ ?s ?p ?o }"
    if kind == "nest":
        return "ASK " + "{ " * n + "?s ?p ?o" + " }" * n
    if kind == "union":
        return "ASK { " + " UNION ".join([pattern] * (n + 1)) + " }"
    return f"ASK {{ ?s ?p ?o {f' {kind.upper()} {pattern}' * n} }}"


KINDS = st.one_of(
    st.tuples(st.just(unary), st.sampled_from(["!", "-"])),
    st.tuples(st.just(functions), st.sampled_from(["STR", "LCASE", "CONCAT", "COALESCE"])),
    st.tuples(st.just(path), st.sampled_from(["seq", "alt", "inv", "mod", "nest"])),
    st.tuples(st.just(chain), st.sampled_from(["+", "*", "||", "&&", "=", "<"])),
    st.tuples(st.just(groups), st.sampled_from(["nest", "union", "optional", "minus"])),
)
#: Sizes around every bound: small, near max_nesting_depth (64), near the operator bound (1000),
#: and far past both (within max_query_bytes).
SIZES = st.one_of(st.integers(1, 80), st.integers(900, 1100), st.integers(5000, 12000))


@pytest.fixture(scope="module")
def fuzz_client(loaded_store):
    return create_app({"base_iri": BASE, "query_timeout": 3}, store=loaded_store).test_client()


@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(kind=KINDS, size=SIZES, screened=st.booleans())
def test_deep_and_long_constructs_never_get_a_5xx(fuzz_client, kind, size, screened):
    build, variant = kind
    query = build(size, variant)
    if screened:  # a FROM clause: the guard parses the query with rdflib
        query = query.replace("ASK", f"ASK FROM <{BASE}graphs/none>", 1)
    response = fuzz_client.post("/sparql", data=query, content_type="application/sparql-query")
    body = response.get_data(as_text=True)
    assert response.status_code in (200, 400, 413), (query[:200], body)
    if response.status_code != 200:
        assert len(body.strip()) > len("Bad Request: "), body
    # Nothing was lost: the next query is answered.
    assert (
        fuzz_client.post("/sparql", data="ASK {}", content_type="application/sparql-query").status_code == 200
    )


def test_a_parse_past_the_time_limit_is_a_refusal_remembered(loaded_store):
    # 900 additions and a FROM clause: rdflib needs seconds (more than query_timeout) to parse it.
    runner = runner_for(loaded_store, query_timeout=0.5)
    parses: list[str] = []
    parse = runner.guard.parse_call

    def counted(call):
        parses.append(call.text)
        return parse(call)

    runner.guard.parse_call = counted
    bomb = f"ASK FROM <{BASE}graphs/none> {{ FILTER({'+'.join(['1'] * 900)} = 0) }}"
    try:
        for _ in range(2):
            with pytest.raises(QueryRejected, match=r"took longer than 0.5 s \(query_timeout\)"):
                runner.admit(bomb)
        assert len(parses) == 1  # the second time, the cached refusal
        with pytest.raises(QueryRejected, match="Expected"):
            runner.admit("SELECT * FROM <x:y> WHERE { ?s ?p }")
        with pytest.raises(QueryRejected, match="Expected"):
            runner.admit("SELECT * FROM <x:y> WHERE { ?s ?p }")
        assert len(parses) == 2  # a failed parse is remembered too
        assert runner.sparql("ASK {}", media_type="text/csv").chunks == [b"true"]
    finally:
        runner.close()
