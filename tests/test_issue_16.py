"""Issue 16: fidelity to the article. Attribution by the ontology's own definitions (a mechanical
rule over every claim), ambiguity recorded as ambiguity, hedges kept, nothing inferred stated as
fact (every date and place traced to the text), and the four check rules a careful fact-checker
adds, each on small graphs built here and on the shipped article."""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from claimgraph.build.claims import anchored_sentence
from claimgraph.build.pipeline import build_reviewed, compile_data
from claimgraph.build.sources import read_sources
from claimgraph.build.validation import load_ontology, merged_graph, validate_dataset
from claimgraph.errors import DataError
from claimgraph.iris import SCHEMA
from conftest import SHIPPED
from rdflib import Literal, URIRef
from rdflib.namespace import PROV, RDF, RDFS, SKOS, XSD
from test_checks import CG, IRIS, Graphs

# -- the mechanical attribution rule --------------------------------------------------------------
#: Phrases by which a sentence attributes what it says (case-insensitive, whole words).
ATTRIBUTION_PHRASES = (
    r"according to",
    r"data from",
    r"based on (?:the )?(?:provided )?data",
    r"(?:survey|study|poll|research) conducted by",
    r"reported by",
    r"(?:research|study|survey|findings|interviews|poll)\s+(?:also\s+|strongly\s+)?"
    r"(?:shows?|showed|found|finds|indicates?|suggests?|uncovered|refutes?|reveals?|revealed)",
    r"in (?:both )?the (?:survey|interviews|research|study|poll)",
    r"(?:agreement|treaty|law|regulation)\b[^.;]*?\b(?:established|provides|requires)",
    r"respondent (?:explained|said|told)",
)
#: Words that name a document or data set, not only who issued it.
DOCUMENT_WORDS = (
    r"\b(?:data|requests?|responses?|survey|interviews?|poll|research|study|findings|agreement)\b"
)


def attribution_phrases(sentence: str) -> list[str]:
    """The attribution phrases of a sentence, as they stand in it.

    >>> attribution_phrases("According to the ministry, 5 were filed; data from X show it.")
    ['According to', 'data from']
    """
    found = []
    for pattern in ATTRIBUTION_PHRASES:
        found += [m.group(0) for m in re.finditer(rf"\b{pattern}\b", sentence, re.IGNORECASE)]
    return found


def expected_attribution(sentence: str) -> set[str]:
    """The statuses the rule allows: a phrase with a document is `stated`, a phrase naming only
    who issued it is `issuer-stated`, no phrase is `inferred` or `none`."""
    if not attribution_phrases(sentence):
        return {"inferred", "none"}
    return {"stated"} if re.search(DOCUMENT_WORDS, sentence, re.IGNORECASE) else {"issuer-stated"}


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("According to official data from the ministry, 5 applications were filed.", {"stated"}),
        ("According to the Serbian Border Police Administration, there were 948,934.", {"issuer-stated"}),
        ("Of these, 67,236 permits were approved, reflecting a rate of over 90%.", {"inferred", "none"}),
        ("A June 2024 Levada Centre poll found that 87% approve.", {"stated"}),
        ("As one respondent explained: “It is so.”", {"issuer-stated"}),
        ("Additionally, 96.5% of respondents feel safe in Serbia.", {"inferred", "none"}),
    ],
)
def test_the_attribution_rule_itself(sentence, expected):
    assert expected_attribution(sentence) == expected


@dataclass(frozen=True)
class ClaimFacts:
    id: str
    quote: str
    attribution: str
    kind: str
    note: str
    sentence: str
    paragraph: str
    sources: frozenset[str]
    hedges: frozenset[str]


def claims_of(built, iris) -> Iterator[ClaimFacts]:
    merged = merged_graph(built.dataset)
    for claim in merged.subjects(RDF.type, SCHEMA.Claim):
        text = built.article_texts[merged.value(claim, SCHEMA.appearance)]
        quote = str(merged.value(claim, SCHEMA.text))
        start = text.find(quote)
        first, last = anchored_sentence(text, start, start + len(quote))
        paragraph = text[text.rfind("\n", 0, start) + 1 : text.find("\n", start + len(quote))]
        yield ClaimFacts(
            id=str(merged.value(claim, SCHEMA.identifier)),
            quote=quote,
            attribution=str(merged.value(merged.value(claim, iris.cg.attribution), SKOS.notation)),
            kind=str(merged.value(merged.value(claim, iris.cg.kind), SKOS.notation)),
            note=str(merged.value(claim, RDFS.comment) or ""),
            sentence=text[first:last],
            paragraph=paragraph,
            sources=frozenset(str(s).rsplit("/", 1)[-1] for s in merged.objects(claim, PROV.wasDerivedFrom)),
            hedges=frozenset(str(h) for h in merged.objects(claim, iris.cg.hedge)),
        )


@pytest.fixture(scope="module")
def claims(built, iris) -> dict[str, ClaimFacts]:
    return {c.id: c for c in claims_of(built, iris)}


