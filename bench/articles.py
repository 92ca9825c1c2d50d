"""One synthetic article: its people, sources, vocabulary, text and claims, from its own seeded RNG.

Article ``k`` is the same in every dataset that has it (its RNG is seeded with
the dataset seed and ``k``). Every tenth article cites the shared sources the
example queries name (the Border Police responses, the BCSP survey, the Levada
poll, the 2009 agreement) instead of its own, and every 25th states the figure
73197 (the figure-provenance example and the value-lookup benchmark).
"""

from __future__ import annotations

import hashlib
import random

from bench.claims import ClaimPlan, write_claim
from bench.context import (
    ARTICLE,
    ENTITIES,
    SHARED_SOURCES,
    SOURCES,
    add_activity,
    add_entity,
    add_measure,
    add_population,
    add_question,
    add_source,
)
from bench.plans import Article, claim_kinds, plan_claim
from bench.terms import DCTERMS, LABEL, PROV, RDF_TYPE, SCHEMA, Quads, literal, typed

SHARED_EVERY = 10
LOOKUP_EVERY = 25
TOPICS = ("residence permits", "registrations", "work permits", "asylum requests", "border crossings")
COUNTRY_NAMES = ("Armenia", "Georgia", "Montenegro", "Turkey", "Kazakhstan", "Kyrgyzstan", "Uzbekistan")
SURNAMES = ("Petrovic", "Ivanova", "Novak", "Horvat", "Kovacs", "Sokolova", "Jovanovic", "Markovic")


def write_article(q: Quads, k: int, seed: int, budget: int) -> int:
    """Write article ``k`` and as many of its claims as fit below ``budget`` quads; return how many."""
    art = new_article(q, k, seed)
    plans = [plan_claim(art, n, kind) for n, kind in enumerate(claim_kinds(art), start=1)]
    text, starts = article_text(art, plans)
    write_article_node(q, art, text)
    written = 0
    for plan, start in zip(plans, starts, strict=True):
        if written and len(q) >= budget:
            break
        write_claim(q, plan, art.aid, text, start)
        written += 1
    return written


def new_article(q: Quads, k: int, seed: int) -> Article:
    """The article's entities, vocabulary and sources, written; the Article that names them."""
    rng = random.Random(f"claimgraph-bench:{seed}:{k}")
    aid, shared = f"a{k:05d}", k % SHARED_EVERY == 0
    country, city = write_places(q, k, shared)
    art = Article(
        k,
        rng,
        shared,
        country,
        city,
        sources=dict(SHARED_SOURCES) if shared else write_own_sources(q, aid, rng),
        count_measures=write_measures(q, aid, "count", 3),
        share_measures=write_measures(q, aid, "share", 4),
        questions=write_questions(q, aid, rng),
        populations=write_populations(q, aid, shared),
        names=write_agents(q, aid, k, rng, country),
        lookup_pending=k % LOOKUP_EVERY == 0,
    )
    art.names.update({city: f"City {k}", "border-police-administration": "the Border Police"})
    write_publication(q, aid)
    return art


def write_places(q: Quads, k: int, shared: bool) -> tuple[str, str]:
    """The article's country (Serbia when it cites the shared sources) and a city in it."""
    if k % 4 == 0:  # every fourth article brings a new country; the next three are set there too
        name = f"{COUNTRY_NAMES[(k // 4) % len(COUNTRY_NAMES)]} {k // 4}"
        add_entity(q, f"country-{k // 4}", ("Place", "Country"), name)
    country = "serbia" if shared else f"country-{k // 4}"
    city = f"a{k:05d}-city"
    add_entity(q, city, ("Place", "City"), f"City {k}")
    q.add(
        q.iri(f"entities/{city}"), SCHEMA("containedInPlace"), q.iri(f"entities/{country}"), q.iri(ENTITIES)
    )
    return country, city


