"""Linked Data for the clients other datasets use, against a live `claimgraph serve` on the shipped data.

RFC 9110 negotiation (parameters, q-values, specificity, source quality), JSON-LD profiles
read back with pyld, ``charset=utf-8``, HTTP caching (ETag, Last-Modified, 304), CORS
with its preflight, and the read side of the Graph Store HTTP Protocol, each with real
clients: requests, curl, rdflib, SPARQLWrapper and Comunica's link-traversal engine.
IRIs are found from the server's own answers, never written down here.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
import requests
from claimgraph.build.pipeline import build_reviewed, to_nquads
from claimgraph.build.sources import read_sources
from claimgraph.iris import Iris
from live_server import BIN, build_store, free_port, running, server_env
from pyld import jsonld
from rdflib import Dataset, Graph, URIRef
from rdflib.compare import isomorphic
from SPARQLWrapper import JSON, SPARQLWrapper

pytestmark = pytest.mark.integration

SCHEMA = "http://schema.org/"
SD = "http://www.w3.org/ns/sparql-service-description#"
ROOT = Path(__file__).resolve().parent.parent
COMUNICA = ROOT / ".node" / "node_modules" / ".bin" / "comunica-sparql-link-traversal"
#: The Accept header Comunica's link-traversal engine (0.5) sends, as captured from it.
COMUNICA_ACCEPT = (
    "application/n-quads,application/trig;q=0.95,application/ld+json;q=0.9,application/n-triples;q=0.8,"
    "text/turtle;q=0.6,application/rdf+xml;q=0.5,text/n3;q=0.35,application/xml;q=0.3,image/svg+xml;q=0.3,"
    "text/xml;q=0.3,text/html;q=0.2,application/xhtml+xml;q=0.18,application/json;q=0.135,"
    "text/shaclc;q=0.1,text/shaclc-ext;q=0.05"
)
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
PARSERS = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",
    "application/trig": "trig",
    "application/n-quads": "nquads",
}
PROFILES = {
    "expanded": "http://www.w3.org/ns/json-ld#expanded",
    "compacted": "http://www.w3.org/ns/json-ld#compacted",
    "flattened": "http://www.w3.org/ns/json-ld#flattened",
}


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("linking")
    port = free_port()
    built = build_reviewed(read_sources(), Iris(f"http://127.0.0.1:{port}/"))
    build_store(folder / "store", to_nquads(built.dataset))
    command = [str(BIN / "claimgraph"), "serve", "--port", str(port)]
    with running(command, server_env(folder / "store", port), port, folder / "serve.log") as base:
        yield base


def select(server: str, query: str) -> list[dict[str, str]]:
    wrapper = SPARQLWrapper(server + "sparql")
    wrapper.setQuery(query)
    wrapper.setReturnFormat(JSON)
    bindings = wrapper.queryAndConvert()["results"]["bindings"]  # type: ignore[index]
    return [{name: cell["value"] for name, cell in row.items()} for row in bindings]


@pytest.fixture(scope="module")
def claim_iri(server) -> str:
    """A claim IRI, as the store mints it (the first claim)."""
    rows = select(server, f"SELECT ?c WHERE {{ ?c a <{SCHEMA}Claim> }} ORDER BY ?c LIMIT 1")
    return rows[0]["c"]


def url(server: str, iri: str) -> str:
    """Where this server answers for ``iri`` (its path, on the host the test reached)."""
    return server + urlsplit(iri).path.lstrip("/")


@pytest.fixture(scope="module")
def claim_url(server, claim_iri) -> str:
    return url(server, claim_iri)


def media_type(response: requests.Response) -> str:
    return response.headers["Content-Type"].split(";")[0].strip()


def parse(response: requests.Response) -> Dataset:
    dataset = Dataset()
    dataset.parse(data=response.content, format=PARSERS[media_type(response)])
    return dataset


def default_graph_triples(dataset: Dataset) -> set[tuple[object, object, object]]:
    return set(dataset.default_graph.triples((None, None, None)))


# -- item 2: negotiation -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("text/turtle; charset=utf-8", "text/turtle"),
        ("text/turtle;charset=UTF-8", "text/turtle"),
        ("application/rdf+xml;q=0.9, text/turtle; charset=UTF-8", "text/turtle"),
        ('application/ld+json; profile="http://www.w3.org/ns/json-ld#expanded"', "application/ld+json"),
        ("application/n-triples; charset=utf-8, text/turtle;q=0.5", "application/n-triples"),
        ("text/*, text/turtle;q=0", "text/html"),
        (BROWSER, "text/html"),
        ("*/*", "text/turtle"),
    ],
)
def test_accept_parameters_q_values_and_specificity(claim_url, accept, expected):
    response = requests.get(claim_url, headers={"Accept": accept}, timeout=30)
    assert response.status_code == 200, response.text
    assert media_type(response) == expected
    assert "Accept" in response.headers["Vary"]


def test_sparql_results_json_with_a_charset_parameter(server):
    query = "SELECT (1 AS ?one) WHERE {}"
    headers = {"Accept": "application/sparql-results+json; charset=utf-8"}
    response = requests.get(server + "sparql", params={"query": query}, headers=headers, timeout=30)
    assert response.status_code == 200, response.text
    assert response.json()["results"]["bindings"][0]["one"]["value"] == "1"


def test_not_acceptable_lists_what_is_offered(claim_url):
    response = requests.get(
        claim_url, headers={"Accept": "image/png, text/turtle;charset=latin1"}, timeout=30
    )
    assert response.status_code == 406
    for offered in ("text/turtle", "text/html", "application/ld+json", "application/n-quads"):
        assert offered in response.text


def test_comunicas_accept_gets_the_triples_in_the_default_graph(claim_url, claim_iri):
    response = requests.get(claim_url, headers={"Accept": COMUNICA_ACCEPT}, timeout=30)
    assert response.status_code == 200
    assert media_type(response) in ("application/ld+json", "application/n-triples", "text/turtle")
    triples = default_graph_triples(parse(response))
    assert any(s == URIRef(claim_iri) and p == URIRef(SCHEMA + "text") for s, p, _ in triples)


def test_who_asks_only_for_quads_keeps_the_named_graphs(claim_url, claim_iri):
    for quads in ("application/n-quads", "application/trig"):
        response = requests.get(claim_url, headers={"Accept": quads}, timeout=30)
        assert media_type(response) == quads
        graphs = {str(g.identifier) for g in parse(response).graphs() if len(g)}
        assert f"{claim_iri}/assertion" in graphs
        assert f"{claim_iri}/provenance" in graphs


def test_rdflib_parses_the_claim_iri(claim_url, claim_iri):
    graph = Graph().parse(claim_url)
    assert any(graph.triples((URIRef(claim_iri), URIRef(SCHEMA + "text"), None)))


@pytest.mark.parametrize("profile", list(PROFILES))
def test_json_ld_profiles_read_back_with_pyld(claim_url, profile):
    iri = PROFILES[profile]
    headers = {"Accept": f'application/ld+json; profile="{iri}"'}
    response = requests.get(claim_url, headers=headers, timeout=30)
    assert response.status_code == 200
    assert media_type(response) == "application/ld+json"
    assert iri in response.headers["Content-Type"]
    document = response.json()
    if profile == "expanded":
        assert isinstance(document, list)
        assert "@context" not in json.dumps(document)
        assert jsonld.expand(document) == document
    elif profile == "compacted":
        assert "@context" in document
        assert jsonld.compact(document, {"@context": document["@context"]}) == document
    else:
        assert "@context" in document
        assert "@graph" in document
        flat = jsonld.flatten(document, {"@context": document["@context"]})
        assert len(flat["@graph"]) == len(document["@graph"])
    nquads = jsonld.to_rdf(document, {"format": "application/n-quads"})
    from_pyld = Graph().parse(data=nquads, format="nquads")
    turtle = requests.get(claim_url, headers={"Accept": "text/turtle"}, timeout=30)
    assert isomorphic(from_pyld, Graph().parse(data=turtle.content, format="turtle"))


@pytest.mark.parametrize("profile", [*PROFILES, None])
def test_construct_results_in_every_json_ld_profile(server, claim_iri, profile):
    query = f"CONSTRUCT {{ <{claim_iri}> ?p ?o }} WHERE {{ <{claim_iri}> ?p ?o }}"
    accept = f'application/ld+json; profile="{PROFILES[profile]}"' if profile else "application/ld+json"
    response = requests.get(
        server + "sparql", params={"query": query}, headers={"Accept": accept}, timeout=30
    )
    assert response.status_code == 200, response.text
    sent = PROFILES[profile or "expanded"]  # the store writes the expanded form when none is asked
    assert f'profile="{sent}' in response.headers["Content-Type"]
    document = response.json()
    assert ("@context" in document) == (sent != PROFILES["expanded"])
    from_pyld = Graph().parse(
        data=jsonld.to_rdf(document, {"format": "application/n-quads"}), format="nquads"
    )
    ntriples = requests.get(
        server + "sparql", params={"query": query}, headers={"Accept": "application/n-triples"}, timeout=30
    )
    expected = Graph().parse(data=ntriples.content, format="nt")
    assert len(expected) > 0
    assert isomorphic(from_pyld, expected)


def test_json_ld_without_a_profile_is_compacted_and_says_so(claim_url):
    response = requests.get(claim_url, headers={"Accept": "application/ld+json"}, timeout=30)
    assert PROFILES["compacted"] in response.headers["Content-Type"]
    assert "@context" in response.json()


def test_comunica_link_traversal_finds_the_claim(claim_url, claim_iri):
    if not COMUNICA.exists():
        pytest.skip("Comunica is not installed (make .node/.installed): see the test with its Accept header")
    query = f"SELECT ?text WHERE {{ <{claim_iri}> <{SCHEMA}text> ?text }}"
    done = subprocess.run(
        [str(COMUNICA), claim_url, query], capture_output=True, text=True, timeout=180, check=True
    )
    rows = json.loads(done.stdout)
    assert rows, done.stderr
    texts = select(server_of(claim_url), f"SELECT ?t WHERE {{ <{claim_iri}> <{SCHEMA}text> ?t }}")
    assert {json.loads(row["text"]) for row in rows} == {row["t"] for row in texts}


def server_of(some_url: str) -> str:
    parts = urlsplit(some_url)
    return f"{parts.scheme}://{parts.netloc}/"


# -- charset=utf-8 on every text answer ------------------------------------------------------------
APOSTROPHE_QUERY = (
    f"SELECT ?name WHERE {{ ?x <{SCHEMA}name> ?name FILTER(CONTAINS(STR(?name), '\u2019')) }} ORDER BY ?name"
)


@pytest.mark.parametrize(
    ("params", "accept"),
    [
        ({"query": APOSTROPHE_QUERY}, "text/csv"),
        ({"query": APOSTROPHE_QUERY}, "text/tab-separated-values"),
        ({"query": APOSTROPHE_QUERY}, "application/sparql-results+xml"),
        ({"query": APOSTROPHE_QUERY.replace("SELECT ?name", "CONSTRUCT { ?x <x:n> ?name }")}, "text/turtle"),
        (
            {"query": APOSTROPHE_QUERY.replace("SELECT ?name", "CONSTRUCT { ?x <x:n> ?name }")},
            "application/trig",
        ),
        ({"default": ""}, "text/turtle"),
    ],
)
def test_text_answers_are_utf_8_and_say_so(server, params, accept):
    expected = select(server, APOSTROPHE_QUERY)[0]["name"]
    response = requests.get(server + "sparql", params=params, headers={"Accept": accept}, timeout=60)
    assert response.status_code == 200, response.text
    assert "charset=utf-8" in response.headers["Content-Type"]
    assert expected in response.text  # requests decodes with the charset the answer names


@pytest.mark.parametrize("path", ["sparql", "claims", "sources", "article", ".well-known/void"])
def test_service_description_pages_and_void_say_utf_8(server, path):
    accept = "text/turtle" if path in ("sparql", ".well-known/void") else BROWSER
    response = requests.get(server + path, headers={"Accept": accept}, timeout=30)
    assert response.status_code == 200
    assert response.headers["Content-Type"].endswith("charset=utf-8")


# -- item 3: caching -----------------------------------------------------------------------------------
READ_PATHS = [
    ("claim", "text/turtle"),
    ("claim", BROWSER),
    ("claim", "application/ld+json"),
    ("claims", BROWSER),
    ("article", BROWSER),
    ("ontology", "text/turtle"),
    ("ontology", BROWSER),
    (".well-known/void", "text/turtle"),
    ("dataset", "text/turtle"),
    ("dataset.nq", "*/*"),
    ("sparql?query=" + quote("SELECT ?c WHERE { ?c a <http://schema.org/Claim> } LIMIT 3"), "*/*"),
    ("sparql?default", "application/n-triples"),
    ("sparql", "text/turtle"),
    ("api/claims", "*/*"),
    ("openapi.json", "*/*"),
]


def resolve(server: str, claim_url: str, path: str) -> str:
    return claim_url if path == "claim" else server + path


@pytest.mark.parametrize(("path", "accept"), READ_PATHS)
def test_every_read_get_can_be_revalidated(server, claim_url, path, accept):
    target = resolve(server, claim_url, path)
    first = requests.get(target, headers={"Accept": accept}, timeout=60)
    assert first.status_code == 200, first.text
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert etag.startswith('"')
    assert not etag.startswith("W/")
    assert "public" in first.headers["Cache-Control"]
    assert "max-age=" in first.headers["Cache-Control"]
    again = requests.get(target, headers={"Accept": accept, "If-None-Match": etag}, timeout=60)
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["ETag"] == etag
    since = requests.get(target, headers={"Accept": accept, "If-Modified-Since": modified}, timeout=60)
    assert since.status_code == 304
    other = requests.get(target, headers={"Accept": accept, "If-None-Match": '"other"'}, timeout=60)
    assert other.status_code == 200
    assert other.content == first.content


def test_each_representation_has_its_own_etag(claim_url):
    tags = {
        requests.get(claim_url, headers={"Accept": accept}, timeout=30).headers["ETag"]
        for accept in ("text/turtle", "application/ld+json", "application/n-quads", BROWSER)
    }
    assert len(tags) == 4


def test_curl_revalidates(server, claim_url):
    curl = shutil.which("curl")
    if curl is None:
        pytest.skip("curl is not installed")
    etag = requests.get(claim_url, headers={"Accept": "text/turtle"}, timeout=30).headers["ETag"]
    command = [curl, "-s", "-o", "/dev/null", "-w", "%{http_code}", "-H", "Accept: text/turtle"]
    assert (
        subprocess.run(
            [*command, "-H", f"If-None-Match: {etag}", claim_url], capture_output=True, text=True, check=True
        ).stdout
        == "304"
    )
    assert subprocess.run([*command, claim_url], capture_output=True, text=True, check=True).stdout == "200"


def test_a_conditional_request_does_not_hide_an_error(server, claim_url):
    etag = requests.get(claim_url, headers={"Accept": "text/turtle"}, timeout=30).headers["ETag"]
    headers = {"If-Modified-Since": "Fri, 01 Jan 2100 00:00:00 GMT", "If-None-Match": etag}
    missing = requests.get(server + "claims/no-such-claim", headers=headers, timeout=30)
    assert missing.status_code == 404
    assert "ETag" not in missing.headers


def test_health_is_never_cached(server):
    response = requests.get(server + "health", timeout=30)
    assert response.headers["Cache-Control"] == "no-store"
    assert "ETag" not in response.headers


# -- item 4: CORS ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(("path", "accept"), READ_PATHS)
def test_every_read_route_allows_any_origin(server, claim_url, path, accept):
    target = resolve(server, claim_url, path)
    origin = {"Origin": "https://other.example"}
    response = requests.get(target, headers={"Accept": accept, **origin}, timeout=60)
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in response.headers["Access-Control-Expose-Headers"]
    assert "Link" in response.headers["Access-Control-Expose-Headers"]
    preflight = requests.options(
        target,
        headers={
            **origin,
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "accept",
        },
        timeout=30,
    )
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "GET" in preflight.headers["Access-Control-Allow-Methods"]
    assert "accept" in preflight.headers["Access-Control-Allow-Headers"].lower()


def test_errors_of_read_routes_carry_cors_too(server):
    response = requests.get(
        server + "claims/no-such-claim", headers={"Origin": "https://x.example"}, timeout=30
    )
    assert response.status_code == 404
    assert response.headers["Access-Control-Allow-Origin"] == "*"


# -- item 6: the Graph Store HTTP Protocol, read side ------------------------------------------------
def service_description(server: str) -> Graph:
    response = requests.get(server + "sparql", headers={"Accept": "text/turtle"}, timeout=30)
    return Graph().parse(data=response.content, format="turtle")


def test_service_description_advertises_the_graph_store_protocol(server):
    description = service_description(server)
    conforms = set(description.objects(None, URIRef("http://purl.org/dc/terms/conformsTo")))
    assert URIRef("http://www.w3.org/TR/sparql11-http-rdf-update/") in conforms


@pytest.mark.parametrize("accept", ["text/turtle", "application/n-triples", "application/ld+json"])
def test_a_named_graph_by_graph_store_protocol(server, claim_iri, accept):
    name = f"{claim_iri}/assertion"
    listed = {str(o) for o in service_description(server).objects(None, URIRef(SD + "name"))}
    assert name in listed
    response = requests.get(server + "sparql", params={"graph": name}, headers={"Accept": accept}, timeout=30)
    assert response.status_code == 200, response.text
    assert media_type(response) == accept
    got = set(parse(response).default_graph)
    construct = requests.get(
        server + "sparql",
        params={"query": f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{name}> {{ ?s ?p ?o }} }}"},
        headers={"Accept": "application/n-triples"},
        timeout=30,
    )
    expected = set(Graph().parse(data=construct.content, format="nt"))
    assert got == expected
    assert expected


def test_the_default_graph_by_graph_store_protocol(server):
    response = requests.get(
        server + "sparql?default", headers={"Accept": "application/n-triples"}, timeout=60
    )
    assert response.status_code == 200
    got = Graph().parse(data=response.content, format="nt")
    count = select(server, "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o { ?s ?p ?o } }")
    assert len(got) == int(count[0]["n"]) > 0


def test_rdflib_reads_a_graph_by_its_graph_store_url(server, claim_iri):
    name = f"{claim_iri}/provenance"
    graph = Graph().parse(f"{server}sparql?graph={quote(name, safe='')}")
    assert any(graph.triples((URIRef(claim_iri), URIRef(SCHEMA + "text"), None)))


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"graph": "http://nowhere.example/graph"}, 404),
        ({"graph": ["http://a.example/", "http://b.example/"]}, 400),
        ({"graph": "http://a.example/", "default": ""}, 400),
        ({"graph": "http://a.example/", "query": "ASK {}"}, 400),
    ],
)
def test_graph_store_errors(server, params, status):
    response = requests.get(server + "sparql", params=params, timeout=30)
    assert response.status_code == status
    assert response.text.strip()  # a message, not an empty page


def test_head_on_a_graph(server, claim_iri):
    response = requests.head(server + "sparql", params={"graph": f"{claim_iri}/assertion"}, timeout=30)
    assert response.status_code == 200
    assert response.content == b""
    assert media_type(response) == "text/turtle"


def test_a_write_route_gets_no_cors(loaded_store, iris):
    """A view marked @writes answers without CORS headers, its preflight included."""
    from claimgraph import create_app
    from claimgraph.web.cors import writes
    from flask import Response

    app = create_app({"base_iri": iris.base}, store=loaded_store)
    app.add_url_rule("/test-write", "test_write", writes(lambda: Response("done")), methods=["POST"])
    client = app.test_client()
    origin = {"Origin": "https://other.example"}
    post = client.post("/test-write", headers=origin)
    assert post.status_code == 200
    preflight = client.options("/test-write", headers={**origin, "Access-Control-Request-Method": "POST"})
    for response in (post, preflight):
        assert not [name for name, _ in response.headers if name.startswith("Access-Control-")]
    assert client.get("/sparql", headers=origin).headers["Access-Control-Allow-Origin"] == "*"
