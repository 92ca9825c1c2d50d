"""Related claims (reading/claim_page.py): the groups come from an index sorted once (by article,
then text order), not sorted per page; the order they give is the one the page has always shown,
this claim's article first. Checked against that order worked out the plain way, on claims from
several articles sharing sources (one claim with two, so two groups merge). A page reads a group's
count and its first few; that costs a few claims, not the group (at 10M triples a group holds tens of
thousands of claims)."""

from __future__ import annotations

import random

from claimgraph.reading.catalogue import Catalogue, Vocabulary
from claimgraph.reading.claim_page import RELATED_SHOWN, RelatedClaims, related_claims
from claimgraph.reading.model import UNCHECKED_REF, Claim, Ref


def plain_order(claim: Claim, catalogue: Catalogue) -> list[str]:
    """The claims sharing a source with ``claim``, this article's first, each by (article, start;
    two that start together by IRI)."""
    sources = {ref.id for ref in claim.sources}
    found = {c.iri: c for c in catalogue.claims if sources & {ref.id for ref in c.sources}}
    found.pop(claim.iri, None)
    ordered = sorted(found.values(), key=lambda c: (c.article != claim.article, c.article, c.start, c.iri))
    return [c.iri for c in ordered]


def catalogue_of(
    count: int, seed: int, *, sources: int = 4, citing: tuple[int, ...] = (0, 1, 1, 1, 2), articles: int = 5
) -> Catalogue:
    """``count`` claims in ``articles`` articles, each citing as many of ``sources`` as ``citing``
    offers (drawn at random)."""
    rng = random.Random(seed)
    refs = [Ref(f"http://x/sources/s{n}", f"s{n}", f"Source {n}") for n in range(sources)]
    claims = []
    for n in range(count):
        article = f"http://x/articles/a{rng.randrange(articles)}"
        cited = tuple(rng.sample(refs, rng.choice(citing)))
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
            if "sameSource" in groups:
                related = groups["sameSource"].claims
                # What the page reads (the count, the first few) and the API (all) agree with it.
                assert len(related) == len(expected), claim.iri
                assert [c.iri for c in related[:RELATED_SHOWN]] == expected[:RELATED_SHOWN]
                assert [c.iri for c in related[2:5]] == expected[2:5]
                assert (related[0].iri, related[-1].iri) == (expected[0], expected[-1])
                assert [c.iri for c in related.whole()] == expected
                assert related == tuple(related.whole())


class Watched(tuple):  # type: ignore[type-arg]
    """A group that counts the claims read out of it (one by index, or a slice's length)."""

    read = 0

    def __getitem__(self, index):  # type: ignore[no-untyped-def]
        found = super().__getitem__(index)
        Watched.read += len(found) if isinstance(index, slice) else 1
        return found


def test_a_page_reads_a_few_claims_of_a_large_group_not_all():
    # 400 articles of 50 claims, as the generated data at 10M triples has 4,800.
    claims = [
        Claim(
            f"http://x/articles/a{n // 50}/claims/c{n}",
            f"c{n}",
            "",
            UNCHECKED_REF,
            UNCHECKED_REF,
            f"http://x/articles/a{n // 50}",
            n % 50,
            n % 50,
        )
        for n in range(20_000)
    ]
    group = Watched(sorted(claims, key=lambda c: (c.article, c.start, c.iri)))
    other = Watched(sorted(claims[:5_000], key=lambda c: (c.article, c.start, c.iri)))
    claim = group[len(group) // 2]
    for groups, count in (([group], None), ([group, other], 20_000)):
        Watched.read = 0
        related = RelatedClaims(claim, groups, count)
        assert len(related) == 19_999
        shown = related[:RELATED_SHOWN]
        assert len(shown) == RELATED_SHOWN
        assert shown[0].article == claim.article  # its article's claims first
        assert Watched.read < 200, f"a page read {Watched.read} claims of a group of {len(group)}"
        assert tuple(related) == related.whole()


def test_the_count_of_merged_groups_is_exact_however_many_values_claims_have():
    # Claims citing up to 12 of 12 sources: past what is counted at start (MAX_COUNTED) and past
    # what a page counts from those counts (MAX_SHARED).
    catalogue = catalogue_of(400, 11, sources=12, citing=(1, 1, 2, 3, 5, 7, 9, 12), articles=9)
    for claim in catalogue.claims:
        expected = plain_order(claim, catalogue)
        groups = {group.name: group for group in related_claims(claim, catalogue)}
        assert len(groups["sameSource"].claims) == len(expected), (claim.iri, len(claim.sources))
        assert [c.iri for c in groups["sameSource"].claims] == expected
