"""The check engine: declarative rules (queries/checks/*.rq) run over the claims, each finding
published as a schema:ClaimReview in its own graph, never mixed into the claim.

A rule is a SPARQL SELECT with a comment header (id, title, checks, verdict, version) that
returns ?claim ?verdict ?explanation and optionally ?computation and ?evidence (claim IRIs,
space separated). A rule that compares a claim with other claims one by one (another article's
figure) says `# review-per: evidence`: each claim then gets one review per claim it was set
against. The checks test the article against itself, its cited sources and the other articles of
the dataset, not against the world; every review says so.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, RDFS, SKOS, XSD
from rdflib.term import Node

from claimgraph import paths
from claimgraph.errors import QueryRejected
from claimgraph.iris import SCHEMA, Iris
from claimgraph.querylib import load_query
from claimgraph.terms import solution_rows
from claimgraph.wording import HONESTY, HONESTY_ACROSS

CHECKER_ID = "claimgraph-checker"
REVIEWS_GRAPH = "reviews"


class SelectQueries(Protocol):
    """What the rules run on: anything that answers a SELECT with rows of rdflib terms (a Store does)."""

    def select(self, query: str) -> list[dict[str, Node]]: ...


class ScratchStore:
    """The compiled data in an in-memory Oxigraph store, for the rules to run on during a build.

    Queries are evaluated as the service's store evaluates them (this deployment's base IRI
    and prefixes; the union of the named graphs, as a set of triples, as the default graph), so a
    rule finds here what it would find in the served data.
    """

    def __init__(self, nquads: bytes, iris: Iris) -> None:
        self._store = ox.Store()
        self._store.bulk_load(nquads, format=ox.RdfFormat.N_QUADS)
        # As store/oxigraph.py does: Oxigraph's own union repeats a triple held by two graphs.
        self._store.update("INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }")
        self._base, self._prefixes = iris.base, iris.prefixes()

    def select(self, query: str) -> list[dict[str, Node]]:
        """Rows of rdflib terms; raises QueryRejected on a syntax error or a query that is no SELECT."""
        try:
            result = self._store.query(query, base_iri=self._base, prefixes=self._prefixes)
        except SyntaxError as exc:
            raise QueryRejected(str(exc)) from exc
        if not isinstance(result, ox.QuerySolutions):
            raise QueryRejected("expected a SELECT query")
        return solution_rows(result)


@dataclass(frozen=True)
class CheckRule:
    id: str
    title: str
    checks: str
    verdicts: tuple[str, ...]
    version: str
    query: str
    #: One review per (claim, evidence) instead of one per claim (`# review-per: evidence`).
    per_evidence: bool = False


@dataclass(frozen=True)
class Finding:
    rule: CheckRule
    claim: URIRef
    verdict: URIRef
    explanation: str
    computation: str | None
    evidence: tuple[URIRef, ...]

    @property
    def claim_id(self) -> str:
        return str(self.claim).rsplit("/", 1)[-1]

    @property
    def verdict_id(self) -> str:
        return str(self.verdict).rsplit("#verdict-", 1)[-1]


@dataclass(frozen=True)
class CheckRun:
    started: dt.datetime
    ended: dt.datetime
    rules: tuple[CheckRule, ...]
    findings: tuple[Finding, ...]
    #: Draft claims (cg:status-draft): never checked, and never evidence of another claim's finding.
    drafts: tuple[URIRef, ...] = ()


def rules_dir() -> Path:
    return paths.queries_dir() / "checks"


def load_rules(folder: Path | None = None) -> tuple[CheckRule, ...]:
    """Every rule in ``folder`` (default queries/checks/); raises ValueError on a bad header."""
    rules = []
    for path in sorted((folder or rules_dir()).glob("*.rq")):
        query = load_query(path, required=("id", "title", "checks", "verdict", "version"))
        headers = query.headers
        verdicts = tuple(v.strip() for v in headers["verdict"].split(","))
        per = headers.get("review-per", "claim").strip()
        if per not in ("claim", "evidence"):
            raise ValueError(f"{path.name}: `# review-per:` is claim or evidence, not {per!r}")
        rules.append(
            CheckRule(
                headers["id"],
                query.title,
                headers["checks"],
                verdicts,
                headers["version"],
                query.text,
                per_evidence=per == "evidence",
            )
        )
    ids = [rule.id for rule in rules]
    if len(ids) != len(set(ids)):
        raise ValueError(f"duplicate rule ids in {ids}")
    return tuple(rules)


def run_checks(store: SelectQueries, iris: Iris, rules: tuple[CheckRule, ...] | None = None) -> CheckRun:
    """Run every rule against ``store``; raises ValueError when a rule returns an undeclared verdict."""
    rules = load_rules() if rules is None else rules
    started = dt.datetime.now(dt.UTC).replace(microsecond=0)
    drafts = draft_claims(store, iris)
    findings = []
    for rule in rules:
        for row in store.select(rule.query):
            finding = _finding(rule, row, iris)
            if finding.claim not in drafts and not drafts.intersection(finding.evidence):
                findings.append(finding)
    findings = _one_per_review(findings)
    ended = dt.datetime.now(dt.UTC).replace(microsecond=0)
    findings.sort(key=_stable_order)
    return CheckRun(started, ended, tuple(rules), tuple(findings), tuple(sorted(drafts)))


def draft_claims(store: SelectQueries, iris: Iris) -> set[URIRef]:
    """The claims marked as drafts (`cg:reviewStatus cg:status-draft`), in any graph."""
    status, draft = iris.cg.reviewStatus.n3(), iris.cg["status-draft"].n3()
    pattern = f"?claim {status} {draft} ; a <http://schema.org/Claim>"
    query = f"SELECT DISTINCT ?claim WHERE {{ {{ {pattern} }} UNION {{ GRAPH ?g {{ {pattern} }} }} }}"
    return {URIRef(str(row["claim"])) for row in store.select(query)}


#: Which finding a review keeps when a rule reaches one claim and one piece of evidence twice.
_SEVERITY = {"inconsistent": 0, "needs-context": 1, "unverifiable": 2, "consistent": 3}


def _one_per_review(findings: list[Finding]) -> list[Finding]:
    """The findings, with one per (rule, claim, evidence) for a rule that reviews per evidence: two
    figures of one claim set against one other claim give one review, the worst verdict."""
    kept: dict[object, Finding] = {}
    # Ties in severity go by the text, never by the order the engine returned the rows in.
    for finding in sorted(findings, key=lambda f: (_SEVERITY.get(f.verdict_id, 9), _stable_order(f))):
        evidence = tuple(sorted(finding.evidence))
        key = (finding.rule.id, finding.claim, evidence) if finding.rule.per_evidence else finding
        kept.setdefault(key, finding)
    return list(kept.values())


def _stable_order(finding: Finding) -> tuple[str, ...]:
    """A total order on findings, the same in every build: the engine's row order is not."""
    return (
        finding.claim_id,
        finding.rule.id,
        str(finding.claim),
        " ".join(sorted(str(e) for e in finding.evidence)),
        finding.verdict_id,
        finding.explanation,
        finding.computation or "",
    )


