"""Validation of a dataset: SHACL shapes (pySHACL) plus the anchor check against each article's text."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pyshacl import validate as shacl_validate
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF, SH, XSD
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.sparql import Query
from rdflib.query import Result
from rdflib.term import Node

from claimgraph import paths
from claimgraph.errors import DataError
from claimgraph.iris import OA, SCHEMA, Iris
from claimgraph.media import DATASET_FORMATS

ONTOLOGY_FILE = "claimgraph.ttl"
SHAPES_FILE = "shapes.ttl"


@dataclass(frozen=True)
class Problem:
    """One violation, said so that an author can find and fix it."""

    focus: str
    claim_id: str | None
    sentence: str | None
    message: str
    path: str | None = None
    #: The slug of the claim's article when it is not the shipped one (its claims under articles/<slug>/).
    article: str | None = None

    def render(self) -> str:
        head = f"claim {self.claim_id}" if self.claim_id else self.focus
        if self.claim_id and self.article:
            head += f" of article {self.article}"
        lines = [f"- {head}: {self.message}" + (f" [{self.path}]" if self.path else "")]
        if self.sentence:
            lines.append(f"    sentence: \u201c{self.sentence}\u201d")
        return "\n".join(lines)


@dataclass
class Report:
    problems: list[Problem] = field(default_factory=list)
    claims: int = 0

    @property
    def conforms(self) -> bool:
        return not self.problems

    def __str__(self) -> str:
        if self.conforms:
            return f"OK: {self.claims} claims, every shape and anchor holds."
        body = "\n".join(p.render() for p in self.problems)
        return f"INVALID: {len(self.problems)} problem(s) in {self.claims} claims\n{body}"


def load_ontology(iris: Iris) -> Graph:
    """The ontology (its IRIs are the persistent ones its file's @base gives, whatever the data's base)."""
    return Graph().parse(paths.ontology_dir() / ONTOLOGY_FILE, format="turtle", publicID=iris.base)


def load_shapes(iris: Iris) -> Graph:
    """The SHACL shapes, with the ``cg:`` prefix their SPARQL constraints use declared."""
    shapes = Graph().parse(paths.ontology_dir() / SHAPES_FILE, format="turtle", publicID=iris.base)
    declaration = BNode()
    shapes.add((iris.ontology, SH.declare, declaration))
    shapes.add((declaration, SH.prefix, Literal("cg")))
    shapes.add((declaration, SH.namespace, Literal(str(iris.cg), datatype=XSD.anyURI)))
    return shapes


class PreparedQueryGraph(Graph):
    """A graph that parses each SPARQL text once and reuses it.

    pySHACL asks a SPARQL constraint once per focus node, with the same text and the node bound
    through ``initBindings``; rdflib parses a string query on every call, and that parsing was 80% of
    validating the shipped data (652 parses of 16 texts). A prepared query is rdflib's own way to run
    one text with different bindings."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._prepared: dict[tuple[str, object, object], Query] = {}

    def query(
        self,
        query_object: str | Query,
        processor: Any = "sparql",
        result: Any = "sparql",
        initNs: Mapping[str, Any] | None = None,  # noqa: N803 (rdflib's names)
        initBindings: Mapping[str, Any] | None = None,  # noqa: N803
        use_store_provided: bool = True,
        **kwargs: Any,
    ) -> Result:
        if isinstance(query_object, str) and processor == "sparql":
            key = (query_object, tuple(sorted((initNs or {}).items())), kwargs.get("base"))
            prepared = self._prepared.get(key)
            if prepared is None:
                namespaces = initNs or dict(self.namespaces())
                prepared = prepareQuery(query_object, initNs=namespaces, base=kwargs.get("base"))
                self._prepared[key] = prepared
            query_object = prepared
        return super().query(
            query_object, processor, result, initNs, initBindings, use_store_provided, **kwargs
        )


def merged_graph(dataset: Dataset) -> Graph:
    """All triples of all graphs in one graph (the union; keeps the prefixes)."""
    graph = Graph(namespace_manager=dataset.namespace_manager)
    for s, p, o, _ in dataset.quads((None, None, None, None)):
        graph.add((s, p, o))
    return graph


def claimed_articles(dataset: Dataset) -> set[URIRef]:
    """The articles the dataset's claims appear in (``schema:appearance``)."""
    graph = merged_graph(dataset)
    return {
        article
        for claim in graph.subjects(RDF.type, SCHEMA.Claim)
        for article in graph.objects(claim, SCHEMA.appearance)
        if isinstance(article, URIRef)
    }


def validate_dataset(dataset: Dataset, iris: Iris, article_texts: Mapping[URIRef, str]) -> Report:
    """SHACL plus anchors, each claim's against the text of the article it appears in
    (``article_texts``: article IRI -> text); never raises for bad data, reports it."""
    graph = merged_graph(dataset)
    report = Report(claims=len(set(graph.subjects(RDF.type, SCHEMA.Claim))))
    # The data and the ontology in one graph of our own, validated in place: pySHACL would otherwise
    # mix them into a copy of its own class, without the prepared queries.
    shapes_data = PreparedQueryGraph(namespace_manager=dataset.namespace_manager)
    shapes_data += graph
    shapes_data += load_ontology(iris)
    conforms, results, _ = shacl_validate(
        shapes_data,
        shacl_graph=load_shapes(iris),
        inference="none",
        allow_warnings=True,
        inplace=True,
    )
    if not isinstance(results, Graph):  # pySHACL reports a broken shapes graph this way
        raise RuntimeError(f"the SHACL shapes cannot be used: {results}")
    if not conforms:
        report.problems.extend(_shacl_problems(results, graph))
    report.problems.extend(check_anchors(graph, article_texts, iris))
    return report


