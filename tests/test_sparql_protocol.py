"""/sparql per the SPARQL 1.1 Protocol, against a real `claimgraph serve` process (and gunicorn).

The server reads a store built from tests/data/protocol.trig: two claims, each
with an assertion and a provenance graph, plus a context graph (20 quads, 5 graphs).
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import time

import pytest
import requests
from claimgraph import media
from claimgraph.errors import QueryTimeout
from claimgraph.limits.network import leave_network
from live_server import (
    children,
    claimgraph_serve,
    data_version,
    gunicorn_serve,
    gunicorn_workers,
    slow_query,
)
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, JSONLD, N3, POST, POSTDIRECTLY, RDFXML, TSV, TURTLE, XML, SPARQLWrapper

pytestmark = [
    pytest.mark.integration,
    # SPARQLWrapper builds rdflib ConjunctiveGraphs, which rdflib 7 deprecates: not ours to fix.
    pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning"),
]

SCHEMA = "http://schema.org/"
SD = "http://www.w3.org/ns/sparql-service-description#"
CLAIMS = "SELECT ?claim ?text WHERE { ?claim a schema:Claim ; schema:text ?text } ORDER BY ?claim"
CONSTRUCT = "CONSTRUCT { ?claim schema:text ?text } WHERE { ?claim schema:text ?text }"
LABELS = "SELECT ?label WHERE { <sources/survey> rdfs:label ?label }"
RDF_PARSERS = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",
    "application/trig": "trig",
    "application/n-quads": "nquads",
}
MAX_QUERY_BYTES = 4096


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    with claimgraph_serve(
        tmp_path_factory.mktemp("serve"), max_query_bytes=MAX_QUERY_BYTES, max_result_rows=100
    ) as url:
        yield url


@pytest.fixture(scope="module")
def endpoint(base):
    return base + "sparql"


def mime(response: requests.Response) -> str:
    """The response's media type; a text type, or one whose format takes a charset, must say UTF-8."""
    value = response.headers["Content-Type"]
    media_type = value.split(";")[0].strip()
    row = media.BY_MEDIA_TYPE.get(media_type)
    if media_type.startswith("text/") or (row is not None and row.charset):
        assert "charset=utf-8" in value, value
    return media_type


def claim(base: str, n: int) -> str:
    return f"{base}claims/c{n}"


def texts(base: str) -> dict[str, str]:
    return {claim(base, 1): "a total of 73,197 applications", claim(base, 2): "over 90%"}


# -- the three ways to send a query ------------------------------------------------------------------
def test_get_query_returns_json_results(base, endpoint):
    response = requests.get(endpoint, params={"query": CLAIMS})
    assert response.status_code == 200
    assert mime(response) == "application/sparql-results+json"
    rows = response.json()["results"]["bindings"]
    assert {r["claim"]["value"]: r["text"]["value"] for r in rows} == texts(base)


def test_post_form_query(base, endpoint):
    response = requests.post(endpoint, data={"query": CLAIMS}, headers={"Accept": "text/csv"})
    assert response.status_code == 200
    assert list(csv.reader(io.StringIO(response.text)))[1:] == [[k, v] for k, v in texts(base).items()]


def test_post_sparql_query_body(base, endpoint):
    response = requests.post(
        endpoint,
        data=CLAIMS.encode(),
        headers={"Content-Type": "application/sparql-query", "Accept": "text/tab-separated-values"},
    )
    assert response.status_code == 200
    lines = response.text.splitlines()
    assert lines[0] == "?claim\t?text"
    assert lines[1] == f'<{claim(base, 1)}>\t"a total of 73,197 applications"'


def test_head_answers_headers_only(endpoint):
    response = requests.head(endpoint, params={"query": "ASK {}"})
    assert response.status_code == 200
    assert mime(response) == "application/sparql-results+json"
    assert response.content == b""


# -- SPARQLWrapper, every result format, converted ---------------------------------------------------
def wrapper(endpoint: str, query: str, fmt: str, method: str | None = None) -> SPARQLWrapper:
    client = SPARQLWrapper(endpoint)
    client.setQuery(query)
    client.setReturnFormat(fmt)
    if method:
        client.setMethod(POST)
        client.setRequestMethod(method)
    return client


@pytest.mark.parametrize("method", [None, "urlencoded", POSTDIRECTLY])
def test_sparqlwrapper_select_json(base, endpoint, method):
    result = wrapper(endpoint, CLAIMS, JSON, method).queryAndConvert()
    rows = result["results"]["bindings"]
    assert {r["claim"]["value"]: r["text"]["value"] for r in rows} == texts(base)


