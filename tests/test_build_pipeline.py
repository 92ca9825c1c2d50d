"""The build pipeline: sources read once (the article's text named by the context file), anchors
checked against each claim's own article, one built value loaded into the store."""

from __future__ import annotations

from pathlib import Path

import pytest
from claimgraph.build import sources
from claimgraph.build.pipeline import compile_data, serialize_dataset
from claimgraph.build.sources import read_sources
from claimgraph.build.validation import (
    PreparedQueryGraph,
    check_anchors,
    claimed_articles,
    load_ontology,
    load_shapes,
    merged_graph,
)
from claimgraph.commands import validate_path
from claimgraph.errors import DataError
from claimgraph.iris import SCHEMA
from claimgraph.loading import ensure_current
from claimgraph.settings import Settings
from claimgraph.store.oxigraph import OxigraphStore
from conftest import SHIPPED
from pyshacl import validate as shacl_validate
from rdflib import Dataset, Graph
from rdflib.namespace import PROV, RDF, SH

DATA = Path(__file__).resolve().parent.parent / "data"


def test_the_article_text_file_is_the_one_its_article_yaml_names(data_copy: Path, iris):
    folder = data_copy / SHIPPED
    (folder / "article.txt").rename(folder / "post.txt")
    with pytest.raises(DataError, match="missing") as info:
        read_sources(data_copy)
    assert info.value.file == f"{SHIPPED.as_posix()}/article.txt"
    entry = folder / "article.yaml"
    entry.write_text(entry.read_text().replace("text_file: article.txt", "text_file: post.txt", 1))
    read = read_sources(data_copy)
    [article] = read.articles
    assert article.text_file == folder / "post.txt"
    assert read.article_texts(iris) == {iris.article("russians-in-serbia"): article.text}


@pytest.mark.parametrize("name", ["../context.yaml", "/etc/passwd", ".hidden", "sub/post.txt"])
def test_the_text_file_is_a_plain_file_of_the_articles_folder(data_copy: Path, name: str):
    entry = data_copy / SHIPPED / "article.yaml"
    entry.write_text(entry.read_text().replace("text_file: article.txt", f"text_file: {name}", 1))
    with pytest.raises(DataError, match="a file of its folder"):
        read_sources(data_copy)


def test_a_quote_missing_from_its_article_names_the_articles_text_file(data_copy: Path, iris):
    folder = data_copy / SHIPPED
    (folder / "article.txt").rename(folder / "post.txt")
    entry = folder / "article.yaml"
    entry.write_text(entry.read_text().replace("text_file: article.txt", "text_file: post.txt", 1))
    claims = folder / "claims.yaml"
    claims.write_text(claims.read_text().replace('"20,270 filed in 2022"', '"20,207 filed in 2022"'))
    with pytest.raises(DataError, match=r"claim c017: quote not found in post.txt") as info:
        compile_data(read_sources(data_copy), iris)
    assert info.value.file == f"{SHIPPED.as_posix()}/claims.yaml"


def test_anchors_are_checked_against_the_text_of_their_own_article(built, iris, article_text):
    graph = merged_graph(built.dataset)
    article = iris.article("russians-in-serbia")
    assert check_anchors(graph, {article: article_text}, iris) == []
    problems = check_anchors(graph, {iris.article("another-article"): article_text}, iris)
    assert len(problems) == len(set(graph.subjects(SCHEMA.appearance, article)))
    assert all(f"no text of the article it appears in ({article})" in p.message for p in problems)
    shifted = check_anchors(graph, {article: " " + article_text}, iris)
    assert len(shifted) == len(problems)
    assert all("not the exact quote" in p.message for p in shifted)


def test_the_fingerprint_is_computed_once_per_load(iris, monkeypatch):
    calls = []
    real = sources.fingerprint

    def counted(files: list[Path]) -> str:
        calls.append(files)
        return real(files)

    monkeypatch.setattr(sources, "fingerprint", counted)
    store = OxigraphStore(base_iri=iris.base, prefixes=iris.prefixes())
    assert ensure_current(store, iris, None)
    assert len(calls) == 1
    assert store.stats().data_version == real(calls[0])
    assert not ensure_current(store, iris, None)
    assert len(calls) == 2


def test_validating_a_file_against_one_article_text_needs_claims_of_one_article(built, iris, tmp_path):
    settings = Settings.from_mapping({"base_iri": iris.base}, environ={})
    two = Dataset()
    two.parse(data=serialize_dataset(built.dataset, "nquads"), format="nquads")
    claim, other = iris.claim("c013"), iris.article("another-article")
    for s, p, o, g in list(two.quads((claim, SCHEMA.appearance, None, None))):
        two.remove((s, p, o, g))
        two.add((s, p, other, g))
    assert claimed_articles(two) == {iris.article("russians-in-serbia"), other}
    file = tmp_path / "two.nq"
    file.write_bytes(serialize_dataset(two, "nquads"))
    with pytest.raises(DataError, match="its claims appear in 2 articles; --article gives one text"):
        validate_path(str(file), str(DATA / SHIPPED / "article.txt"), settings)


def test_validating_a_file_checks_its_anchors_against_the_article_given(built, iris, tmp_path):
    settings = Settings.from_mapping({"base_iri": iris.base}, environ={})
    file = tmp_path / "data.nq"
    file.write_bytes(serialize_dataset(built.dataset, "nquads"))
    text = DATA / SHIPPED / "article.txt"
    shifted = tmp_path / "shifted.txt"
    shifted.write_text(" " + text.read_text(encoding="utf-8"), encoding="utf-8")
    report = validate_path(str(file), str(shifted), settings)
    assert not report.conforms
    claims = {p.claim_id for p in report.problems}
    assert len(claims) == report.claims
    assert all("not the exact quote" in p.message for p in report.problems)


def _violations(results: Graph) -> set[tuple[str, ...]]:
    fields = (SH.focusNode, SH.resultPath, SH.resultMessage, SH.sourceConstraintComponent)
    return {
        tuple(str(results.value(r, field)) for field in fields)
        for r in results.subjects(RDF.type, SH.ValidationResult)
    }


def test_prepared_queries_report_what_pyshacls_own_path_reports(built, iris):
    """validate_dataset parses each SHACL-SPARQL text once (PreparedQueryGraph); on data broken for
    SPARQL and core constraints alike it must find exactly what pySHACL finds on its own."""
    graph = merged_graph(built.dataset)
    claims = sorted(graph.subjects(RDF.type, SCHEMA.Claim))[:6]
    for claim in claims[:3]:  # SPARQL constraints: no source and no explicit "not stated"
        graph.remove((claim, PROV.wasDerivedFrom, None))
        graph.remove((claim, iris.cg.notStated, None))
    for claim in claims[3:]:  # a core constraint: no quote
        graph.remove((claim, SCHEMA.text, None))

    plain = shacl_validate(
        graph,
        shacl_graph=load_shapes(iris),
        ont_graph=load_ontology(iris),
        inference="none",
        allow_warnings=True,
    )
    prepared = PreparedQueryGraph()
    prepared += graph
    prepared += load_ontology(iris)
    ours = shacl_validate(
        prepared, shacl_graph=load_shapes(iris), inference="none", allow_warnings=True, inplace=True
    )
    expected = _violations(plain[1])
    assert not plain[0]
    messages = {violation[2] for violation in expected}
    assert any("needs a source" in m for m in messages), messages  # a SPARQL constraint fired
    assert any("verbatim quote" in m for m in messages), messages
    assert _violations(ours[1]) == expected
    assert 0 < len(prepared._prepared) < 30  # each text parsed once, not once per focus node
