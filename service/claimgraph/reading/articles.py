"""The index of articles: every article the store holds, with what the data states about it (type,
headline, authors, address, date, what it does not state) and its claims with their verdicts.

Read once per store content (reading/read_model.py); /articles, /api/articles and the
article facet of /claims and /search show it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from rdflib import URIRef

from claimgraph.iris import Iris
from claimgraph.reading.bibliography import Work, read_work
from claimgraph.reading.catalogue import Catalogue
from claimgraph.reading.descriptions import StoreReader
from claimgraph.reading.model import UNCHECKED, VERDICT_ORDER, Claim, JsonObject, Ref, article_ref


@dataclass(frozen=True)
class ArticleSummary:
    """One article: its IRI, slug and name (``ref``), its text resource, its metadata and claims."""

    ref: Ref
    text_iri: str
    work: Work
    claims: tuple[Claim, ...]

    @property
    def slug(self) -> str:
        return self.ref.id

    @property
    def verdicts(self) -> tuple[tuple[str, int], ...]:
        """How many of its claims have each worst verdict (``unchecked`` for none), worst first."""
        counts = Counter(claim.verdict for claim in self.claims)
        order = [*VERDICT_ORDER, UNCHECKED]
        return tuple(sorted(counts.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else 99))

    def to_json(self) -> JsonObject:
        """The documented shape of one item of /api/articles (Article in /openapi.json)."""
        work = self.work
        return {
            "id": self.slug,
            "iri": self.ref.iri,
            "label": self.ref.label,
            "type": work.schema_type,
            "headline": work.headline,
            "authors": [agent.ref.to_json() for agent in work.authors],
            "url": work.url,
            "datePublished": work.date_published,
            "basedOn": work.based_on.to_json() if work.based_on else None,
            "notStated": [ref.to_json() for ref in work.not_stated],
            "text": self.text_iri,
            "claimCount": len(self.claims),
            "verdicts": dict(self.verdicts),
            "claims": [claim.iri for claim in self.claims],
        }


def summarise_articles(
    reader: StoreReader, iris: Iris, catalogue: Catalogue, texts: Mapping[str, tuple[str, str]]
) -> tuple[ArticleSummary, ...]:
    """Every article of ``texts`` (article IRI -> (text IRI, text)), by IRI."""
    summaries = []
    for iri in sorted(texts):
        work = read_work(reader, catalogue.vocabulary, URIRef(iri), str(iris.cg))
        summaries.append(
            ArticleSummary(
                ref=article_ref(iri, work.headline),
                text_iri=texts[iri][0],
                work=work,
                claims=catalogue.articles.get(iri, ()),
            )
        )
    return tuple(summaries)


def articles_json(found: tuple[ArticleSummary, ...]) -> JsonObject:
    """The documented shape of /api/articles (ArticleList in /openapi.json)."""
    return {"count": len(found), "articles": [summary.to_json() for summary in found]}