def _claim_of(graph: Graph, node: URIRef) -> URIRef | None:
    """The claim a focus node belongs to (itself, its anchor parts, or its assertion items)."""
    if (node, RDF.type, SCHEMA.Claim) in graph:
        return node
    text = str(node)
    if "/claims/" in text:
        head, tail = text.rsplit("/claims/", 1)
        candidate = URIRef(f"{head}/claims/{tail.split('/')[0]}")
        if (candidate, RDF.type, SCHEMA.Claim) in graph:
            return candidate
    return None


def _problem(graph: Graph, focus: Node | None, message: str, path: str | None = None) -> Problem:
    claim = _claim_of(graph, focus) if isinstance(focus, URIRef) else None
    claim_id = sentence = article = None
    if claim is not None:
        parts = str(claim).rsplit("/", 4)
        if len(parts) == 5 and parts[1] == "articles" and parts[3] == "claims":
            article = parts[2]
        ident = graph.value(claim, SCHEMA.identifier)
        claim_id = str(ident) if ident is not None else str(claim)
        quote = graph.value(claim, SCHEMA.text)
        sentence = str(quote) if quote is not None else None
    return Problem(str(focus), claim_id, sentence, message, path, article)


def _shacl_problems(results: Graph, graph: Graph) -> list[Problem]:
    problems = []
    for result in results.subjects(RDF.type, SH.ValidationResult):
        severity = results.value(result, SH.resultSeverity)
        if severity is not None and severity != SH.Violation:
            continue
        focus = results.value(result, SH.focusNode)
        message = results.value(result, SH.resultMessage)
        path = results.value(result, SH.resultPath)
        problems.append(
            _problem(
                graph,
                focus,
                str(message) if message else "violates a shape",
                graph.namespace_manager.normalizeUri(path) if isinstance(path, URIRef) else None,
            )
        )
    return sorted(problems, key=lambda p: (p.claim_id or "", p.focus, p.message))


def check_anchors(graph: Graph, article_texts: Mapping[URIRef, str], iris: Iris) -> list[Problem]:
    """Every selector must match the claim's article: text[start:end] == exact, with prefix and suffix."""
    problems = []
    for claim in sorted(graph.subjects(RDF.type, SCHEMA.Claim)):  # type: ignore[type-var]
        quote = graph.value(claim, SCHEMA.text)
        article = graph.value(claim, SCHEMA.appearance)
        text = article_texts.get(article) if isinstance(article, URIRef) else None
        for target in graph.objects(claim, iris.cg.anchor):
            if text is None:
                problems.append(_problem(graph, claim, f"no text of the article it appears in ({article})"))
            else:
                problems.extend(_check_target(graph, claim, target, text, quote))
    return problems


def _check_target(graph: Graph, claim: Node, target: Node, text: str, quote: object) -> list[Problem]:
    problems = []
    exact = start = end = None
    for selector in graph.objects(target, OA.hasSelector):
        kinds = set(graph.objects(selector, RDF.type))
        if OA.TextPositionSelector in kinds:
            start, end = graph.value(selector, OA.start), graph.value(selector, OA.end)
        if OA.TextQuoteSelector in kinds:
            exact = graph.value(selector, OA.exact)
            prefix, suffix = graph.value(selector, OA.prefix), graph.value(selector, OA.suffix)
    if exact is None or start is None or end is None:
        return [_problem(graph, claim, "anchor lacks a TextQuoteSelector or TextPositionSelector")]
    s, e = int(start), int(end)  # type: ignore[call-overload]
    if not (0 <= s <= e <= len(text)) or text[s:e] != str(exact):
        found = text[s:e] if 0 <= s <= e <= len(text) else "<out of range>"
        problems.append(
            _problem(graph, claim, f"text[{s}:{e}] is {found!r}, not the exact quote {str(exact)!r}")
        )
    elif prefix is not None and not text[:s].endswith(str(prefix)):
        problems.append(_problem(graph, claim, "TextQuoteSelector prefix does not precede the quote"))
    elif suffix is not None and not text[e:].startswith(str(suffix)):
        problems.append(_problem(graph, claim, "TextQuoteSelector suffix does not follow the quote"))
    if quote is not None and Literal(str(quote)) != Literal(str(exact)):
        problems.append(_problem(graph, claim, "schema:text differs from the anchor's exact quote"))
    return problems


#: File suffixes `claimgraph validate` reads as RDF, and rdflib's parser of each.
RDF_INPUT_FORMATS = {f".{suffix}": fmt.rdflib for fmt in DATASET_FORMATS for suffix in fmt.suffixes}


def parse_rdf_file(file: Path, fmt: str) -> Dataset:
    """Parse with rdflib; a syntax error becomes a DataError with the file and line."""
    dataset = Dataset()
    try:
        dataset.parse(file, format=fmt)
    except Exception as exc:  # rdflib parsers raise many types; all mean unreadable input
        raise DataError(f"syntax error: {_line_message(exc)}", file=str(file), line=_line(exc)) from exc
    return dataset


def _line(exc: Exception) -> int | None:
    """The 1-based line of a parse error: from the character offset where rdflib gives one."""
    text, offset = getattr(exc, "_str", None), getattr(exc, "_i", None)
    if isinstance(text, bytes | str) and isinstance(offset, int):
        newline = b"\n" if isinstance(text, bytes) else "\n"
        return text[:offset].count(newline) + 1  # type: ignore[arg-type]
    return getattr(exc, "line", None)


def _line_message(exc: Exception) -> str:
    why = getattr(exc, "_why", None)
    return str(why) if why else " ".join(str(exc).split())
