"""Broken copies of the data fail validation with a message that names the claim and the fault."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from claimgraph.build.pipeline import build_dataset, compile_data
from claimgraph.build.sources import read_sources
from claimgraph.build.validation import parse_rdf_file, validate_dataset
from claimgraph.errors import DataError
from claimgraph.iris import OA, SCHEMA
from claimgraph.loading import load_dataset
from conftest import SHIPPED
from rdflib import Literal
from rdflib.namespace import PROV, XSD


def copy_of(built):
    """A fresh, independent copy of the compiled dataset to break."""
    from rdflib import Dataset

    data = built.dataset.serialize(format="nquads", encoding="utf-8")
    return Dataset().parse(data=data, format="nquads")


def test_wrong_offset_is_reported(built, iris, article_texts):
    ds = copy_of(built)
    selector = iris.claim_part("c013", "position-selector")
    (_, _, start, graph) = next(ds.quads((selector, OA.start, None, None)))
    ds.remove((selector, OA.start, start, graph))
    ds.add((selector, OA.start, Literal(int(start) + 1, datatype=XSD.nonNegativeInteger), graph))
    report = validate_dataset(ds, iris, article_texts)
    assert not report.conforms
    [problem] = report.problems
    assert problem.claim_id == "c013"
    assert "not the exact quote" in problem.message
    assert problem.sentence.startswith("a total of 73,197")


def test_missing_source_is_reported(built, iris, article_texts):
    ds = copy_of(built)
    claim = iris.claim("c013")
    for s, p, o, g in list(ds.quads((claim, PROV.wasDerivedFrom, None, None))):
        ds.remove((s, p, o, g))
    report = validate_dataset(ds, iris, article_texts)
    assert {p.claim_id for p in report.problems} == {"c013"}
    messages = sorted(p.message for p in report.problems)
    assert len(messages) == 2
    assert "needs a source (prov:wasDerivedFrom)" in messages[0]
    assert "attribution status contradicts the sources" in messages[1]


def test_untyped_figure_is_reported(built, iris, article_texts):
    ds = copy_of(built)
    figure = iris.claim_part("c013", "figure-1")
    (_, _, value, graph) = next(ds.quads((figure, SCHEMA.value, None, None)))
    ds.remove((figure, SCHEMA.value, value, graph))
    ds.add((figure, SCHEMA.value, Literal("73197"), graph))
    report = validate_dataset(ds, iris, article_texts)
    [problem] = report.problems
    assert problem.claim_id == "c013"
    assert "xsd:integer or xsd:decimal" in problem.message


def test_percentage_without_population_is_reported(built, iris, article_texts):
    ds = copy_of(built)
    figure = iris.claim_part("c035", "figure-1")
    for s, p, o, g in list(ds.quads((figure, iris.cg.population, None, None))):
        ds.remove((s, p, o, g))
    report = validate_dataset(ds, iris, article_texts)
    [problem] = report.problems
    assert problem.claim_id == "c035"
    assert "percentage needs a population" in problem.message


def test_source_without_date_or_unknown_is_reported(built, iris, article_texts):
    ds = copy_of(built)
    source = iris.source("levada-poll-2024-06")
    for s, p, o, g in list(ds.quads((source, None, None, None))):
        if str(p).endswith("/date"):
            ds.remove((s, p, o, g))
    report = validate_dataset(ds, iris, article_texts)
    assert [p.focus for p in report.problems] == [str(source)]
    assert "needs a date" in report.problems[0].message


def test_claim_without_kind_is_reported(built, iris, article_texts):
    ds = copy_of(built)
    claim = iris.claim("c054")
    for s, p, o, g in list(ds.quads((claim, iris.cg.kind, None, None))):
        ds.remove((s, p, o, g))
    report = validate_dataset(ds, iris, article_texts)
    assert [(p.claim_id, "kind" in p.message) for p in report.problems] == [("c054", True)]


def test_dangling_source_in_yaml_names_file_and_line(data_copy, iris):
    claims = data_copy / SHIPPED / "claims.yaml"
    text = claims.read_text()
    line = next(i for i, row in enumerate(text.splitlines(), 1) if "sources: [levada-poll-2024-06]" in row)
    claims.write_text(text.replace("sources: [levada-poll-2024-06]", "sources: [levada-poll-2042]", 1))
    with pytest.raises(DataError) as info:
        compile_data(read_sources(data_copy), iris)
    assert info.value.file == f"{SHIPPED.as_posix()}/claims.yaml"
    assert "unknown source 'levada-poll-2042'" in str(info.value)
    # the error points at the claim's mapping, which starts a few lines above `sources:`
    assert 0 < line - info.value.line < 8


def test_yaml_syntax_error_names_file_and_line(data_copy, iris):
    context = data_copy / "context.yaml"
    lines = context.read_text().splitlines()
    lines[20] = "  broken: [unclosed"
    context.write_text("\n".join(lines))
    with pytest.raises(DataError) as info:
        compile_data(read_sources(data_copy), iris)
    assert info.value.file == "context.yaml"
    assert info.value.line is not None
    assert info.value.line >= 21
    assert "YAML syntax error" in str(info.value)


def test_quote_not_in_text_is_refused(data_copy, iris):
    claims = data_copy / SHIPPED / "claims.yaml"
    claims.write_text(claims.read_text().replace('"20,270 filed in 2022"', '"20,207 filed in 2022"'))
    with pytest.raises(DataError, match=r"claim c017: quote not found"):
        compile_data(read_sources(data_copy), iris)


def test_trig_syntax_error_names_file_and_line(tmp_path: Path):
    bad = tmp_path / "bad.trig"
    bad.write_text("@prefix ex: <http://example.org/> .\nex:g {\n  ex:a ex:b ex:c .\n  ex:d ex:e \n}\n")
    with pytest.raises(DataError) as info:
        parse_rdf_file(bad, "trig")
    assert str(info.value).startswith(f"{bad}:4: syntax error: objectList expected")


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "claimgraph.cli", *args], capture_output=True, text=True, cwd=cwd, check=False
    )


def test_cli_validate_ok_exits_0():
    result = run_cli("validate")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("OK: 82 claims")


def test_cli_validate_broken_trig_exits_1_with_readable_report(tmp_path):
    exported = tmp_path / "export.trig"
    result = run_cli("export", "--format", "trig", "-o", str(exported))
    assert result.returncode == 0, result.stderr
    text = exported.read_text().replace("schema:value 73197 ;", 'schema:value "73197" ;')
    assert text != exported.read_text(), "the export no longer writes the value this way"
    exported.write_text(text)
    result = run_cli("validate", str(exported))
    assert result.returncode == 1
    assert "claim c013" in result.stdout
    assert "a total of 73,197" in result.stdout
    assert "xsd:integer or xsd:decimal" in result.stdout


def test_cli_validate_dangling_reference_exits_1_naming_file(data_copy):
    claims = data_copy / SHIPPED / "claims.yaml"
    claims.write_text(claims.read_text().replace("population: russians-in-russia", "population: nobody", 1))
    result = run_cli("validate", str(data_copy))
    assert result.returncode == 1
    assert "claims.yaml:" in result.stderr
    assert "unknown population 'nobody'" in result.stderr


def test_dangling_source_in_rdf_is_reported(built, iris, article_texts):
    ds = copy_of(built)
    source = iris.source("levada-poll-2024-06")
    for s, p, o, g in list(ds.quads((source, None, None, None))):
        ds.remove((s, p, o, g))
    report = validate_dataset(ds, iris, article_texts)
    assert {p.claim_id for p in report.problems} == {"c054", "c055"}
    assert all("dangling reference" in p.message for p in report.problems)


def test_a_dataset_that_fails_validation_is_not_loaded(data_copy, iris):
    from claimgraph.errors import ValidationFailed
    from claimgraph.store.oxigraph import OxigraphStore

    store = OxigraphStore(base_iri=iris.base, prefixes=iris.prefixes())
    load_dataset(store, build_dataset(read_sources(data_copy), iris))
    before = store.stats()
    claims = data_copy / SHIPPED / "claims.yaml"
    # c010 (Belgrade, 83.4%) loses its population: it compiles, then fails the shapes.
    text = claims.read_text()
    c010 = text.index("id: c010")
    claims.write_text(
        text[:c010] + text[c010:].replace("          population: russian-immigrants-serbia\n", "", 1)
    )
    with pytest.raises(ValidationFailed, match="percentage needs a population"):
        load_dataset(store, build_dataset(read_sources(data_copy), iris))
    assert store.stats() == before


def test_what_the_store_serves_validates(loaded_store, iris, article_texts, tmp_path):
    """The dump, after Oxigraph's datatype canonicalisation, still satisfies the shapes."""
    from claimgraph.build.validation import validate_dataset
    from rdflib import Dataset

    dump = b"".join(loaded_store.export("application/n-quads"))
    report = validate_dataset(Dataset().parse(data=dump, format="nquads"), iris, article_texts)
    assert report.conforms, str(report)


def test_negative_offset_is_reported(built, iris, article_texts):
    ds = copy_of(built)
    selector = iris.claim_part("c013", "position-selector")
    (_, _, start, graph) = next(ds.quads((selector, OA.start, None, None)))
    ds.remove((selector, OA.start, start, graph))
    ds.add((selector, OA.start, Literal(-1, datatype=XSD.integer), graph))
    report = validate_dataset(ds, iris, article_texts)
    assert any("oa:start" in p.message and p.claim_id == "c013" for p in report.problems)
