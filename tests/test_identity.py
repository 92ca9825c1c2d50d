"""Persistent identity against real server processes on the shipped dataset (issue 10, items 1, 5, 7).

The IRIs are the dataset's canonical ones (data/context.yaml declares the base), whatever
name the server is reached by: 127.0.0.1, localhost, [::1], or a proxy's X-Forwarded-*.
"""

from __future__ import annotations

import os
import re
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from claimgraph.iris import ONTOLOGY_NAMESPACE, Iris
from claimgraph.loading import ensure_current
from claimgraph.settings import Settings, declared_base
from claimgraph.store.oxigraph import OxigraphStore
from conftest import SHIPPED
from live_server import BIN, free_port, running
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, VOID, XSD

pytestmark = pytest.mark.integration

IRIS = Iris(declared_base(None))
SCHEMA = "http://schema.org/"
HOST_NAMES = ("127.0.0.1", "localhost", "[::1]")
COUNT = "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An on-disk store of the shipped dataset, built as the README says (`claimgraph build-store`)."""
    path = tmp_path_factory.mktemp("identity") / "store"
    subprocess.run([str(BIN / "claimgraph"), "build-store", str(path)], check=True, timeout=300)
    return path


def serve_env(store: Path, **settings: object) -> dict[str, str]:
    env = {"CLAIMGRAPH_STORE_PATH": str(store), "CLAIMGRAPH_STORE_READ_ONLY": "true"}
    env.update({f"CLAIMGRAPH_{name.upper()}": str(value) for name, value in settings.items()})
    # Whatever the calling shell set, these servers run with the dataset's own base.
    return {**{k: v for k, v in os.environ.items() if k != "CLAIMGRAPH_BASE_IRI"}, **env}


