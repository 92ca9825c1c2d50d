"""Compile the shared context (data/context.yaml merged with the articles' context sections):
dataset, articles, publications, agents, places, sources, activities, units and populations.
Every reference is checked; an error names the file and line."""

from __future__ import annotations

import hashlib

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, OWL, PROV, RDF, RDFS, VOID

from claimgraph.build.builder import DatasetBuilder
from claimgraph.build.literals import date_literal, number_literal
from claimgraph.build.sources import ArticleSource
from claimgraph.build.yaml_source import Located
from claimgraph.errors import DataError
from claimgraph.iris import SCHEMA, WD


def add_context(b: DatasetBuilder, ctx: Located, articles: tuple[ArticleSource, ...]) -> None:
    entities = b.graph(b.iris.graph("entities"))
    for item in [*ctx.get("agents", []), *ctx.get("places", [])]:
        b.define("entity", item)
    for item in ctx.get("agents", []):
        add_agent(b, entities, item)
    for item in ctx.get("places", []):
        add_place(b, entities, item)
    vocab = b.graph(b.iris.graph("vocabulary"))
    for item in ctx.get("units", []):
        add_unit(b, vocab, item)
    for item in ctx.get("populations", []):
        b.define("population", item)
    for item in ctx.get("populations", []):
        add_population(b, vocab, item)
    sources = b.graph(b.iris.graph("sources"))
    for item in [*ctx.get("works", []), *ctx.get("sources", [])]:
        b.define("source", item)
    for item in ctx.get("activities", []):
        b.define("activity", item)
    for item in ctx.get("activities", []):
        add_activity(b, sources, item)
    for item in ctx.get("works", []):
        add_work(b, sources, item)
    for item in ctx.get("sources", []):
        add_source(b, sources, item)
    for article in articles:
        add_article(b, b.graph(b.iris.article_graph(article.scope)), article)
    add_dataset_description(b, b.graph(b.iris.graph("dataset")), ctx, articles)


def add_agent(b: DatasetBuilder, g: Graph, item: Located) -> None:
    node = b.iris.entity(item["id"])
    b.types(g, node, item, (PROV.Agent,))
    g.add((node, SCHEMA.name, Literal(b.require(item, "name"))))
    g.add((node, RDFS.label, Literal(item["name"])))
    if "alternate_name" in item:
        g.add((node, SCHEMA.alternateName, Literal(item["alternate_name"])))
    if "job_title" in item:
        g.add((node, SCHEMA.jobTitle, Literal(item["job_title"])))
    if "affiliation" in item:
        g.add((node, SCHEMA.affiliation, b.entity_iri(item["affiliation"], item)))
    if "country" in item:
        g.add((node, SCHEMA.areaServed, b.entity_iri(item["country"], item)))
    same_as(b, g, node, item)


def add_place(b: DatasetBuilder, g: Graph, item: Located) -> None:
    node = b.iris.entity(item["id"])
    b.types(g, node, item, (SCHEMA.Place,))
    g.add((node, SCHEMA.name, Literal(b.require(item, "name"))))
    g.add((node, RDFS.label, Literal(item["name"])))
    if "contained_in" in item:
        g.add((node, SCHEMA.containedInPlace, b.entity_iri(item["contained_in"], item)))
    same_as(b, g, node, item)


def same_as(b: DatasetBuilder, g: Graph, node: URIRef, item: Located) -> None:
    qid = item.get("wikidata")
    if qid is None:
        return
    if not (isinstance(qid, str) and qid[:1] == "Q" and qid[1:].isdigit()):
        file, line = item.where()
        raise DataError(f"wikidata must look like Q123, got {qid!r}", file=file, line=line)
    g.add((node, OWL.sameAs, WD[qid]))


def add_unit(b: DatasetBuilder, g: Graph, item: Located) -> None:
    node = b.iris.unit(b.define("unit", item))
    g.add((node, RDF.type, b.cg.Unit))
    g.add((node, RDFS.label, Literal(b.require(item, "label"))))
    if "code" in item:
        g.add((node, SCHEMA.unitCode, Literal(item["code"])))


def add_population(b: DatasetBuilder, g: Graph, item: Located) -> None:
    node = b.iris.population(item["id"])
    g.add((node, RDF.type, b.cg.Population))
    g.add((node, RDFS.label, Literal(b.require(item, "label"))))
    if "subset_of" in item:
        parent = b.ref("population", item["subset_of"], item)
        g.add((node, b.cg.subsetOf, b.iris.population(parent)))
    for about in item.get("about", []):
        g.add((node, SCHEMA.about, b.entity_iri(about, item)))
    if "size" in item:
        g.add((node, b.cg.sampleSize, number_literal(item["size"], item)))
    b.not_stated(g, node, item)


def add_activity(b: DatasetBuilder, g: Graph, item: Located) -> None:
    node = b.iris.activity(item["id"])
    b.types(g, node, item, (PROV.Activity,))
    g.add((node, RDFS.label, Literal(b.require(item, "label"))))
    for key, prop in (("requester", b.cg.requester), ("addressee", b.cg.addressee)):
        if key in item:
            agent = b.entity_iri(item[key], item)
            g.add((node, prop, agent))
            g.add((node, PROV.wasAssociatedWith, agent))
    if "population" in item:
        pop = b.ref("population", item["population"], item)
        g.add((node, b.cg.population, b.iris.population(pop)))
    for key, prop in (("started", SCHEMA.startDate), ("ended", SCHEMA.endDate)):
        if key in item:
            g.add((node, prop, date_literal(item[key], item)))
    if "period" in item:
        g.add((node, DCTERMS.temporal, date_literal(item["period"], item)))
    b.not_stated(g, node, item)


