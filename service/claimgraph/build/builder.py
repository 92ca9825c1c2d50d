"""The state of one compilation, shared by the context and claim compilers: the dataset being
written, the ids defined so far (every reference is checked against them), the article whose
claims are being compiled, and the closed lists of values the YAML may use."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rdflib import Dataset, Graph, URIRef
from rdflib.namespace import DCTERMS, RDF

from claimgraph.build.sources import ArticleSource
from claimgraph.build.yaml_source import Located
from claimgraph.errors import DataError
from claimgraph.iris import SCHEMA, Iris

CLAIM_KINDS = (
    "statistic", "survey-finding", "poll-result", "event", "legal-rule", "estimate",
    "quotation", "interpretation", "factual-statement", "research-finding",
)  # fmt: skip
ATTRIBUTIONS = ("stated", "issuer-stated", "inferred", "none")
ANSWER_MODES = ("multiple", "single", "not-stated")
TRENDS = ("increasing-each-year", "increase", "peak")
QUANTIFIERS = ("majority", "most", "predominantly", "half", "minority", "a-third", "a-few", "nearly-all")

#: Classes of the context file's `types:` lists; own terms are defined in ontology/claimgraph.ttl.
SCHEMA_TYPES = {
    "BlogPosting", "Article", "NewsArticle", "Person", "Organization", "GovernmentOrganization",
    "Country", "City", "Report", "Legislation",
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
    "sampleSize", "samplingMethod", "estimationMethod", "estimator", "statisticalTest", "population",
}  # fmt: skip


class DatasetBuilder:
    """Writes one dataset; raises DataError, naming file and line, on anything the YAML gets wrong."""

    def __init__(self, iris: Iris, version: str) -> None:
        self.iris = iris
        self.cg = iris.cg
        #: The data version the dataset description states (the sources' fingerprint).
        self.version = version
        self.ds = Dataset()
        for prefix, namespace in iris.prefixes().items():
            self.ds.bind(prefix, namespace, replace=True)
        self.known: dict[str, set[str]] = {}
        #: Every claim's YAML by id, so a quantifier can read the sentence of the claim it is in.
        self.claim_items: dict[str, Located] = {}
        #: The article whose claims are being compiled; its text is what the anchors point into.
        self.article: ArticleSource | None = None
        #: Events and rules, which are shared by id across articles: the first definition of each
        #: and the article that gave it (another article may only repeat it exactly).
        self.shared_parts: dict[tuple[str, str], tuple[str, Located]] = {}

    def start_article(self, article: ArticleSource | None) -> None:
        """Compile ``article``'s claims next: claim ids are its own (the same id in another article
        is another claim)."""
        self.article = article
        self.known["claim"] = set()
        self.claim_items = {}

    # -- the article being compiled --------------------------------------------------------------
    def current_article(self) -> ArticleSource:
        if self.article is None:
            raise RuntimeError("no article is being compiled")
        return self.article

    @property
    def text(self) -> str:
        return self.current_article().text

    @property
    def text_file(self) -> Path:
        return self.current_article().text_file

    @property
    def article_iri(self) -> URIRef:
        return self.iris.article(self.current_article().ident)

    @property
    def article_text_iri(self) -> URIRef:
        return self.iris.article_text(self.current_article().ident)

    @property
    def scope(self) -> str | None:
        """What the current article's claim IRIs are minted under (None: the legacy claims/)."""
        return self.current_article().scope

    def claim_iri(self, cid: str) -> URIRef:
        return self.iris.claim(cid, self.scope)

    def claim_part(self, cid: str, part: str) -> URIRef:
        return self.iris.claim_part(cid, part, self.scope)

    def shared_part(self, kind: str, ident: str, item: Located) -> None:
        """Record an event's or rule's definition; one given differently by another article is refused."""
        slug = self.current_article().slug
        known = self.shared_parts.setdefault((kind, ident), (slug, item))
        if known[0] != slug and dict(known[1]) != dict(item):
            file, line = item.where()
            raise DataError(
                f"{kind} {ident!r} is already defined differently in {known[1].file} (line {known[1].line});"
                " a shared id is one resource: repeat its definition exactly, or give this one another id",
                file=file,
                line=line,
            )

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
