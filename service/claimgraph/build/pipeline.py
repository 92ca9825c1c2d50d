"""The build pipeline: data sources -> compile -> automated checks -> validation -> BuiltDataset.

Each stage's value is the previous one plus what the stage adds. A store is only ever
loaded from a BuiltDataset (service/claimgraph/loading.py), which carries its validation
report; ``claimgraph export`` and ``claimgraph check`` stop after the checks, since
they never needed the (slow) SHACL validation.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property

from rdflib import Dataset, URIRef

from claimgraph.build.checks import (
    REVIEWS_GRAPH,
    CheckRun,
    ScratchStore,
    reviews_graph,
    run_checks,
    verdict_labels,
)
from claimgraph.build.compiler import compile_dataset
from claimgraph.build.sources import DataSources
from claimgraph.build.validation import Problem, Report, load_ontology, merged_graph, validate_dataset
from claimgraph.build.versions import add_history
from claimgraph.iris import Iris
from claimgraph.media import DATASET_FORMATS, Kind


@dataclass(frozen=True)
class CompiledDataset:
    """The sources compiled and the ontology added: no reviews yet, not validated."""

    dataset: Dataset
    #: The sources' fingerprint, which the dataset states as its version (dcterms:hasVersion).
    fingerprint: str
    #: Article IRI -> the text its claims' anchors point into.
    article_texts: Mapping[URIRef, str]


@dataclass(frozen=True)
class ReviewedDataset(CompiledDataset):
    """The compiled dataset with the automated checks' reviews in their own graph."""

    check_run: CheckRun


@dataclass(frozen=True)
class BuiltDataset(ReviewedDataset):
    """The outcome of a build: the reviewed dataset and its validation report. Treat it as read-only."""

    report: Report

    @cached_property
    def nquads(self) -> bytes:
        """The dataset as N-Quads, what a store loads."""
        return to_nquads(self.dataset)


def compile_data(sources: DataSources, iris: Iris) -> CompiledDataset:
    """Compile the sources and add the ontology graph; raises DataError on bad source files."""
    dataset = compile_dataset(sources, iris)
    ontology_graph = dataset.graph(iris.ontology)
    for triple in load_ontology(iris):
        ontology_graph.add(triple)
    return CompiledDataset(dataset, sources.fingerprint, sources.article_texts(iris))


def build_reviewed(sources: DataSources, iris: Iris) -> ReviewedDataset:
    """Compile, then run the check rules; their reviews go into the reviews graph."""
    compiled = compile_data(sources, iris)
    # The rules are SPARQL: they run on a scratch store of the compiled data.
    scratch = ScratchStore(to_nquads(compiled.dataset), iris)
    run = run_checks(scratch, iris)
    target = compiled.dataset.graph(iris.graph(REVIEWS_GRAPH))
    for triple in reviews_graph(run, iris, verdict_labels(scratch)):
        target.add(triple)
    return ReviewedDataset(compiled.dataset, compiled.fingerprint, compiled.article_texts, run)


def build_dataset(sources: DataSources, iris: Iris) -> BuiltDataset:
    """The whole pipeline: compile, check, validate, then add the release history (every released
    version). Bad data, and a release log that is not what was released, are in the report; bad
    files raise DataError."""
    reviewed = build_reviewed(sources, iris)
    report = validate_dataset(reviewed.dataset, iris, reviewed.article_texts)
    if sources.releases.problems:
        report.problems.extend(
            Problem(file, None, None, message) for file, message in sources.releases.problems
        )
    add_history(reviewed.dataset, sources.releases, iris)
    return BuiltDataset(
        reviewed.dataset, reviewed.fingerprint, reviewed.article_texts, reviewed.check_run, report
    )


def to_nquads(dataset: Dataset) -> bytes:
    return dataset.serialize(format="nquads", encoding="utf-8")


#: The formats `claimgraph export --format` writes, by name.
EXPORT_FORMATS = {fmt.command_name: fmt for fmt in DATASET_FORMATS}


def serialize_dataset(dataset: Dataset, fmt: str) -> bytes:
    """The whole dataset in one of EXPORT_FORMATS; a format without graphs (Turtle) gets their union."""
    target = EXPORT_FORMATS[fmt]
    source = dataset if target.kind is Kind.QUADS else merged_graph(dataset)
    return source.serialize(format=target.rdflib, encoding="utf-8")
