"""The read side of claims: every claim with its anchor, provenance, assertion and reviews, from the store.

A handful of queries (service/claimgraph/rq/) read all claims at once, or one when a claim
is given (bound with VALUES); the rows are assembled here into claimgraph.reading.model
objects. Labels come from wherever the data states them, so a page never shows
a bare IRI where the data has a name. The read model (reading/read_model.py) reads
the catalogue once per store content.
"""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import cached_property

from rdflib import Literal, URIRef
from rdflib.namespace import PROV, RDFS, SKOS
from rdflib.term import Node

from claimgraph import wording
from claimgraph.errors import NotFound
from claimgraph.iris import SCHEMA, Iris
from claimgraph.reading.assertions import read_assertion
from claimgraph.reading.descriptions import StoreReader
from claimgraph.reading.model import Claim, Ref, Review, article_ref, claim_key

#: Which label wins when the data gives several (a concept's prefLabel, then rdfs:label, then name,
#: then an article's headline).
LABEL_ORDER = (SKOS.prefLabel, RDFS.label, SCHEMA.name, SCHEMA.headline)
#: Claims related by a source, a measure or a period: by key, by value, in text order.
RelatedIndex = dict[str, dict[object, tuple[Claim, ...]]]
#: A claim with at most this many sources (or measures, periods) has every subset counted at start
#: (2**6 - 1 at most); one with more is checked against each page's values, one by one.
MAX_COUNTED = 6
#: A page whose claim has more values than this counts its related claims by walking the groups.
MAX_SHARED = 10
#: How "not stated" properties read, where the data gives them no label of their own.
PROPERTY_WORDS = {
    str(PROV.wasDerivedFrom): "source",
    str(SCHEMA.url): "URL",
    str(SCHEMA.datePublished): "publication date",
    str(SCHEMA.startDate): "start date",
    str(SCHEMA.endDate): "end date",
    str(SCHEMA.headline): "headline",
    str(SCHEMA.license): "licence",
    str(SCHEMA.name): "name",
    str(SCHEMA.location): "place",
    "http://purl.org/dc/terms/date": "date",
}


@dataclass(frozen=True)
class Vocabulary:
    """Labels, SKOS notations and definitions of every labelled IRI, and the survey answer modes."""

    labels: dict[str, str]
    notations: dict[str, str]
    definitions: dict[str, str]
    schemes: dict[str, str]
    answer_modes: dict[str, Ref]

    def ref(self, node: Node) -> Ref:
        iri = str(node)
        label = self.labels.get(iri) or PROPERTY_WORDS.get(iri) or wording.humanise(wording.local_name(iri))
        return Ref(iri, self.notations.get(iri) or wording.local_name(iri), label)

    def concepts(self, scheme: str) -> tuple[Ref, ...]:
        """The concepts of one SKOS scheme, in IRI order."""
        return tuple(self.ref(URIRef(c)) for c, s in sorted(self.schemes.items()) if s == scheme)


def read_vocabulary(reader: StoreReader) -> Vocabulary:
    ranked: dict[str, tuple[int, str]] = {}
    for row in reader.select("labels"):
        rank = LABEL_ORDER.index(row["p"]) if row["p"] in LABEL_ORDER else len(LABEL_ORDER)
        key = (rank, str(row["label"]))
        if str(row["s"]) not in ranked or key < ranked[str(row["s"])]:
            ranked[str(row["s"])] = key
    labels = {iri: label for iri, (_, label) in ranked.items()}
    notations, definitions, schemes = {}, {}, {}
    for row in reader.select("concepts"):
        notations[str(row["concept"])] = str(row["notation"])
        schemes[str(row["concept"])] = str(row["scheme"])
        if "definition" in row:
            definitions[str(row["concept"])] = str(row["definition"])
    vocabulary = Vocabulary(labels, notations, definitions, schemes, {})
    for row in reader.select("question-modes"):
        vocabulary.answer_modes[str(row["question"])] = vocabulary.ref(row["mode"])
    return vocabulary