def test_sparqlwrapper_select_xml(base, endpoint):
    document = wrapper(endpoint, CLAIMS, XML).queryAndConvert()
    uris = [node.firstChild.data for node in document.getElementsByTagName("uri")]
    literals = [node.firstChild.data for node in document.getElementsByTagName("literal")]
    assert uris == [claim(base, 1), claim(base, 2)]
    assert literals == ["a total of 73,197 applications", "over 90%"]


def test_sparqlwrapper_select_csv_keeps_commas_quotes_and_newlines(endpoint):
    body = wrapper(endpoint, LABELS, CSV).queryAndConvert()
    rows = list(csv.reader(io.StringIO(body.decode("utf-8"))))
    assert rows == [["label"], ['BCSP survey, with "quotes", a comma\nand a second line']]


def test_sparqlwrapper_select_tsv_keeps_language_tags(endpoint):
    query = "SELECT ?label WHERE { <sources/border-police> rdfs:label ?label } ORDER BY ?label"
    body = wrapper(endpoint, query, TSV).queryAndConvert()
    assert body.decode("utf-8").splitlines() == [
        "?label",
        '"Border Police response"@en',
        '"Odgovor granične policije"@sr',
    ]


@pytest.mark.parametrize(
    ("query", "expected"), [("ASK { ?s a schema:Claim }", True), ("ASK { ?s a <x:no> }", False)]
)
@pytest.mark.parametrize("fmt", [JSON, XML])
def test_sparqlwrapper_ask(endpoint, query, expected, fmt):
    result = wrapper(endpoint, query, fmt).queryAndConvert()
    answer = result["boolean"] if fmt == JSON else result.getElementsByTagName("boolean")[0].firstChild.data
    assert answer in (expected, str(expected).lower())


@pytest.mark.parametrize("fmt", [XML, RDFXML, JSONLD])
def test_sparqlwrapper_construct_into_rdflib_graph(base, endpoint, fmt):
    graph = wrapper(endpoint, CONSTRUCT, fmt).queryAndConvert()
    assert isinstance(graph, Graph)
    assert set(graph) == {
        (URIRef(iri), URIRef(SCHEMA + "text"), Literal(t)) for iri, t in texts(base).items()
    }


@pytest.mark.parametrize("fmt", [TURTLE, N3])
def test_sparqlwrapper_construct_turtle(base, endpoint, fmt):
    body = wrapper(endpoint, CONSTRUCT, fmt).queryAndConvert()
    graph = Graph().parse(data=body, format="turtle")
    assert (URIRef(claim(base, 2)), URIRef(SCHEMA + "text"), Literal("over 90%")) in graph
    assert len(graph) == 2


def test_sparqlwrapper_describe(base, endpoint):
    graph = wrapper(endpoint, "DESCRIBE <claims/c1>", RDFXML).queryAndConvert()
    assert (URIRef(claim(base, 1)), RDF.type, URIRef(SCHEMA + "Claim")) in graph
    assert (
        URIRef(claim(base, 1)),
        URIRef(SCHEMA + "text"),
        Literal("a total of 73,197 applications"),
    ) in graph


# -- rdflib's SPARQLStore --------------------------------------------------------------------------
def test_rdflib_sparqlstore_select_and_construct(base, endpoint):
    graph = Graph(SPARQLStore(endpoint))
    rows = graph.query(
        "SELECT ?text WHERE { ?claim a <http://schema.org/Claim> ; <http://schema.org/text> ?text }"
    )
    assert {str(row.text) for row in rows} == set(texts(base).values())
    constructed = graph.query(CONSTRUCT.replace("schema:text", "<http://schema.org/text>")).graph
    assert len(constructed) == 2


def test_rdflib_sparqlstore_typed_literal(base, endpoint):
    graph = Graph(SPARQLStore(endpoint))
    values = list(graph.objects(URIRef(f"{base}claims/c1/figure"), URIRef(SCHEMA + "value")))
    assert values == [Literal(73197, datatype=XSD.integer)]


# -- CONSTRUCT / DESCRIBE in every RDF format ----------------------------------------------------------
@pytest.mark.parametrize("media_type", list(RDF_PARSERS))
def test_construct_in_every_rdf_format(base, endpoint, media_type):
    response = requests.get(endpoint, params={"query": CONSTRUCT}, headers={"Accept": media_type})
    assert response.status_code == 200
    assert mime(response) == media_type
    parsed = Dataset().parse(data=response.content, format=RDF_PARSERS[media_type])
    triples = {(s, p, o) for s, p, o, _ in parsed.quads((None, None, None, None))}
    assert triples == {(URIRef(iri), URIRef(SCHEMA + "text"), Literal(t)) for iri, t in texts(base).items()}