def test_every_attribution_agrees_with_the_phrases_of_its_sentence(claims):
    """Issue 16, item 1: "stated" means the sentence names the source, "inferred" that it does not.
    A claim the rule does not fit says why in its note, quoting the phrase it sets aside."""
    disagreements, explained = [], []
    for claim in sorted(claims.values(), key=lambda c: c.id):
        if claim.attribution in expected_attribution(claim.sentence):
            continue
        phrases = attribution_phrases(claim.sentence)
        quoted = any(f'"{phrase}' in claim.note for phrase in phrases)
        if (phrases and quoted) or (not phrases and "attribution" in claim.note):
            explained.append(claim.id)
        else:
            disagreements.append(f"{claim.id} {claim.attribution} {phrases}: {claim.sentence[:90]}")
    assert not disagreements, "\n".join(disagreements)
    # The sentences whose phrase belongs to another clause; each note says so.
    assert explained == ["c027", "c047"]


def test_the_issue_s_own_examples(claims):
    assert claims["c014"].attribution == claims["c015"].attribution == "inferred"  # "Of these"
    assert claims["c024"].attribution == claims["c025"].attribution == "issuer-stated"
    assert "treated as stated" not in claims["c014"].note
    assert "computed" in claims["c015"].note  # "reflecting": reported or the author's arithmetic


def test_an_inferred_attribution_without_a_note_fails_the_shapes(iris):
    built = compile_data(read_sources(), iris)  # a copy to break: the session's `built` is shared
    claim = iris.claim("c024")
    provenance = built.dataset.graph(iris.provenance_graph("c024"))
    for note in list(provenance.objects(claim, RDFS.comment)):
        provenance.remove((claim, RDFS.comment, note))
    report = _shacl(built, iris)
    assert "an inferred attribution (or an inferred document) needs a note" in report


def _shacl(built, iris) -> str:
    """The validation report, as `claimgraph validate` gives it ("" when the data conforms)."""
    report = validate_dataset(built.dataset, iris, built.article_texts)
    return "" if report.conforms else str(report)


# -- hedges ---------------------------------------------------------------------------------------
HEDGE_WORDS = r"\b(suggests?|suggested|likely|possibl[ey]|may|might|could|appears?|seems?)\b"
#: Hedge words that are not the author's hedge of the claim (reviewed).
NOT_A_HEDGE = {("c047", "could"): "the wording of the concerns the sentence reports"}


def test_every_hedge_in_a_quote_is_kept(claims):
    """Issue 16, item 6: "This suggests ..." is not a plain statement."""
    lost = []
    for claim in claims.values():
        for word in re.findall(HEDGE_WORDS, claim.quote, re.IGNORECASE):
            if word not in claim.hedges and (claim.id, word) not in NOT_A_HEDGE:
                lost.append(f"{claim.id}: {word!r} in {claim.quote[:70]}")
    assert not lost, "\n".join(lost)
    assert {c.id for c in claims.values() if c.hedges} == {"c028", "c034", "c045", "c063", "c072", "c076"}


def test_paraphrases_keep_the_hedge(built, iris, claims):
    ds = built.dataset
    for claim in claims.values():
        if not claim.hedges:
            continue
        texts = [str(t) for t in ds.graph(iris.assertion_graph(claim.id)).objects(None, SCHEMA.description)]
        for text in texts:
            assert re.search(HEDGE_WORDS, text, re.IGNORECASE), (claim.id, text)


def test_equal_suggests_sentences_are_sourced_alike(claims):
    """Each hedged reading of findings ("This suggests", "These findings suggest", "This trend
    suggests", "This silence is likely") is an interpretation of the source it reads."""
    readings = [c for c in claims.values() if c.kind == "interpretation" and c.hedges]
    assert {c.id for c in readings} == {"c034", "c045", "c063", "c072"}
    for claim in readings:
        assert claim.sources, claim.id
        assert claim.attribution in expected_attribution(claim.sentence), claim.id
    assert claims["c034"].sources == claims["c045"].sources == {"bcsp-survey"}


def test_a_hedge_must_stand_in_the_quote(data_copy, iris):
    claims_file = data_copy / SHIPPED / "claims.yaml"
    text = claims_file.read_text()
    claims_file.write_text(text.replace("    hedge: likely\n", "    hedge: probably\n", 1))
    with pytest.raises(DataError, match="hedge 'probably' is not a word of the quote"):
        compile_data(read_sources(data_copy), iris)


# -- quantifiers ----------------------------------------------------------------------------------
def test_every_quantifier_word_of_a_quote_is_modelled(built, iris, claims):
    """A word of the quantifier scheme in a quote is set against its figure (or has none)."""
    ontology = load_ontology(iris)
    scheme = ontology.subjects(SKOS.inScheme, iris.cg.QuantifierScheme)
    words = [str(ontology.value(concept, SKOS.prefLabel)) for concept in scheme]
    assert {"majority", "most", "predominantly", "nearly all"} <= set(words)
    pattern = r"\b(" + "|".join(re.escape(w) for w in words) + r")\b"
    missing = []
    for claim in claims.values():
        graph = built.dataset.graph(iris.assertion_graph(claim.id))
        modelled = " ".join(str(w).lower() for w in graph.objects(None, iris.cg.quantifierWord))
        # "the most attractive" is a superlative, not a quantifier.
        quote = re.sub(r"\bthe most\b", "", claim.quote, flags=re.IGNORECASE)
        for word in re.findall(pattern, quote, re.IGNORECASE):
            if word.lower() not in modelled:
                missing.append(f"{claim.id}: {word!r}")
    assert not missing, missing


