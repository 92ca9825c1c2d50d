"""The coverage report of a draft: every number token of the text, whether it is inside a candidate
claim (as a figure, a date or a quantifier), or left out and why."""

from __future__ import annotations

from collections import Counter

from claimgraph.build.drafting.candidates import Reading

USES = {"figure": "figures", "date": "dates or periods", "quantifier": "quantifier words"}


def coverage_report(text: str, reading: Reading, name: str) -> str:
    accounts = reading.accounts
    inside = [a for a in accounts if a.use != "left-out"]
    left = [a for a in accounts if a.use == "left-out"]
    uses = Counter(a.use for a in inside)
    kinds = Counter(c.kind for c in reading.candidates)
    attributed = sum(1 for c in reading.candidates if c.attribution.phrase)
    figures = sum(len(c.figures) for c in reading.candidates)
    out = [
        f"Coverage of {name}: {len(text)} characters, {reading.sentence_count} sentences",
        f"  candidate claims:          {len(reading.candidates)} (all status: draft)",
    ]
    if kinds:
        out.append("    by guessed kind:         " + ", ".join(f"{k} {n}" for k, n in sorted(kinds.items())))
    out += [
        f"    figures read:            {figures}",
        f"    with an attribution phrase: {attributed}",
        f"  number tokens in the text: {len(accounts)}",
        f"  inside a candidate:        {len(inside)}"
        + (" (" + ", ".join(f"{USES[u]} {n}" for u, n in sorted(uses.items())) + ")" if uses else ""),
        f"  left out:                  {len(left)}",
    ]
    for account in left:
        token = account.token
        line = text.count("\n", 0, token.start) + 1
        column = token.start - (text.rfind("\n", 0, token.start) + 1) + 1
        out.append(f"    line {line}, column {column}: {token.text!r}: {account.reason}")
    return "\n".join(out)
