"""Vocabularies and the minting of every IRI the dataset uses, relative to one base IRI.

Data IRIs live under the dataset's canonical base (the shipped dataset declares its
own in data/context.yaml; an operator's dataset may set another), never under the host
a request came in on. The ontology's namespace is one persistent IRI, the same in
every deployment, dump and test.

>>> iris = Iris("http://example.org/")
>>> iris.claim("c001")
rdflib.term.URIRef('http://example.org/claims/c001')
>>> iris.assertion_graph("c001")
rdflib.term.URIRef('http://example.org/claims/c001/assertion')
>>> str(iris.cg.Claim)
'https://w3id.org/claimgraph/ontology#Claim'
>>> str(iris.ontology_version)
'https://w3id.org/claimgraph/ontology/0.1.0'
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rdflib import Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, OWL, PROV, RDF, RDFS, SDO, SKOS, VOID, XSD

SCHEMA = Namespace("http://schema.org/")
OA = Namespace("http://www.w3.org/ns/oa#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
SH = Namespace("http://www.w3.org/ns/shacl#")
WD = Namespace("http://www.wikidata.org/entity/")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")

ONTOLOGY_VERSION = "0.1.0"
#: The ontology document's persistent IRI (a w3id.org redirect, see README "Linked Data");
#: its terms are hash IRIs in ONTOLOGY_NAMESPACE, its version IRI is ONTOLOGY/ONTOLOGY_VERSION.
ONTOLOGY = "https://w3id.org/claimgraph/ontology"
ONTOLOGY_NAMESPACE = ONTOLOGY + "#"
CG = Namespace(ONTOLOGY_NAMESPACE)

#: Prefixes every query may use without declaring them (the endpoint, the
#: query library and the guard share this table).
STANDARD_PREFIXES: dict[str, str] = {
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "xsd": str(XSD),
    "owl": str(OWL),
    "skos": str(SKOS),
    "dcterms": str(DCTERMS),
    "dcat": str(DCAT),
    "void": str(VOID),
    "prov": str(PROV),
    "schema": str(SCHEMA),
    "oa": str(OA),
    "sd": str(SD),
    "sh": str(SH),
    "wd": str(WD),
    "foaf": str(FOAF),
}

#: A graph of a released version (a nanopublication named by a Trusty URI): ``…/np/RA…#assertion``.
#: These graphs are served and queryable with GRAPH, but kept out of the default graph, so an old
#: version never mixes with the current claims (README, "Versions and citation").
VERSION_GRAPH = re.compile(r"/np/RA[A-Za-z0-9_-]{43}#")
VERSION_GRAPH_REGEX = VERSION_GRAPH.pattern


def is_version_graph(name: str) -> bool:
    """Whether ``name`` is a graph of a released nanopublication.

    >>> is_version_graph("https://w3id.org/claimgraph/np/RA" + "x" * 43 + "#assertion")
    True
    >>> is_version_graph("https://w3id.org/claimgraph/claims/c001/assertion")
    False
    """
    return VERSION_GRAPH.search(name) is not None


__all__ = [
    "CG",
    "DCAT",
    "DCTERMS",
    "FOAF",
    "OA",
    "ONTOLOGY",
    "ONTOLOGY_NAMESPACE",
    "OWL",
    "PROV",
    "RDF",
    "RDFS",
    "SCHEMA",
    "SD",
    "SDO",
    "SH",
    "SKOS",
    "STANDARD_PREFIXES",
    "VOID",
    "WD",
    "XSD",
    "Iris",
    "is_version_graph",
]


@dataclass(frozen=True)
class Iris:
    """Mints the IRIs of one deployment from its base IRI (which must end with '/')."""

    base: str
    cg: Namespace = field(init=False)

    def __post_init__(self) -> None:
        if not self.base.endswith("/"):
            raise ValueError(f"base IRI must end with '/': {self.base!r}")
        object.__setattr__(self, "cg", CG)

    def _mint(self, *parts: str) -> URIRef:
        return URIRef(self.base + "/".join(parts))

    @property
    def ontology(self) -> URIRef:
        """The ontology's persistent IRI (the same under every base; served at /ontology)."""
        return URIRef(ONTOLOGY)

    @property
    def ontology_version(self) -> URIRef:
        return URIRef(f"{ONTOLOGY}/{ONTOLOGY_VERSION}")

    @property
    def dataset(self) -> URIRef:
        return self._mint("dataset")

    @property
    def sparql_endpoint(self) -> URIRef:
        return self._mint("sparql")

    @property
    def void_document(self) -> URIRef:
        return self._mint(".well-known", "void")

    def dataset_part(self, name: str) -> URIRef:
        """A hash IRI under /dataset (a distribution, the linkset): it dereferences with /dataset."""
        return URIRef(f"{self.dataset}#{name}")

    def dataset_dump(self, extension: str) -> URIRef:
        """Where the whole dataset downloads in one format: /dataset.trig, /dataset.nq, …"""
        return URIRef(f"{self.dataset}.{extension}")

    def prefixes(self) -> dict[str, str]:
        """Standard prefixes plus ``cg:``, the ontology's namespace."""
        return {**STANDARD_PREFIXES, "cg": str(self.cg)}

    def claims_root(self, article: str | None = None) -> tuple[str, ...]:
        """Where an article's claims live: ``claims/`` for the shipped article's legacy scheme
        (``article`` None), ``articles/<slug>/claims/`` for every other article."""
        return ("claims",) if article is None else ("articles", article, "claims")

    def claim(self, claim_id: str, article: str | None = None) -> URIRef:
        """A claim; ``article`` is the slug of a namespaced article, None for the legacy scheme.

        >>> Iris("http://example.org/").claim("c001", "other-article")
        rdflib.term.URIRef('http://example.org/articles/other-article/claims/c001')
        """
        return self._mint(*self.claims_root(article), claim_id)

    def assertion_graph(self, claim_id: str, article: str | None = None) -> URIRef:
        return self._mint(*self.claims_root(article), claim_id, "assertion")

    def provenance_graph(self, claim_id: str, article: str | None = None) -> URIRef:
        return self._mint(*self.claims_root(article), claim_id, "provenance")

    def claim_part(self, claim_id: str, part: str, article: str | None = None) -> URIRef:
        return self._mint(*self.claims_root(article), claim_id, part)

    def claim_scope(self, claim: str) -> tuple[str | None, str] | None:
        """(article slug or None for the legacy scheme, claim id) of a claim IRI (or of one of its
        parts) minted under this base; None for any other IRI.

        >>> iris = Iris("http://example.org/")
        >>> iris.claim_scope("http://example.org/claims/c001/figure-1")
        (None, 'c001')
        >>> iris.claim_scope("http://example.org/articles/a-b/claims/c001")
        ('a-b', 'c001')
        """
        if not claim.startswith(self.base):
            return None
        parts = claim[len(self.base) :].split("/")
        if len(parts) >= 2 and parts[0] == "claims" and parts[1]:
            return None, parts[1]
        if len(parts) >= 4 and parts[0] == "articles" and parts[1] and parts[2] == "claims" and parts[3]:
            return parts[1], parts[3]
        return None

    def article_graph(self, article: str | None = None) -> URIRef:
        """The graph of an article's metadata and text: the shared ``graphs/article`` for the legacy
        scheme, ``articles/<slug>/graphs/article`` for a namespaced article."""
        if article is None:
            return self.graph("article")
        return self._mint("articles", article, "graphs", "article")

    def article(self, article_id: str) -> URIRef:
        return self._mint("articles", article_id)

    def article_text(self, article_id: str) -> URIRef:
        return self._mint("articles", article_id, "text")

    def source(self, source_id: str) -> URIRef:
        return self._mint("sources", source_id)

    def activity(self, activity_id: str) -> URIRef:
        return self._mint("activities", activity_id)

    def entity(self, entity_id: str) -> URIRef:
        return self._mint("entities", entity_id)

    def measure(self, measure_id: str) -> URIRef:
        return self._mint("measures", measure_id)

    def population(self, population_id: str) -> URIRef:
        return self._mint("populations", population_id)

    def question(self, question_id: str) -> URIRef:
        return self._mint("questions", question_id)

    def unit(self, unit_id: str) -> URIRef:
        return self._mint("units", unit_id)

    def event(self, event_id: str) -> URIRef:
        return self._mint("events", event_id)

    def rule(self, rule_id: str) -> URIRef:
        return self._mint("rules", rule_id)

    def review(self, review_id: str, article: str | None = None) -> URIRef:
        """A review of the checks; a namespaced article's reviews live under its folder.

        >>> Iris("http://example.org/").review("c001-sum", "a-b")
        rdflib.term.URIRef('http://example.org/articles/a-b/reviews/c001-sum')
        """
        if article is None:
            return self._mint("reviews", review_id)
        return self._mint("articles", article, "reviews", review_id)

    def check_rule(self, rule_id: str) -> URIRef:
        return self._mint("checks", rule_id)

    def check_run(self, run_id: str) -> URIRef:
        return self._mint("checks", "runs", run_id)

    def graph(self, name: str) -> URIRef:
        return self._mint("graphs", name)

    def nanopub(self, artefact: str) -> URIRef:
        """A released version of a claim (or a retraction), named by its Trusty URI artefact."""
        return self._mint("np", artefact)

    def release(self, number: int | str) -> URIRef:
        return self._mint("releases", str(number))