def write_agents(q: Quads, aid: str, k: int, rng: random.Random, country: str) -> dict[str, str]:
    """The author, institute, authority, pollster and a respondent; their names by entity id."""
    names = {}
    for role, kind, name in (
        ("author", "Person", f"{rng.choice(('Ana', 'Ivan', 'Mila', 'Petar'))} {rng.choice(SURNAMES)}"),
        ("institute", "Organization", f"Institute for Migration Studies {k}"),
        ("authority", "GovernmentOrganization", f"Migration Authority {k}"),
        ("pollster", "Organization", f"Opinion Research Centre {k}"),
        ("respondent", "Person", f"An unnamed respondent of study {k}"),
    ):
        add_entity(q, f"{aid}-{role}", (kind,), name, agent=True)
        names[f"{aid}-{role}"] = name
    g, entity = q.iri(ENTITIES), lambda role: q.iri(f"entities/{aid}-{role}")
    q.add(entity("author"), SCHEMA("jobTitle"), literal("Research Associate"), g)
    q.add(entity("author"), SCHEMA("affiliation"), entity("institute"), g)
    q.add(entity("institute"), SCHEMA("alternateName"), literal(f"IMS{k}"), g)
    q.add(entity("authority"), SCHEMA("areaServed"), q.iri(f"entities/{country}"), g)
    return names


def write_own_sources(q: Quads, aid: str, rng: random.Random) -> dict[str, tuple[str, ...]]:
    """The article's own request, study and poll with the sources they produced, and a law."""
    received = f"{rng.randint(2019, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    institute, authority, pollster = (f"{aid}-{r}" for r in ("institute", "authority", "pollster"))
    add_activity(
        q,
        f"{aid}-ati-request",
        "AccessToInformationRequest",
        f"Access-to-information request of article {aid}",
        {"requester": institute, "addressee": authority},
        ((q.cg("notStated"), SCHEMA("endDate")),),
    )
    add_source(
        q,
        f"{aid}-ati-response",
        "AccessToInformationResponse",
        f"Response of Migration Authority, {received}",
        (authority,),
        activity=f"{aid}-ati-request",
        received=received,
    )
    unknown = (q.cg("notStated"), q.cg("sampleSize"))
    add_activity(
        q, f"{aid}-study", "SurveyResearch", f"Study of article {aid}", {"requester": institute}, (unknown,)
    )
    for role, kind in (("survey", "SurveyData"), ("interviews", "InterviewData")):
        add_source(
            q,
            f"{aid}-{role}",
            kind,
            f"{kind} of the study of article {aid}",
            (institute,),
            activity=f"{aid}-study",
            part_of=f"{aid}-publication",
            not_stated=(DCTERMS("date"), q.cg("sampleSize")),
        )
    month = f"{rng.randint(2019, 2025)}-{rng.randint(1, 12):02d}"
    fieldwork = ((DCTERMS("temporal"), typed(month, "gYearMonth")), unknown)
    add_activity(q, f"{aid}-poll-fieldwork", "OpinionPoll", f"Poll {aid}", {"requester": pollster}, fieldwork)
    add_source(
        q,
        f"{aid}-poll",
        "OpinionPollResult",
        f"Opinion poll {month} cited by {aid}",
        (pollster,),
        activity=f"{aid}-poll-fieldwork",
        date=(month, "gYearMonth"),
        not_stated=(SCHEMA("url"),),
    )
    add_source(
        q,
        f"{aid}-law",
        "Legislation",
        f"Agreement on mutual travel cited by {aid}",
        (authority,),
        date=(str(rng.randint(1995, 2020)), "gYear"),
        not_stated=(SCHEMA("name"),),
    )
    roles = ("ati", "survey", "interviews", "poll", "law")
    suffixes = ("ati-response", "survey", "interviews", "poll", "law")
    return {role: (f"{aid}-{suffix}",) for role, suffix in zip(roles, suffixes, strict=True)}


