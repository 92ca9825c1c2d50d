"""The read model: what the pages and the JSON API show, read once per store content.

A ReadModel answers for one content of the store, named by its StoreStats (the content
only changes by replace_all, which gives the store new stats): the claims with their
vocabulary (the catalogue), claim pages, the filtered claim list, sources, entities, the
check report, the ontology documentation, the annotated article, the dataset description
and the description of any one resource. What it builds is fixed for its content, so it
keeps it: reading every claim and label per request made a page cost O(dataset).

CurrentReadModel is what the app keeps (in app.extensions): it hands out the model of the
store's current content and starts a new one when the store's stats have changed.
"""

from __future__ import annotations

import contextlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar, cast

from rdflib import Dataset, URIRef

from claimgraph.errors import NotFound
from claimgraph.iris import Iris
from claimgraph.limits.heartbeat import kept_alive
from claimgraph.reading import descriptions
from claimgraph.reading.article_view import ArticleView, article_texts, read_article
from claimgraph.reading.articles import ArticleSummary, summarise_articles
from claimgraph.reading.bibliography import DatasetInfo, Work, read_dataset_info, read_work
from claimgraph.reading.catalogue import Catalogue, read_catalogue
from claimgraph.reading.check_report import CheckReport, read_check_report
from claimgraph.reading.claim_page import ClaimPage, build_claim_page
from claimgraph.reading.dataset_description import Description, describe_dataset
from claimgraph.reading.descriptions import StoreReader, load_page_queries
from claimgraph.reading.figure_series import Group, find_groups
from claimgraph.reading.listing import Filters, Listing, list_claims
from claimgraph.reading.model import Claim
from claimgraph.reading.ontology_doc import OntologyDoc, read_ontology
from claimgraph.reading.search import SearchIndex
from claimgraph.reading.sources import Entity, Source, claims_from, get_entity, get_source, read_sources
from claimgraph.reading.versions import NOT_RELEASED, ClaimVersions, read_all_claim_versions
from claimgraph.store import Store, StoreStats, own_reads

T = TypeVar("T")
#: How many things built on demand (claim pages, sources, entities, article views) a model keeps.
MEMO_SIZE = 4096
#: A source and the claims the article derives from it.
SourceClaims = tuple[Source, tuple[Claim, ...]]


