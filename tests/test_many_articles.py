"""Many articles (issue 12, item 1): one folder per article, shared context, namespaced IRIs.

The second article is tests/data/articles/test-fixture-permits/, a TEST FIXTURE written for
these tests (not journalism): it repeats the shipped article's claim ids on purpose, agrees
with one of its figures (24,704 applications in 2023) and disagrees with another (250
rejected applications in 2023, where the shipped article gives 245).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from claimgraph.build.pipeline import (
    build_dataset,
    build_reviewed,
    compile_data,
    serialize_dataset,
    to_nquads,
)
from claimgraph.build.sources import article_folders, read_configured, read_sources
from claimgraph.build.validation import check_anchors, merged_graph
from claimgraph.cli import main
from claimgraph.errors import DataError
from claimgraph.iris import SCHEMA
from claimgraph.settings import Settings
from conftest import DATA, SHIPPED
from rdflib import Literal, URIRef
from rdflib.namespace import RDF

FIXTURES = Path(__file__).resolve().parent / "data" / "articles"
SECOND = FIXTURES / "test-fixture-permits"
SLUG = SECOND.name


@pytest.fixture(scope="module")
def two(iris):
    return compile_data(read_sources(DATA, [SECOND]), iris)


@pytest.fixture
def second_copy(tmp_path: Path) -> Path:
    """A writable copy of the second article, to break on purpose."""
    target = tmp_path / "added" / SLUG
    shutil.copytree(SECOND, target)
    return target


def lines(dataset) -> set[bytes]:
    return set(to_nquads(dataset).splitlines())


def test_the_shipped_article_is_a_folder_and_its_text_is_the_source_byte_for_byte():
    shipped = DATA / SHIPPED
    assert sorted(p.name for p in shipped.iterdir()) == ["article.txt", "article.yaml", "claims.yaml"]
    source = Path("/work/shared/source/article.txt")
    if source.exists():
        assert (shipped / "article.txt").read_bytes() == source.read_bytes()
    assert not (DATA / "claims.yaml").exists()
    assert not (DATA / "article.txt").exists()


def test_the_second_article_is_namespaced_and_the_same_claim_ids_never_collide(two, iris):
    g = merged_graph(two.dataset)
    shipped, second = iris.claim("c001"), iris.claim("c001", SLUG)
    assert str(second) == f"{iris.base}articles/{SLUG}/claims/c001"
    assert str(shipped) == f"{iris.base}claims/c001"
    for claim, article in ((shipped, "russians-in-serbia"), (second, SLUG)):
        assert (claim, RDF.type, SCHEMA.Claim) in g
        assert (claim, SCHEMA.identifier, Literal("c001")) in g
        assert set(g.objects(claim, SCHEMA.appearance)) == {iris.article(article)}
    assert set(g.objects(shipped, SCHEMA.text)) != set(g.objects(second, SCHEMA.text))
    graphs = {str(graph.identifier) for graph in two.dataset.graphs()}
    assert f"{iris.base}articles/{SLUG}/claims/c001/assertion" in graphs
    assert f"{iris.base}articles/{SLUG}/claims/c002/provenance" in graphs
    assert f"{iris.base}articles/{SLUG}/graphs/article" in graphs
    figure = iris.claim_part("c001", "figure-1", SLUG)
    assert (figure, SCHEMA.value, Literal(24704)) in g
    target = iris.claim_part("c002", "target", SLUG)
    assert set(g.objects(target, URIRef("http://www.w3.org/ns/oa#hasSource"))) == {iris.article_text(SLUG)}


def test_shared_entities_are_one_resource(two, iris):
    g = merged_graph(two.dataset)
    serbia = iris.entity("serbia")
    for figure in (iris.claim_part("c018", "figure-1"), iris.claim_part("c001", "figure-1", SLUG)):
        assert (figure, SCHEMA.observationAbout, serbia) in g
        assert (figure, SCHEMA.variableMeasured, iris.measure("residence-permit-applications")) in g
    # the unit the second article repeats identically is still one label
    assert (
        len(set(g.objects(iris.unit("application"), URIRef("http://www.w3.org/2000/01/rdf-schema#label"))))
        == 1
    )


def test_adding_an_article_leaves_every_quad_of_the_shipped_one(built, two, iris):
    alone, both = lines(built.dataset), lines(two.dataset)
    version = b"<http://purl.org/dc/terms/hasVersion>"
    assert {line for line in alone - both if version not in line} == set()
    # what is added is the second article's, or says that the dataset has it as a source
    for line in both - alone:
        if version in line:
            continue
        assert f"articles/{SLUG}".encode() in line or b"test-fixture-author" in line, line


def test_the_shipped_reviews_are_the_same_with_a_second_article(iris):
    alone_built = build_reviewed(read_sources(DATA), iris)
    both_built = build_reviewed(read_sources(DATA, [SECOND]), iris)
    alone, both = alone_built.check_run, both_built.check_run
    # The export: every line of the shipped dataset is in the one with two articles, but for what
    # differs from any build to the next (the check run's time, the data version) and the order of
    # the terms a rule concatenates (GROUP_CONCAT), which is not stable from one process to the next.
    varies = (b"/checks/runs/", b"hasVersion>", b"computation>", b"reviewBody>", b"ratingExplanation>")

    def export(built):
        lines = serialize_dataset(built.dataset, "nquads").splitlines()
        return {line for line in lines if not any(part in line for part in varies)}

    assert export(alone_built) - export(both_built) == set()

    def verdicts(run, shipped_only):
        # The checks across articles add findings to the shipped claims (test_checks_across_articles.py).
        return {
            (str(f.claim), f.rule.id, str(f.verdict))
            for f in run.findings
            if not shipped_only
            or (
                iris.claim_scope(str(f.claim)) == (None, f.claim_id)
                and f.rule.id != "same-figure-across-articles"
            )
        }

    assert verdicts(both, True) == verdicts(alone, False)
    # the second article's c002 names no source: its review is under its own folder
    second = [f for f in both.findings if iris.claim_scope(str(f.claim)) == (SLUG, "c002")]
    assert any(f.rule.id == "unsourced" for f in second)


def test_two_articles_validate(iris):
    report = build_dataset(read_sources(DATA, [SECOND]), iris).report
    assert report.conforms, str(report)
    assert report.claims == 82 + 3


def test_a_shared_id_redefined_differently_is_refused_naming_file_and_id(second_copy, iris):
    entry = second_copy / "article.yaml"
    entry.write_text(
        entry.read_text().replace("{id: application, label: applications}", "{id: application, label: forms}")
    )
    with pytest.raises(
        DataError, match=r"unit 'application' is already defined in context\.yaml .* differently"
    ) as info:
        read_sources(DATA, [second_copy])
    assert info.value.file == f"{SLUG}/article.yaml"
    assert info.value.line is not None


def test_two_added_articles_may_not_define_one_id_differently(second_copy, tmp_path):
    third = tmp_path / "more" / "test-fixture-third"
    shutil.copytree(second_copy, third)
    entry = third / "article.yaml"
    entry.write_text(entry.read_text().replace("The invented author", "Another invented author"))
    with pytest.raises(
        DataError, match=r"entity 'test-fixture-author' is already defined in test-fixture-permits/"
    ):
        read_sources(DATA, [second_copy, third])
    entry.write_text((second_copy / "article.yaml").read_text())
    assert len(read_sources(DATA, [second_copy, third]).articles) == 3


def test_a_quote_not_in_its_own_articles_text_is_refused(second_copy, iris):
    claims = second_copy / "claims.yaml"
    # a quote of the shipped article is not a quote of this one
    claims.write_text(claims.read_text().replace('"250 applications were rejected in 2023"', '"245 in 2023"'))
    with pytest.raises(DataError, match=r"claim c002: quote not found in article\.txt") as info:
        compile_data(read_sources(DATA, [second_copy]), iris)
    assert info.value.file == f"{SLUG}/claims.yaml"


def test_an_event_defined_differently_by_two_articles_is_refused(second_copy, iris):
    claims = second_copy / "claims.yaml"
    claims.write_text(
        claims.read_text()
        + """
  - id: c004
    kind: event
    quote: "in Serbia in 2023"
    attribution: none
    assertion:
      - event:
          id: partial-mobilisation
          name: "Something else"