def _finding(rule: CheckRule, row: dict, iris: Iris) -> Finding:
    verdict = row.get("verdict")
    allowed = {iris.cg[f"verdict-{v}"] for v in rule.verdicts}
    if verdict not in allowed:
        raise ValueError(f"rule {rule.id} gave verdict {verdict} outside its header {rule.verdicts}")
    # Once each: a claim in two of a rule's groups (two readings of one denominator) lists its
    # fellow members once per group.
    evidence = tuple(dict.fromkeys(URIRef(part) for part in str(row.get("evidence", "")).split()))
    computation = row.get("computation")
    return Finding(
        rule=rule,
        claim=URIRef(str(row["claim"])),
        verdict=URIRef(str(verdict)),
        explanation=str(row["explanation"]),
        computation=str(computation) if computation is not None else None,
        evidence=tuple(e for e in evidence if e != row["claim"]),
    )


def review_id(finding: Finding, iris: Iris | None = None) -> str:
    """The review's local id (in its article's reviews): claim and rule, plus the evidence for a rule
    that reviews per evidence.

    Evidence is named by its path under the base, so that claims of two articles with the same id
    stay apart: claims/c017 is c017, articles/x/claims/c003 is articles-x-c003.
    """
    if not finding.rule.per_evidence:
        return f"{finding.claim_id}-{finding.rule.id}"
    base = iris.base if iris is not None else ""

    def name(claim: URIRef) -> str:
        path = str(claim).removeprefix(base).strip("/")
        path = path.removeprefix("claims/").replace("/claims/", "/")
        return path.replace("/", "-")

    # Sorted, so the IRI never depends on the order a rule listed its evidence in.
    return "-".join([finding.claim_id, finding.rule.id, *sorted(name(e) for e in finding.evidence)])


def review_iri(finding: Finding, iris: Iris) -> URIRef:
    """The review's IRI: reviews/<claim>-<rule>, under articles/<slug>/ for a namespaced article's claim."""
    scope = iris.claim_scope(str(finding.claim))
    return iris.review(review_id(finding, iris), scope[0] if scope else None)