class ReadModel:
    """What the pages and the JSON API show of one store content.

    Everything raises NotFound for what the content does not hold; nothing raised is kept.
    """

    def __init__(self, reader: StoreReader, iris: Iris, stats: StoreStats) -> None:
        self.stats = stats
        self.iris = iris
        self._reader = reader
        self._whole: dict[str, object] = {}
        # Reentrant: building one whole-content value (the check report) may need another (the catalogue).
        self._whole_lock = threading.RLock()
        self._memo: OrderedDict[Hashable, object] = OrderedDict()
        self._memo_lock = threading.Lock()

    # -- claims -------------------------------------------------------------------------------------
    @property
    def catalogue(self) -> Catalogue:
        """Every claim with the vocabulary that names what they link to."""
        return self._once("catalogue", lambda: read_catalogue(self._reader, self.iris))

    def claim_page(self, claim: URIRef) -> ClaimPage:
        """Everything the page of the claim ``claim`` (its IRI) shows (the API's claim detail too).

        Built from what warm_up read of the whole content: no query runs for one page.
        """

        def build() -> ClaimPage:
            catalogue = self.catalogue
            found = catalogue.claim(str(claim))
            index = self._source_index()
            sources = tuple(index[ref.iri] for ref in found.sources if ref.iri in index)
            return build_claim_page(
                found,
                catalogue,
                sources,
                self.work(URIRef(found.article)),
                self.dataset_info,
                self.claim_versions(URIRef(found.iri)),
            )

        return self._remember(("claim-page", str(claim)), build)

    def forget_claim_page(self, claim: URIRef) -> None:
        """Drop the page built for ``claim`` (the server's own warm-up asks for one at start)."""
        with self._memo_lock:
            self._memo.pop(("claim-page", str(claim)), None)

    def work(self, article: URIRef) -> Work:
        """What the data states about the article ``article`` (authors, what is based on, not stated)."""
        return self._remember(
            ("work", str(article)),
            lambda: read_work(self._reader, self.catalogue.vocabulary, article, str(self.iris.cg)),
        )

    @property
    def dataset_info(self) -> DatasetInfo:
        """The dataset's title, creator and date, as a citation names them."""
        return self._once(
            "dataset-info",
            lambda: read_dataset_info(self._reader, self.catalogue.vocabulary, self.iris.dataset),
        )

    def _source_index(self) -> dict[str, Source]:
        """Every source by IRI (one query for all of them)."""
        return self._once(
            "source-index",
            lambda: {
                source.ref.iri: source
                for source in read_sources(self._reader, self.iris, self.catalogue.vocabulary)
            },
        )

    def groups_of(self, claim: str) -> tuple[Group, ...]:
        """The series and share groups the figures of the claim ``claim`` (its IRI) belong to."""
        return self._claim_groups().get(str(claim), ())

    def _claim_groups(self) -> dict[str, tuple[Group, ...]]:
        def index() -> dict[str, tuple[Group, ...]]:
            found: dict[str, list[Group]] = {}
            for group in self.figure_groups:
                for claim in group.claims:
                    found.setdefault(claim, []).append(group)
            return {claim: tuple(groups) for claim, groups in found.items()}

        return self._once("claim-groups", index)

    def warm_up(self) -> None:
        """Read now what the pages need of the whole content, so that no request pays for it:
        the catalogue, sources, works, figure groups, check report, search index and article index.

        Called when the content changes (CurrentReadModel), before any request sees it. A part the
        content does not hold (a store with no dataset description) is left to raise when asked.
        """
        parts: tuple[Callable[[], object], ...] = (
            lambda: self.catalogue.related_index,
            lambda: self.catalogue.claim(self.catalogue.claims[0].iri) if self.catalogue.claims else None,
            lambda: self.claim_versions(URIRef("")),
            self._source_index,
            lambda: self.dataset_info,
            self._claim_groups,
            self.check_report,
            lambda: self.search_index,
            self.articles,
        )
        for part in parts:
            with contextlib.suppress(NotFound):
                part()
        for article in sorted({claim.article for claim in self.catalogue.claims}):
            with contextlib.suppress(NotFound):
                self.work(URIRef(article))

    def claim_versions(self, iri: URIRef) -> ClaimVersions:
        """The released versions of the claim ``iri`` (none if it was never released)."""
        every = self._once("claim-versions", lambda: read_all_claim_versions(self._reader))
        return every.get(str(iri), NOT_RELEASED)

    def has_claim(self, iri: URIRef) -> bool:
        """Whether the store holds the claim ``iri`` as current data."""
        return any(c.iri == str(iri) for c in self.catalogue.claims)

    def listing(self, filters: Filters) -> Listing:
        """The claims that pass ``filters``, with facet counts; QueryRejected for an unknown value."""
        return list_claims(self.catalogue.claims, filters)

    @property
    def search_index(self) -> SearchIndex:
        """The full-text index of this content's claims (built once, in memory)."""
        return self._once(
            "search-index", lambda: SearchIndex(self.catalogue.claims, self.catalogue.vocabulary.labels)
        )

    @property
    def figure_groups(self) -> tuple[Group, ...]:
        """Every series over periods and every group of shares of one whole among the figures."""
        return self._once("figure-groups", lambda: find_groups(self.catalogue.claims))

    def check_report(self) -> CheckReport:
        """Every check rule with its findings, and every verdict with its count."""

        def read() -> CheckReport:
            catalogue = self.catalogue
            scheme = str(self.iris.cg.VerdictScheme)
            return read_check_report(self._reader, catalogue.vocabulary, catalogue.claims, scheme)

        return self._once("check-report", read)

    # -- sources and entities -----------------------------------------------------------------------
    def sources(self) -> tuple[SourceClaims, ...]:
        """Every source, by IRI, with the claims derived from it."""

        def read() -> tuple[SourceClaims, ...]:
            found = read_sources(self._reader, self.iris, self.catalogue.vocabulary)
            return tuple(self._with_claims(source) for source in found)

        return self._once("sources", read)

    def source(self, source_id: str) -> SourceClaims:
        """One source by id, with the claims derived from it."""

        def read() -> SourceClaims:
            return self._with_claims(
                get_source(self._reader, self.iris, self.catalogue.vocabulary, source_id)
            )

        return self._remember(("source", source_id), read)

    def source_at(self, iri: URIRef) -> SourceClaims:
        """The source ``iri``, with the claims derived from it."""

        def read() -> SourceClaims:
            found = read_sources(self._reader, self.iris, self.catalogue.vocabulary, iri)
            if not found:
                raise NotFound(f"no source <{iri}>")
            return self._with_claims(found[0])

        return self._remember(("source-at", str(iri)), read)

    def entity(self, iri: URIRef) -> Entity:
        """A place, person or organisation and the claims about it."""
        catalogue = self.catalogue
        return self._remember(
            ("entity", str(iri)),
            lambda: get_entity(self._reader, catalogue.vocabulary, iri, catalogue.claims),
        )

    def _with_claims(self, source: Source) -> SourceClaims:
        return source, claims_from(source, self.catalogue.claims)

    # -- the article, the ontology, the dataset -----------------------------------------------------
    def first_article(self) -> URIRef:
        """The article /article shows: the one whose claims keep the legacy IRIs (claims/<id>, the
        shipped article), else the first (by IRI) the store holds."""

        def find() -> str | None:
            articles = sorted(self._once("articles", lambda: article_texts(self._reader)))
            for claim in self.catalogue.claims:
                if self.iris.claim_scope(claim.iri) == (None, claim.id) and claim.article in articles:
                    return claim.article
            return articles[0] if articles else None

        found = self._once("main-article", find)
        if found is None:
            raise NotFound("the store holds no article")
        return URIRef(found)

    def articles(self) -> tuple[ArticleSummary, ...]:
        """Every article the store holds, by IRI, with its metadata and its claims."""

        def read() -> tuple[ArticleSummary, ...]:
            texts = self._once("articles", lambda: article_texts(self._reader))
            return summarise_articles(self._reader, self.iris, self.catalogue, texts)

        return self._once("article-index", read)

    def article_summary(self, iri: URIRef) -> ArticleSummary:
        """One article of ``articles()``; NotFound when the store holds no such article."""
        for summary in self.articles():
            if summary.ref.iri == str(iri):
                return summary
        raise NotFound(f"no article <{iri}>")

    def article(self, iri: URIRef) -> tuple[ArticleView, Work]:
        """The article ``iri`` with its claims highlighted, and what the data states about the work."""

        def read() -> tuple[ArticleView, Work]:
            catalogue = self.catalogue
            return read_article(self._reader, iri, catalogue.claims), self.work(iri)

        return self._remember(("article", str(iri)), read)

    def ontology(self) -> OntologyDoc:
        """The documentation of this deployment's ontology."""
        return self._once("ontology", lambda: read_ontology(self._reader, self.iris))

    def dataset_description(self) -> Description:
        """VoID and DCAT for the dataset; counting scans the store, so one thread counts, others wait."""
        return self._once(
            "dataset-description", lambda: describe_dataset(self._reader, self.iris, self.stats.data_version)
        )

    # -- one resource, as Linked Data -------------------------------------------------------------
    def describe(self, iri: URIRef) -> Dataset:
        """The quads whose subject is ``iri``, with the labels of what it links to."""
        return descriptions.describe(self._reader, iri)

    def describe_graph(self, iri: URIRef) -> Dataset:
        """A named graph's content, plus what is said about the graph itself."""
        return descriptions.describe_graph(self._reader, iri)

    def describe_claim(self, iri: URIRef) -> Dataset:
        """A claim: its provenance and assertion graphs, sources, reviews, labels."""
        return descriptions.describe_claim(self._reader, iri, self.iris.cg.assertion)

    def article_text(self, iri: URIRef) -> str:
        """The verbatim text of an article text resource."""
        return descriptions.article_text(self._reader, iri)

    # -- keeping what was built ---------------------------------------------------------------------
    def _once(self, key: str, make: Callable[[], T]) -> T:
        """``make()``, computed once for this content: one thread builds it, the others wait for it."""
        if key not in self._whole:
            with self._whole_lock:
                if key not in self._whole:
                    self._whole[key] = make()
        return cast(T, self._whole[key])

    def _remember(self, key: Hashable, make: Callable[[], T]) -> T:
        """``make()``, computed once per key for this content, the least recently used dropped first."""
        with self._memo_lock:
            if key in self._memo:
                self._memo.move_to_end(key)
                return cast(T, self._memo[key])
        value = make()
        with self._memo_lock:
            self._memo[key] = value
            while len(self._memo) > MEMO_SIZE:
                self._memo.popitem(last=False)
        return value


