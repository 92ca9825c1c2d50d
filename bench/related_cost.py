"""What a claim page's related claims cost at scale: the groups worked out per page (every claim
sharing a source, collected and sorted for each page, as before) against the index sorted once
(reading/catalogue.py `related_index`, reading/claim_page.py `related_claims`), on a catalogue the
size of the 10M synthetic data's (240,000 claims in 4,800 articles citing three sources; one claim
in five cites two, whose groups merge, as a claim with two reference periods does at 10M). From
the index, what a page reads (the count and the first RELATED_SHOWN of each group) and what the
JSON API reads (every claim of each group).

    .venv/bin/python bench/related_cost.py
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the checkout importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from claimgraph.reading.catalogue import Catalogue, Vocabulary
from claimgraph.reading.claim_page import RELATED_SHOWN, related_claims
from claimgraph.reading.model import UNCHECKED_REF, Claim, Ref

CLAIMS, PER_ARTICLE, SOURCES, PAGES = 240_000, 50, 3, 50


def catalogue(seed: int = 1) -> Catalogue:
    rng = random.Random(seed)
    sources = [Ref(f"http://x/sources/s{n}", f"s{n}", "") for n in range(SOURCES)]
    claims = []
    for n in range(CLAIMS):
        article, at = f"http://x/articles/a{n // PER_ARTICLE}", n % PER_ARTICLE
        ref = UNCHECKED_REF
        cited = tuple(rng.sample(sources, 2 if rng.random() < 0.2 else 1))
        claims.append(Claim(f"{article}/claims/c{n}", f"c{n}", "", ref, ref, article, at, at, sources=cited))
    return Catalogue(Vocabulary({}, {}, {}, {}, {}), tuple(claims))


def old_index(catalogue: Catalogue) -> dict[str, list[Claim]]:
    """The index as it was: each source's claims in catalogue order, unsorted."""
    index: dict[str, list[Claim]] = {}
    for claim in catalogue.claims:
        for source in claim.sources:
            index.setdefault(source.id, []).append(claim)
    return index


def per_page(claim: Claim, index: dict[str, list[Claim]]) -> tuple[Claim, ...]:
    """The same-source group as it was worked out before: collected and sorted for each page."""
    found = {c.iri: c for ref in claim.sources for c in index.get(ref.id, ())}
    found.pop(claim.iri, None)
    ordered = sorted(found.values(), key=lambda c: (c.article != claim.article, c.article, c.start, c.iri))
    return tuple(ordered)


def main() -> None:
    built = catalogue()
    started = time.perf_counter()
    built.related_index  # noqa: B018  # built at start (the read model's warm-up)
    print(f"index built once: {time.perf_counter() - started:.2f} s")
    rng = random.Random(2)
    one = rng.sample([c for c in built.claims if len(c.sources) == 1], PAGES)
    two = rng.sample([c for c in built.claims if len(c.sources) == 2], PAGES)
    before = old_index(built)

    def page(claim: Claim) -> object:
        group = related_claims(claim, built)[0].claims
        return len(group), group[:RELATED_SHOWN]

    for name, work in (
        ("per page (before)", lambda c: per_page(c, before)),
        ("index, what a page reads (count, first 8)", page),
        ("index, every claim (the JSON API)", lambda c: tuple(related_claims(c, built)[0].claims)),
    ):
        for label, claims in (("one source", one), ("two sources", two)):
            times = []
            for claim in claims:
                started = time.perf_counter()
                work(claim)
                times.append(1000 * (time.perf_counter() - started))
            print(f"{name}, {label}: median {statistics.median(times):.2f} ms a page ({PAGES} pages)")
    for claim in one[:5] + two[:5]:  # the same claims, in the same order, either way
        group, plain = related_claims(claim, built)[0].claims, per_page(claim, before)
        assert tuple(group) == plain
        assert (len(group), group[:RELATED_SHOWN]) == (len(plain), plain[:RELATED_SHOWN])


if __name__ == "__main__":
    main()