@pytest.fixture(scope="module")
def port(store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """`claimgraph serve --host ::` (every interface, IPv4 and IPv6) on the store, read-only."""
    number = free_port()
    log = tmp_path_factory.mktemp("serve") / "serve.log"
    command = [str(BIN / "claimgraph"), "serve", "--host", "::", "--port", str(number)]
    with running(command, serve_env(store), number, log):
        yield number


@pytest.mark.parametrize("name", HOST_NAMES)
def test_a_claim_fetched_by_any_host_name_describes_its_canonical_iri(port, name):
    graph = Graph().parse(f"http://{name}:{port}/claims/c013")
    claim = IRIS.claim("c013")
    assert (claim, RDF.type, URIRef(SCHEMA + "Claim")) in graph
    assert (claim, VOID.inDataset, IRIS.dataset) in graph
    host = name.strip("[]")
    assert not [t for t in graph for term in t if host in str(term)]


@pytest.mark.parametrize("name", HOST_NAMES)
def test_the_vocabulary_is_the_persistent_namespace(port, name):
    graph = Graph().parse(f"http://{name}:{port}/claims/c013", format="turtle")
    kinds = set(graph.objects(IRIS.claim("c013"), URIRef(ONTOLOGY_NAMESPACE + "kind")))
    assert kinds
    assert all(str(kind).startswith("https://w3id.org/claimgraph/ontology#") for kind in kinds)


@pytest.mark.parametrize("suffix", ["trig", "nq", "ttl", "jsonld"])
def test_dumps_are_byte_identical_whatever_host_serves_them(port, suffix):
    first = requests.get(f"http://127.0.0.1:{port}/dataset.{suffix}", timeout=60)
    second = requests.get(f"http://localhost:{port}/dataset.{suffix}", timeout=60)
    assert first.status_code == second.status_code == 200
    assert first.content == second.content
    assert str(IRIS.claim("c013")).encode() in first.content
    for host in (b"127.0.0.1", b"localhost", b"[::1]"):
        assert host not in first.content


def test_a_claim_document_says_where_it_belongs(port):
    response = requests.get(f"http://localhost:{port}/claims/c013", headers={"Accept": "text/turtle"})
    by_rel = {rel: link["url"] for rel, link in response.links.items()}
    assert by_rel["canonical"] == str(IRIS.claim("c013"))
    assert by_rel[str(VOID.inDataset)] == str(IRIS.dataset)
    assert by_rel[str(VOID.sparqlEndpoint)] == "/sparql"
    assert by_rel["describedby"] == "/.well-known/void"
    # The links a client follows answer on this server.
    assert requests.get(f"http://localhost:{port}{by_rel['describedby']}").status_code == 200


def test_html_links_stay_on_the_host_the_reader_used(port):
    page = requests.get(f"http://localhost:{port}/claims/c013", headers={"Accept": "text/html"}).text
    assert f'<link rel="canonical" href="{IRIS.claim("c013")}">' in page
    assert 'href="/claims"' in page
    assert 'href="/ontology"' in page
    assert not re.search(f'<a [^>]*href="{re.escape(IRIS.base)}', page)  # none leaves for the canonical host


def test_the_base_is_a_landing_page_for_people(port):
    response = requests.get(f"http://[::1]:{port}/", headers={"Accept": "text/html,*/*;q=0.8"})
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    assert str(IRIS.dataset) in response.text
    assert 'href="/claims"' in response.text
    assert 'href="/sparql"' in response.text


def test_the_base_is_the_dataset_description_for_rdf_clients(port):
    graph = Graph().parse(f"http://127.0.0.1:{port}/")
    assert (IRIS.dataset, RDF.type, VOID.Dataset) in graph
    assert (IRIS.dataset, VOID.sparqlEndpoint, IRIS.sparql_endpoint) in graph


def test_sparql_and_void_count_the_same_triples(port):
    answer = requests.get(
        f"http://127.0.0.1:{port}/sparql",
        params={"query": COUNT},
        headers={"Accept": "application/sparql-results+json"},
    ).json()
    counted = int(answer["results"]["bindings"][0]["n"]["value"])
    void = Graph().parse(f"http://127.0.0.1:{port}/.well-known/void")
    stated = void.value(IRIS.dataset, VOID.triples)
    assert stated == Literal(counted, datatype=XSD.integer)
    # A triple two claims' assertion graphs share is in both graphs, and once in the default graph.
    quads = requests.get(f"http://127.0.0.1:{port}/health").json()["quads"]
    assert quads > counted


def test_a_proxy_s_forwarded_headers_move_links_only_when_trusted(store, tmp_path):
    headers = {"Accept": "text/html", "X-Forwarded-Host": "data.example.org", "X-Forwarded-Prefix": "/kg"}
    for hops, prefix in ((1, "/kg"), (0, "")):
        number = free_port()
        command = [str(BIN / "claimgraph"), "serve", "--port", str(number)]
        log = tmp_path / f"proxy-{hops}.log"
        with running(command, serve_env(store, proxy_hops=hops), number, log):
            page = requests.get(f"http://127.0.0.1:{number}/claims/c013", headers=headers).text
            rdf = requests.get(f"http://127.0.0.1:{number}/claims/c013.nt", headers=headers).text
        assert f'href="{prefix}/claims"' in page
        assert f"<{IRIS.claim('c013')}>" in rdf
        assert "data.example.org" not in rdf


def test_serve_binds_ipv6_loopback(store, tmp_path):
    number = free_port()
    command = [str(BIN / "claimgraph"), "serve", "--host", "::1", "--port", str(number)]
    with (tmp_path / "v6.log").open("wb") as out:
        process = subprocess.Popen(command, env=serve_env(store), stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline, health = time.monotonic() + 60, None
        while time.monotonic() < deadline and health is None:
            assert process.poll() is None, (tmp_path / "v6.log").read_text()
            try:
                health = requests.get(f"http://[::1]:{number}/health", timeout=5).json()
            except requests.ConnectionError:
                time.sleep(0.2)
        assert health
        assert health["status"] == "ok"
        graph = Graph().parse(f"http://[::1]:{number}/claims/c013", format="turtle")
        assert (IRIS.claim("c013"), RDF.type, URIRef(SCHEMA + "Claim")) in graph
    finally:
        process.terminate()
        process.wait(timeout=15)


def refused(store: Path, **settings: object) -> subprocess.CompletedProcess[str]:
    command = [str(BIN / "claimgraph"), "serve", "--port", str(free_port())]
    env = serve_env(store, **settings)
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)


def test_a_store_built_for_another_base_refuses_to_start(store):
    completed = refused(store, base_iri="http://other.example/")
    assert completed.returncode == 1
    assert "http://other.example/dataset" in completed.stderr
    assert f"claimgraph build-store {store}" in completed.stderr


def test_a_store_of_another_data_version_refuses_to_start(store, data_copy):
    (data_copy / SHIPPED / "article.txt").write_text(
        (data_copy / SHIPPED / "article.txt").read_text() + "\n", encoding="utf-8"
    )
    completed = refused(store, data_dir=data_copy)
    assert completed.returncode == 1
    assert "data version" in completed.stderr
    assert f"claimgraph build-store {store}" in completed.stderr


# -- in process: the base a dataset declares, and a writable store of another base ------------------
def test_the_base_comes_from_the_data_and_a_dataset_without_one_is_refused(data_copy):
    assert Settings.from_mapping({}, environ={}).base == "https://w3id.org/claimgraph/"
    override = Settings.from_mapping({"base_iri": "https://data.example.org/kg/"}, environ={})
    assert override.base == "https://data.example.org/kg/"
    context = data_copy / "context.yaml"
    context.write_text(context.read_text().replace("  base: https://w3id.org/claimgraph/\n", ""))
    with pytest.raises(ValueError, match="declares no base IRI"):
        Settings.from_mapping({"data_dir": str(data_copy)}, environ={})


def test_a_writable_store_of_another_base_is_rebuilt(tmp_path):
    store = OxigraphStore(str(tmp_path / "store"))
    try:
        assert ensure_current(store, Iris("http://other.example/"), None)
        assert not ensure_current(store, Iris("http://other.example/"), None)
        assert ensure_current(store, IRIS, None)  # the same data version, minted under another base
        assert store.ask(f"ASK {{ GRAPH ?g {{ <{IRIS.claim('c013')}> ?p ?o }} }}")
    finally:
        store.close()