def reviews_graph(run: CheckRun, iris: Iris, verdict_labels: dict[URIRef, str]) -> Graph:
    """The ClaimReviews of one run, with the run and its rules, as PROV-O."""
    cg = iris.cg
    g = Graph()
    checker = iris.entity(CHECKER_ID)
    g.add((checker, RDF.type, PROV.SoftwareAgent))
    g.add((checker, RDF.type, SCHEMA.SoftwareApplication))
    g.add((checker, SCHEMA.name, Literal("claimgraph automated checks")))
    g.add((checker, RDFS.label, Literal("claimgraph automated checks")))
    activity = iris.check_run(run.started.strftime("%Y%m%dT%H%M%SZ"))
    g.add((activity, RDF.type, cg.CheckRun))
    g.add((activity, RDF.type, PROV.Activity))
    g.add((activity, RDFS.label, Literal(f"Check run of {run.started.isoformat()}")))
    g.add((activity, PROV.startedAtTime, Literal(run.started.isoformat(), datatype=XSD.dateTime)))
    g.add((activity, PROV.endedAtTime, Literal(run.ended.isoformat(), datatype=XSD.dateTime)))
    g.add((activity, PROV.wasAssociatedWith, checker))
    for rule in run.rules:
        node = iris.check_rule(rule.id)
        g.add((activity, PROV.used, node))
        g.add((node, RDF.type, cg.CheckRule))
        g.add((node, RDF.type, PROV.Plan))
        g.add((node, SCHEMA.identifier, Literal(rule.id)))
        g.add((node, RDFS.label, Literal(rule.title, lang="en")))
        g.add((node, RDFS.comment, Literal(rule.checks, lang="en")))
        g.add((node, cg.ruleVersion, Literal(rule.version)))
        g.add((node, SCHEMA.text, Literal(rule.query)))
        for verdict in rule.verdicts:
            g.add((node, cg.verdict, cg[f"verdict-{verdict}"]))
    for finding in run.findings:
        _add_review(g, finding, iris, activity, checker, run.started.date(), verdict_labels)
    return g


def _add_review(
    g: Graph,
    finding: Finding,
    iris: Iris,
    activity: URIRef,
    checker: URIRef,
    day: dt.date,
    verdict_labels: dict[URIRef, str],
) -> None:
    cg = iris.cg
    review = review_iri(finding, iris)
    rating = URIRef(f"{review}#rating")
    label = verdict_labels.get(finding.verdict, finding.verdict_id)
    g.add((review, RDF.type, SCHEMA.ClaimReview))
    g.add((review, RDF.type, PROV.Entity))
    g.add((review, SCHEMA.itemReviewed, finding.claim))
    g.add((review, SCHEMA.url, review))
    g.add((review, SCHEMA.name, Literal(f"{finding.rule.title}: {label}", lang="en")))
    honesty = HONESTY_ACROSS if _across_articles(finding, iris) else HONESTY
    g.add((review, SCHEMA.reviewBody, Literal(f"{finding.explanation} {honesty}", lang="en")))
    g.add((review, SCHEMA.reviewRating, rating))
    g.add((review, cg.verdict, finding.verdict))
    g.add((review, cg.rule, iris.check_rule(finding.rule.id)))
    g.add((review, SCHEMA.author, checker))
    g.add((review, SCHEMA.datePublished, Literal(day.isoformat(), datatype=XSD.date)))
    g.add((review, PROV.wasGeneratedBy, activity))
    g.add((review, PROV.wasAttributedTo, checker))
    if finding.computation:
        g.add((review, cg.computation, Literal(finding.computation)))
    for claim in finding.evidence:
        g.add((review, cg.evidence, claim))
        g.add((review, PROV.wasDerivedFrom, claim))
    g.add((rating, RDF.type, SCHEMA.Rating))
    g.add((rating, SCHEMA.alternateName, Literal(label, lang="en")))
    g.add((rating, SCHEMA.ratingExplanation, Literal(finding.explanation, lang="en")))
    g.add((rating, SKOS.related, finding.verdict))


def _across_articles(finding: Finding, iris: Iris) -> bool:
    """Whether a finding sets its claim against a claim of another article."""
    article = (iris.claim_scope(str(finding.claim)) or (None, ""))[0]
    return any((iris.claim_scope(str(e)) or (None, ""))[0] != article for e in finding.evidence)


def verdict_labels(store: SelectQueries) -> dict[URIRef, str]:
    """Verdict concept -> its English label, read from the ontology in the store."""
    rows = store.select(
        "SELECT ?verdict ?label WHERE { ?verdict skos:inScheme cg:VerdictScheme ; skos:prefLabel ?label }"
    )
    return {URIRef(str(row["verdict"])): str(row["label"]) for row in rows}