def write_publication(q: Quads, aid: str) -> None:
    node, g = q.iri(f"sources/{aid}-publication"), q.iri(SOURCES)
    for cls in (PROV("Entity"), SCHEMA("CreativeWork"), SCHEMA("Report")):
        q.add(node, RDF_TYPE, cls, g)
    q.add(node, LABEL, literal(f"The full publication behind article {aid}"), g)
    q.add(node, SCHEMA("author"), q.iri(f"entities/{aid}-author"), g)
    q.add(node, PROV("wasAttributedTo"), q.iri(f"entities/{aid}-author"), g)
    q.add(node, SCHEMA("publisher"), q.iri(f"entities/{aid}-institute"), g)
    q.add(node, SCHEMA("funder"), q.iri(f"entities/{aid}-institute"), g)
    for prop in (SCHEMA("url"), SCHEMA("datePublished")):
        q.add(node, q.cg("notStated"), prop, g)


def write_measures(q: Quads, aid: str, kind: str, count: int) -> tuple[str, ...]:
    idents = tuple(f"{aid}-{kind}-{n}" for n in range(1, count + 1))
    for n, ident in enumerate(idents):
        whole = idents[0] if kind == "count" and n else None
        label = f"{TOPICS[n % len(TOPICS)]} ({'number' if kind == 'count' else 'share'}) in article {aid}"
        add_measure(q, ident, label, whole)
    return idents


def write_questions(q: Quads, aid: str, rng: random.Random) -> tuple[str, ...]:
    idents = tuple(f"{aid}-q{n}" for n in range(1, 4))
    for ident in idents:
        add_question(q, ident, f"Survey question {ident}", rng.choice(("multiple", "single", "not-stated")))
    return idents


def write_populations(q: Quads, aid: str, shared: bool) -> dict[str, str]:
    add_population(q, f"{aid}-migrants", f"Migrants described in article {aid}", None)
    add_population(q, f"{aid}-respondents", f"Respondents of the study of article {aid}", f"{aid}-migrants")
    if shared:
        return {
            "general": "russian-immigrants-serbia",
            "survey": "survey-respondents",
            "poll": "russians-in-russia",
        }
    return {"general": f"{aid}-migrants", "survey": f"{aid}-respondents", "poll": f"{aid}-respondents"}


def article_text(art: Article, plans: list[ClaimPlan]) -> tuple[str, list[int]]:
    """The article's text (a header, then each quote as a sentence) and where each quote starts."""
    parts, starts = [f"Synthetic article {art.k} on migration to {art.names[art.city]}.\n"], []
    offset = len(parts[0])
    for plan in plans:
        starts.append(offset)
        parts.append(f"{plan.quote}. ")
        offset += len(plan.quote) + 2
    return "".join(parts), starts


def write_article_node(q: Quads, art: Article, text: str) -> None:
    g, node, text_node = q.iri(ARTICLE), q.iri(f"articles/{art.aid}"), q.iri(f"articles/{art.aid}/text")
    image = q.iri(f"articles/{art.aid}/image")
    for cls in (SCHEMA("BlogPosting"), SCHEMA("CreativeWork")):
        q.add(node, RDF_TYPE, cls, g)
    q.add(node, SCHEMA("author"), q.iri(f"entities/{art.aid}-author"), g)
    q.add(node, SCHEMA("inLanguage"), literal("en"), g)
    q.add(node, SCHEMA("isBasedOn"), q.iri(f"sources/{art.aid}-publication"), g)
    q.add(node, SCHEMA("about"), q.iri(f"entities/{art.country}"), g)
    q.add(node, SCHEMA("associatedMedia"), text_node, g)
    q.add(node, SCHEMA("image"), image, g)
    for prop in ("headline", "url", "datePublished", "license"):
        q.add(node, q.cg("notStated"), SCHEMA(prop), g)
    q.add(text_node, RDF_TYPE, SCHEMA("MediaObject"), g)
    q.add(text_node, SCHEMA("encodingFormat"), literal("text/plain; charset=utf-8"), g)
    q.add(text_node, SCHEMA("sha256"), literal(hashlib.sha256(text.encode()).hexdigest()), g)
    q.add(text_node, SCHEMA("text"), literal(text), g)
    q.add(image, RDF_TYPE, SCHEMA("ImageObject"), g)
    q.add(image, SCHEMA("creditText"), literal(f"Photo: agency {art.k % 7}"), g)
    q.add(image, q.cg("notStated"), SCHEMA("url"), g)
