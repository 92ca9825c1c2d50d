"""A draft loaded beside the shipped (reviewed) data: it validates, is never checked, and is labelled
"Draft — not reviewed" in the RDF, the JSON API and on every page where its claims show; the
shapes are relaxed for drafts only."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from claimgraph import create_app
from claimgraph.build.drafting import run_draft
from claimgraph.build.pipeline import build_dataset, build_reviewed, to_nquads
from claimgraph.build.sources import read_sources
from claimgraph.build.validation import load_ontology, merged_graph, validate_dataset
from claimgraph.iris import SCHEMA, Iris
from claimgraph.querylib import load_library
from claimgraph.store.oxigraph import OxigraphStore
from rdflib import Dataset, URIRef
from rdflib.namespace import PROV, RDF

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
UNSEEN = ROOT / "tests" / "data" / "drafting" / "novi-grad.txt"
BASE = "http://claimgraph.test/"
SLUG = "novi-grad"
SHIPPED_CLAIMS = 82


def data_with_draft(tmp: Path) -> tuple[Path, list[str]]:
    """The shipped data and, beside it in data/articles/, a draft article as `claimgraph draft`
    writes it (of a text of our own); returns the data folder and the draft claim ids."""
    data = tmp / "data"
    shutil.copytree(DATA, data)
    drafted, _ = run_draft(str(UNSEEN), str(data / "articles" / SLUG), context=str(data / "context.yaml"))
    # and a draft of a text with no byline: its author is explicitly not stated
    bare = tmp / "bare.txt"
    bare.write_text("Prices rose 12% in 2024, according to the statistics office.\n", encoding="utf-8")
    run_draft(str(bare), str(data / "articles" / "prices-2024"), context=str(data / "context.yaml"))
    return data, [f"c{n:03d}" for n in range(1, len(drafted.reading.candidates) + 1)]


@pytest.fixture(scope="module")
def drafted(tmp_path_factory: pytest.TempPathFactory):
    data, ids = data_with_draft(tmp_path_factory.mktemp("drafted"))
    iris = Iris(BASE)
    built = build_dataset(read_sources(data), iris)
    return data, ids, iris, built


@pytest.fixture(scope="module")
def client(drafted):
    _, _, iris, built = drafted
    store = OxigraphStore(base_iri=iris.base, prefixes=iris.prefixes())
    store.replace_all(to_nquads(built.dataset))
    return create_app({"base_iri": iris.base}, store=store).test_client()


def draft_iri(iris: Iris, cid: str) -> URIRef:
    return iris.claim(cid, SLUG)


def test_the_draft_validates_beside_the_reviewed_data(drafted) -> None:
    _, ids, iris, built = drafted
    assert built.report.conforms, str(built.report)
    assert built.report.claims == SHIPPED_CLAIMS + len(ids) + 1
    graph = merged_graph(built.dataset)
    bare = iris.article("prices-2024")
    assert (bare, iris.cg.notStated, SCHEMA.author) in graph
    assert graph.value(bare, SCHEMA.author) is None
    drafts = set(graph.subjects(iris.cg.reviewStatus, iris.cg["status-draft"]))
    assert {draft_iri(iris, i) for i in ids} <= drafts
    assert not any(iris.claim(f"c{n:03d}") in drafts for n in range(1, SHIPPED_CLAIMS + 1))


def test_drafts_are_never_checked(drafted) -> None:
    _, ids, iris, built = drafted
    run = built.check_run
    assert set(run.drafts) == {draft_iri(iris, i) for i in ids} | {iris.claim("c001", "prices-2024")}
    assert not [f for f in run.findings if SLUG in str(f.claim)]
    graph = merged_graph(built.dataset)
    for review in graph.subjects(RDF.type, SCHEMA.ClaimReview):
        reviewed = graph.value(review, SCHEMA.itemReviewed)
        assert (reviewed, iris.cg.reviewStatus, iris.cg["status-draft"]) not in graph
    # the reviewed claims are checked as before
    shipped = build_reviewed(read_sources(DATA), iris).check_run
    assert [(f.claim_id, f.rule.id, f.verdict_id) for f in run.findings] == [
        (f.claim_id, f.rule.id, f.verdict_id) for f in shipped.findings
    ]


def _problems(dataset: Dataset, iris: Iris, texts) -> list[str]:
    return [p.render() for p in validate_dataset(dataset, iris, texts).problems]


def test_the_shapes_are_relaxed_for_drafts_only(drafted) -> None:
    _, ids, iris, built = drafted
    dataset = Dataset()
    for quad in built.dataset.quads((None, None, None, None)):
        dataset.add(quad)
    reviewed, draft = iris.claim("c013"), draft_iri(iris, ids[0])
    # a reviewed claim that loses its sources, and a reviewed figure that loses its measure and unit
    for s, p, o, g in list(dataset.quads((reviewed, PROV.wasDerivedFrom, None, None))):
        dataset.remove((s, p, o, g))
    figure = URIRef(f"{reviewed}/figure-1")
    for prop in (SCHEMA.variableMeasured, iris.cg.unit):
        for s, p, o, g in list(dataset.quads((figure, prop, None, None))):
            dataset.remove((s, p, o, g))
    # marking a reviewed claim's figure as a draft does not get it off the hook
    other = URIRef(f"{iris.claim('c014')}/figure-1")
    graph_of_figure = next(iter(dataset.quads((other, RDF.type, None, None))))[3]
    dataset.add((other, iris.cg.reviewStatus, iris.cg["status-draft"], graph_of_figure))
    # and a verdict on a draft is refused
    review = URIRef(f"{BASE}reviews/fake")
    reviews_graph = dataset.graph(iris.graph("reviews"))
    template = next(iter(reviews_graph.subjects(SCHEMA.itemReviewed, None)))
    for _, p, o in list(reviews_graph.triples((template, None, None))):
        reviews_graph.add((review, p, draft if p == SCHEMA.itemReviewed else o))
    problems = "\n".join(_problems(dataset, iris, built.article_texts))  # one SHACL run: it is slow
    assert "a claim needs a source" in problems
    assert "a figure needs exactly one measure" in problems
    assert "a figure needs exactly one unit" in problems
    assert "only a draft claim's own figures may be drafts" in problems
    assert "no verdict on a draft" in problems
    # the draft itself, with no sources, measure or unit, gives none of them
    assert f"{draft}" not in problems.replace(f"{BASE}reviews/fake", "")


def test_the_ontology_defines_the_review_status(drafted) -> None:
    _, _, iris, _ = drafted
    ontology = load_ontology(iris)
    from rdflib.namespace import RDFS, SKOS

    for term in (
        iris.cg.reviewStatus,
        iris.cg["status-draft"],
        iris.cg["status-reviewed"],
        iris.cg.attributionPhrase,
    ):
        assert ontology.value(term, RDFS.label) is not None
        assert ontology.value(term, RDFS.comment) is not None
    assert (iris.cg["status-draft"], SKOS.inScheme, iris.cg.ReviewStatusScheme) in ontology


def test_claim_page_and_api_say_draft(client, drafted) -> None:
    _, ids, _, _ = drafted
    page = client.get(f"/articles/{SLUG}/claims/{ids[0]}", headers={"Accept": "text/html"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Draft — not reviewed" in html
    assert "not checked: draft" in html
    assert "Not checked: this claim is a draft" in html
    assert "Source: not yet given" in html  # the provenance picture: not "the article does not say"
    assert "the article does not say" not in html
    assert "(guessed by the draft" in html
    jsonld = html.split('<script type="application/ld+json">', 1)[1].split("</script>", 1)[0]
    data = json.loads(jsonld)
    assert [item["@type"] for item in data["@graph"]] == ["Claim"]
    assert data["@graph"][0]["creativeWorkStatus"] == "Draft"
    detail = client.get(f"/api/articles/{SLUG}/claims/{ids[0]}").get_json()
    assert detail["status"] == "draft"
    assert detail["reviews"] == []
    assert client.get("/api/claims/c013").get_json()["status"] == "reviewed"
    reviewed_page = client.get("/claims/c013", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "Draft — not reviewed" not in reviewed_page


def test_the_rdf_says_draft(client, drafted) -> None:
    _, ids, _, _ = drafted
    turtle = client.get(f"/articles/{SLUG}/claims/{ids[0]}", headers={"Accept": "text/turtle"}).get_data(
        as_text=True
    )
    assert "status-draft" in turtle


def test_claims_list_facet_and_labels(client, drafted) -> None:
    _, ids, _, _ = drafted
    listing = client.get(f"/api/claims?status=draft&article={SLUG}").get_json()
    assert [c["id"] for c in listing["claims"]] == ids
    assert {c["status"] for c in listing["claims"]} == {"draft"}
    counts = {v["id"]: v["count"] for v in listing["facets"]["status"]}
    assert counts == {"draft": len(ids), "reviewed": 0}  # within the article chosen
    everything = client.get("/api/claims").get_json()
    counts = {v["id"]: v["count"] for v in everything["facets"]["status"]}
    assert counts == {"draft": len(ids) + 1, "reviewed": SHIPPED_CLAIMS}
    reviewed = client.get("/api/claims?status=reviewed").get_json()
    assert reviewed["count"] == SHIPPED_CLAIMS
    both = client.get("/api/claims?status=reviewed&status=draft").get_json()
    assert both["count"] == SHIPPED_CLAIMS + len(ids) + 1
    assert client.get("/api/claims?status=maybe").status_code == 400
    html = client.get("/claims?status=draft", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert html.count("Draft — not reviewed</strong>") == len(ids) + 1
    assert 'name="status" value="draft"' in html


def test_article_page_labels_drafts(client, drafted) -> None:
    _, ids, _, _ = drafted
    html = client.get(f"/articles/{SLUG}", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert f"{len(ids)} of the {len(ids)} claims highlighted here are drafts" in html
    assert html.count('<sup class="draft-sign">draft</sup>') >= len(ids)
    shipped = client.get("/article", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "draft-sign" not in shipped
    index = client.get("/articles", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert f"Draft — not reviewed: {len(ids)} of {len(ids)} claims" in index
    articles = {a["id"]: a for a in client.get("/api/articles").get_json()["articles"]}
    assert articles[SLUG]["draftCount"] == len(ids)
    assert articles["russians-in-serbia"]["draftCount"] == 0


def test_search_facet_and_labels(client) -> None:
    result = client.get("/api/search?q=2024&status=draft").get_json()
    assert result["count"] >= 1
    assert {hit["claim"]["status"] for hit in result["hits"]} == {"draft"}
    all_hits = client.get("/api/search?q=2024").get_json()
    counts = {v["id"]: v["count"] for v in all_hits["facets"]["status"]}
    assert counts["draft"] >= 1
    assert counts["reviewed"] >= 1
    html = client.get("/search?q=2024&status=draft", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "Draft — not reviewed" in html
    assert client.get("/api/search?q=2024&status=unknown").status_code == 400


def test_the_shipped_data_has_no_drafts(site_client) -> None:
    listing = site_client.get("/api/claims?status=draft").get_json()
    assert listing["count"] == 0
    assert {v["id"]: v["count"] for v in listing["facets"]["status"]} == {"draft": 0, "reviewed": 82}
    assert site_client.get("/api/search?q=Levada&status=draft").get_json()["count"] == 0


def test_the_claims_by_kind_query_counts_reviewed_claims_only(drafted) -> None:
    """A draft's kind and attribution are guesses: the example query that counts claims by kind and
    attribution leaves drafts out (they are counted on /claims' status facet instead)."""
    _, ids, iris, built = drafted
    store = OxigraphStore(base_iri=iris.base, prefixes=iris.prefixes())
    store.replace_all(to_nquads(built.dataset))
    query = load_library()["claims-by-kind"].text
    assert sum(int(row["claims"].toPython()) for row in store.select(query)) == SHIPPED_CLAIMS
    every = query.replace("FILTER NOT EXISTS { ?claim cg:reviewStatus cg:status-draft }", "")
    assert sum(int(row["claims"].toPython()) for row in store.select(every)) == SHIPPED_CLAIMS + len(ids) + 1
