"""Linked Data: every minted IRI dereferences, in every format, with twins, Link and Vary headers."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urldefrag

import pytest
from claimgraph import create_app
from claimgraph.build.pipeline import build_reviewed
from claimgraph.build.sources import read_sources
from claimgraph.iris import ONTOLOGY, SCHEMA, WD
from claimgraph.store.oxigraph import OxigraphStore
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import OWL, PROV, RDF, RDFS, XSD
from stored_terms import as_stored

BASE = "http://claimgraph.test/"  # the base of the conftest fixtures
DATA = Path(__file__).resolve().parent.parent / "data"
RDF_TYPES = {
    "text/turtle": "turtle",
    "application/ld+json": "json-ld",
    "application/trig": "trig",
    "application/n-triples": "nt",
    "application/rdf+xml": "xml",
    "application/n-quads": "nquads",
}
EXTENSIONS = {"ttl": "text/turtle", "jsonld": "application/ld+json", "trig": "application/trig"}
EXTENSIONS |= {"nt": "application/n-triples", "rdf": "application/rdf+xml", "nq": "application/n-quads"}
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8"


@pytest.fixture(scope="module")
def client(data_client, iris):
    assert iris.base == BASE
    return data_client


def path_of(iri) -> str:
    """Where this server answers for ``iri``: its path under the base, or /ontology for the
    ontology's persistent IRI (the same under every base)."""
    if str(iri).startswith(ONTOLOGY):
        return "/ontology" + str(iri)[len(ONTOLOGY) :]
    return "/" + str(iri)[len(BASE) :]


def iri_of(kind: str) -> URIRef:
    """The IRI of a resource or graph kind: ``ontology`` is the persistent ontology IRI."""
    return URIRef(ONTOLOGY) if kind == "ontology" else URIRef(BASE + kind)


def parse(response) -> Dataset:
    """The body as a Dataset, whatever RDF format the response says it is."""
    media_type = response.mimetype
    dataset = Dataset()
    dataset.parse(data=response.get_data(), format=RDF_TYPES[media_type], publicID=BASE)
    return dataset


def triples(dataset: Dataset) -> set:
    return {(s, p, o) for s, p, o, _ in dataset.quads((None, None, None, None))}


def described(built, iri) -> set:
    """What the compiled data says with ``iri`` as subject (as the store keeps it)."""
    return {(s, p, as_stored(o)) for s, p, o, _ in built.dataset.quads((iri, None, None, None))}


def graph_content(built, name) -> set:
    return {(s, p, as_stored(o)) for s, p, o in built.dataset.graph(name)}


def first_subject(built, prefix: str) -> URIRef:
    return min(s for s, _, _, _ in built.dataset.quads() if str(s).startswith(BASE + prefix))


# -- every kind of resource, every format ----------------------------------------------------------

RESOURCE_KINDS = [
    "sources/",
    "activities/",
    "entities/",
    "measures/",
    "populations/",
    "questions/",
    "units/",
    "events/",
    "rules/",
    "claims/c013/figure-1",
    "claims/c013/annotation",
    "claims/c013/target",
    "claims/c013/quote-selector",
    "claims/c013/position-selector",
    "articles/russians-in-serbia/image",
    "articles/russians-in-serbia/text",
    "articles/russians-in-serbia",
    "dataset",
]
GRAPH_KINDS = [
    "claims/c013/assertion",
    "claims/c013/provenance",
    "graphs/entities",
    "graphs/sources",
    "ontology",
]


@pytest.mark.parametrize("media_type", list(RDF_TYPES))
@pytest.mark.parametrize("kind", RESOURCE_KINDS)
def test_resource_dereferences_with_all_its_triples(client, built, kind, media_type):
    iri = first_subject(built, kind) if kind.endswith("/") else URIRef(BASE + kind)
    response = client.get(path_of(iri), headers={"Accept": media_type})
    assert response.status_code == 200
    assert response.mimetype == media_type
    expected = described(built, iri)
    assert expected
    assert expected <= triples(parse(response))


