"""How to cite a claim (plain text, BibTeX, CSL-JSON) and its ClaimReview JSON-LD for search engines.

Only what the data states goes in: the article's URL and publication date are
not stated, so no citation or JSON-LD carries them. The date a citation gives is
the dataset's (its dcterms:modified), which is what a reader of the record cites.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rdflib import URIRef
from rdflib.namespace import DCTERMS, RDF
from rdflib.term import Node

from claimgraph.iris import SCHEMA
from claimgraph.reading.catalogue import Vocabulary
from claimgraph.reading.descriptions import StoreReader, describe
from claimgraph.reading.model import Claim, JsonObject, Ref

#: The review's version link, by its full IRI (schema.org's context has no term for it).
REVIEWED_VERSION = "https://w3id.org/claimgraph/ontology#reviewedVersion"


@dataclass(frozen=True)
class Agent:
    ref: Ref
    schema_type: str  # "Person", "Organization", …


@dataclass(frozen=True)
class Work:
    """The article a claim appears in, as far as the data states it."""

    iri: str
    schema_type: str
    authors: tuple[Agent, ...]
    based_on: Ref | None
    not_stated: tuple[Ref, ...]
    date_published: str | None = None
    url: str | None = None
    headline: str | None = None


@dataclass(frozen=True)
class Version:
    """A released version of a claim (a nanopublication's Trusty URI) and the day it was released."""

    iri: str
    released: str


@dataclass(frozen=True)
class DatasetInfo:
    iri: str
    title: str
    creator: Agent | None
    modified: str | None


def read_work(reader: StoreReader, vocabulary: Vocabulary, iri: URIRef, cg: str) -> Work:
    """The article ``iri``: its type, authors (with their schema.org type) and what is not stated."""
    quads = describe(reader, iri)
    types = [str(t) for _, _, t, _ in quads.quads((iri, RDF.type, None, None))]
    specific = sorted(t for t in types if t.startswith(str(SCHEMA)) and t != str(SCHEMA.CreativeWork))
    authors = tuple(
        _agent(reader, vocabulary, a) for _, _, a, _ in quads.quads((iri, SCHEMA.author, None, None))
    )
    based_on = next((o for _, _, o, _ in quads.quads((iri, SCHEMA.isBasedOn, None, None))), None)
    published = next((o for _, _, o, _ in quads.quads((iri, SCHEMA.datePublished, None, None))), None)
    url = next((o for _, _, o, _ in quads.quads((iri, SCHEMA.url, None, None))), None)
    headline = next((o for _, _, o, _ in quads.quads((iri, SCHEMA.headline, None, None))), None)
    not_stated = [o for _, _, o, _ in quads.quads((iri, URIRef(f"{cg}notStated"), None, None))]
    return Work(
        iri=str(iri),
        schema_type=specific[0].removeprefix(str(SCHEMA)) if specific else "CreativeWork",
        authors=tuple(sorted(authors, key=lambda a: a.ref.label)),
        based_on=vocabulary.ref(based_on) if based_on is not None else None,
        not_stated=tuple(sorted((vocabulary.ref(n) for n in not_stated), key=lambda r: r.label)),
        date_published=str(published) if published is not None else None,
        url=str(url) if url is not None else None,
        headline=str(headline) if headline is not None else None,
    )


def read_dataset_info(reader: StoreReader, vocabulary: Vocabulary, iri: URIRef) -> DatasetInfo:
    quads = describe(reader, iri)
    title = next((str(o) for _, _, o, _ in quads.quads((iri, DCTERMS.title, None, None))), str(iri))
    creator = next((o for _, _, o, _ in quads.quads((iri, DCTERMS.creator, None, None))), None)
    modified = next((str(o) for _, _, o, _ in quads.quads((iri, DCTERMS.modified, None, None))), None)
    return DatasetInfo(str(iri), title, _agent(reader, vocabulary, creator) if creator else None, modified)


def _agent(reader: StoreReader, vocabulary: Vocabulary, node: Node) -> Agent:
    quads = describe(reader, URIRef(str(node)))
    types = [str(o) for _, _, o, _ in quads.quads((node, RDF.type, None, None))]
    schema_types = sorted(t.removeprefix(str(SCHEMA)) for t in types if t.startswith(str(SCHEMA)))
    return Agent(vocabulary.ref(node), schema_types[0] if schema_types else "Thing")


def citation_text(claim: Claim, work: Work, dataset: DatasetInfo, version: Version | None = None) -> str:
    """A plain-text citation of the claim record: of its released version, when there is one (a
    version IRI never changes what it shows; the claim IRI shows the latest).

    >>> kind, stated = Ref("k", "k", "k"), Ref("a", "a", "a")
    >>> claim = Claim("http://x/claims/c1", "c1", "73,197 applications", kind, stated, "http://x/a", 0, 5)
    >>> author = Agent(Ref("http://x/p", "p", "Kristina Nikolic"), "Person")
    >>> work = Work("http://x/articles/a", "BlogPosting", (author,), None, ())
    >>> citation_text(claim, work, DatasetInfo("http://x/dataset", "claimgraph", None, "2026-11-26"))
    'Kristina Nikolic. “73,197 applications”. Claim c1 in: claimgraph, 2026-11-26. http://x/claims/c1'
    >>> citation_text(claim, work, DatasetInfo("http://x/dataset", "claimgraph", None, "2026-11-26"),
    ...               Version("http://x/np/RAabc", "2026-11-30"))
    'Kristina Nikolic. “73,197 applications”. Claim c1, version of 2026-11-30, in: claimgraph. http://x/np/RAabc'
    """
    authors = " and ".join(a.ref.label for a in work.authors) or "Author not stated"
    publisher = f", {dataset.creator.ref.label}" if dataset.creator else ""
    if version is not None:
        which = f"Claim {claim.id}, version of {version.released}, in: {dataset.title}{publisher}"
        return f"{authors}. “{claim.quote}”. {which}. {version.iri}"
    date = f", {dataset.modified}" if dataset.modified else ""
    return f"{authors}. “{claim.quote}”. Claim {claim.key} in: {dataset.title}{publisher}{date}. {claim.iri}"


def bibtex(claim: Claim, work: Work, dataset: DatasetInfo, version: Version | None = None) -> str:
    """A BibTeX @misc entry (of the released version, when there is one); every field is escaped for LaTeX."""
    note = "Quoted from the article; its publication date is not stated"
    if version is not None:
        note += f". Version of {version.released} of the claim {claim.iri}"
    fields = {
        "author": " and ".join(_tex(a.ref.label) for a in work.authors),
        "title": "{" + _tex(claim.quote) + "}",  # braces keep the quote's capitalisation
        "howpublished": _tex(f"Claim {claim.key} in: {dataset.title}"),
        "publisher": _tex(dataset.creator.ref.label) if dataset.creator else "",
        "year": (version.released if version else dataset.modified or "")[:4],
        "url": version.iri if version else claim.iri,
        "note": _tex(note),
    }
    key = re.sub(r"[^A-Za-z0-9_-]", "-", f"claimgraph-{claim.key}")
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields.items() if value)
    return f"@misc{{{key},\n{body}\n}}"