def test_a_quantifier_must_stand_in_the_sentence(data_copy, iris):
    claims_file = data_copy / SHIPPED / "claims.yaml"
    text = claims_file.read_text()
    claims_file.write_text(text.replace("          word: predominantly\n", "          word: nearly all\n", 1))
    with pytest.raises(DataError, match="quantifier 'nearly all' is not in the claim's sentence"):
        compile_data(read_sources(data_copy), iris)


# -- item 2: the answer mode is not stated ---------------------------------------------------------
def _shares(values, mode, readings=None):
    g = Graphs().vocabulary(IRIS.question("q"), CG.answerMode, CG[f"answers-{mode}"])
    for n, value in enumerate(values):
        if readings:
            g.claim(f"s{n}").figure(f"s{n}", f"m{n}", value, unit="percent", question="q")
            add_readings(g, f"s{n}", readings)
        else:
            g.claim(f"s{n}").figure(f"s{n}", f"m{n}", value, unit="percent", population="all", question="q")
    return g.run("shares-of-one-whole")


def add_readings(g: Graphs, cid: str, populations: tuple[str, ...]) -> None:
    graph = g.ds.graph(IRIS.assertion_graph(cid))
    [figure] = graph.subjects(RDF.type, CG.Figure)
    graph.add((figure, CG.notStated, CG.population))
    for k, population in enumerate(populations, start=1):
        reading = URIRef(f"{figure}-reading-{k}")
        graph.add((figure, CG.populationReading, reading))
        graph.add((reading, RDF.type, CG.PopulationReading))
        graph.add((reading, CG.population, IRIS.population(population)))
        graph.add((reading, RDFS.comment, Literal(f"as shares of {population}")))
        g.vocab.add((IRIS.population(population), RDFS.label, Literal(population)))


def test_shares_over_100_with_the_answer_mode_not_stated_are_a_finding():
    findings = _shares(["57.5", "47.7"], "not-stated")
    assert set(findings) == {("s0", "unverifiable"), ("s1", "unverifiable")}
    explanation = findings["s0", "unverifiable"].explanation
    assert "does not say whether respondents could give several answers" in explanation
    assert "or the figures are wrong" in explanation
    assert findings["s0", "unverifiable"].computation.endswith("= 105.2% (answer mode not stated)")


def test_shares_over_100_are_consistent_only_when_several_answers_were_allowed():
    assert set(_shares(["57.5", "47.7"], "multiple")) == {("s0", "consistent"), ("s1", "consistent")}
    assert set(_shares(["57.5", "47.7"], "single")) == {("s0", "inconsistent"), ("s1", "inconsistent")}


def test_article_motivations_are_not_called_multiple_answers(built, iris, article_findings):
    vocab = merged_graph(built.dataset)
    assert (
        vocab.value(iris.question("motivation-for-leaving"), iris.cg.answerMode)
        == iris.cg["answers-not-stated"]
    )
    finding = article_findings["c038", "shares-of-one-whole"]
    assert finding.verdict_id == "unverifiable"
    assert "several answers" in finding.explanation
    assert "which the article does not say" in finding.explanation


# -- item 3: ambiguous denominators ----------------------------------------------------------------
def test_shares_are_added_under_each_reading():
    findings = _shares(["56.9", "38.5"], "not-stated", readings=("considering", "all"))
    assert set(findings) == {("s0", "consistent"), ("s1", "consistent")}
    finding = findings["s0", "consistent"]
    assert "Read as shares of considering" in finding.explanation
    assert "Read as shares of all" in finding.explanation
    assert "does not depend on the reading" in finding.explanation
    # s0 is in a group under each reading: s1 is named once, not once a group.
    assert finding.evidence == (IRIS.claim("s1"),)
    assert "[reading: shares of all]" in finding.computation


def test_a_verdict_that_depends_on_the_reading_says_so():
    g = Graphs().vocabulary(IRIS.question("q"), CG.answerMode, CG["answers-single"])
    g.claim("a").figure("a", "m1", 60, unit="percent", question="q")
    add_readings(g, "a", ("subgroup", "all"))
    g.claim("b").figure("b", "m2", 50, unit="percent", population="all", question="q")
    findings = g.run("shares-of-one-whole")
    # Of all respondents 60% + 50% = 110% > 100%; as shares of the subgroup, nothing to add.
    assert set(findings) == {("a", "inconsistent"), ("b", "inconsistent")}
    assert "Read as shares of all" in findings["a", "inconsistent"].explanation
    assert "subgroup" not in findings["a", "inconsistent"].explanation