# -- content negotiation ----------------------------------------------------------------------------
def test_accept_q_values_pick_the_highest(endpoint):
    accept = "text/csv;q=0.4, application/sparql-results+xml;q=0.9, application/sparql-results+json;q=0.5"
    response = requests.get(endpoint, params={"query": "ASK {}"}, headers={"Accept": accept})
    assert mime(response) == "application/sparql-results+xml"
    assert "<boolean>true</boolean>" in response.text


def test_wildcard_accept_gives_the_default_for_the_form(endpoint):
    select = requests.get(endpoint, params={"query": "ASK {}"}, headers={"Accept": "*/*"})
    construct = requests.get(endpoint, params={"query": CONSTRUCT}, headers={"Accept": "*/*"})
    assert mime(select) == "application/sparql-results+json"
    assert mime(construct) == "text/turtle"


def test_application_json_gets_sparql_json_results(endpoint):
    response = requests.get(endpoint, params={"query": "ASK {}"}, headers={"Accept": "application/json"})
    assert mime(response) == "application/sparql-results+json"
    assert response.json() == {"head": {}, "boolean": True}


@pytest.mark.parametrize(
    ("fmt", "media_type"),
    [("csv", "text/csv"), ("tsv", "text/tab-separated-values"), ("xml", "application/sparql-results+xml")],
)
def test_format_parameter_overrides_accept(endpoint, fmt, media_type):
    response = requests.get(
        endpoint, params={"query": CLAIMS, "format": fmt}, headers={"Accept": "text/turtle"}
    )
    assert response.status_code == 200
    assert mime(response) == media_type


@pytest.mark.parametrize(
    ("fmt", "media_type"),
    [
        ("ntriples", "application/n-triples"),
        ("jsonld", "application/ld+json"),
        ("application/trig", "application/trig"),
    ],
)
def test_format_parameter_for_construct(endpoint, fmt, media_type):
    response = requests.get(endpoint, params={"query": CONSTRUCT, "format": fmt})
    assert mime(response) == media_type


def test_not_acceptable_lists_the_offers(endpoint):
    response = requests.get(endpoint, params={"query": CLAIMS}, headers={"Accept": "text/turtle"})
    assert response.status_code == 406
    assert response.headers["Content-Type"].startswith("text/plain")
    for offer in ("application/sparql-results+json", "application/sparql-results+xml", "text/csv"):
        assert offer in response.text


def test_not_acceptable_for_a_format_the_form_cannot_take(endpoint):
    response = requests.get(endpoint, params={"query": CONSTRUCT, "format": "csv"})
    assert response.status_code == 406
    assert "text/turtle" in response.text


def test_vary_accept_on_answers(endpoint):
    assert "Accept" in requests.get(endpoint, params={"query": "ASK {}"}).headers["Vary"]


# -- the dataset of a request ------------------------------------------------------------------------
def test_default_graph_is_the_union_of_named_graphs(endpoint):
    response = requests.get(
        endpoint, params={"query": "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }", "format": "csv"}
    )
    assert response.text.splitlines()[1] == "20"


def test_graph_queries_see_the_claim_structure(base, endpoint):
    query = "SELECT ?g WHERE { GRAPH ?g { <claims/c1> schema:text ?text } }"
    response = requests.get(endpoint, params={"query": query, "format": "csv"})
    assert response.text.splitlines()[1:] == [f"{base}claims/c1/provenance"]


def test_default_graph_uri_restricts_the_default_graph(base, endpoint):
    params = {
        "query": "SELECT ?p WHERE { ?s ?p ?o } ORDER BY ?p",
        "default-graph-uri": f"{base}claims/c1/assertion",
        "format": "csv",
    }
    response = requests.get(endpoint, params=params)
    assert response.status_code == 200
    assert response.text.splitlines()[1:] == [f"{SCHEMA}unitText", f"{SCHEMA}value"]


def test_named_graph_uri_limits_graph_patterns(base, endpoint):
    params = {
        "query": "SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
        "named-graph-uri": f"{base}claims/c2/assertion",
        "format": "csv",
    }
    assert requests.get(endpoint, params=params).text.splitlines()[1:] == [f"{base}claims/c2/assertion"]