def read_claims(
    reader: StoreReader, iris: Iris, vocabulary: Vocabulary, claim: URIRef | None = None
) -> tuple[Claim, ...]:
    """Every claim in text order, or only ``claim``; each with its links, assertion and reviews."""
    bound = {"claim": claim} if claim is not None else {}
    claims = [_claim(row, vocabulary) for row in reader.select("claims", **bound)]
    links: dict[str, dict[str, list[Ref]]] = defaultdict(lambda: defaultdict(list))
    hedges: dict[str, list[str]] = defaultdict(list)
    hedge = f"{iris.cg}hedge"
    # A draft (cg:reviewStatus cg:status-draft) and the attribution phrase it found.
    status, draft, phrase = f"{iris.cg}reviewStatus", f"{iris.cg}status-draft", f"{iris.cg}attributionPhrase"
    drafts: set[str] = set()
    phrases: dict[str, str] = {}
    for row in reader.select("claim-links", **bound):
        if str(row["link"]) == hedge:
            hedges[str(row["claim"])].append(str(row["target"]))
        elif str(row["link"]) == status:
            if str(row["target"]) == draft:
                drafts.add(str(row["claim"]))
        elif str(row["link"]) == phrase:
            phrases[str(row["claim"])] = str(row["target"])
        else:
            links[str(row["claim"])][str(row["link"])].append(vocabulary.ref(row["target"]))
    triples: dict[str, list[tuple[Node, Node, Node]]] = defaultdict(list)
    for row in reader.select("claim-assertions", **bound):
        triples[str(row["claim"])].append((row["s"], row["p"], row["o"]))
    reviews = read_reviews(reader, vocabulary, claim)
    cg = URIRef(str(iris.cg))
    assembled = []
    for item in claims:
        own = links[item.iri]
        figures, statements = read_assertion(triples[item.iri], cg, vocabulary.ref, vocabulary.answer_modes)
        assembled.append(
            replace(
                item,
                sources=_sorted(own[str(PROV.wasDerivedFrom)]),
                about=_sorted(own[str(SCHEMA.about)]),
                compares=_sorted(own[f"{cg}compares"]),
                not_stated=_sorted(own[f"{cg}notStated"]),
                hedges=tuple(sorted(hedges[item.iri])),
                figures=figures,
                statements=statements,
                reviews=tuple(reviews.get(item.iri, ())),
                draft=item.iri in drafts,
                attribution_phrase=phrases.get(item.iri),
            )
        )
    return tuple(assembled)


def read_reviews(
    reader: StoreReader, vocabulary: Vocabulary, claim: URIRef | None = None
) -> dict[str, list[Review]]:
    """The reviews of every claim (or of ``claim``), by claim IRI, each with its evidence."""
    bound = {"claim": claim} if claim is not None else {}
    evidence: dict[str, list[Ref]] = defaultdict(list)
    for row in reader.select("review-evidence", **bound):
        evidence[str(row["review"])].append(vocabulary.ref(row["evidence"]))
    reviews: dict[str, list[Review]] = defaultdict(list)
    for row in reader.select("reviews", **bound):
        iri = str(row["review"])
        reviews[str(row["claim"])].append(
            Review(
                iri=iri,
                claim=str(row["claim"]),
                verdict=vocabulary.ref(row["verdict"]),
                body=str(row["body"]),
                name=_str(row.get("name")),
                explanation=_str(row.get("explanation")),
                computation=_str(row.get("computation")),
                rule=vocabulary.ref(row["rule"]) if "rule" in row else None,
                date=_str(row.get("date")),
                author=vocabulary.ref(row["author"]) if "author" in row else None,
                url=_str(row.get("url")),
                evidence=_sorted(evidence[iri]),
            )
        )
    return reviews


def _claim(row: dict[str, Node], vocabulary: Vocabulary) -> Claim:
    return Claim(
        iri=str(row["claim"]),
        id=str(row["id"]),
        quote=str(row["quote"]),
        kind=vocabulary.ref(row["kind"]),
        attribution=vocabulary.ref(row["attribution"]),
        article=str(row["article"]),
        start=int(str(row["start"])),
        end=int(str(row["end"])),
        prefix=_str(row.get("prefix")) or "",
        suffix=_str(row.get("suffix")) or "",
        note=_str(row.get("note")),
        article_ref=article_ref(str(row["article"]), vocabulary.labels.get(str(row["article"]))),
    )


def _str(node: Node | None) -> str | None:
    return str(node) if isinstance(node, Literal | URIRef) else None


