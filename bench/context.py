"""The fixed part of the synthetic dataset: what the example queries name, as the shipped data has it.

The example queries name some IRIs outright (``<sources/bcsp-survey>``,
``<sources/levada-poll-2024-06>``, ``<measures/share-support-putin>``, …), so
these exist in every synthetic dataset with the shape they have in data/: the
access-to-information responses with their received dates, the BCSP survey and
interviews, the Levada poll, the 2009 agreement, the entities, units,
populations and measures they use, the ontology, the check rules and the
dataset description.
"""

from __future__ import annotations

from claimgraph import paths
from claimgraph.iris import ONTOLOGY, ONTOLOGY_VERSION
from pyoxigraph import RdfFormat, parse

from bench.terms import (
    DCAT,
    DCTERMS,
    LABEL,
    OWL,
    PROV,
    RDF_TYPE,
    RDFS,
    SCHEMA,
    VOID,
    WD,
    Quads,
    literal,
    typed,
)

#: Graph names (paths under the base), as the shipped dataset names them.
ENTITIES, SOURCES, VOCABULARY, ARTICLE, DATASET, REVIEWS = (
    f"graphs/{name}" for name in ("entities", "sources", "vocabulary", "article", "dataset", "reviews")
)
CHECK_RUN = "checks/runs/20260101T000000Z"
CHECKER = "entities/claimgraph-checker"

#: (id, schema.org type, name, Wikidata id as the shipped data verified it)
PLACES = (
    ("serbia", "Country", "Serbia", "Q403"),
    ("russia", "Country", "Russia", "Q159"),
    ("ukraine", "Country", "Ukraine", "Q212"),
    ("belgrade", "City", "Belgrade", "Q3711"),
    ("novi-sad", "City", "Novi Sad", "Q55630"),
)
#: (id, schema.org type, name)
AGENTS = (
    ("bcsp", "Organization", "Belgrade Centre for Security Policy"),
    ("levada-centre", "Organization", "Levada Centre"),
    ("border-police-administration", "GovernmentOrganization", "Serbian Border Police Administration"),
    ("claimgraph-project", "Organization", "claimgraph project"),
)
#: (id, label, unit code or None)
UNITS = (
    ("percent", "percent", "P1"),
    ("application", "applications", None),
    ("permit", "residence permits", None),
    ("registration", "residence registrations", None),
    ("person", "persons", None),
    ("day", "days", "DAY"),
)
COUNT_UNITS = ("application", "permit", "registration", "person")
#: (id, label, subset of)
POPULATIONS = (
    ("russian-immigrants-serbia", "Russian immigrants in Serbia", None),
    (
        "russians-relocated-to-serbia",
        "Russian nationals who relocated to Serbia after 24 February 2022",
        None,
    ),
    ("survey-respondents", "BCSP survey respondents", "russians-relocated-to-serbia"),
    ("russians-in-russia", "Russians in Russia (Levada Centre poll respondents)", None),
)
#: (id, label, part of)
MEASURES = (
    ("residence-permit-applications", "Applications for temporary residence permits in Serbia", None),
    ("residence-permits-approved", "Temporary residence permits approved", "residence-permit-applications"),
    ("visa-free-stay-limit", "Maximum length of a visa-free stay in Serbia per visit", None),
    ("share-support-putin", "Share of BCSP survey respondents who support Vladimir Putin", None),
    ("share-russia-wrong-course", "Share of BCSP survey respondents who see Russia on a wrong course", None),
    ("share-approve-putin-leadership", "Share of Russians in Russia who approve of Putin (Levada)", None),
    ("share-russia-right-path", "Share of Russians in Russia who see the country on the right path", None),
)
SURVEY_MEASURES = ("share-support-putin", "share-russia-wrong-course")
POLL_MEASURES = ("share-approve-putin-leadership", "share-russia-right-path")
#: (id, label, answer mode)
QUESTIONS = (
    ("support-putin", "Do you support Vladimir Putin?", "single"),
    ("russia-course", "Is Russia on the right or the wrong political course?", "not-stated"),
)
#: The shared sources some articles cite, by role.
SHARED_SOURCES = {
    "ati": ("bpa-response-2024-08-05", "bpa-response-2025-02-12"),
    "survey": ("bcsp-survey",),
    "interviews": ("bcsp-interviews",),
    "poll": ("levada-poll-2024-06",),
    "law": ("serbia-russia-travel-agreement-2009",),
}


