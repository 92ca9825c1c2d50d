"""Compile data/context.yaml and data/claims.yaml into the RDF dataset (one graph per claim part).

The compiler owns the anchors: it finds each quote in article.txt and writes the
TextPositionSelector (code points) and TextQuoteSelector (exact, prefix, suffix),
so an offset is never typed by hand. Every reference is resolved here; a dangling
one is a DataError naming the file and line.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS

from service.errors import DataError
from service.namespaces import SCHEMA, Iris
from service.yamlsource import Located, load_yaml

CONTEXT_FILE = "context.yaml"
CLAIMS_FILE = "claims.yaml"
ARTICLE_FILE = "article.txt"
AFFIX_LENGTH = 32

CLAIM_KINDS = (
    "statistic", "survey-finding", "poll-result", "event", "legal-rule", "estimate",
    "quotation", "interpretation", "factual-statement", "research-finding",
)  # fmt: skip
ATTRIBUTIONS = ("stated", "issuer-stated", "inferred", "none")
ANSWER_MODES = ("multiple", "single", "not-stated")

#: Classes of the context file's `types:` lists; own terms are defined in ontology/claimgraph.ttl.
SCHEMA_TYPES = {
    "BlogPosting", "Person", "Organization", "GovernmentOrganization", "Country", "City",
    "Report", "Legislation",
}  # fmt: skip
OWN_TYPES = {
    "AccessToInformationRequest", "AccessToInformationResponse", "SurveyResearch",
    "OpinionPoll", "SurveyData", "InterviewData", "OpinionPollResult",
}  # fmt: skip

#: Names used under `not_stated:` and the property each stands for.
NOT_STATED = {
    "headline": SCHEMA.headline,
    "url": SCHEMA.url,
    "datePublished": SCHEMA.datePublished,
    "license": SCHEMA.license,
    "name": SCHEMA.name,
    "date": DCTERMS.date,
    "startedAtTime": SCHEMA.startDate,
    "endedAtTime": SCHEMA.endDate,
    "location": SCHEMA.location,
}
#: `not_stated:` names that are the ontology's own properties.
OWN_NOT_STATED = {
    "sampleSize",
    "samplingMethod",
    "estimationMethod",
    "estimator",
    "statisticalTest",
    "population",
}
TRENDS = ("increasing-each-year", "increase", "peak")
QUANTIFIERS = ("majority", "most", "predominantly", "half", "minority", "a-third", "a-few", "nearly-all")


@dataclass(frozen=True)
class SourceFiles:
    """The three files a dataset is compiled from."""

    folder: Path

    @property
    def article(self) -> Path:
        return self.folder / ARTICLE_FILE

    @property
    def context(self) -> Path:
        return self.folder / CONTEXT_FILE

    @property
    def claims(self) -> Path:
        return self.folder / CLAIMS_FILE

    def fingerprint(self) -> str:
        """The data version: SHA-256 over everything the served dataset is made from.

        That is the three data files, the ontology and shapes, the check rules and the
        package version, so a release that changes any of them rebuilds an on-disk store.
        """
        from service import __version__, paths

        digest = hashlib.sha256(__version__.encode())
        inputs = [self.article, self.context, self.claims]
        inputs += sorted(paths.ontology_dir().glob("*.ttl"))
        inputs += sorted((paths.queries_dir() / "checks").glob("*.rq"))
        for path in inputs:
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
        return digest.hexdigest()


def compile_dataset(folder: Path, iris: Iris) -> Dataset:
    """Compile the YAML in ``folder`` into a Dataset; raises DataError naming file and line."""
    files = SourceFiles(folder)
    try:
        text = files.article.read_text(encoding="utf-8")
    except OSError as exc:
        raise DataError(f"cannot read: {exc.strerror}", file=str(files.article)) from exc
    from service.compile_context import add_context

    context = _mapping(load_yaml(files.context), CONTEXT_FILE)
    claims = _mapping(load_yaml(files.claims), CLAIMS_FILE)
    builder = _Builder(iris, text, files)
    add_context(builder, context)
    builder.add_vocabulary(claims)
    builder.add_claims(claims)
    return builder.ds


def _mapping(value: Any, file: str) -> Located:
    if not isinstance(value, Located):
        raise DataError("expected a mapping at the top level", file=file, line=1)
    return value


class _Builder:
    def __init__(self, iris: Iris, text: str, files: SourceFiles) -> None:
        self.iris = iris
        self.cg = iris.cg
        self.text = text
        self.files = files
        self.ds = Dataset()
        for prefix, namespace in iris.prefixes().items():
            self.ds.bind(prefix, namespace, replace=True)
        self.known: dict[str, set[str]] = {}
        self.claim_items: dict[str, Located] = {}
        self.article_iri: URIRef | None = None
        self.article_text_iri: URIRef | None = None

    # -- helpers -------------------------------------------------------------------------------
    def graph(self, name: URIRef) -> Graph:
        return self.ds.graph(name)

    def ref(self, kind: str, ident: Any, at: Located) -> str:
        """Check that ``ident`` names a defined thing of ``kind``; return it."""
        if not isinstance(ident, str) or ident not in self.known.get(kind, set()):
            file, line = at.where()
            raise DataError(f"unknown {kind} {ident!r}", file=file, line=line)
        return ident

    def define(self, kind: str, item: Located) -> str:
        ident = item.get("id")
        file, line = item.where()
        if not isinstance(ident, str) or not ident:
            raise DataError(f"a {kind} needs an `id`", file=file, line=line)
        ids = self.known.setdefault(kind, set())
        if ident in ids:
            raise DataError(f"duplicate {kind} id {ident!r}", file=file, line=line)
        ids.add(ident)
        return ident

    def require(self, item: Located, key: str) -> Any:
        if item.get(key) in (None, "", []):
            file, line = item.where()
            raise DataError(f"missing `{key}`", file=file, line=line)
        return item[key]

    def types(self, g: Graph, node: URIRef, item: Located, extra: tuple[URIRef, ...]) -> None:
        for cls in extra:
            g.add((node, RDF.type, cls))
        for name in item.get("types", []):
            if name in SCHEMA_TYPES:
                g.add((node, RDF.type, SCHEMA[name]))
            elif name in OWN_TYPES:
                g.add((node, RDF.type, self.cg[name]))
            else:
                file, line = item.where()
                raise DataError(f"unknown type {name!r}", file=file, line=line)

    def not_stated(self, g: Graph, node: URIRef, item: Located) -> None:
        for name in item.get("not_stated", []):
            prop = NOT_STATED.get(name) or (self.cg[name] if name in OWN_NOT_STATED else None)
            if prop is None:
                file, line = item.where()
                raise DataError(f"unknown not_stated field {name!r}", file=file, line=line)
            g.add((node, self.cg.notStated, prop))

    def entity_iri(self, ident: Any, at: Located) -> URIRef:
        return self.iris.entity(self.ref("entity", ident, at))

    # -- context -------------------------------------------------------------------------------
    # -- claims --------------------------------------------------------------------------------
    def add_vocabulary(self, claims: Located) -> None:
        vocab = self.graph(self.iris.graph("vocabulary"))
        measures = claims.get("measures", [])
        for item in measures:
            node = self.iris.measure(self.define("measure", item))
            vocab.add((node, RDF.type, SCHEMA.StatisticalVariable))
            vocab.add((node, RDFS.label, Literal(self.require(item, "label"))))
        for item in measures:
            self.add_measure_relations(vocab, item)
        for item in claims.get("questions", []):
            node = self.iris.question(self.define("question", item))
            vocab.add((node, RDF.type, self.cg.SurveyQuestion))
            vocab.add((node, RDFS.label, Literal(self.require(item, "label"))))
            for about in item.get("about", []):
                vocab.add((node, SCHEMA.about, self.entity_iri(about, item)))
            mode = item.get("answers", "not-stated")
            if mode not in ANSWER_MODES:
                file, line = item.where()
                raise DataError(f"answers must be one of {ANSWER_MODES}", file=file, line=line)
            vocab.add((node, self.cg.answerMode, self.cg[f"answers-{mode}"]))

    def add_measure_relations(self, g: Graph, item: Located) -> None:
        """What the checks need to know: a measure is part of another, or a ratio of two, or counts
        the respondents who did not answer questions on a subject."""
        node = self.iris.measure(item["id"])
        if "nonresponse_on" in item:
            g.add((node, self.cg.nonResponseOn, self.entity_iri(item["nonresponse_on"], item)))
        if "part_of" in item:
            whole = self.ref("measure", item["part_of"], item)
            g.add((node, self.cg.partOfMeasure, self.iris.measure(whole)))
        if "ratio_of" in item:
            pair = item["ratio_of"]
            if not (isinstance(pair, list) and len(pair) == 2):
                file, line = item.where()
                raise DataError("ratio_of must be [numerator, denominator]", file=file, line=line)
            numerator, denominator = (self.ref("measure", m, item) for m in pair)
            g.add((node, self.cg.ratioNumerator, self.iris.measure(numerator)))
            g.add((node, self.cg.ratioDenominator, self.iris.measure(denominator)))

    def add_claims(self, claims: Located) -> None:
        from service.compile_claims import add_claim

        items = self.require(claims, "claims")
        for item in items:
            self.claim_items[self.define("claim", item)] = item
        for item in items:
            add_claim(self, item)
