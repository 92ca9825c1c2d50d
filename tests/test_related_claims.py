"""Related claims (reading/claim_page.py): the groups come from an index sorted once (by article,
then text order), not sorted per page; the order they give is the one the page has always shown,
this claim's article first. Checked against that order worked out the plain way, on claims from
several articles sharing sources (one claim with two, so two groups merge)."""

from __future__ import annotations

import random

from claimgraph.reading.catalogue import Catalogue, Vocabulary
from claimgraph.reading.claim_page import related_claims
from claimgraph.reading.model import UNCHECKED_REF, Claim, Ref


def plain_order(claim: Claim, catalogue: Catalogue) -> list[str]:
    """The claims sharing a source with ``claim``, this article's first, each by (article, start;
    two that start together by IRI)."""
    sources = {ref.id for ref in claim.sources}
    found = {c.iri: c for c in catalogue.claims if sources & {ref.id for ref in c.sources}}
    found.pop(claim.iri, None)
    ordered = sorted(found.values(), key=lambda c: (c.article != claim.article, c.article, c.start, c.iri))
    return [c.iri for c in ordered]


def catalogue_of(count: int, seed: int) -> Catalogue:
    rng = random.Random(seed)
    sources = [Ref(f"http://x/sources/s{n}", f"s{n}", f"Source {n}") for n in range(4)]
    claims = []
    for n in range(count):
        article = f"http://x/articles/a{rng.randrange(5)}"
        cited = tuple(rng.sample(sources, rng.choice([0, 1, 1, 1, 2])))
        start = rng.randrange(1000)
        claims.append(
            Claim(
                f"{article}/claims/c{n}",
                f"c{n}",
                "",
                UNCHECKED_REF,
                UNCHECKED_REF,
                article,
                start,
                start,
                sources=cited,
            )
        )
    rng.shuffle(claims)  # the catalogue's order is not the text's
    return Catalogue(Vocabulary({}, {}, {}, {}, {}), tuple(claims))


def test_related_claims_keep_this_articles_first_then_the_rest_in_text_order():
    for seed in range(5):
        catalogue = catalogue_of(300, seed)
        for claim in catalogue.claims:
            groups = {group.name: group for group in related_claims(claim, catalogue)}
            expected = plain_order(claim, catalogue)
            got = [c.iri for c in groups["sameSource"].claims] if "sameSource" in groups else []
            assert got == expected, claim.iri
            assert claim.iri not in got