@pytest.mark.parametrize("media_type", list(RDF_TYPES))
@pytest.mark.parametrize("kind", GRAPH_KINDS)
def test_named_graph_dereferences_to_its_content(client, built, kind, media_type):
    iri = iri_of(kind)
    response = client.get(path_of(iri), headers={"Accept": media_type})
    assert response.status_code == 200
    body = parse(response)
    expected = graph_content(built, iri)
    assert len(expected) > 5
    if media_type in ("application/trig", "application/n-quads"):
        assert expected <= set(body.graph(iri))
    else:
        assert expected <= triples(body)


# -- claims ----------------------------------------------------------------------------------------


def test_claim_turtle_has_its_figure_and_both_sources(client, iris):
    response = client.get("/claims/c013", headers={"Accept": "text/turtle"})
    graph = Graph().parse(data=response.get_data(), format="turtle")
    claim, figure = iris.claim("c013"), iris.claim_part("c013", "figure-1")
    assert (figure, SCHEMA.value, Literal(73197, datatype=XSD.integer)) in graph
    sources = set(graph.objects(claim, PROV.wasDerivedFrom))
    assert sources == {iris.source("bpa-response-2024-08-05"), iris.source("bpa-response-2025-02-12")}
    for source in sources:  # the sources come with their labels
        assert "Border Police" in str(graph.value(source, RDFS.label))


def test_claim_trig_keeps_assertion_apart_from_provenance(client, iris):
    response = client.get("/claims/c013", headers={"Accept": "application/trig"})
    dataset = Dataset().parse(data=response.get_data(), format="trig")
    claim, figure = iris.claim("c013"), iris.claim_part("c013", "figure-1")
    assertion = dataset.graph(iris.assertion_graph("c013"))
    provenance = dataset.graph(iris.provenance_graph("c013"))
    assert (figure, SCHEMA.value, Literal(73197, datatype=XSD.integer)) in assertion
    assert (figure, SCHEMA.value, None) not in provenance
    assert (claim, PROV.wasDerivedFrom, iris.source("bpa-response-2024-08-05")) in provenance
    assert (claim, PROV.wasDerivedFrom, None) not in assertion


def test_claim_anchor_selectors_point_into_the_article(client, iris, article_text):
    response = client.get("/claims/c013.ttl")
    graph = Graph().parse(data=response.get_data(), format="turtle")
    quote = iris.claim_part("c013", "quote-selector")
    position = iris.claim_part("c013", "position-selector")
    exact = str(graph.value(quote, URIRef("http://www.w3.org/ns/oa#exact")))
    start = int(graph.value(position, URIRef("http://www.w3.org/ns/oa#start")))
    end = int(graph.value(position, URIRef("http://www.w3.org/ns/oa#end")))
    assert "73,197" in exact
    assert article_text[start:end] == exact


def test_claim_includes_the_reviews_of_it(built, iris):
    """Reviews (issue 5) live in their own graph; the claim's representation brings them along."""
    review, rating = iris.review("r-test"), iris.review("r-test/rating")
    extra = Dataset()
    reviews = extra.graph(iris.graph("reviews"))
    reviews.add((review, RDF.type, SCHEMA.ClaimReview))
    reviews.add((review, SCHEMA.itemReviewed, iris.claim("c013")))
    reviews.add((review, SCHEMA.reviewRating, rating))
    reviews.add((rating, SCHEMA.ratingExplanation, Literal("20,270 + 24,704 + 28,223 = 73,197")))
    store = OxigraphStore(base_iri=iris.base)
    store.replace_all(
        built.dataset.serialize(format="nquads", encoding="utf-8")
        + extra.serialize(format="nquads", encoding="utf-8")
    )
    client = create_app({"base_iri": BASE}, store=store).test_client()

    claim = parse(client.get("/claims/c013", headers={"Accept": "application/trig"}))
    assert (review, SCHEMA.itemReviewed, iris.claim("c013")) in claim.graph(iris.graph("reviews"))
    assert (rating, SCHEMA.ratingExplanation, None) in claim.graph(iris.graph("reviews"))
    page = client.get("/reviews/r-test.ttl")
    assert page.status_code == 200
    assert (review, RDF.type, SCHEMA.ClaimReview) in triples(parse(page))