def add_work(b: DatasetBuilder, g: Graph, item: Located) -> None:
    node = b.iris.source(item["id"])
    b.types(g, node, item, (PROV.Entity, SCHEMA.CreativeWork))
    g.add((node, RDFS.label, Literal(b.require(item, "label"))))
    for author in b.require(item, "authors"):
        g.add((node, SCHEMA.author, b.entity_iri(author, item)))
        g.add((node, PROV.wasAttributedTo, b.entity_iri(author, item)))
    g.add((node, SCHEMA.publisher, b.entity_iri(b.require(item, "publisher"), item)))
    if "funder" in item:
        g.add((node, SCHEMA.funder, b.entity_iri(item["funder"], item)))
    b.not_stated(g, node, item)


def add_source(b: DatasetBuilder, g: Graph, item: Located) -> None:
    node = b.iris.source(item["id"])
    b.types(g, node, item, (PROV.Entity, b.cg.Source))
    g.add((node, RDFS.label, Literal(b.require(item, "label"))))
    issuers = b.require(item, "issuer")
    for issuer in issuers if isinstance(issuers, list) else [issuers]:
        g.add((node, PROV.wasAttributedTo, b.entity_iri(issuer, item)))
    if "generated_by" in item:
        activity = b.ref("activity", item["generated_by"], item)
        g.add((node, PROV.wasGeneratedBy, b.iris.activity(activity)))
    # The receipt date is not the document's date: the article gives only when BCSP received it.
    if "received" in item:
        g.add((node, b.cg.receivedOn, date_literal(item["received"], item)))
    if "date" in item:
        g.add((node, DCTERMS.date, date_literal(item["date"], item)))
    if "part_of" in item:
        whole = b.ref("source", item["part_of"], item)
        g.add((node, DCTERMS.isPartOf, b.iris.source(whole)))
    b.not_stated(g, node, item)


def add_article(b: DatasetBuilder, g: Graph, article: ArticleSource) -> None:
    item, ident, text = article.entry, article.ident, article.text
    node = b.iris.article(ident)
    text_node = b.iris.article_text(ident)
    b.types(g, node, item, (SCHEMA.CreativeWork,))
    g.add((node, SCHEMA.author, b.entity_iri(b.require(item, "author"), item)))
    g.add((node, SCHEMA.inLanguage, Literal(item.get("language", "en"))))
    if "is_based_on" in item:
        g.add((node, SCHEMA.isBasedOn, b.iris.source(b.ref("source", item["is_based_on"], item))))
    if "headline" in item:
        g.add((node, SCHEMA.headline, Literal(str(b.require(item, "headline")))))
    if "url" in item:
        g.add((node, SCHEMA.url, web_address(item["url"], item)))
    if "date_published" in item:
        g.add((node, SCHEMA.datePublished, date_literal(item["date_published"], item)))
    for about in item.get("about", []):
        g.add((node, SCHEMA.about, b.entity_iri(about, item)))
    g.add((node, SCHEMA.associatedMedia, text_node))
    g.add((text_node, RDF.type, SCHEMA.MediaObject))
    g.add((text_node, SCHEMA.encodingFormat, Literal("text/plain; charset=utf-8")))
    g.add((text_node, SCHEMA.sha256, Literal(hashlib.sha256(text.encode()).hexdigest())))
    g.add((text_node, SCHEMA.text, Literal(text)))
    g.add((text_node, b.cg.notStated, SCHEMA.license))
    if "image_credit" in item:
        image = b.iris.article(f"{ident}/image")
        g.add((node, SCHEMA.image, image))
        g.add((image, RDF.type, SCHEMA.ImageObject))
        g.add((image, SCHEMA.creditText, Literal(item["image_credit"])))
        g.add((image, b.cg.notStated, SCHEMA.url))
    b.not_stated(g, node, item)


def web_address(value: object, item: Located) -> URIRef:
    """An article's address: an absolute http(s) URL with no spaces or quotes."""
    if not (isinstance(value, str) and value.startswith(("http://", "https://")) and len(value) > 8) or any(
        c.isspace() or c in '<>"{}|\\^`' for c in value
    ):
        file, line = item.where()
        raise DataError(f"url must be an absolute http(s) URL, got {value!r}", file=file, line=line)
    return URIRef(value)


def add_dataset_description(
    b: DatasetBuilder, g: Graph, ctx: Located, articles: tuple[ArticleSource, ...]
) -> None:
    item = b.require(ctx, "dataset")
    node = b.iris.dataset
    for cls in (VOID.Dataset, DCAT.Dataset, SCHEMA.Dataset):
        g.add((node, RDF.type, cls))
    g.add((node, DCTERMS.title, Literal(b.require(item, "title"), lang="en")))
    g.add((node, DCTERMS.description, Literal(b.require(item, "description"), lang="en")))
    g.add((node, DCTERMS.creator, b.entity_iri(b.require(item, "creator"), item)))
    g.add((node, DCTERMS.license, URIRef(b.require(item, "license"))))
    g.add((node, DCTERMS.created, date_literal(b.require(item, "created"), item)))
    g.add((node, DCTERMS.modified, date_literal(b.require(item, "modified"), item)))
    g.add((node, DCTERMS.conformsTo, b.iris.ontology_version))
    for article in articles:
        g.add((node, DCTERMS.source, b.iris.article(article.ident)))
    g.add((node, DCTERMS.hasVersion, Literal(b.version)))
