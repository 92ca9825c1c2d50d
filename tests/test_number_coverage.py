"""Every number in the article is modelled: inside a claim's anchor, with its value in that
claim's assertion graph, or listed below with a reason."""

from __future__ import annotations

import re
from decimal import Decimal

from claimgraph.build.pipeline import compile_data
from claimgraph.build.sources import read_sources
from claimgraph.build.validation import merged_graph
from claimgraph.iris import OA, SCHEMA
from conftest import SHIPPED
from rdflib import Literal
from rdflib.namespace import RDF, XSD

NUMBER = re.compile(r"\d+(?:[.,]\d+)*")

#: Number tokens deliberately not modelled: (start offset, token) -> reason. Reviewed; keep short.
EXCLUDED: dict[tuple[int, str], str] = {
    (787, "2009"): "the year of the 2009 agreement c006 and c007 cite: the source's date "
    "(sources graph); the article gives no event or figure for it",
    (3339, "24"): "'relocated to Serbia after February 24, 2022' bounds the study population (its label), "
    "it is neither a figure nor an event of c030",
    (3343, "2022"): "as (3339, '24'): the study population's bound",
}


def number_tokens(text: str) -> list[tuple[int, int, str, Decimal]]:
    """(start, end, token, value) for every run of digits; thousands commas dropped.

    >>> [t[2:] for t in number_tokens("73,197 and 83.4% on May 5")]
    [('73,197', Decimal('73197')), ('83.4', Decimal('83.4')), ('5', Decimal('5'))]
    """
    return [
        (m.start(), m.end(), m.group(), Decimal(m.group().replace(",", ""))) for m in NUMBER.finditer(text)
    ]


def literal_numbers(literal: Literal) -> set[Decimal]:
    """The numbers a literal stands for: its value, or the year/month/day of a date."""
    if literal.datatype in (XSD.integer, XSD.decimal, XSD.nonNegativeInteger):
        return {Decimal(str(literal))}
    if literal.datatype in (XSD.date, XSD.gYearMonth, XSD.gYear):
        return {Decimal(part) for part in str(literal).split("-")}
    return set()


def anchors(built, iris):
    """claim IRI -> (start, end, numbers in its assertion graph)."""
    ds = built.dataset
    merged = merged_graph(ds)
    result = {}
    for claim in merged.subjects(RDF.type, SCHEMA.Claim):
        target = merged.value(claim, iris.cg.anchor)
        start = end = None
        for selector in merged.objects(target, OA.hasSelector):
            if merged.value(selector, OA.start) is not None:
                start = int(merged.value(selector, OA.start))
                end = int(merged.value(selector, OA.end))
        assertion = ds.graph(merged.value(claim, iris.cg.assertion))
        numbers = set()
        for obj in assertion.objects(None, None):
            if isinstance(obj, Literal):
                numbers |= literal_numbers(obj)
        result[claim] = (start, end, numbers)
    return result


def uncovered_tokens(built, iris, text: str) -> tuple[list[str], int]:
    """Tokens no claim models (with context), and how many are modelled."""
    claims = anchors(built, iris)
    uncovered = []
    covered = 0
    for start, end, token, value in number_tokens(text):
        if any(s <= start and end <= e and value in numbers for s, e, numbers in claims.values()):
            covered += 1
        elif (start, token) not in EXCLUDED:
            context = text[max(0, start - 30) : end + 30].replace("\n", " ")
            uncovered.append(f"{token!r} at {start}: …{context}…")
    return uncovered, covered


def test_every_number_token_is_modelled_or_excluded(built, iris, article_text):
    uncovered, covered = uncovered_tokens(built, iris, article_text)
    assert not uncovered, "numbers not modelled by any claim:\n" + "\n".join(uncovered)
    assert covered == len(number_tokens(article_text)) - len(EXCLUDED)


def test_exclusions_are_still_needed(built, iris, article_text):
    claims = anchors(built, iris)
    tokens = {(s, tok): (s, e, v) for s, e, tok, v in number_tokens(article_text)}
    for key, reason in EXCLUDED.items():
        assert key in tokens, f"excluded token {key} is not in the text any more"
        s, e, v = tokens[key]
        modelled = any(cs <= s and e <= ce and v in nums for cs, ce, nums in claims.values())
        assert not modelled, f"{key} is modelled now; drop it from EXCLUDED ({reason})"


def test_a_wrong_figure_leaves_its_token_uncovered(data_copy, iris, article_text):
    claims_file = data_copy / SHIPPED / "claims.yaml"
    claims_file.write_text(claims_file.read_text().replace("value: 73197", "value: 73198"))
    broken = compile_data(read_sources(data_copy), iris)
    uncovered, _ = uncovered_tokens(broken, iris, article_text)
    assert len(uncovered) == 1
    assert uncovered[0].startswith("'73,197' at ")
