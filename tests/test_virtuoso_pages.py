"""Pages, the JSON API and Linked Data over Virtuoso: the service's own queries (service/claimgraph/rq/,
bound by querylib) and the read model's build queries answer there as on the embedded store.

The session's Virtuoso (tests/conftest.py), loaded with the dataset `claimgraph serve` builds (reviews
and released versions included); one app over it and one over the embedded store, from the same N-Quads.
Every page and JSON answer must be the same bytes on both; every RDF document the same triples, up
to what Virtuoso keeps of a literal (its value: Oxigraph writes xsd:nonNegativeInteger as
xsd:integer, Virtuoso keeps it; README, "Virtuoso").
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from claimgraph import create_app
from claimgraph.iris import Iris
from claimgraph.store.oxigraph import OxigraphStore
from claimgraph.store.sparql import SparqlStore
from flask.testing import FlaskClient
from rdflib import Dataset, Literal
from rdflib.term import Node
from virtuoso_server import VIRTUOSO, virtuoso_endpoint, virtuoso_settings

pytestmark = pytest.mark.skipif(VIRTUOSO is None, reason="virtuoso-t is not installed (make virtuoso-deps)")

DATA = Path(__file__).resolve().parent.parent / "data"
#: The canonical base: the released versions (data/releases/) are minted under it.
CANONICAL = "https://w3id.org/claimgraph/"
HTML = "text/html"
#: A claim with a figure, two sources and reviews: its quote, figure and sources as the data has them.
CLAIM, QUOTE, FIGURE = "c014", "Of these, 67,236 permits were approved", "67236"
SOURCE = "bpa-response-2024-08-05"
#: A released version of c001 (data/releases/release-0001.nq).
VERSION = "RA31VwD6sjGPCYw7z9p1q5OVee340XNR7LVaew-8sKAeI"

PAGES = [
    "/",
    "/claims",
    f"/claims/{CLAIM}",
    "/claims/c001",
    "/claims/c013",
    "/claims/c056",
    "/sources",
    f"/sources/{SOURCE}",
    "/entities/bcsp",
    "/entities/serbia",
    "/articles",
    "/article",
    "/articles/russians-in-serbia",
    "/checks",
    "/reviews/c001-unsourced",
    "/graphs/reviews",
    "/dataset",
    "/search?q=border",
]
API = [
    "/api/claims",
    f"/api/claims/{CLAIM}",
    "/api/sources",
    f"/api/sources/{SOURCE}",
    "/api/checks",
    "/api/articles",
    "/api/articles/russians-in-serbia",
    "/api/entities/bcsp",
    "/api/search?q=border",
]
DOCUMENTS = [
    f"/claims/{CLAIM}.ttl",
    f"/claims/{CLAIM}.jsonld",
    f"/claims/{CLAIM}.trig",
    "/claims/c001.trig",
    f"/sources/{SOURCE}.ttl",
    "/entities/bcsp.jsonld",
    "/reviews/c001-unsourced.ttl",
    "/reviews/c013-sum-of-parts.jsonld",
    "/graphs/reviews.trig",
    f"/claims/{CLAIM}/assertion.trig",
    "/articles/russians-in-serbia.ttl",
    f"/np/{VERSION}.trig",
    "/releases/1.trig",
    "/dataset.trig",
    "/.well-known/void",
]


@pytest.fixture(scope="module")
def clients(virtuoso_url: str, released_nquads: bytes) -> tuple[FlaskClient, FlaskClient]:
    """(the app over the embedded store, the app over Virtuoso), the same data in both."""
    iris = Iris(CANONICAL)
    nquads = released_nquads
    embedded = OxigraphStore(base_iri=CANONICAL, prefixes=iris.prefixes())
    embedded.replace_all(nquads)
    remote = SparqlStore(virtuoso_endpoint(virtuoso_url), base_iri=CANONICAL, prefixes=iris.prefixes())
    remote.replace_all(nquads)
    return (
        create_app({}, store=embedded).test_client(),
        create_app(virtuoso_settings(virtuoso_url), store=remote).test_client(),
    )


def get(client: FlaskClient, path: str, accept: str | None = None) -> bytes:
    answer = client.get(path, headers={"Accept": accept} if accept else {})
    assert answer.status_code == 200, (path, answer.status_code, answer.get_data(as_text=True)[:500])
    return answer.data


def test_the_claim_page_shows_the_quote_figure_sources_and_reviews(clients):
    _, virtuoso = clients
    page = get(virtuoso, f"/claims/{CLAIM}", HTML).decode()
    assert QUOTE in page
    assert "67,236" in page
    assert f"/sources/{SOURCE}" in page
    reviewed = get(virtuoso, "/claims/c013", HTML).decode()  # the embedded ClaimReview JSON-LD
    assert '"ClaimReview"' in reviewed
    assert "reviews/c013-sum-of-parts" in reviewed
    claim = json.loads(get(virtuoso, f"/api/claims/{CLAIM}"))
    assert claim["quote"] == QUOTE
    assert FIGURE in json.dumps(claim)
    assert SOURCE in json.dumps(claim)


@pytest.mark.parametrize("path", PAGES)
def test_every_page_is_the_embedded_stores_page(clients, path):
    embedded, virtuoso = clients
    assert get(virtuoso, path, HTML).decode() == get(embedded, path, HTML).decode()


@pytest.mark.parametrize("path", API)
def test_every_api_answer_is_the_embedded_stores(clients, path):
    embedded, virtuoso = clients
    assert json.loads(get(virtuoso, path)) == json.loads(get(embedded, path))


def literal_value(term: Node) -> object:
    """A term as compared across engines: a literal by its value (and language), not its form."""
    if isinstance(term, Literal):
        value = term.toPython()
        return ("literal", str(term) if isinstance(value, Literal) else value, term.language)
    return term


def quads(body: bytes, path: str) -> set[tuple[object, ...]]:
    fmt = {"ttl": "turtle", "jsonld": "json-ld", "trig": "trig"}.get(path.rsplit(".", 1)[-1], "turtle")
    dataset = Dataset()
    dataset.parse(data=body, format=fmt)
    return {
        (literal_value(s), p, literal_value(o), getattr(g, "identifier", g) if fmt == "trig" else None)
        for s, p, o, g in dataset.quads()
    }


@pytest.mark.parametrize("path", DOCUMENTS)
def test_every_document_has_the_embedded_stores_triples(clients, path):
    embedded, virtuoso = clients
    expected = quads(get(embedded, path), path)
    assert len(expected) > 5
    assert quads(get(virtuoso, path), path) == expected
