"""The automated checks as a reader sees them: every rule, what it checks, its SPARQL, and the
verdicts it gave with their counts (read from the reviews graph, so it shows what was published)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from claimgraph.reading.catalogue import Vocabulary
from claimgraph.reading.descriptions import StoreReader
from claimgraph.reading.model import UNCHECKED, VERDICT_ORDER, Claim, JsonObject, Ref, Review
from claimgraph.wording import HONESTY


@dataclass(frozen=True)
class Finding:
    """One review as the checks page lists it: the claim and what the rule found."""

    claim: Claim
    review: Review

    def to_json(self) -> JsonObject:
        return {
            "claim": {
                "id": self.claim.id,
                "key": self.claim.key,
                "iri": self.claim.iri,
                "quote": self.claim.quote,
            },
            "review": self.review.iri,
            "verdict": self.review.verdict.to_json(),
            "explanation": self.review.explanation,
            "computation": self.review.computation,
        }


@dataclass(frozen=True)
class Rule:
    ref: Ref
    title: str
    checks: str
    version: str
    query: str
    verdicts: tuple[Ref, ...]
    findings: tuple[Finding, ...]

    @property
    def counts(self) -> dict[str, int]:
        return dict(Counter(finding.review.verdict.id for finding in self.findings))

    def to_json(self) -> JsonObject:
        return {
            **self.ref.to_json(),
            "title": self.title,
            "checks": self.checks,
            "version": self.version,
            "query": self.query,
            "verdicts": [v.to_json() for v in self.verdicts],
            "counts": self.counts,
            "findings": [f.to_json() for f in self.findings],
        }


@dataclass(frozen=True)
class VerdictCount:
    verdict: Ref
    definition: str
    count: int

    def to_json(self) -> JsonObject:
        return {**self.verdict.to_json(), "definition": self.definition, "count": self.count}


@dataclass(frozen=True)
class CheckReport:
    honesty: str
    rules: tuple[Rule, ...]
    verdicts: tuple[VerdictCount, ...]
    claims_checked: int
    claims_total: int

    def to_json(self) -> JsonObject:
        """The documented shape of /api/checks (CheckReport in /openapi.json)."""
        return {
            "honesty": self.honesty,
            "claimsChecked": self.claims_checked,
            "claimsTotal": self.claims_total,
            "verdicts": [v.to_json() for v in self.verdicts],
            "rules": [r.to_json() for r in self.rules],
        }


def read_check_report(
    reader: StoreReader, vocabulary: Vocabulary, claims: tuple[Claim, ...], verdict_scheme: str
) -> CheckReport:
    """Every rule with its findings, and every verdict of the scheme with how often it was given."""
    findings: dict[str, list[Finding]] = {}
    for claim in claims:
        for review in claim.reviews:
            key = review.rule.iri if review.rule else ""
            findings.setdefault(key, []).append(Finding(claim, review))
    rules: dict[str, Rule] = {}
    for row in reader.select("check-rules"):
        iri = str(row["rule"])
        verdict = (vocabulary.ref(row["verdict"]),) if "verdict" in row else ()
        if iri in rules:
            rules[iri] = Rule(**{**rules[iri].__dict__, "verdicts": rules[iri].verdicts + verdict})
            continue
        rules[iri] = Rule(
            ref=vocabulary.ref(row["rule"]),
            title=str(row["title"]),
            checks=str(row.get("checks", "")),
            version=str(row["version"]),
            query=str(row.get("query", "")),
            verdicts=verdict,
            findings=tuple(findings.get(iri, ())),
        )
    counts = Counter(review.verdict.id for claim in claims for review in claim.reviews)
    verdicts = [
        VerdictCount(ref, vocabulary.definitions.get(ref.iri, ""), counts[ref.id])
        for ref in vocabulary.concepts(verdict_scheme)
    ]
    verdicts.sort(key=lambda v: VERDICT_ORDER.index(v.verdict.id) if v.verdict.id in VERDICT_ORDER else 99)
    checked = sum(1 for claim in claims if claim.verdict != UNCHECKED)
    return CheckReport(HONESTY, tuple(rules.values()), tuple(verdicts), checked, len(claims))
