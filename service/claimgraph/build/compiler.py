"""Compile the data sources (data/context.yaml, and each article folder's article.yaml, text and
claims.yaml) into the RDF dataset: one graph per claim part, shared graphs for the context.

The compiler owns the anchors: it finds each quote in its article's text and writes the
TextPositionSelector (code points) and TextQuoteSelector (exact, prefix, suffix),
so an offset is never typed by hand. Every reference is resolved here; a dangling
one is a DataError naming the file and line.
"""

from __future__ import annotations

import re

from rdflib import Dataset, Graph, Literal
from rdflib.namespace import RDF, RDFS

from claimgraph.build.builder import ANSWER_MODES, DatasetBuilder
from claimgraph.build.claims import add_claim
from claimgraph.build.context import add_context
from claimgraph.build.sources import DataSources
from claimgraph.build.yaml_source import Located
from claimgraph.errors import DataError
from claimgraph.iris import SCHEMA, Iris

#: What a claim id may be: it is the last segment of the claim's IRI and page.
CLAIM_ID = re.compile(r"[A-Za-z0-9_~-]{1,80}")


def compile_dataset(sources: DataSources, iris: Iris) -> Dataset:
    """Compile ``sources`` into a Dataset; raises DataError naming file and line."""
    builder = DatasetBuilder(iris, sources.fingerprint)
    add_context(builder, sources.context, sources.articles)
    add_vocabulary(builder, sources.context)
    for article in sources.articles:
        builder.start_article(article)
        add_claims(builder, article.claims)
    builder.start_article(None)
    return builder.ds


def add_vocabulary(b: DatasetBuilder, context: Located) -> None:
    """The measures and survey questions (shared context)."""
    vocab = b.graph(b.iris.graph("vocabulary"))
    measures = context.get("measures", [])
    for item in measures:
        node = b.iris.measure(b.define("measure", item))
        vocab.add((node, RDF.type, SCHEMA.StatisticalVariable))
        vocab.add((node, RDFS.label, Literal(b.require(item, "label"))))
    for item in measures:
        add_measure_relations(b, vocab, item)
    for item in context.get("questions", []):
        node = b.iris.question(b.define("question", item))
        vocab.add((node, RDF.type, b.cg.SurveyQuestion))
        vocab.add((node, RDFS.label, Literal(b.require(item, "label"))))
        for about in item.get("about", []):
            vocab.add((node, SCHEMA.about, b.entity_iri(about, item)))
        mode = item.get("answers", "not-stated")
        if mode not in ANSWER_MODES:
            file, line = item.where()
            raise DataError(f"answers must be one of {ANSWER_MODES}", file=file, line=line)
        vocab.add((node, b.cg.answerMode, b.cg[f"answers-{mode}"]))


def add_measure_relations(b: DatasetBuilder, g: Graph, item: Located) -> None:
    """What the checks need to know: a measure is part of another, or a ratio of two, or counts
    the respondents who did not answer questions on a subject."""
    node = b.iris.measure(item["id"])
    if "nonresponse_on" in item:
        g.add((node, b.cg.nonResponseOn, b.entity_iri(item["nonresponse_on"], item)))
    if "part_of" in item:
        whole = b.ref("measure", item["part_of"], item)
        g.add((node, b.cg.partOfMeasure, b.iris.measure(whole)))
    if "ratio_of" in item:
        pair = item["ratio_of"]
        if not (isinstance(pair, list) and len(pair) == 2):
            file, line = item.where()
            raise DataError("ratio_of must be [numerator, denominator]", file=file, line=line)
        numerator, denominator = (b.ref("measure", m, item) for m in pair)
        g.add((node, b.cg.ratioNumerator, b.iris.measure(numerator)))
        g.add((node, b.cg.ratioDenominator, b.iris.measure(denominator)))


def add_claims(b: DatasetBuilder, claims: Located) -> None:
    items = b.require(claims, "claims")
    if not isinstance(items, list):
        file, line = claims.where()
        raise DataError("`claims` must be a list", file=file, line=line)
    for item in items:
        if not isinstance(item, Located):
            file, line = claims.where()
            raise DataError("each claim must be a mapping", file=file, line=line)
        cid = b.define("claim", item)
        if not CLAIM_ID.fullmatch(cid):
            file, line = item.where()
            raise DataError(
                f"claim id {cid!r} may hold letters, digits, '-', '_' and '~' only (it is part of IRIs)",
                file=file,
                line=line,
            )
        b.claim_items[cid] = item
    for item in items:
        add_claim(b, item)