def add_context(q: Quads) -> None:
    """Entities, vocabulary, shared sources, the ontology and the check rules."""
    for ident, kind, name, qid in PLACES:
        add_entity(q, ident, ("Place", kind), name, wikidata=qid)
    for ident, kind, name in AGENTS:
        add_entity(q, ident, (kind,), name, agent=True)
    vocab = q.iri(VOCABULARY)
    for ident, label, code in UNITS:
        add_labelled(q, f"units/{ident}", q.cg("Unit"), label, vocab)
        if code:
            q.add(q.iri(f"units/{ident}"), SCHEMA("unitCode"), literal(code), vocab)
    for ident, label, parent in POPULATIONS:
        add_population(q, ident, label, parent)
    for ident, label, whole in MEASURES:
        add_measure(q, ident, label, whole)
    rate = q.iri("measures/residence-permit-approval-rate")
    add_measure(q, "residence-permit-approval-rate", "Share of applications that were approved", None)
    q.add(rate, q.cg("ratioNumerator"), q.iri("measures/residence-permits-approved"), vocab)
    q.add(rate, q.cg("ratioDenominator"), q.iri("measures/residence-permit-applications"), vocab)
    for ident, label, mode in QUESTIONS:
        add_question(q, ident, label, mode)
    add_shared_sources(q)
    add_ontology(q)
    add_check_rules(q)


def add_entity(
    q: Quads,
    ident: str,
    kinds: tuple[str, ...],
    name: str,
    *,
    agent: bool = False,
    wikidata: str | None = None,
) -> None:
    node, g = q.iri(f"entities/{ident}"), q.iri(ENTITIES)
    if agent:
        q.add(node, RDF_TYPE, PROV("Agent"), g)
    for kind in kinds:
        q.add(node, RDF_TYPE, SCHEMA(kind), g)
    q.add(node, SCHEMA("name"), literal(name), g)
    q.add(node, LABEL, literal(name), g)
    if wikidata:
        q.add(node, OWL("sameAs"), WD(wikidata), g)


def add_labelled(q: Quads, path: str, cls: str, label: str, graph: str) -> str:
    node = q.iri(path)
    q.add(node, RDF_TYPE, cls, graph)
    q.add(node, LABEL, literal(label), graph)
    return node


def add_population(q: Quads, ident: str, label: str, parent: str | None) -> None:
    node = add_labelled(q, f"populations/{ident}", q.cg("Population"), label, q.iri(VOCABULARY))
    if parent:
        q.add(node, q.cg("subsetOf"), q.iri(f"populations/{parent}"), q.iri(VOCABULARY))


def add_measure(q: Quads, ident: str, label: str, whole: str | None) -> None:
    node = add_labelled(q, f"measures/{ident}", SCHEMA("StatisticalVariable"), label, q.iri(VOCABULARY))
    if whole:
        q.add(node, q.cg("partOfMeasure"), q.iri(f"measures/{whole}"), q.iri(VOCABULARY))


def add_question(q: Quads, ident: str, label: str, mode: str) -> None:
    node = add_labelled(q, f"questions/{ident}", q.cg("SurveyQuestion"), label, q.iri(VOCABULARY))
    q.add(node, q.cg("answerMode"), q.cg(f"answers-{mode}"), q.iri(VOCABULARY))