def test_from_a_local_graph_is_allowed(base, endpoint):
    query = f"SELECT (COUNT(*) AS ?n) FROM <{base}claims/c2/provenance> WHERE {{ ?s ?p ?o }}"
    response = requests.get(endpoint, params={"query": query, "format": "csv"})
    assert response.status_code == 200
    assert response.text.splitlines()[1] == "4"


def test_predeclared_prefixes_and_relative_iris(endpoint):
    query = "SELECT ?kind WHERE { <claims/c2> cg:kind ?kind ; prov:wasDerivedFrom <sources/survey> }"
    response = requests.get(endpoint, params={"query": query, "format": "csv"})
    assert response.text.splitlines()[1].endswith("ontology#survey-finding")


# -- a bare GET: the service description, or the form ---------------------------------------------------
def test_bare_get_gives_the_service_description(base, endpoint):
    response = requests.get(endpoint, headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    assert mime(response) == "text/turtle"
    graph = Graph().parse(data=response.text, format="turtle")
    service = URIRef(endpoint)
    assert (service, RDF.type, URIRef(SD + "Service")) in graph
    assert (service, URIRef(SD + "endpoint"), service) in graph
    assert (service, URIRef(SD + "feature"), URIRef(SD + "UnionDefaultGraph")) in graph
    formats = set(graph.objects(service, URIRef(SD + "resultFormat")))
    assert URIRef("http://www.w3.org/ns/formats/SPARQL_Results_CSV") in formats
    assert URIRef("http://www.w3.org/ns/formats/N-Quads") in formats
    names = {str(n) for n in graph.objects(None, URIRef(SD + "name"))}
    assert names == {f"{base}graphs/context"} | {
        f"{base}claims/c{n}/{p}" for n in (1, 2) for p in ("assertion", "provenance")
    }


def test_bare_get_service_description_as_json_ld(endpoint):
    response = requests.get(endpoint, headers={"Accept": "application/ld+json"})
    assert mime(response) == "application/ld+json"
    graph = Graph().parse(data=response.text, format="json-ld")
    assert (URIRef(endpoint), URIRef(SD + "endpoint"), URIRef(endpoint)) in graph


def test_bare_get_gives_a_form_to_browsers(endpoint):
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    response = requests.get(endpoint, headers={"Accept": browser})
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    assert '<form method="get"' in response.text
    assert 'name="query"' in response.text


# -- CORS --------------------------------------------------------------------------------------------
def test_cors_on_get_and_post(endpoint):
    get = requests.get(endpoint, params={"query": "ASK {}"}, headers={"Origin": "https://example.org"})
    post = requests.post(endpoint, data={"query": "ASK {}"}, headers={"Origin": "https://example.org"})
    assert get.headers["Access-Control-Allow-Origin"] == "*"
    assert post.headers["Access-Control-Allow-Origin"] == "*"


def test_options_preflight(endpoint):
    response = requests.options(
        endpoint,
        headers={
            "Origin": "https://example.org",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in response.headers["Access-Control-Allow-Methods"]
    assert "content-type" in response.headers["Access-Control-Allow-Headers"].lower()


def test_cors_on_errors_too(endpoint):
    response = requests.get(endpoint, params={"query": "SELECT"}, headers={"Origin": "https://example.org"})
    assert response.status_code == 400
    assert response.headers["Access-Control-Allow-Origin"] == "*"


# -- negative cases, one test each -------------------------------------------------------------------
def assert_text_error(response: requests.Response, status: int, *fragments: str) -> None:
    """The one error shape on /sparql: text/plain, "<reason phrase>: <detail>"."""
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"].startswith("text/plain")
    for fragment in fragments:
        assert fragment in response.text


def test_error_body_shape_is_pinned(endpoint):
    response = requests.get(endpoint, params={"query": "ASK {}", "update": "CLEAR ALL"})
    assert response.text == "Forbidden: updates are not accepted: this endpoint is read-only\n"


def test_malformed_query_gives_400_with_the_parser_message(endpoint):
    response = requests.get(endpoint, params={"query": "SELECT ?s WHERE { ?s ?p }"})
    assert_text_error(response, 400, "error at 1:")


def test_malformed_query_with_a_screen_word_gives_rdflib_message(endpoint):
    response = requests.get(endpoint, params={"query": "SELECT * FROM WHERE { ?s ?p ?o }"})
    assert_text_error(response, 400, "Expected")


def test_two_query_parameters(endpoint):
    response = requests.get(endpoint, params=[("query", "ASK {}"), ("query", "ASK {}")])
    assert_text_error(response, 400, "exactly one `query` parameter")


def test_query_both_in_url_and_body(endpoint):
    response = requests.post(endpoint, params={"query": "ASK {}"}, data={"query": "ASK {}"})
    assert_text_error(response, 400, "both in the URL and in the request body")


def test_query_in_url_of_a_sparql_query_post(endpoint):
    response = requests.post(
        endpoint,
        params={"query": "ASK {}"},
        data=b"ASK {}",
        headers={"Content-Type": "application/sparql-query"},
    )
    assert_text_error(response, 400, "both in the URL and in the request body")


def test_post_without_a_query(endpoint):
    assert_text_error(requests.post(endpoint, data={"format": "json"}), 400, "exactly one `query`")


def test_empty_query(endpoint):
    assert_text_error(requests.get(endpoint, params={"query": "  "}), 400, "empty")


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
def test_other_methods_give_405(endpoint, method):
    response = requests.request(method, endpoint, data=b"ASK {}")
    assert_text_error(response, 405)
    assert set(response.headers["Allow"].replace(" ", "").split(",")) == {"GET", "HEAD", "POST", "OPTIONS"}


def test_unsupported_post_content_type_gives_415(endpoint):
    response = requests.post(endpoint, data=b"ASK {}", headers={"Content-Type": "text/plain"})
    assert_text_error(response, 415, "application/sparql-query")


def test_body_over_the_limit_gives_413(endpoint):
    body = b"ASK {} #" + b"x" * MAX_QUERY_BYTES
    response = requests.post(endpoint, data=body, headers={"Content-Type": "application/sparql-query"})
    assert_text_error(response, 413, "max_query_bytes")


def test_query_over_the_limit_gives_413(endpoint):
    response = requests.get(endpoint, params={"query": "ASK {} #" + "x" * MAX_QUERY_BYTES})
    assert_text_error(response, 413, "max_query_bytes")


def test_update_parameter_gives_403(endpoint):
    response = requests.post(endpoint, data={"update": "INSERT DATA { <x:a> <x:b> <x:c> }"})
    assert_text_error(response, 403, "read-only")


def test_sparql_update_post_gives_403(endpoint):
    response = requests.post(
        endpoint, data=b"CLEAR ALL", headers={"Content-Type": "application/sparql-update"}
    )
    assert_text_error(response, 403, "read-only")


@pytest.mark.parametrize(
    "update",
    ["INSERT DATA { <x:a> <x:b> <x:c> }", "DELETE WHERE { ?s ?p ?o }", "DROP ALL", "CLEAR DEFAULT"],
)
def test_update_in_the_query_parameter_gives_403(endpoint, update):
    assert_text_error(requests.get(endpoint, params={"query": update}), 403, "read-only")


def test_result_over_max_result_rows_gives_400(endpoint):
    response = requests.get(endpoint, params={"query": "SELECT * { ?a ?b ?c . ?d ?e ?f }"})
    assert_text_error(response, 400, "more than 100", "max_result_rows")


def test_store_is_intact_after_update_attempts(endpoint):
    response = requests.get(
        endpoint, params={"query": "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }", "format": "csv"}
    )
    assert response.text.splitlines()[1] == "20"


# -- curl and /health --------------------------------------------------------------------------------
def test_curl_smoke(base, endpoint):
    completed = subprocess.run(
        ["curl", "-sS", "--fail", "-H", "Accept: text/csv", "--data-urlencode", f"query={CLAIMS}", endpoint],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    rows = list(csv.reader(io.StringIO(completed.stdout)))
    assert rows == [["claim", "text"], *([k, v] for k, v in texts(base).items())]


def test_health_reports_size_and_version(base):
    health = requests.get(base + "health").json()
    caches = [health.pop("query_cache"), health.pop("page_cache"), health.pop("intake_cache")]
    assert health == {"status": "ok", "quads": 20, "named_graphs": 5, "data_version": data_version()}
    assert [set(cache) for cache in caches] == [{"hits", "misses", "entries", "bytes"}] * 3


# -- the production command -------------------------------------------------------------------------
@pytest.fixture(scope="module")
def gunicorn(tmp_path_factory):
    folder = tmp_path_factory.mktemp("gunicorn")
    with gunicorn_serve(folder, workers=2, query_timeout=2, max_result_bytes=20_000) as url:
        yield url


def test_gunicorn_workers_serve_the_read_only_store(gunicorn):
    health = requests.get(gunicorn + "health").json()
    assert health["quads"] == 20
    response = requests.get(gunicorn + "sparql", params={"query": CLAIMS, "format": "json"})
    assert [r["text"]["value"] for r in response.json()["results"]["bindings"]] == list(
        texts(gunicorn).values()
    )


def test_gunicorn_workers_leave_the_network_and_run_queries_themselves(gunicorn):
    requests.get(gunicorn + "sparql", params={"query": "ASK {}"}, timeout=10).raise_for_status()
    workers = gunicorn_workers(gunicorn)
    assert len(workers) == 2
    if not can_leave_network():
        pytest.skip("this kernel does not let unprivileged processes leave the network")
    ours = os.readlink("/proc/self/ns/net")
    for pid in workers:
        assert os.readlink(f"/proc/{pid}/ns/net") != ours  # no interface but a downed loopback
        # the worker runs long-slot queries itself; its one child is the zygote of the query processes
        # that run queries on short slots (limits/fairuse.py) and those with ORDER BY (README, "Engine
        # failures"), off the network too
        zygotes = children(pid)
        assert len(zygotes) <= 1, zygotes
        for zygote in zygotes:
            assert os.readlink(f"/proc/{zygote}/ns/net") != ours


def test_gunicorn_time_limit_gives_503_then_answers(gunicorn):
    before = gunicorn_workers(gunicorn)
    started = time.monotonic()
    slow = requests.get(gunicorn + "sparql", params={"query": slow_query()}, timeout=60)
    assert slow.status_code == 503
    assert slow.text == f"Service Unavailable: {QueryTimeout.after(2)}\n"
    assert slow.headers["Access-Control-Allow-Origin"] == "*"
    assert time.monotonic() - started < 8
    ask = requests.get(gunicorn + "sparql", params={"query": "ASK {}"}, timeout=10)
    assert json.loads(ask.content) == {"head": {}, "boolean": True}
    if can_leave_network():  # the worker that ran the query ended; gunicorn started another
        deadline = time.monotonic() + 10
        while len(set(gunicorn_workers(gunicorn)) - set(before)) != 1 and time.monotonic() < deadline:
            time.sleep(0.1)
        after = gunicorn_workers(gunicorn)
        assert len(after) == 2
        assert len(set(after) - set(before)) == 1


def test_gunicorn_worker_stops_a_result_at_max_result_bytes(gunicorn):
    # 20**3 solutions: hundreds of kilobytes of JSON, stopped at 20,000 bytes in the worker itself.
    query = "SELECT * { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    response = requests.get(gunicorn + "sparql", params={"query": query})
    assert_text_error(response, 400, "larger than 20000 bytes", "max_result_bytes")
    ask = requests.get(gunicorn + "sparql", params={"query": "ASK {}"}, timeout=10)
    assert json.loads(ask.content) == {"head": {}, "boolean": True}


def can_leave_network() -> bool:
    """Whether a process here may move into a new user and network namespace (probed in a child)."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        os._exit(0 if leave_network() else 1)
    return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) == 0


def test_compacted_json_ld_is_made_for_results_up_to_a_share_of_max_result_bytes(loaded_store, iris):
    from claimgraph import create_app
    from claimgraph.web.sparql import RESHAPED_SHARE

    app = create_app({"base_iri": iris.base, "max_result_bytes": 16 * 8000}, store=loaded_store)
    client = app.test_client()
    compacted = {"Accept": 'application/ld+json; profile="http://www.w3.org/ns/json-ld#compacted"'}
    small = client.get(
        "/sparql", query_string={"query": "CONSTRUCT WHERE { ?s a schema:Claim } LIMIT 3"}, headers=compacted
    )
    assert small.status_code == 200
    # Types only: 200 short triples (under 300 bytes each), over the reshaping share (8,000 bytes)
    # and under the whole cap (128,000) whichever triples the engine yields first.
    large = client.get(
        "/sparql", query_string={"query": "CONSTRUCT WHERE { ?s a ?o } LIMIT 200"}, headers=compacted
    )
    assert large.status_code == 400
    assert f"1/{RESHAPED_SHARE} of max_result_bytes (8000 bytes)" in large.text
    expanded = client.get(
        "/sparql",
        query_string={"query": "CONSTRUCT WHERE { ?s a ?o } LIMIT 200"},
        headers={"Accept": "application/ld+json"},
    )
    assert expanded.status_code == 200