"""
    )
    with pytest.raises(DataError, match=r"event 'partial-mobilisation' is already defined differently"):
        compile_data(read_sources(DATA, [second_copy]), iris)


def test_an_added_article_may_not_take_the_legacy_iris(second_copy):
    entry = second_copy / "article.yaml"
    entry.write_text(entry.read_text().replace("article:\n", "article:\n  iri_scheme: legacy\n", 1))
    with pytest.raises(DataError, match="iri_scheme legacy is kept for the article shipped"):
        read_sources(DATA, [second_copy])


def test_an_article_given_twice_is_refused(second_copy, tmp_path):
    clash = tmp_path / "clash" / "russians-in-serbia"
    shutil.copytree(second_copy, clash)
    with pytest.raises(DataError, match="article 'russians-in-serbia' is given twice"):
        read_sources(DATA, [clash])


@pytest.mark.parametrize(
    ("where", "old", "new", "message"),
    [
        (
            "claims.yaml",
            "claims:\n",
            "measures: []\nclaims:\n",
            r"claims\.yaml holds `claims:` only; `measures`",
        ),
        ("article.yaml", "article:\n", "colour: red\narticle:\n", r"unknown section 'colour'"),
        (
            "article.yaml",
            "  language: en\n",
            "  language: en\n  id: other\n",
            r"id must be its folder's name",
        ),
        (
            "article.yaml",
            "  language: en\n",
            "  language: en\n  url: javascript:x\n",
            r"url must be an absolute",
        ),
        ("claims.yaml", "  - id: c003\n", "  - id: c/003\n", r"claim id 'c/003' may hold"),
    ],
)
def test_bad_article_folders_are_clear_errors(second_copy, iris, where, old, new, message):
    path = second_copy / where
    path.write_text(path.read_text().replace(old, new, 1))
    with pytest.raises(DataError, match=message):
        compile_data(read_sources(DATA, [second_copy]), iris)


def test_the_one_article_layout_is_refused_with_directions(data_copy):
    (data_copy / "claims.yaml").write_text("claims: []\n")
    with pytest.raises(DataError, match=r"one-article layout .* is gone"):
        read_sources(data_copy)


def test_the_articles_folder_lists_article_folders_and_skips_hidden_ones(tmp_path, second_copy):
    folder = second_copy.parent
    (folder / ".staging-x").mkdir()
    (folder / "notes.txt").write_text("not an article")
    assert article_folders(folder) == (second_copy,)
    assert article_folders(tmp_path / "missing") == ()
    assert article_folders(None) == ()
    assert [a.slug for a in read_configured(None, folder).articles] == ["russians-in-serbia", SLUG]


def test_the_articles_dir_setting_reaches_validate_and_export(second_copy, tmp_path, monkeypatch, capsys):
    folder = str(second_copy.parent)
    assert Settings.from_mapping({}, environ={"CLAIMGRAPH_ARTICLES_DIR": folder}).articles_dir == folder
    monkeypatch.setenv("CLAIMGRAPH_ARTICLES_DIR", folder)
    out = tmp_path / "all.nq"
    assert main(["export", "--format", "nquads", "--output", str(out)]) == 0
    assert f"/articles/{SLUG}/claims/c001>".encode() in out.read_bytes()
    assert b"<https://w3id.org/claimgraph/claims/c001>" in out.read_bytes()
    capsys.readouterr()
    # an article folder is validated with the data, before it is added
    monkeypatch.delenv("CLAIMGRAPH_ARTICLES_DIR")
    broken = second_copy / "claims.yaml"
    broken.write_text(broken.read_text().replace("measure: residence-permit-denials", "measure: nowhere", 1))
    assert main(["validate", str(second_copy)]) != 0
    assert "unknown measure 'nowhere'" in capsys.readouterr().err


def test_an_anchor_problem_names_the_claim_and_its_article(two, iris):
    texts = dict(two.article_texts)
    texts[iris.article(SLUG)] = texts[iris.article(SLUG)].replace("24,704", "24,705")
    problems = check_anchors(merged_graph(two.dataset), texts, iris)
    assert [(p.claim_id, p.article) for p in problems] == [("c001", SLUG)]
    assert problems[0].render().startswith(f"- claim c001 of article {SLUG}: text[")


def test_check_and_query_commands_cover_both_articles(second_copy, monkeypatch, capsys):
    monkeypatch.setenv("CLAIMGRAPH_ARTICLES_DIR", str(second_copy.parent))
    assert main(["check", "--format", "json"]) == 0
    findings = json.loads(capsys.readouterr().out)["findings"]
    second = {f["rule"]: f for f in findings if f["key"] == f"{SLUG}/c002"}
    # Its own article's rule, and the one that compares articles (250 rejections here, 245 there).
    assert sorted(second) == ["same-figure-across-articles", "unsourced"]
    assert (
        second["unsourced"]["review"] == f"https://w3id.org/claimgraph/articles/{SLUG}/reviews/c002-unsourced"
    )
    assert any(f["key"] == "c002" for f in findings)
    assert main(["query", "article-metadata"]) == 0
    table = capsys.readouterr().out
    assert f"/articles/{SLUG}" in table
    assert "The invented author of a claimgraph test fixture" in table


@pytest.mark.parametrize("name", ["article.yaml", "claims.yaml", "article.txt"])
def test_an_article_file_that_is_missing_or_a_link_is_refused(second_copy, tmp_path, name):
    target = second_copy / name
    target.unlink()
    with pytest.raises(DataError, match="missing") as info:
        read_sources(DATA, [second_copy])
    assert info.value.file == f"{SLUG}/{name}"
    outside = tmp_path / "outside.txt"
    outside.write_text("claims: []\n")
    target.symlink_to(outside)
    with pytest.raises(DataError, match="plain file"):
        read_sources(DATA, [second_copy])