class CurrentReadModel:
    """The read model of the store's current content, renewed once replace_all has changed it.

    The app keeps one (app.extensions); ``get()`` costs one ``Store.stats()`` call, which a
    store answers from memory until its content changes.
    """

    def __init__(self, store: Store, iris: Iris) -> None:
        self._store = store
        self._iris = iris
        self._reader = StoreReader(store, load_page_queries())
        self._model: ReadModel | None = None
        self._lock = threading.Lock()

    def get(self) -> ReadModel:
        """The model of what the store holds now (built and warmed up here if the content changed)."""
        stats = self._store.stats()
        model = self._model
        if model is not None and model.stats == stats:
            return model
        with self._lock:
            model = self._model
            if model is None or model.stats != stats:
                # In a request too (the content changed under a running worker): at 1M triples on a
                # remote engine that took longer than gunicorn's 30 s, whose arbiter then killed the
                # worker mid-request, and its replacement built the model again at its start.
                with kept_alive(), own_reads():
                    model = ReadModel(self._reader, self._iris, stats)
                    model.warm_up()
                self._model = model
            return model

    def refresh(self) -> None:
        """Build the model of the store's content now: at start, and by whoever changed the content
        (replace_all), so that the first request after a load finds it ready: all of it, the
        store's counts too, as the service's own reads (store.own_reads)."""
        with own_reads():
            self.get()
