"""Build the served dataset from the source files: compile, add the ontology, validate, load."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from rdflib import BNode, Dataset, Graph, Literal
from rdflib.namespace import SH, XSD

from claimgraph import paths
from claimgraph.build.compiler import SourceFiles, compile_dataset
from claimgraph.errors import ValidationFailed
from claimgraph.iris import Iris
from claimgraph.media import DATASET_FORMATS, Kind
from claimgraph.store import Store

if TYPE_CHECKING:
    from claimgraph.build.checks import CheckRun

ONTOLOGY_FILE = "claimgraph.ttl"
SHAPES_FILE = "shapes.ttl"


@dataclass(frozen=True)
class BuiltDataset:
    dataset: Dataset
    text: str
    version: str


def data_folder(data_dir: str | None) -> Path:
    return Path(data_dir) if data_dir else paths.data_dir()


def load_ontology(iris: Iris) -> Graph:
    """The ontology, its relative IRIs resolved against this deployment's base."""
    return Graph().parse(paths.ontology_dir() / ONTOLOGY_FILE, format="turtle", publicID=iris.base)


def load_shapes(iris: Iris) -> Graph:
    """The SHACL shapes, with the ``cg:`` prefix their SPARQL constraints use declared for this base."""
    shapes = Graph().parse(paths.ontology_dir() / SHAPES_FILE, format="turtle", publicID=iris.base)
    declaration = BNode()
    shapes.add((iris.ontology, SH.declare, declaration))
    shapes.add((declaration, SH.prefix, Literal("cg")))
    shapes.add((declaration, SH.namespace, Literal(str(iris.cg), datatype=XSD.anyURI)))
    return shapes


def merged_graph(dataset: Dataset) -> Graph:
    """All triples of all graphs in one graph (the union; keeps the prefixes)."""
    graph = Graph(namespace_manager=dataset.namespace_manager)
    for s, p, o, _ in dataset.quads((None, None, None, None)):
        graph.add((s, p, o))
    return graph


def build_dataset(iris: Iris, data_dir: str | None = None) -> BuiltDataset:
    """Compile the data and add the ontology graph; raises DataError on bad source files."""
    folder = data_folder(data_dir)
    dataset = compile_dataset(folder, iris)
    ontology_graph = dataset.graph(iris.ontology)
    for triple in load_ontology(iris):
        ontology_graph.add(triple)
    text = (folder / "article.txt").read_text(encoding="utf-8")
    return BuiltDataset(dataset, text, SourceFiles(folder).fingerprint())


def to_nquads(dataset: Dataset) -> bytes:
    return dataset.serialize(format="nquads", encoding="utf-8")


#: The formats `claimgraph export --format` writes, by name.
EXPORT_FORMATS = {fmt.command_name: fmt for fmt in DATASET_FORMATS}


def serialize_dataset(dataset: Dataset, fmt: str) -> bytes:
    """The whole dataset in one of EXPORT_FORMATS; a format without graphs (Turtle) gets their union."""
    target = EXPORT_FORMATS[fmt]
    source = dataset if target.kind is Kind.QUADS else merged_graph(dataset)
    return source.serialize(format=target.rdflib, encoding="utf-8")


def build_reviewed(iris: Iris, data_dir: str | None = None) -> tuple[BuiltDataset, CheckRun]:
    """The dataset plus the reviews of the automated checks, in their own graph."""
    from claimgraph.build.checks import REVIEWS_GRAPH, reviews_graph, run_checks, verdict_labels
    from claimgraph.store.oxigraph import OxigraphStore

    built = build_dataset(iris, data_dir)
    # The rules are SPARQL: they run on a scratch store of the compiled data.
    scratch = OxigraphStore(base_iri=iris.base, prefixes=iris.prefixes())
    scratch.replace_all(to_nquads(built.dataset))
    run = run_checks(scratch, iris)
    target = built.dataset.graph(iris.graph(REVIEWS_GRAPH))
    for triple in reviews_graph(run, iris, verdict_labels(scratch)):
        target.add(triple)
    return built, run


def load_validated(store: Store, iris: Iris, data_dir: str | None = None) -> BuiltDataset:
    """Build, check, validate and load atomically: on any error the store keeps what it had."""
    from claimgraph.build.validation import validate_dataset

    built, _ = build_reviewed(iris, data_dir)
    report = validate_dataset(built.dataset, iris, built.text)
    if not report.conforms:
        raise ValidationFailed(report)
    store.replace_all(to_nquads(built.dataset))
    return built