def test_article_ambiguous_figures_carry_every_reading(built, iris):
    ds = built.dataset
    expected = {
        "c041": {"respondents-not-returned-to-russia", "survey-respondents"},
        "c043": {"respondents-considering-return", "survey-respondents"},
        "c044": {"respondents-considering-return", "survey-respondents"},
    }
    for cid, populations in expected.items():
        graph = ds.graph(iris.assertion_graph(cid))
        figure = iris.claim_part(cid, "figure-1")
        assert graph.value(figure, iris.cg.population) is None  # no reading is stated as the population
        assert (figure, iris.cg.notStated, iris.cg.population) in graph
        readings = list(graph.objects(figure, iris.cg.populationReading))
        found = {str(graph.value(r, iris.cg.population)).rsplit("/", 1)[-1] for r in readings}
        assert found == populations
        assert all(graph.value(r, RDFS.comment) for r in readings)


def test_a_single_reading_is_not_an_ambiguity(iris):
    built = compile_data(read_sources(), iris)  # a copy to break: the session's `built` is shared
    graph = built.dataset.graph(iris.assertion_graph("c041"))
    figure = iris.claim_part("c041", "figure-1")
    graph.remove((figure, iris.cg.populationReading, iris.claim_part("c041", "figure-1-reading-2")))
    assert "a percentage needs a population" in _shacl(built, iris)


def test_article_checks_say_which_reading_they_depend_on(article_findings):
    finding = article_findings["c043", "shares-of-one-whole"]
    assert finding.verdict_id == "consistent"
    assert "who would consider going back" in finding.explanation
    assert "does not depend on the reading" in finding.explanation
    # c043 is in a group under each reading: its fellow claims are named once, not once a group.
    assert len(finding.evidence) == len(set(finding.evidence)) >= 1
    assert all(len(f.evidence) == len(set(f.evidence)) for f in article_findings.values())


