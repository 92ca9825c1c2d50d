"""Validation of a dataset: SHACL shapes (pySHACL) plus the anchor check against the article text."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pyshacl import validate as shacl_validate
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF, SH

from claimgraph.errors import DataError
from claimgraph.iris import OA, SCHEMA, Iris
from claimgraph.media import DATASET_FORMATS


@dataclass(frozen=True)
class Problem:
    """One violation, said so that an author can find and fix it."""

    focus: str
    claim_id: str | None
    sentence: str | None
    message: str
    path: str | None = None

    def render(self) -> str:
        head = f"claim {self.claim_id}" if self.claim_id else self.focus
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


def validate_dataset(dataset: Dataset, iris: Iris, text: str) -> Report:
    """SHACL plus anchors; never raises for bad data, reports it."""
    from claimgraph.build.pipeline import load_ontology, load_shapes, merged_graph

    graph = merged_graph(dataset)
    report = Report(claims=len(set(graph.subjects(RDF.type, SCHEMA.Claim))))
    conforms, results, _ = shacl_validate(
        graph,
        shacl_graph=load_shapes(iris),
        ont_graph=load_ontology(iris),
        inference="none",
        allow_warnings=True,
    )
    if not isinstance(results, Graph):  # pySHACL reports a broken shapes graph this way
        raise RuntimeError(f"the SHACL shapes cannot be used: {results}")
    if not conforms:
        report.problems.extend(_shacl_problems(results, graph))
    report.problems.extend(check_anchors(graph, text, iris))
    return report


def _claim_of(graph: Graph, node: URIRef) -> URIRef | None:
    """The claim a focus node belongs to (itself, its anchor parts, or its assertion items)."""
    if (node, RDF.type, SCHEMA.Claim) in graph:
        return node
    text = str(node)
    if "/claims/" in text:
        candidate = URIRef(text.split("/claims/")[0] + "/claims/" + text.split("/claims/")[1].split("/")[0])
        if (candidate, RDF.type, SCHEMA.Claim) in graph:
            return candidate
    return None


def _problem(graph: Graph, focus: URIRef, message: str, path: str | None = None) -> Problem:
    claim = _claim_of(graph, focus) if isinstance(focus, URIRef) else None
    claim_id = sentence = None
    if claim is not None:
        ident = graph.value(claim, SCHEMA.identifier)
        claim_id = str(ident) if ident is not None else str(claim)
        quote = graph.value(claim, SCHEMA.text)
        sentence = str(quote) if quote is not None else None
    return Problem(str(focus), claim_id, sentence, message, path)


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


def check_anchors(graph: Graph, text: str, iris: Iris) -> list[Problem]:
    """Every selector must match the article: text[start:end] == exact, with prefix and suffix."""
    problems = []
    for claim in sorted(graph.subjects(RDF.type, SCHEMA.Claim)):
        quote = graph.value(claim, SCHEMA.text)
        for target in graph.objects(claim, iris.cg.anchor):
            problems.extend(_check_target(graph, claim, target, text, quote))
    return problems


def _check_target(graph: Graph, claim: URIRef, target: URIRef, text: str, quote: object) -> list[Problem]:
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
    s, e = int(start), int(end)  # type: ignore[arg-type]
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