def _tex(text: str) -> str:
    r"""Escape LaTeX's special characters.

    >>> _tex("50% & {x}_1 \\ #2")
    '50\\% \\& \\{x\\}\\_1 \\textbackslash{} \\#2'
    """
    specials = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "%": r"\%", "&": r"\&", "$": r"\$"}
    specials |= {"#": r"\#", "_": r"\_", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}
    return "".join(specials.get(ch, ch) for ch in text)


def csl_json(
    claim: Claim, work: Work, dataset: DatasetInfo, version: Version | None = None
) -> list[JsonObject]:
    """CSL-JSON (an array of one item; of the released version, when there is one); names as
    literals, since the data does not split them."""
    item: JsonObject = {
        "id": f"claimgraph-{claim.key}",
        "type": "dataset",
        "title": f"Claim {claim.key}: “{claim.quote}”",
        "author": [{"literal": a.ref.label} for a in work.authors],
        "container-title": dataset.title,
        "URL": claim.iri,
        "note": "Quoted from the article; its publication date is not stated",
    }
    if dataset.creator:
        item["publisher"] = dataset.creator.ref.label
    issued = version.released if version else dataset.modified
    if issued:
        item["issued"] = {"date-parts": [[int(part) for part in issued[:10].split("-")]]}
    if version is not None:
        item["URL"] = version.iri
        item["version"] = version.released
    return [item]


def claim_review_jsonld(
    claim: Claim, work: Work, dataset: DatasetInfo, version: Version | None = None
) -> JsonObject:
    """schema.org JSON-LD: one ClaimReview per review (or the bare Claim when it has none).

    A review reviews the claim (``itemReviewed``, its stable IRI) as of its released version:
    the Claim carries the version IRI (``version``) and the review says which version it read
    (``cg:reviewedVersion``), as the data does.

    The fact-check's ``author`` is the organisation that publishes the checks (search
    engines accept only a Person or Organization there); the software that made
    them is its ``creator``, as the data says.
    """
    item: JsonObject = {
        "@type": "Claim",
        "@id": claim.iri,
        "text": claim.quote,
        "author": [_agent_json(a) for a in work.authors],
        "appearance": _work_json(work),
    }
    if work.date_published:
        item["datePublished"] = work.date_published
    if claim.draft:  # schema.org's own word for a work not yet finished; a draft gets no review
        item["creativeWorkStatus"] = "Draft"
        return {"@context": "https://schema.org", "@graph": [item]}
    if version is not None:
        item["version"] = version.iri
    reviewed = {REVIEWED_VERSION: {"@id": version.iri}} if version is not None else {}
    reviews = [
        {
            "@type": "ClaimReview",
            "@id": review.iri,
            "url": review.url or review.iri,
            "name": review.name,
            "claimReviewed": claim.quote,
            "reviewBody": review.body,
            "reviewRating": {
                "@type": "Rating",
                "alternateName": review.verdict.label,
                "ratingExplanation": review.explanation,
            },
            "itemReviewed": item,
            "author": _agent_json(dataset.creator) if dataset.creator else None,
            "creator": {"@id": review.author.iri, "name": review.author.label} if review.author else None,
            "datePublished": review.date,
            **reviewed,
        }
        for review in claim.reviews
    ]
    graph = [{k: v for k, v in r.items() if v is not None} for r in reviews] or [item]
    return {"@context": "https://schema.org", "@graph": graph}


def _agent_json(agent: Agent) -> JsonObject:
    return {"@type": agent.schema_type, "@id": agent.ref.iri, "name": agent.ref.label}


def _work_json(work: Work) -> JsonObject:
    found: JsonObject = {"@type": work.schema_type, "@id": work.iri}
    found["author"] = [_agent_json(a) for a in work.authors]
    if work.url:
        found["url"] = work.url
    if work.date_published:
        found["datePublished"] = work.date_published
    return found