def add_source(
    q: Quads,
    ident: str,
    kind: str,
    label: str,
    issuers: tuple[str, ...],
    *,
    activity: str | None = None,
    received: str | None = None,
    date: tuple[str, str] | None = None,
    part_of: str | None = None,
    not_stated: tuple[str, ...] = (),
) -> None:
    """A cg:Source in the sources graph, as service/claimgraph/build/compiler.py writes one."""
    node, g = q.iri(f"sources/{ident}"), q.iri(SOURCES)
    kind_term = SCHEMA(kind) if kind == "Legislation" else q.cg(kind)
    for cls in (PROV("Entity"), q.cg("Source"), kind_term):
        q.add(node, RDF_TYPE, cls, g)
    q.add(node, LABEL, literal(label), g)
    for issuer in issuers:
        q.add(node, PROV("wasAttributedTo"), q.iri(f"entities/{issuer}"), g)
    if activity:
        q.add(node, PROV("wasGeneratedBy"), q.iri(f"activities/{activity}"), g)
    if received:  # the receipt date, never copied as the document's date
        q.add(node, q.cg("receivedOn"), typed(received, "date"), g)
        q.add(node, q.cg("notStated"), DCTERMS("date"), g)
    if date:
        q.add(node, DCTERMS("date"), typed(*date), g)
    if part_of:
        q.add(node, DCTERMS("isPartOf"), q.iri(f"sources/{part_of}"), g)
    for prop in not_stated:
        q.add(node, q.cg("notStated"), prop, g)


def add_activity(
    q: Quads, ident: str, kind: str, label: str, agents: dict[str, str], extra: tuple[tuple[str, str], ...]
) -> None:
    """A prov:Activity (a request, a study, a poll's fieldwork) with its agents by role."""
    node, g = q.iri(f"activities/{ident}"), q.iri(SOURCES)
    q.add(node, RDF_TYPE, PROV("Activity"), g)
    q.add(node, RDF_TYPE, q.cg(kind), g)
    q.add(node, LABEL, literal(label), g)
    for role, agent in agents.items():
        q.add(node, q.cg(role), q.iri(f"entities/{agent}"), g)
        q.add(node, PROV("wasAssociatedWith"), q.iri(f"entities/{agent}"), g)
    for predicate, obj in extra:
        q.add(node, predicate, obj, g)


def add_shared_sources(q: Quads) -> None:
    bpa = {"requester": "bcsp", "addressee": "border-police-administration"}
    for n, received in enumerate(("2024-08-05", "2025-02-12"), start=1):
        request = f"bcsp-information-request-{n}"
        add_activity(
            q,
            request,
            "AccessToInformationRequest",
            f"BCSP's access-to-information request {n}",
            bpa,
            ((q.cg("notStated"), SCHEMA("startDate")), (q.cg("notStated"), SCHEMA("endDate"))),
        )
        add_source(
            q,
            f"bpa-response-{received}",
            "AccessToInformationResponse",
            f"Serbian Border Police Administration, response received {received}",
            ("border-police-administration",),
            activity=request,
            received=received,
        )
    unknown = (q.cg("notStated"), q.cg("sampleSize"))
    study = ((q.cg("population"), q.iri("populations/russians-relocated-to-serbia")), unknown)
    add_activity(q, "bcsp-study", "SurveyResearch", "BCSP study", {"requester": "bcsp"}, study)
    for ident, kind in (("bcsp-survey", "SurveyData"), ("bcsp-interviews", "InterviewData")):
        add_source(
            q,
            ident,
            kind,
            f"BCSP {kind} of Russian nationals who relocated to Serbia",
            ("bcsp",),
            activity="bcsp-study",
            not_stated=(DCTERMS("date"), q.cg("sampleSize")),
        )
    fieldwork = (
        (q.cg("population"), q.iri("populations/russians-in-russia")),
        (DCTERMS("temporal"), typed("2024-06", "gYearMonth")),
        unknown,
    )
    add_activity(
        q,
        "levada-poll-fieldwork",
        "OpinionPoll",
        "Levada Centre poll",
        {"requester": "levada-centre"},
        fieldwork,
    )
    add_source(
        q,
        "levada-poll-2024-06",
        "OpinionPollResult",
        "Levada Centre poll, June 2024",
        ("levada-centre",),
        activity="levada-poll-fieldwork",
        date=("2024-06", "gYearMonth"),
        not_stated=(SCHEMA("url"),),
    )
    add_source(
        q,
        "serbia-russia-travel-agreement-2009",
        "Legislation",
        "2009 Serbia-Russia agreement on mutual travel",
        ("serbia", "russia"),
        date=("2009", "gYear"),
        not_stated=(SCHEMA("name"), SCHEMA("url")),
    )


