"""Compile data/context.yaml and data/claims.yaml into the RDF dataset (one graph per claim part).

The compiler owns the anchors: it finds each quote in article.txt and writes the
TextPositionSelector (code points) and TextQuoteSelector (exact, prefix, suffix),
so an offset is never typed by hand. Every reference is resolved here; a dangling
one is a DataError naming the file and line.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, OWL, PROV, RDF, RDFS, VOID, XSD

from service.errors import DataError
from service.namespaces import SCHEMA, WD, Iris
from service.yamlsource import Located, load_yaml

CONTEXT_FILE = "context.yaml"
CLAIMS_FILE = "claims.yaml"
ARTICLE_FILE = "article.txt"
AFFIX_LENGTH = 32

CLAIM_KINDS = (
    "statistic", "survey-finding", "poll-result", "event", "legal-rule", "estimate",
    "quotation", "interpretation", "factual-statement", "research-finding",
)  # fmt: skip
ATTRIBUTIONS = ("stated", "inferred", "none")
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
}
#: `not_stated:` names that are the ontology's own properties.
OWN_NOT_STATED = {"sampleSize", "samplingMethod", "estimationMethod", "estimator"}
TRENDS = ("increasing-each-year", "increase", "peak")


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
    context = _mapping(load_yaml(files.context), CONTEXT_FILE)
    claims = _mapping(load_yaml(files.claims), CLAIMS_FILE)
    builder = _Builder(iris, text, files)
    builder.add_context(context)
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
    def add_context(self, ctx: Located) -> None:
        entities = self.graph(self.iris.graph("entities"))
        for item in [*ctx.get("agents", []), *ctx.get("places", [])]:
            self.define("entity", item)
        for item in ctx.get("agents", []):
            self.add_agent(entities, item)
        for item in ctx.get("places", []):
            self.add_place(entities, item)
        vocab = self.graph(self.iris.graph("vocabulary"))
        for item in ctx.get("units", []):
            self.add_unit(vocab, item)
        for item in ctx.get("populations", []):
            self.define("population", item)
        for item in ctx.get("populations", []):
            self.add_population(vocab, item)
        sources = self.graph(self.iris.graph("sources"))
        for item in [*ctx.get("works", []), *ctx.get("sources", [])]:
            self.define("source", item)
        for item in ctx.get("activities", []):
            self.define("activity", item)
        for item in ctx.get("activities", []):
            self.add_activity(sources, item)
        for item in ctx.get("works", []):
            self.add_work(sources, item)
        for item in ctx.get("sources", []):
            self.add_source(sources, item)
        self.add_article(self.graph(self.iris.graph("article")), self.require(ctx, "article"))
        self.add_dataset_description(self.graph(self.iris.graph("dataset")), ctx)

    def add_agent(self, g: Graph, item: Located) -> None:
        node = self.iris.entity(item["id"])
        self.types(g, node, item, (PROV.Agent,))
        g.add((node, SCHEMA.name, Literal(self.require(item, "name"))))
        g.add((node, RDFS.label, Literal(item["name"])))
        if "alternate_name" in item:
            g.add((node, SCHEMA.alternateName, Literal(item["alternate_name"])))
        if "job_title" in item:
            g.add((node, SCHEMA.jobTitle, Literal(item["job_title"])))
        if "affiliation" in item:
            g.add((node, SCHEMA.affiliation, self.entity_iri(item["affiliation"], item)))
        if "country" in item:
            g.add((node, SCHEMA.areaServed, self.entity_iri(item["country"], item)))
        self.same_as(g, node, item)

    def add_place(self, g: Graph, item: Located) -> None:
        node = self.iris.entity(item["id"])
        self.types(g, node, item, (SCHEMA.Place,))
        g.add((node, SCHEMA.name, Literal(self.require(item, "name"))))
        g.add((node, RDFS.label, Literal(item["name"])))
        if "contained_in" in item:
            g.add((node, SCHEMA.containedInPlace, self.entity_iri(item["contained_in"], item)))
        self.same_as(g, node, item)

    def same_as(self, g: Graph, node: URIRef, item: Located) -> None:
        qid = item.get("wikidata")
        if qid is None:
            return
        if not (isinstance(qid, str) and qid[:1] == "Q" and qid[1:].isdigit()):
            file, line = item.where()
            raise DataError(f"wikidata must look like Q123, got {qid!r}", file=file, line=line)
        g.add((node, OWL.sameAs, WD[qid]))

    def add_unit(self, g: Graph, item: Located) -> None:
        node = self.iris.unit(self.define("unit", item))
        g.add((node, RDF.type, self.cg.Unit))
        g.add((node, RDFS.label, Literal(self.require(item, "label"))))
        if "code" in item:
            g.add((node, SCHEMA.unitCode, Literal(item["code"])))

    def add_population(self, g: Graph, item: Located) -> None:
        node = self.iris.population(item["id"])
        g.add((node, RDF.type, self.cg.Population))
        g.add((node, RDFS.label, Literal(self.require(item, "label"))))
        if "subset_of" in item:
            parent = self.ref("population", item["subset_of"], item)
            g.add((node, self.cg.subsetOf, self.iris.population(parent)))

    def add_activity(self, g: Graph, item: Located) -> None:
        node = self.iris.activity(item["id"])
        self.types(g, node, item, (PROV.Activity,))
        g.add((node, RDFS.label, Literal(self.require(item, "label"))))
        for key, prop in (("requester", self.cg.requester), ("addressee", self.cg.addressee)):
            if key in item:
                agent = self.entity_iri(item[key], item)
                g.add((node, prop, agent))
                g.add((node, PROV.wasAssociatedWith, agent))
        if "population" in item:
            pop = self.ref("population", item["population"], item)
            g.add((node, self.cg.population, self.iris.population(pop)))
        for key, prop in (("started", SCHEMA.startDate), ("ended", SCHEMA.endDate)):
            if key in item:
                g.add((node, prop, date_literal(item[key], item)))
        if "period" in item:
            g.add((node, DCTERMS.temporal, date_literal(item["period"], item)))
        self.not_stated(g, node, item)

    def add_work(self, g: Graph, item: Located) -> None:
        node = self.iris.source(item["id"])
        self.types(g, node, item, (PROV.Entity, SCHEMA.CreativeWork))
        g.add((node, RDFS.label, Literal(self.require(item, "label"))))
        for author in self.require(item, "authors"):
            g.add((node, SCHEMA.author, self.entity_iri(author, item)))
            g.add((node, PROV.wasAttributedTo, self.entity_iri(author, item)))
        g.add((node, SCHEMA.publisher, self.entity_iri(self.require(item, "publisher"), item)))
        if "funder" in item:
            g.add((node, SCHEMA.funder, self.entity_iri(item["funder"], item)))
        self.not_stated(g, node, item)

    def add_source(self, g: Graph, item: Located) -> None:
        node = self.iris.source(item["id"])
        self.types(g, node, item, (PROV.Entity, self.cg.Source))
        g.add((node, RDFS.label, Literal(self.require(item, "label"))))
        issuers = self.require(item, "issuer")
        for issuer in issuers if isinstance(issuers, list) else [issuers]:
            g.add((node, PROV.wasAttributedTo, self.entity_iri(issuer, item)))
        if "generated_by" in item:
            activity = self.ref("activity", item["generated_by"], item)
            g.add((node, PROV.wasGeneratedBy, self.iris.activity(activity)))
        if "received" in item:
            received = date_literal(item["received"], item)
            g.add((node, self.cg.receivedOn, received))
            g.add((node, DCTERMS.date, received))
        if "date" in item:
            g.add((node, DCTERMS.date, date_literal(item["date"], item)))
        if "part_of" in item:
            whole = self.ref("source", item["part_of"], item)
            g.add((node, DCTERMS.isPartOf, self.iris.source(whole)))
        self.not_stated(g, node, item)

    def add_article(self, g: Graph, item: Located) -> None:
        ident = self.require(item, "id")
        node = self.article_iri = self.iris.article(ident)
        text_node = self.article_text_iri = self.iris.article_text(ident)
        self.types(g, node, item, (SCHEMA.CreativeWork,))
        g.add((node, SCHEMA.author, self.entity_iri(self.require(item, "author"), item)))
        g.add((node, SCHEMA.inLanguage, Literal(item.get("language", "en"))))
        based_on = self.ref("source", self.require(item, "is_based_on"), item)
        g.add((node, SCHEMA.isBasedOn, self.iris.source(based_on)))
        for about in item.get("about", []):
            g.add((node, SCHEMA.about, self.entity_iri(about, item)))
        g.add((node, SCHEMA.associatedMedia, text_node))
        g.add((text_node, RDF.type, SCHEMA.MediaObject))
        g.add((text_node, SCHEMA.encodingFormat, Literal("text/plain; charset=utf-8")))
        g.add((text_node, SCHEMA.sha256, Literal(hashlib.sha256(self.text.encode()).hexdigest())))
        g.add((text_node, SCHEMA.text, Literal(self.text)))
        g.add((text_node, self.cg.notStated, SCHEMA.license))
        if "image_credit" in item:
            image = self.iris.article(f"{ident}/image")
            g.add((node, SCHEMA.image, image))
            g.add((image, RDF.type, SCHEMA.ImageObject))
            g.add((image, SCHEMA.creditText, Literal(item["image_credit"])))
            g.add((image, self.cg.notStated, SCHEMA.url))
        self.not_stated(g, node, item)

    def add_dataset_description(self, g: Graph, ctx: Located) -> None:
        item = self.require(ctx, "dataset")
        node = self.iris.dataset
        for cls in (VOID.Dataset, DCAT.Dataset, SCHEMA.Dataset):
            g.add((node, RDF.type, cls))
        g.add((node, DCTERMS.title, Literal(self.require(item, "title"), lang="en")))
        g.add((node, DCTERMS.description, Literal(self.require(item, "description"), lang="en")))
        g.add((node, DCTERMS.creator, self.entity_iri(self.require(item, "creator"), item)))
        g.add((node, DCTERMS.license, URIRef(self.require(item, "license"))))
        g.add((node, DCTERMS.created, date_literal(self.require(item, "created"), item)))
        g.add((node, DCTERMS.modified, date_literal(self.require(item, "modified"), item)))
        g.add((node, DCTERMS.conformsTo, self.iris.ontology_version))
        g.add((node, DCTERMS.source, self.article_iri))
        g.add((node, DCTERMS.hasVersion, Literal(self.files.fingerprint())))

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
            mode = item.get("answers", "not-stated")
            if mode not in ANSWER_MODES:
                file, line = item.where()
                raise DataError(f"answers must be one of {ANSWER_MODES}", file=file, line=line)
            vocab.add((node, self.cg.answerMode, self.cg[f"answers-{mode}"]))

    def add_measure_relations(self, g: Graph, item: Located) -> None:
        """What the checks need to know: a measure is part of another, or a ratio of two."""
        node = self.iris.measure(item["id"])
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
            self.define("claim", item)
        for item in items:
            add_claim(self, item)


def date_literal(value: Any, at: Located) -> Literal:
    """A YAML date, "YYYY-MM" or a year as an xsd:date, xsd:gYearMonth or xsd:gYear literal.

    >>> date_literal(dt.date(2024, 8, 5), Located()).n3()
    '"2024-08-05"^^<http://www.w3.org/2001/XMLSchema#date>'
    >>> date_literal("2024-06", Located()).datatype.endswith("gYearMonth")
    True
    >>> date_literal(2009, Located()).datatype.endswith("gYear")
    True
    """
    if isinstance(value, dt.date):
        return Literal(value.isoformat(), datatype=XSD.date)
    text = str(value)
    if len(text) == 4 and text.isdigit():
        return Literal(text, datatype=XSD.gYear)
    if len(text) == 7 and text[:4].isdigit() and text[4] == "-" and text[5:].isdigit():
        return Literal(text, datatype=XSD.gYearMonth)
    file, line = at.where()
    raise DataError(f"not a date, year-month or year: {value!r}", file=file, line=line)


def number_literal(value: Any, at: Located) -> Literal:
    """An int as xsd:integer; a decimal written "83.4" (or 83.4) as xsd:decimal.

    >>> number_literal(73197, Located()).datatype.endswith("integer")
    True
    >>> number_literal("83.4", Located()).n3()
    '"83.4"^^<http://www.w3.org/2001/XMLSchema#decimal>'
    """
    if isinstance(value, bool):
        pass
    elif isinstance(value, int):
        return Literal(value, datatype=XSD.integer)
    elif isinstance(value, float | str):
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            number = None
        if number is not None and number.is_finite():
            return Literal(str(number), datatype=XSD.decimal)
    file, line = at.where()
    raise DataError(f"not a number: {value!r}", file=file, line=line)