@pytest.fixture(scope="module")
def reviewed(iris):
    """The data as the service loads it: compiled, plus the reviews of the automated checks."""
    built = build_reviewed(read_sources(DATA), iris)
    store = OxigraphStore(base_iri=iris.base)
    store.replace_all(built.dataset.serialize(format="nquads", encoding="utf-8"))
    return built, create_app({"base_iri": BASE}, store=store).test_client()


def test_every_minted_iri_dereferences_with_its_triples(reviewed):
    built, client = reviewed
    minted = {
        term
        for quad in built.dataset.quads()
        for term in quad
        if isinstance(term, URIRef) and str(term).startswith(BASE)
    }
    assert len(minted) > 500
    for iri in sorted(minted):
        document = URIRef(urldefrag(str(iri))[0])  # a hash IRI is answered by its document
        response = client.get(path_of(document), headers={"Accept": "application/n-triples"})
        assert response.status_code == 200, iri
        assert described(built, iri) <= triples(parse(response)), iri


def test_review_brings_its_rating_and_the_claim_its_reviews(reviewed, iris):
    built, client = reviewed
    reviews = built.dataset.graph(iris.graph("reviews"))
    review = next(iter(reviews.subjects(RDF.type, SCHEMA.ClaimReview)))
    claim, rating = reviews.value(review, SCHEMA.itemReviewed), reviews.value(review, SCHEMA.reviewRating)
    page = triples(parse(client.get(path_of(review), headers={"Accept": "text/turtle"})))
    assert {(s, p, o) for s, p, o in reviews if s == rating} <= page
    claim_page = parse(client.get(path_of(claim), headers={"Accept": "application/trig"}))
    assert set(reviews.triples((review, None, None))) <= set(claim_page.graph(iris.graph("reviews")))


# -- entities, ontology, article text --------------------------------------------------------------


def test_entity_page_shows_same_as_to_wikidata(client, iris):
    response = client.get("/entities/serbia", headers={"Accept": BROWSER})
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    same_as = re.search(r'<section class="same-as">(.*?)</section>', html, re.S)
    assert same_as, "no owl:sameAs section"
    assert f'href="{WD.Q403}"' in same_as.group(1)
    turtle = Graph().parse(data=client.get("/entities/serbia.ttl").get_data(), format="turtle")
    assert (iris.entity("serbia"), OWL.sameAs, WD.Q403) in turtle


def test_ontology_serves_the_whole_ontology(client, built, iris):
    body = triples(parse(client.get("/ontology", headers={"Accept": "text/turtle"})))
    assert graph_content(built, iris.ontology) <= body
    version = triples(parse(client.get("/ontology/0.1.0", headers={"Accept": "text/turtle"})))
    assert graph_content(built, iris.ontology) <= version


def test_ontology_term_iri_resolves_to_the_ontology(client, iris):
    term = iris.cg.Assertion
    document, fragment = urldefrag(str(term))
    assert document == str(iris.ontology)
    response = client.get(path_of(document), headers={"Accept": "text/turtle"})
    graph = Graph().parse(data=response.get_data(), format="turtle")
    assert (term, RDF.type, OWL.Class) in graph
    assert graph.value(term, RDFS.label) is not None
    html = client.get(path_of(document), headers={"Accept": BROWSER}).get_data(as_text=True)
    assert f'id="{fragment}"' in html


def test_article_text_is_served_as_the_text_itself(client, article_text):
    for headers in ({}, {"Accept": "*/*"}, {"Accept": "text/plain"}):
        response = client.get("/articles/russians-in-serbia/text", headers=headers)
        assert response.mimetype == "text/plain"
        assert response.get_data(as_text=True) == article_text
    assert client.get("/articles/russians-in-serbia/text.txt").get_data(as_text=True) == article_text
    rdf = client.get("/articles/russians-in-serbia/text", headers={"Accept": "text/turtle"})
    assert rdf.mimetype == "text/turtle"
    assert (None, SCHEMA.sha256, None) in Graph().parse(data=rdf.get_data(), format="turtle")


