"""`claimgraph check`: run the automated checks on the data and print what they found."""

from __future__ import annotations

import json
import textwrap

from service.checks import HONESTY, CheckRun, review_id
from service.dataset import build_reviewed
from service.namespaces import Iris
from service.settings import Settings


def run_check_command(fmt: str, settings: Settings) -> int:
    iris = Iris(settings.base)
    _, run = build_reviewed(iris, settings.data_dir)
    print(as_json(run, iris) if fmt == "json" else as_table(run))
    return 0


def as_table(run: CheckRun) -> str:
    header = f"{'claim':6} {'rule':26} {'verdict':21} explanation"
    lines = [header, "-" * len(header)]
    for finding in run.findings:
        wrapped = textwrap.wrap(finding.explanation, 70) or [""]
        lines.append(f"{finding.claim_id:6} {finding.rule.id:26} {finding.verdict_id:21} {wrapped[0]}")
        lines.extend(" " * 56 + more for more in wrapped[1:])
    counts: dict[str, int] = {}
    for finding in run.findings:
        counts[finding.verdict_id] = counts.get(finding.verdict_id, 0) + 1
    summary = ", ".join(f"{verdict} {n}" for verdict, n in sorted(counts.items()))
    lines += ["", f"{len(run.findings)} findings from {len(run.rules)} rules: {summary}", HONESTY]
    return "\n".join(lines)


def as_json(run: CheckRun, iris: Iris) -> str:
    return json.dumps(
        {
            "started": run.started.isoformat(),
            "ended": run.ended.isoformat(),
            "note": HONESTY,
            "rules": [
                {
                    "id": r.id,
                    "title": r.title,
                    "checks": r.checks,
                    "verdicts": list(r.verdicts),
                    "version": r.version,
                }
                for r in run.rules
            ],
            "findings": [
                {
                    "review": str(iris.review(review_id(f))),
                    "claim": f.claim_id,
                    "claimIri": str(f.claim),
                    "rule": f.rule.id,
                    "verdict": f.verdict_id,
                    "explanation": f.explanation,
                    "computation": f.computation,
                    "evidence": [str(e) for e in f.evidence],
                }
                for f in run.findings
            ],
        },
        indent=2,
        ensure_ascii=False,
    )
