"""Two builds of the same data give the same reviews, byte for byte: the check rules' joined values
(GROUP_CONCAT) and the order of findings never depend on the order the engine returns rows in.

Oxigraph's row order varies between processes (hash-seeded iteration), not within one, so the
builds run in fresh processes.
"""

from __future__ import annotations

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from claimgraph.build.checks import CheckRule, Finding, _one_per_review, review_id
from claimgraph.iris import Iris
from rdflib import URIRef

ROOT = Path(__file__).resolve().parent.parent
#: A second article, so that the rule across articles (one review per evidence) runs too.
FIXTURE = ROOT / "tests" / "data" / "articles" / "test-fixture-permits"
BASE = "https://w3id.org/claimgraph/"

#: One build in a fresh process: the reviews graph as sorted N-Triples with the check run's own
#: timestamps masked (its IRI, start, end and the reviews' publication day), then the findings in
#: the order `claimgraph check` lists them.
BUILD = f"""
from pathlib import Path
from rdflib import Literal, URIRef
from rdflib.namespace import PROV, RDFS
from claimgraph.build.checks import REVIEWS_GRAPH, review_id
from claimgraph.build.pipeline import build_reviewed
from claimgraph.build.sources import read_sources
from claimgraph.iris import SCHEMA, Iris

iris = Iris({BASE!r})
reviewed = build_reviewed(read_sources(Path({str(ROOT / "data")!r}), [Path({str(FIXTURE)!r})]), iris)
run = iris.check_run(reviewed.check_run.started.strftime("%Y%m%dT%H%M%SZ"))
masked = (PROV.startedAtTime, PROV.endedAtTime, SCHEMA.datePublished)
lines = []
for s, p, o in reviewed.dataset.graph(iris.graph(REVIEWS_GRAPH)):
    if p in masked or (s == run and p == RDFS.label):
        o = Literal("masked")
    s, o = (URIRef("urn:run") if term == run else term for term in (s, o))
    lines.append(f"{{s.n3()}} {{p.n3()}} {{o.n3()}} .")
print("\\n".join(sorted(lines)))
print("--- findings")
for f in reviewed.check_run.findings:
    print(review_id(f, iris), f.verdict_id, " ".join(map(str, f.evidence)), f.computation, f.explanation)
"""


def _build() -> str:
    result = subprocess.run(
        [sys.executable, "-c", BUILD], capture_output=True, text=True, check=False, cwd=ROOT, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_two_builds_of_the_same_data_give_the_same_reviews():
    with ThreadPoolExecutor(max_workers=3) as pool:
        first, *others = pool.map(lambda _: _build(), range(3))
    assert "ClaimReview" in first
    assert "--- findings" in first
    assert "-same-figure-across-articles-articles-test-fixture-permits-c" in first
    assert first.count("\n") > 500  # the shipped article's reviews, not an empty graph
    for other in others:
        assert other == first, "\n".join(line for line in set(first.splitlines()) ^ set(other.splitlines()))


def _rule(per_evidence: bool) -> CheckRule:
    return CheckRule("r", "R", "checks", ("consistent",), "1", "SELECT * {}", per_evidence=per_evidence)


def _found(rule: CheckRule, evidence: tuple[str, ...], explanation: str = "same") -> Finding:
    verdict = URIRef("https://w3id.org/claimgraph/ontology#verdict-consistent")
    claim = URIRef(f"{BASE}claims/c001")
    return Finding(rule, claim, verdict, explanation, None, tuple(URIRef(f"{BASE}{e}") for e in evidence))


def test_a_review_iri_does_not_depend_on_the_order_of_its_evidence():
    iris = Iris(BASE)
    rule = _rule(per_evidence=True)
    one = review_id(_found(rule, ("claims/c003", "articles/x/claims/c002")), iris)
    other = review_id(_found(rule, ("articles/x/claims/c002", "claims/c003")), iris)
    assert one == other == "c001-r-articles-x-c002-c003"


def test_ties_in_severity_keep_the_same_finding_whatever_the_row_order():
    rule = _rule(per_evidence=True)
    a, b = _found(rule, ("claims/c002",), "figure a"), _found(rule, ("claims/c002",), "figure b")
    assert _one_per_review([a, b]) == _one_per_review([b, a]) == [a]
