"""The dataset description (VoID, DCAT) and the dumps, checked against rdflib's own counts."""

from __future__ import annotations

import pytest
from claimgraph import create_app
from claimgraph.iris import SD
from claimgraph.store.oxigraph import OxigraphStore
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT, DCTERMS, OWL, RDF, VOID
from stored_terms import as_stored

BASE = "http://claimgraph.test/"  # the base of the conftest fixtures
DUMPS = {
    "trig": ("application/trig", "trig"),
    "nq": ("application/n-quads", "nquads"),
    "jsonld": ("application/ld+json", "json-ld"),
    "ttl": ("text/turtle", "turtle"),
}


@pytest.fixture(scope="module")
def client(data_client, iris):
    assert iris.base == BASE
    return data_client


@pytest.fixture(scope="module")
def void(client) -> Graph:
    response = client.get("/.well-known/void")
    assert response.mimetype == "text/turtle"
    return Graph().parse(data=response.get_data(), format="turtle")


@pytest.fixture(scope="module")
def union(built) -> set:
    """Every distinct triple of the exported dataset, as the store keeps it."""
    return {(s, p, as_stored(o)) for s, p, o, _ in built.dataset.quads()}


def value(graph: Graph, subject, predicate) -> int:
    found = list(graph.objects(subject, predicate))
    assert len(found) == 1, (subject, predicate, found)
    return int(found[0])


def test_void_counts_equal_rdflib_counts_over_the_export(void, union, iris):
    ds = iris.dataset
    assert value(void, ds, VOID.triples) == len(union)
    assert value(void, ds, VOID.distinctSubjects) == len({s for s, _, _ in union})
    assert value(void, ds, VOID.distinctObjects) == len({o for _, _, o in union})
    assert value(void, ds, VOID.properties) == len({p for _, p, _ in union})
    assert value(void, ds, VOID.classes) == len({o for _, p, o in union if p == RDF.type})
    ours = {s for s, _, _ in union if isinstance(s, URIRef) and str(s).startswith(BASE)}
    assert value(void, ds, VOID.entities) == len(ours)
    assert str(void.value(ds, VOID.uriSpace)) == BASE


def test_void_has_one_subset_per_named_graph_with_its_counts(void, built, iris):
    subsets = set(void.objects(iris.dataset, VOID.subset))
    graphs = {g.identifier for g in built.dataset.graphs() if len(g)}
    assert graphs <= subsets
    for name in graphs:
        graph = built.dataset.graph(name)
        assert value(void, name, VOID.triples) == len(graph)
        assert value(void, name, VOID.distinctSubjects) == len(set(graph.subjects()))


def test_void_linkset_to_wikidata_counts_the_same_as_links(void, union, iris):
    linksets = [s for s in void.subjects(RDF.type, VOID.Linkset)]
    assert len(linksets) == 1
    linkset = linksets[0]
    assert linkset in set(void.objects(iris.dataset, VOID.subset))
    assert void.value(linkset, VOID.linkPredicate) == OWL.sameAs
    assert void.value(linkset, VOID.subjectsTarget) == iris.dataset
    target = void.value(linkset, VOID.objectsTarget)
    assert str(void.value(target, VOID.uriSpace)) == "http://www.wikidata.org/entity/"
    links = {
        (s, o)
        for s, p, o in union
        if p == OWL.sameAs and str(o).startswith("http://www.wikidata.org/entity/")
    }
    assert len(links) > 5
    assert value(void, linkset, VOID.triples) == len(links)


def test_void_lists_each_vocabulary_used(void, union, iris):
    vocabularies = set(void.objects(iris.dataset, VOID.vocabulary))
    for namespace in ("http://schema.org/", "http://www.w3.org/ns/prov#", "http://www.w3.org/ns/oa#"):
        assert URIRef(namespace) in vocabularies
    assert iris.ontology in vocabularies
    used = {p for _, p, _ in union} | {o for _, p, o in union if p == RDF.type}
    for vocabulary in vocabularies - {iris.ontology}:
        assert any(str(term).startswith(vocabulary) for term in used), vocabulary


def test_void_names_the_endpoint_and_every_dump(void, iris):
    ds = iris.dataset
    assert void.value(ds, VOID.sparqlEndpoint) == URIRef(BASE + "sparql")
    assert set(void.objects(ds, VOID.dataDump)) == {URIRef(f"{BASE}dataset.{ext}") for ext in DUMPS}


def test_dcat_has_a_distribution_per_dump_and_one_for_the_endpoint(void, iris):
    distributions = set(void.objects(iris.dataset, DCAT.distribution))
    downloads = {void.value(d, DCAT.downloadURL): void.value(d, DCAT.mediaType) for d in distributions}
    for ext, (media_type, _) in DUMPS.items():
        assert str(downloads[URIRef(f"{BASE}dataset.{ext}")]).endswith("/" + media_type)
    services = [void.value(d, DCAT.accessService) for d in distributions if void.value(d, DCAT.accessService)]
    assert len(services) == 1
    assert (services[0], RDF.type, DCAT.DataService) in void
    assert void.value(services[0], DCAT.endpointURL) == URIRef(BASE + "sparql")
    assert (services[0], RDF.type, SD.Service) in void