def _sorted(refs: list[Ref]) -> tuple[Ref, ...]:
    # By IRI: stable, and minted ids sort sources by date (bpa-response-2024-08-05 first).
    return tuple(sorted(set(refs), key=lambda ref: ref.iri))


@dataclass(frozen=True)
class Catalogue:
    """Every claim and the vocabulary that names what they link to: what most pages start from."""

    vocabulary: Vocabulary
    claims: tuple[Claim, ...]

    def claim(self, iri: str) -> Claim:
        """One claim by IRI (an id is unique only within its article); NotFound when there is none."""
        found = self._by_iri.get(str(iri))
        if found is None:
            raise NotFound(f"no claim {claim_key(str(iri))}")
        return found

    @cached_property
    def _by_iri(self) -> dict[str, Claim]:
        return {claim.iri: claim for claim in self.claims}

    @cached_property
    def articles(self) -> dict[str, tuple[Claim, ...]]:
        """Each article's IRI and its claims, in text order."""
        found: dict[str, list[Claim]] = defaultdict(list)
        for claim in self.claims:
            found[claim.article].append(claim)
        return {article: tuple(claims) for article, claims in sorted(found.items())}

    @property
    def related_index(self) -> RelatedIndex:
        """Claims by source id, by measure IRI and by reference period, for related-claim lists: each
        once, by article and then text order (sorted here once, not per page: with many articles a
        period or a measure is shared by tens of thousands of claims)."""
        return self._related[0]

    def sharing_count(self, key: str, values: Iterable[object]) -> int:
        """How many claims share at least one of ``values`` under ``key`` ("source", "measure",
        "period"), without walking their groups (tens of thousands of claims each at 10M triples):
        by inclusion and exclusion over the subsets of ``values``, from how many claims hold each
        (counted once, at start), plus the few claims with more values than were counted so."""
        wanted = frozenset(values)
        _, held, beyond = self._related
        if len(wanted) > MAX_SHARED:
            index = self.related_index[key]
            return len({c.iri for value in wanted for c in index.get(value, ())})
        total = 0
        for size in range(1, len(wanted) + 1):
            sign = 1 if size % 2 else -1
            total += sign * sum(held[key][frozenset(s)] for s in itertools.combinations(wanted, size))
        return total + sum(1 for other in beyond[key] if not other.isdisjoint(wanted))

    @cached_property
    def _related(
        self,
    ) -> tuple[RelatedIndex, dict[str, Counter[frozenset[object]]], dict[str, list[frozenset[object]]]]:
        """The related-claim index; for each set of values, how many claims hold all of them (for the
        claims with at most MAX_COUNTED values); the value sets of the claims with more."""
        index: dict[str, dict[object, dict[str, Claim]]] = {"source": {}, "measure": {}, "period": {}}
        held: dict[str, Counter[frozenset[object]]] = {key: Counter() for key in index}
        beyond: dict[str, list[frozenset[object]]] = {key: [] for key in index}
        for claim in self.claims:
            for key, values in related_values(claim).items():
                for value in values:
                    index[key].setdefault(value, {})[claim.iri] = claim
                if len(values) > MAX_COUNTED:
                    beyond[key].append(values)
                    continue
                for size in range(1, len(values) + 1):
                    held[key].update(map(frozenset, itertools.combinations(values, size)))
        ordered = {
            key: {value: tuple(sorted(found.values(), key=in_text_order)) for value, found in groups.items()}
            for key, groups in index.items()
        }
        return ordered, held, beyond


def related_values(claim: Claim) -> dict[str, frozenset[object]]:
    """What relates ``claim`` to others: its sources' ids, its figures' measures and periods."""
    return {
        "source": frozenset(source.id for source in claim.sources),
        "measure": frozenset(claim.measures),
        "period": frozenset(claim.periods),
    }


def in_text_order(claim: Claim) -> tuple[str, int, str]:
    """The order of claims across articles: by article, then where they start in its text (two that
    start together by IRI)."""
    return claim.article, claim.start, claim.iri


def read_catalogue(reader: StoreReader, iris: Iris) -> Catalogue:
    """Every claim with the vocabulary that names what they link to."""
    vocabulary = read_vocabulary(reader)
    return Catalogue(vocabulary, read_claims(reader, iris, vocabulary))