def test_pages_and_api_show_two_readings(site_client):
    html = site_client.get("/claims/c041", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "ambiguous: two readings" in html
    assert "only they have a reason for not returning" in html
    body = site_client.get("/api/claims/c041").get_json()
    [figure] = body["figures"]
    assert figure["population"] is None
    assert figure["ambiguity"] == "ambiguous: two readings"
    assert [r["population"]["id"] for r in figure["populationReadings"]] == [
        "respondents-not-returned-to-russia",
        "survey-respondents",
    ]
    listing = site_client.get("/claims?q=c043", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "(ambiguous: two readings)" in listing


def test_pages_and_api_show_hedges_and_attribution(site_client):
    body = site_client.get("/api/claims/c034").get_json()
    assert body["hedges"] == ["could", "suggests"]
    html = site_client.get("/claims/c034", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "<strong>Hedged:</strong> the article says “could” and “suggests”" in html
    body = site_client.get("/api/claims/c024").get_json()
    assert body["attribution"]["label"] == "issuer stated, document inferred"


# -- item 4: the note and the question agree -------------------------------------------------------
def test_question_labels_use_the_article_s_own_stance_words(built, iris, claims):
    """A question labelled "approval" on a sentence that says "support" equates what the article
    does not: every stance word of a question's label must stand in its claims' sentences."""
    merged = merged_graph(built.dataset)
    stances = (r"\bsupport", r"approv")  # "approval", "approve", "disapprove" are one stance
    checked = 0
    for claim in claims.values():
        graph = built.dataset.graph(iris.assertion_graph(claim.id))
        for question in set(graph.objects(None, iris.cg.question)):
            label = str(merged.value(question, RDFS.label)).lower()
            for stance in stances:
                if re.search(stance, label):
                    checked += 1
                    assert re.search(stance, claim.sentence.lower()), (claim.id, label)
    assert checked == 3  # c051 (disapprove), c052 (support), c054 (approve)
    assert str(merged.value(iris.question("support-for-putin"), RDFS.label)) == "Support for Vladimir Putin"


# -- item 5: nothing the article does not give -----------------------------------------------------
MONTHS = [date.strftime("%B") for date in (dt.date(2000, month, 1) for month in range(1, 13))]


def date_forms(literal: Literal) -> list[str]:
    """How the article would write a date: 'August 5, 2024', 'June 2024', '2009'.

    >>> date_forms(Literal("2024-08-05", datatype=XSD.date))
    ['August 5, 2024', '5 August 2024']
    """
    text = str(literal)
    if literal.datatype == XSD.date:
        year, month, day = (int(part) for part in text.split("-"))
        return [f"{MONTHS[month - 1]} {day}, {year}", f"{day} {MONTHS[month - 1]} {year}"]
    if literal.datatype == XSD.gYearMonth:
        year, month = (int(part) for part in text.split("-"))
        return [f"{MONTHS[month - 1]} {year}"]
    return [text]


DATE_TYPES = (XSD.date, XSD.gYearMonth, XSD.gYear)
#: Graphs that describe this dataset, not the article: their dates are ours, not the article's.
OWN_GRAPHS = ("dataset", "reviews")


def dated_and_placed(built, iris) -> list[tuple[str, str, str, str]]:
    """Every literal date and every place of the compiled graph: (what, value, the quote it comes
    from, the text it must stand in). A claim's dates and places come from its paragraph (where "Of
    these" gets its period), the paragraphs of the claims it compares, and the labels of the
    populations, measures and questions it uses (the article's definitions of them); a source's or
    activity's dates from the very sentences of the claims that cite it."""
    ds = built.dataset
    text = " ".join(built.article_texts.values())
    merged = merged_graph(ds)
    claims = {c.id: c for c in claims_of(built, iris)}
    vocabulary = ds.graph(iris.graph("vocabulary"))

    def context(cid: str) -> str:
        found = [claims[cid].paragraph]
        found += [claims[_short(o)].paragraph for o in merged.objects(iris.claim(cid), iris.cg.compares)]
        for o in ds.graph(iris.assertion_graph(cid)).objects():
            found += [str(label) for label in vocabulary.objects(o, RDFS.label)]
        return " ".join(found)

    places = set(merged.subjects(RDF.type, SCHEMA.Place))
    citing: dict[URIRef, list[str]] = {}
    for claim in merged.subjects(RDF.type, SCHEMA.Claim):
        for source in merged.objects(claim, PROV.wasDerivedFrom):
            cid = str(merged.value(claim, SCHEMA.identifier))
            citing.setdefault(source, []).append(cid)
            for activity in merged.objects(source, PROV.wasGeneratedBy):
                citing.setdefault(activity, []).append(cid)
    rows = []
    for cid, claim in claims.items():
        where = context(cid)
        for graph in (ds.graph(iris.assertion_graph(cid)), ds.graph(iris.provenance_graph(cid))):
            for _, p, o in graph:
                if isinstance(o, Literal) and o.datatype in DATE_TYPES:
                    rows.append((f"{cid} {_short(p)}", str(o), claim.quote, _first_form(o, where)))
                elif o in places:
                    rows.append((f"{cid} {_short(p)}", str(merged.value(o, SCHEMA.name)), claim.quote, where))
    for s, p, o in ds.graph(iris.graph("sources")):
        if isinstance(o, Literal) and o.datatype in DATE_TYPES:
            sentences = " ".join(claims[c].sentence for c in citing.get(s, []))
            rows.append(
                (
                    f"{_short(s)} {_short(p)}",
                    str(o),
                    str(merged.value(s, RDFS.label)),
                    _first_form(o, sentences),
                )
            )
        elif o in places:
            rows.append((f"{_short(s)} {_short(p)}", str(merged.value(o, SCHEMA.name)), str(s), text))
    for g in ds.graphs():
        if any(str(g.identifier) == str(iris.graph(name)) for name in OWN_GRAPHS):
            continue
        if str(g.identifier).startswith(str(iris.base) + "claims/") or g.identifier == iris.graph("sources"):
            continue
        for s, p, o in g:
            if isinstance(o, Literal) and o.datatype in DATE_TYPES and g.identifier != iris.ontology:
                rows.append((f"{_short(s)} {_short(p)}", str(o), str(g.identifier), _first_form(o, text)))
    return rows


def _short(node) -> str:
    return re.split(r"[#/]", str(node))[-1]


def _first_form(literal: Literal, text: str) -> str:
    """The first way of writing the date that the text has, or '' when it has none."""
    return next((form for form in date_forms(literal) if form in text), "")


def not_in_the_text(rows: list[tuple[str, str, str, str]]) -> list[str]:
    missing = []
    for what, value, _, found in rows:
        if re.fullmatch(r"[\d-]+", value):  # a date: `found` is the form the text has, or ''
            if not found:
                missing.append(f"{what} {value}")
        # a place, by its name or its adjective ("Serbian", "Russian")
        elif not re.search(rf"\b{re.escape(value)}n?\b|\b{re.escape(value[:-1])}an\b", found):
            missing.append(f"{what} {value}")
    return missing


def test_every_date_and_place_stands_in_the_article_text(built, iris):
    """Issue 16, item 5 and its "Done when": no compiled triple dates or places anything with a
    date or place the article does not give. The listing is the failure message."""
    rows = dated_and_placed(built, iris)
    listing = "\n".join(f"{what:55} {value:22} <- {origin[:60]}" for what, value, origin, _ in rows)
    missing = not_in_the_text(rows)
    assert not missing, f"not in the article text: {missing}\n{listing}"
    assert len(rows) > 80, listing


def test_a_date_or_place_the_article_does_not_give_is_caught(data_copy, iris):
    claims_file = data_copy / SHIPPED / "claims.yaml"
    text = claims_file.read_text()
    text = text.replace("          period: 2024-06\n", "          period: 2024-07\n", 1)
    claims_file.write_text(
        text.replace("    about: [kazakhstan, kyrgyzstan]\n", "    about: [belgrade]\n", 1)
    )
    missing = not_in_the_text(dated_and_placed(compile_data(read_sources(data_copy), iris), iris))
    assert sorted(missing) == ["c054 periodEnd 2024-07", "c054 periodStart 2024-07", "c065 about Belgrade"]


def test_receipt_dates_are_not_document_dates(built, iris):
    sources = built.dataset.graph(iris.graph("sources"))
    for response in (iris.source("bpa-response-2024-08-05"), iris.source("bpa-response-2025-02-12")):
        assert sources.value(response, iris.cg.receivedOn) is not None
        assert sources.value(response, URIRef("http://purl.org/dc/terms/date")) is None
        assert (response, iris.cg.notStated, URIRef("http://purl.org/dc/terms/date")) in sources
        activity = sources.value(response, PROV.wasGeneratedBy)
        assert sources.value(activity, SCHEMA.endDate) is None


def test_a_document_date_copied_from_the_receipt_date_fails_the_shapes(iris):
    built = compile_data(read_sources(), iris)  # a copy to break: the session's `built` is shared
    sources = built.dataset.graph(iris.graph("sources"))
    response = iris.source("bpa-response-2024-08-05")
    sources.add((response, URIRef("http://purl.org/dc/terms/date"), Literal("2024-08-05", datatype=XSD.date)))
    assert "a source's document date equals its receipt date" in _shacl(built, iris)


def test_no_invented_relocation_event_and_no_place_for_the_study(built, iris):
    merged = merged_graph(built.dataset)
    assert not list(merged.triples((iris.event("russian-relocation-to-serbia"), None, None)))
    study = iris.event("bcsp-study-conducted")
    assert merged.value(study, SCHEMA.location) is None
    assert (study, iris.cg.notStated, SCHEMA.location) in merged
    assert (study, iris.cg.notStated, SCHEMA.startDate) in merged


# -- item 7: the period sum-of-parts assumes -------------------------------------------------------
def _total(start, end):
    g = Graphs().claim("t").figure("t", "apps", 100, period=(start, end))
    for year, value in zip((2022, 2023, 2024), (30, 30, 40), strict=True):
        g.claim(f"p{year}").figure(f"p{year}", "apps", value, period=year)
    return g.run("sum-of-parts")


def test_sum_of_parts_says_which_period_it_read_a_partial_year_as():
    finding = _total("2022-02-24", "2024-12-31")["t", "consistent"]
    assert "reads the 2022 figure as 2022-02-24 to 2022-12-31" in finding.explanation
    assert finding.computation.startswith("2022 [2022-02-24 to 2022-12-31]: 30 + 2023: 30")
    finding = _total("2022-01-01", "2024-06-30")["t", "consistent"]
    assert "reads the 2024 figure as 2024-01-01 to 2024-06-30" in finding.explanation


def test_sum_of_parts_assumes_nothing_for_whole_years():
    finding = _total("2022-01-01", "2024-12-31")["t", "consistent"]
    assert "reads" not in finding.explanation


def test_article_applications_name_the_assumed_period(article_findings, claims):
    finding = article_findings["c013", "sum-of-parts"]
    assert finding.verdict_id == "consistent"
    assert "the 2022 figure as 2022-02-24 to 2022-12-31" in finding.explanation
    assert "24 February - 31 December 2022" in claims["c017"].note
    residual = article_findings["c013", "unexplained-residual"]
    assert "309 (2022 read as 2022-02-24 to 2022-12-31)" in residual.computation


# -- the four new rules, on small graphs -----------------------------------------------------------
class Graphs16(Graphs):
    """The test_checks graphs, with what the new rules read: quotes, quantifiers, topics."""

    def quote(self, cid: str, text: str) -> Graphs16:
        self.meta.add((IRIS.claim(cid), SCHEMA.text, Literal(text)))
        self.meta.add((IRIS.claim(cid), SCHEMA.identifier, Literal(cid)))
        return self

    def quantifier(self, cid: str, word: str, meaning: str, *targets: str) -> Graphs16:
        graph = self.ds.graph(IRIS.assertion_graph(cid))
        node = IRIS.claim_part(cid, f"quantifier-{word.replace(' ', '-')}")
        graph.add((node, RDF.type, CG.Quantifier))
        graph.add((node, CG.quantifierWord, Literal(word)))
        graph.add((node, CG.quantifierMeaning, CG[f"quantifier-{meaning}"]))
        for target in targets:
            graph.add((node, CG.appliesTo, IRIS.claim(target)))
        return self


def _quantified(meaning: str, value: str | None, word: str = "the majority"):
    g = Graphs16().claim("q").quantifier("q", word, meaning, "q")
    if value is not None:
        g.figure("q", "share", value, unit="percent", population="all")
    return g.run("quantifier-against-figure")


@pytest.mark.parametrize(
    ("meaning", "value", "verdict"),
    [
        ("majority", "55.6", "consistent"),
        ("majority", "42.4", "inconsistent"),
        ("majority", "50", "inconsistent"),  # half is not a majority
        ("predominantly", "42.4", "inconsistent"),
        ("minority", "42.4", "consistent"),
        ("half", "48.5", "consistent"),
        ("a-third", "45", "inconsistent"),
        ("nearly-all", "96.5", "consistent"),
        ("nearly-all", "72.8", "inconsistent"),
        ("a-few", "9", "consistent"),
    ],
)
def test_quantifier_against_its_figure(meaning, value, verdict):
    assert set(_quantified(meaning, value)) == {("q", verdict)}


def test_quantifier_explains_with_the_words_and_the_figure():
    finding = _quantified("majority", "42.4")["q", "inconsistent"]
    assert finding.computation == '"the majority" vs 42.4%: does not hold'
    assert "more than half" in finding.explanation


def test_quantifier_without_a_figure_is_unverifiable():
    finding = _quantified("most", None, word="most")["q", "unverifiable"]
    assert "attaches no figure" in finding.explanation


def test_quantifier_restating_other_claims_is_set_against_theirs():
    g = (
        Graphs16()
        .claim("r", kind="interpretation", attribution="none")
        .quantifier("r", "mostly", "most", "a", "b")
    )
    g.claim("a").figure("a", "x", "66.4", unit="percent", population="all")
    g.claim("b").figure("b", "y", "42.4", unit="percent", population="all")
    finding = g.run("quantifier-against-figure")["r", "inconsistent"]
    assert "66.4%: holds" in finding.computation
    assert "42.4%: does not hold" in finding.computation
    assert {e.rsplit("/", 1)[-1] for e in finding.evidence} == {"a", "b"}


def test_quantifier_ignores_figures_that_are_not_shares():
    g = Graphs16().claim("q").quantifier("q", "most", "most", "q").figure("q", "count", 20270)
    assert set(g.run("quantifier-against-figure")) == {("q", "unverifiable")}


def _association(*, sizes: bool = False, test: bool = False, quote="a clear link between A and B"):
    g = Graphs16().claim("l", kind="research-finding", compares=("a", "b")).quote("l", quote)
    g.claim("a").figure("a", "positive", "55.9", unit="percent", population="approvers")
    g.claim("b").figure("b", "positive", "35.8", unit="percent", population="opponents")
    if sizes:
        for group, n in (("approvers", 120), ("opponents", 300)):
            g.vocabulary(IRIS.population(group), CG.sampleSize, Literal(n))
    if test:
        g.meta.add((IRIS.claim("l"), CG.statisticalTest, Literal("chi-squared, p < 0.01")))
    return g.run("association-without-test")


def test_association_without_sizes_or_test_is_unverifiable():
    findings = _association()
    assert set(findings) == {("l", "unverifiable")}
    finding = findings["l", "unverifiable"]
    assert "55.9% of approvers" in finding.explanation
    assert "35.8% of opponents" in finding.explanation
    assert finding.computation == "groups compared: 2; with a stated size: 0; test: not stated"


def test_association_with_sizes_or_a_test_is_checkable():
    assert _association(sizes=True) == {}
    assert _association(test=True) == {}


@pytest.mark.parametrize(
    "quote", ["X correlates with Y", "those who do X are more likely to Y", "X is linked to Y"]
)
def test_association_wording(quote):
    assert set(_association(quote=quote)) == {("l", "unverifiable")}


def test_no_association_no_finding():
    assert _association(quote="X differs from Y in many ways") == {}


def _nonresponse(missing: str = "39.4", *, compares_it: bool = False, same_source: bool = True):
    putin = URIRef(f"{IRIS.base}entities/putin")
    g = Graphs16().vocabulary(putin, RDFS.label, Literal("Putin"))
    g.vocabulary(IRIS.question("support"), SCHEMA.about, putin)
    g.vocabulary(IRIS.measure("avoided"), CG.nonResponseOn, putin)
    compared = ("a", "r") if compares_it else ("a",)
    g.claim("c", kind="interpretation", attribution="none", compares=compared)
    g.claim("a", source="survey").figure(
        "a", "support", "15.9", unit="percent", population="all", question="support"
    )
    g.claim("r", source="survey" if same_source else "poll")
    g.figure("r", "avoided", missing, unit="percent", population="all")
    return g.run("comparison-silent-on-nonresponse")


def test_comparison_silent_on_reported_nonresponse_needs_context():
    findings = _nonresponse()
    assert set(findings) == {("c", "needs-context")}
    finding = findings["c", "needs-context"]
    assert "15.9%" in finding.explanation
    assert "39.4%" in finding.explanation
    assert {e.rsplit("/", 1)[-1] for e in finding.evidence} == {"a", "r"}


def test_comparison_that_sets_the_nonresponse_beside_it_is_fine():
    assert _nonresponse(compares_it=True) == {}


def test_small_nonresponse_or_another_source_s_is_not_flagged():
    assert _nonresponse("4.5") == {}
    assert _nonresponse(same_source=False) == {}


def test_nonresponse_on_the_subject_of_the_compared_groups():
    putin = URIRef(f"{IRIS.base}entities/putin")
    g = Graphs16().vocabulary(IRIS.population("approvers"), SCHEMA.about, putin)
    g.vocabulary(IRIS.measure("avoided"), CG.nonResponseOn, putin)
    g.claim("c", kind="research-finding", compares=("a",))
    g.claim("a").figure("a", "view", "55.9", unit="percent", population="approvers", question="serbia")
    g.claim("r").figure("r", "avoided", "39.4", unit="percent", population="all")
    assert set(g.run("comparison-silent-on-nonresponse")) == {("c", "needs-context")}


def _trend(quote: str, *, kind="interpretation", sourced=False, figure=False):
    g = Graphs16().claim("t", kind=kind, attribution="stated" if sourced else "none").quote("t", quote)
    if figure:
        g.figure("t", "community", 80000)
    return g.run("trend-word-without-support")


@pytest.mark.parametrize(
    "quote",
    [
        "These conditions have contributed to the rapid growth of a community",
        "Arrivals surged in 2023",
        "The number has steadily increased",
        "The migration intensified further",
    ],
)
def test_trend_word_without_figures_or_source_is_unverifiable(quote):
    findings = _trend(quote)
    assert set(findings) == {("t", "unverifiable")}
    assert "interpretation or opinion" in findings["t", "unverifiable"].explanation


def test_trend_word_names_the_word():
    finding = _trend("the rapid growth of a community")["t", "unverifiable"]
    assert '"rapid growth"' in finding.explanation


def test_trend_word_with_a_source_or_figures_is_left_to_the_other_rules():
    assert _trend("Arrivals surged", sourced=True) == {}
    assert _trend("Arrivals surged", figure=True) == {}
    assert _trend("A sharp contrast to sentiment inside Russia") == {}


def test_trend_statement_backed_by_a_series_is_not_flagged():
    g = Graphs16().claim("s", attribution="none").quote("s", "applications increased each year")
    g.trend("s", "apps", "increasing-each-year", (2022, 2023))
    g.claim("y").figure("y", "apps", 5, period=2022)
    assert g.run("trend-word-without-support") == {}


def test_subgroups_of_one_population_are_a_like_for_like_comparison():
    g = Graphs().claim("c", kind="research-finding", compares=("a", "b"))
    g.vocabulary(IRIS.population("approvers"), CG.subsetOf, IRIS.population("all"))
    g.vocabulary(IRIS.population("opponents"), CG.subsetOf, IRIS.population("all"))
    g.claim("a").figure("a", "x", "55.9", unit="percent", population="approvers", question="q")
    g.claim("b").figure("b", "x", "35.8", unit="percent", population="opponents", question="q")
    assert g.run("comparison-needs-context") == {}


# -- the shipped article ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def article_findings():
    run = build_reviewed(read_sources(), IRIS).check_run
    return {(f.claim_id, f.rule.id): f for f in run.findings}


def _verdicts(findings, rule):
    return {claim: f.verdict_id for (claim, r), f in findings.items() if r == rule}


def test_article_quantifiers(article_findings):
    assert _verdicts(article_findings, "quantifier-against-figure") == {
        "c008": "unverifiable",  # "Unlike most European nations": not counted
        "c031": "consistent",  # "the majority" ... 55.6%
        "c032": "consistent",  # 66.4%
        "c033": "inconsistent",  # "the majority" ... "predominantly self-employed (42.4%)"
        "c037": "unverifiable",
        "c045": "unverifiable",
        "c049": "unverifiable",
        "c078": "inconsistent",  # "Predominantly well-educated and self-employed": 42.4%
        "c079": "unverifiable",
    }
    assert "42.4%: does not hold" in article_findings["c033", "quantifier-against-figure"].computation


def test_article_association(article_findings):
    assert _verdicts(article_findings, "association-without-test") == {"c056": "unverifiable"}
    finding = article_findings["c056", "association-without-test"]
    assert "who approve of Vladimir Putin" in finding.explanation
    assert {e.rsplit("/", 1)[-1] for e in finding.evidence} == {"c057", "c058"}


def test_article_nonresponse(article_findings):
    assert _verdicts(article_findings, "comparison-silent-on-nonresponse") == {
        "c053": "needs-context",  # 15.9% support Putin vs Levada's 87%
        "c056": "needs-context",  # approvers vs opponents of Putin
    }
    assert "39.4%" in article_findings["c053", "comparison-silent-on-nonresponse"].explanation
    assert ("c056", "comparison-needs-context") not in article_findings  # a like-for-like split


def test_article_trend_words(article_findings):
    assert _verdicts(article_findings, "trend-word-without-support") == {
        "c003": "unverifiable",  # "intensified"
        "c009": "unverifiable",  # "rapid growth", an interpretation
        "c029": "unverifiable",  # "The increased visibility"
    }


def test_cli_check_shows_the_new_findings():
    result = subprocess.run(
        [sys.executable, "-m", "claimgraph.cli", "check", "--format", "json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    verdicts = {(f["claim"], f["rule"]): f["verdict"] for f in data["findings"]}
    assert verdicts["c033", "quantifier-against-figure"] == "inconsistent"
    assert verdicts["c056", "association-without-test"] == "unverifiable"
    assert verdicts["c053", "comparison-silent-on-nonresponse"] == "needs-context"
    assert verdicts["c009", "trend-word-without-support"] == "unverifiable"
    assert verdicts["c038", "shares-of-one-whole"] == "unverifiable"


@pytest.mark.parametrize(
    ("claim", "rule"),
    [
        ("c033", "quantifier-against-figure"),
        ("c056", "association-without-test"),
        ("c053", "comparison-silent-on-nonresponse"),
        ("c009", "trend-word-without-support"),
    ],
)
def test_claim_pages_show_the_new_findings(site_client, claim, rule):
    html = site_client.get(f"/claims/{claim}", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert f'href="/checks#{rule}"' in html