def test_void_keeps_what_the_data_says_about_the_dataset(void, built, iris):
    title = next(built.dataset.quads((iris.dataset, DCTERMS.title, None, None)))[2]
    assert (iris.dataset, DCTERMS.title, title) in void


def test_void_negotiates_rdf_only(client):
    jsonld = client.get("/.well-known/void", headers={"Accept": "application/ld+json"})
    assert jsonld.mimetype == "application/ld+json"
    assert len(Graph().parse(data=jsonld.get_data(), format="json-ld")) > 100
    assert client.get("/.well-known/void", headers={"Accept": "text/html"}).status_code == 406
    assert "Accept" in client.get("/.well-known/void").vary


def test_dataset_iri_negotiates_its_description(client, iris):
    turtle = client.get("/dataset", headers={"Accept": "text/turtle"})
    graph = Graph().parse(data=turtle.get_data(), format="turtle")
    assert (iris.dataset, VOID.triples, None) in graph
    assert '</.well-known/void>; rel=describedby; type="text/turtle"' in turtle.headers.getlist("Link")
    html = client.get("/dataset", headers={"Accept": "text/html"})
    assert html.mimetype == "text/html"
    assert 'href="/dataset.trig"' in html.get_data(as_text=True)
    assert client.get("/dataset.html").mimetype == "text/html"


# -- dumps -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("ext", list(DUMPS))
def test_dump_parses_and_is_isomorphic_to_the_export(client, built, ext):
    media_type, rdflib_format = DUMPS[ext]
    response = client.get(f"/dataset.{ext}")
    assert response.status_code == 200
    assert response.mimetype == media_type
    assert response.is_streamed
    dump = Dataset().parse(data=response.get_data(), format=rdflib_format)
    expected = stored_copy(built.dataset)
    if ext == "ttl":  # a triples format: the union of the graphs
        assert isomorphic(union_graph(dump), union_graph(expected))
        return
    names = {g.identifier for g in expected.graphs() if len(g)}
    assert {g.identifier for g in dump.graphs() if len(g)} == names
    for name in names:
        assert isomorphic(dump.graph(name), expected.graph(name)), name


@pytest.mark.xfail(strict=True, reason="Oxigraph stores xsd:nonNegativeInteger as xsd:integer (oxigraph#526)")
def test_dump_keeps_every_literal_datatype(client, built):
    dump = Dataset().parse(data=client.get("/dataset.nq").get_data(), format="nquads")
    assert set(dump.quads()) == set(built.dataset.quads())


def test_dump_etag_and_last_modified_answer_304(client, built):
    first = client.get("/dataset.trig")
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert built.fingerprint in etag
    assert etag != client.get("/dataset.nq").headers["ETag"]  # one tag per format
    again = client.get("/dataset.trig", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.get_data() == b""
    assert client.get("/dataset.trig", headers={"If-Modified-Since": modified}).status_code == 304
    assert client.get("/dataset.trig", headers={"If-None-Match": '"other"'}).status_code == 200


def test_unknown_dump_is_404(client):
    assert client.get("/dataset.xml").status_code == 404


def test_description_follows_the_data_version(built, iris):
    store = OxigraphStore(base_iri=iris.base)
    store.replace_all(built.dataset.serialize(format="nquads", encoding="utf-8"))
    client = create_app({"base_iri": BASE}, store=store).test_client()
    before = Graph().parse(data=client.get("/.well-known/void").get_data(), format="turtle")
    etag = client.get("/dataset.nq").headers["ETag"]

    changed = Dataset()
    changed.parse(data=built.dataset.serialize(format="nquads"), format="nquads")
    graph = changed.graph(iris.graph("dataset"))
    graph.set((iris.dataset, DCTERMS.hasVersion, Literal("next-version")))
    graph.add((iris.entity("extra"), DCTERMS.title, Literal("one more triple")))
    store.replace_all(changed.serialize(format="nquads", encoding="utf-8"))

    after = Graph().parse(data=client.get("/.well-known/void").get_data(), format="turtle")
    assert value(after, iris.dataset, VOID.triples) == value(before, iris.dataset, VOID.triples) + 1
    assert client.get("/dataset.nq", headers={"If-None-Match": etag}).status_code == 200


def stored_copy(dataset: Dataset) -> Dataset:
    copy = Dataset()
    for s, p, o, g in dataset.quads():
        copy.graph(g).add((s, p, as_stored(o)))
    return copy


def union_graph(dataset: Dataset) -> Graph:
    graph = Graph()
    for s, p, o, _ in dataset.quads():
        graph.add((s, p, o))
    return graph