def add_ontology(q: Quads) -> None:
    """ontology/claimgraph.ttl in the graph named by its persistent IRI, as the service loads it."""
    graph = f"<{ONTOLOGY}>"
    triples = parse(path=str(paths.ontology_dir() / "claimgraph.ttl"), format=RdfFormat.TURTLE)
    for line in sorted(f"{t.subject} {t.predicate} {t.object}" for t in triples):
        q.lines.append(f"{line} {graph} .\n")


def add_check_rules(q: Quads) -> None:
    """The check rules of queries/checks/ and the one check run every synthetic review comes from."""
    from claimgraph.build.checks import load_rules

    g, run, checker = q.iri(REVIEWS), q.iri(CHECK_RUN), q.iri(CHECKER)
    q.add(checker, RDF_TYPE, PROV("SoftwareAgent"), g)
    q.add(checker, RDF_TYPE, SCHEMA("SoftwareApplication"), g)
    q.add(checker, SCHEMA("name"), literal("claimgraph automated checks"), g)
    q.add(checker, LABEL, literal("claimgraph automated checks"), g)
    q.add(run, RDF_TYPE, q.cg("CheckRun"), g)
    q.add(run, RDF_TYPE, PROV("Activity"), g)
    q.add(run, LABEL, literal("Check run of 2026-01-01T00:00:00+00:00"), g)
    q.add(run, PROV("startedAtTime"), typed("2026-01-01T00:00:00+00:00", "dateTime"), g)
    q.add(run, PROV("endedAtTime"), typed("2026-01-01T00:00:01+00:00", "dateTime"), g)
    q.add(run, PROV("wasAssociatedWith"), checker, g)
    for rule in load_rules():
        node = q.iri(f"checks/{rule.id}")
        q.add(run, PROV("used"), node, g)
        for cls in (q.cg("CheckRule"), PROV("Plan")):
            q.add(node, RDF_TYPE, cls, g)
        q.add(node, SCHEMA("identifier"), literal(rule.id), g)
        q.add(node, LABEL, literal(rule.title, "en"), g)
        q.add(node, RDFS("comment"), literal(rule.checks, "en"), g)
        q.add(node, q.cg("ruleVersion"), literal(rule.version), g)
        q.add(node, SCHEMA("text"), literal(rule.query), g)
        for verdict in rule.verdicts:
            q.add(node, q.cg("verdict"), q.cg(f"verdict-{verdict}"), g)


def add_dataset_description(q: Quads, version: str, first_article: str) -> None:
    """The dataset node the server reads its data version from (dcterms:hasVersion)."""
    node, g = q.iri("dataset"), q.iri(DATASET)
    for cls in (VOID("Dataset"), DCAT("Dataset"), SCHEMA("Dataset")):
        q.add(node, RDF_TYPE, cls, g)
    q.add(node, DCTERMS("title"), literal("claimgraph synthetic benchmark dataset", "en"), g)
    description = "Generated by bench/generate.py in the shape of the shipped data, for the benchmark."
    q.add(node, DCTERMS("description"), literal(description, "en"), g)
    q.add(node, DCTERMS("modified"), typed("2026-01-01", "date"), g)
    q.add(node, DCTERMS("creator"), q.iri("entities/claimgraph-project"), g)
    q.add(node, DCTERMS("license"), "<https://creativecommons.org/licenses/by/4.0/>", g)
    q.add(node, DCTERMS("created"), typed("2026-01-01", "date"), g)
    q.add(node, DCTERMS("conformsTo"), f"<{ONTOLOGY}/{ONTOLOGY_VERSION}>", g)
    q.add(node, DCTERMS("source"), q.iri(f"articles/{first_article}"), g)
    q.add(node, DCTERMS("hasVersion"), literal(version), g)