# -- negotiation -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (BROWSER, "text/html"),
        ("*/*", "text/turtle"),
        (None, "text/turtle"),
        ("text/*", "text/turtle"),
        # TriG's source quality (0.5) weighs in: 0.9 * 0.5 < 0.5, so the triples go in the default graph
        ("application/ld+json;q=0.5, application/trig;q=0.9", "application/ld+json"),
        ("application/ld+json;q=0.4, application/trig;q=0.9", "application/trig"),
        ("application/rdf+xml, text/html;q=0.1", "application/rdf+xml"),
        ("text/html;q=0, */*;q=0.5", "text/turtle"),
    ],
)
def test_accept_header_chooses_the_representation(client, accept, expected):
    response = client.get("/claims/c013", headers={"Accept": accept} if accept else {})
    assert response.status_code == 200
    assert response.mimetype == expected


@pytest.mark.parametrize(("ext", "media_type"), [*EXTENSIONS.items(), ("html", "text/html")])
def test_extension_twin_overrides_accept(client, ext, media_type):
    response = client.get(f"/sources/bcsp-interviews.{ext}", headers={"Accept": "image/png"})
    assert response.status_code == 200
    assert response.mimetype == media_type
    assert "Accept" not in response.vary


def test_nothing_acceptable_is_406_listing_the_offers(client):
    response = client.get("/claims/c013", headers={"Accept": "image/png, application/json"})
    assert response.status_code == 406
    body = response.get_data(as_text=True)
    assert "text/turtle" in body
    assert "text/html" in body
    assert "Accept" in response.vary


@pytest.mark.parametrize(
    "path",
    [
        "/claims/c999",
        "/claims/c013/nothing",
        "/sources/no-such-source",
        "/entities/atlantis",
        "/reviews/r-none",
        "/graphs/nothing",
        "/ontology/9.9.9",
        "/articles/no-such-article/text",
        "/claims/c013.xyz",
        "/claims/c013.txt",
        "/claims/c%20013",
        "/widgets/c013",
    ],
)
def test_unknown_resource_or_extension_is_404(client, path):
    assert client.get(path, headers={"Accept": "*/*"}).status_code == 404


def test_negotiated_responses_vary_on_accept(client):
    assert "Accept" in client.get("/entities/serbia").vary
    assert "Accept" in client.get("/claims/c999").vary  # a 404 chosen by negotiation varies too
    assert "Accept" not in client.get("/entities/serbia.ttl").vary


def test_link_headers_name_every_twin_and_each_resolves(client):
    response = client.get("/claims/c013", headers={"Accept": "text/turtle"})
    links = [link for link in response.headers.getlist("Link") if "; rel=alternate;" in link]
    found = dict(re.fullmatch(r'<([^>]+)>; rel=alternate; type="([^"]+)"', link).groups() for link in links)
    assert set(found.values()) == {*EXTENSIONS.values(), "text/html"}
    for url, media_type in found.items():
        twin = client.get(url)
        assert twin.status_code == 200, url
        assert twin.mimetype == media_type


def test_html_page_links_its_twins_and_neighbours(client):
    html = client.get("/claims/c013", headers={"Accept": BROWSER}).get_data(as_text=True)
    assert '<link rel="alternate" type="application/trig" href="/claims/c013.trig">' in html
    assert 'href="/sources/bpa-response-2024-08-05"' in html
    assert 'href="/claims/c013/assertion"' in html


def test_links_follow_the_mount_point_not_the_base_iri(client):
    response = client.get("/claims/c013.html", environ_overrides={"SCRIPT_NAME": "/kg"})
    assert 'href="/kg/entities/serbia"' in response.get_data(as_text=True)
    negotiated = client.get("/claims/c013", environ_overrides={"SCRIPT_NAME": "/kg"})
    assert "</kg/claims/c013.ttl>" in negotiated.headers["Link"]


def test_resource_iri_is_base_plus_path_whatever_the_request_host(client, iris):
    """The test client asks http://localhost/...; the IRIs answered are the configured base's."""
    body = triples(parse(client.get("/entities/serbia", headers={"Accept": "application/n-triples"})))
    assert {s for s, _, _ in body} >= {iris.entity("serbia")}
    assert all(not str(s).startswith("http://localhost") for s, _, _ in body)
