"""`claimgraph draft`: a reviewable article folder from a plain text.

The folder is the layout every article has (data/articles/<slug>/): article.txt (a byte-for-byte
copy of the text), article.yaml (what can be known of the article: its id, its text file, the
author a byline names, and the rest explicitly not stated unless given) and claims.yaml (one
candidate claim per sentence that carries something checkable, every one ``status: draft``).
"""

from __future__ import annotations

import hashlib
import re
import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from claimgraph.build.drafting.candidates import Candidate, Reading, read_text
from claimgraph.build.drafting.coverage import coverage_report
from claimgraph.build.drafting.figures import DraftFigure
from claimgraph.build.drafting.segment import BYLINE, lines
from claimgraph.build.drafting.units import choose_unit
from claimgraph.build.drafting.yaml_text import comment, flow_list, quoted, scalar
from claimgraph.build.sources import SLUG
from claimgraph.build.yaml_source import Located, load_yaml
from claimgraph.errors import DataError

#: Largest text drafted: a long article is tens of kilobytes; 1 MB (some 5,000 paragraphs) takes
#: pysbd a minute or so, and gives a reviewer more candidates than a draft is for.
MAX_TEXT_BYTES = 1024 * 1024
TEXT_FILE = "article.txt"


@dataclass(frozen=True)
class DraftOptions:
    slug: str
    title: str | None = None
    url: str | None = None
    published: date | None = None
    language: str = "en"


@dataclass(frozen=True)
class Draft:
    options: DraftOptions
    source: Path
    text: str
    reading: Reading
    article_yaml: str
    claims_yaml: str
    report: str


def slug_for(path: Path) -> str:
    """A slug from a file name: "My Article (2024).txt" -> "my-article-2024".

    >>> slug_for(Path("My Article (2024).txt"))
    'my-article-2024'
    """
    slug = re.sub(r"[^a-z0-9]+", "-", path.stem.lower()).strip("-")[:80].strip("-")
    return slug or "article"


def read_article_text(path: Path) -> str:
    """The text as the compiler reads it; a clear DataError if it is missing, too large or not UTF-8."""
    try:
        size = path.stat().st_size
        if size > MAX_TEXT_BYTES:
            raise DataError(f"the text is {size} bytes; at most {MAX_TEXT_BYTES} are drafted", file=str(path))
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise DataError(f"not UTF-8 text (byte {exc.start})", file=str(path)) from exc
    except IsADirectoryError as exc:
        raise DataError("is a folder, not a text file", file=str(path)) from exc
    except OSError as exc:
        raise DataError(f"cannot read: {exc.strerror}", file=str(path)) from exc
    if not text.strip():
        raise DataError("the text is empty", file=str(path))
    return text


def draft_article(source: Path, options: DraftOptions, context_file: Path | None = None) -> Draft:
    """Read ``source`` and write (in memory) the draft folder's files and the coverage report."""
    if not SLUG.fullmatch(options.slug):
        raise DataError(
            f"slug {options.slug!r}: use lower-case letters, digits and inner hyphens (at most 80), "
            "starting and ending with a letter or digit"
        )
    text = read_article_text(source)
    context = _context(context_file)
    reading = read_text(text)
    units: dict[str, tuple[str, str | None]] = {}
    claims = _claims_yaml(text, reading, options, context, units, source)
    article = _article_yaml(text, options, context, units, source)
    return Draft(options, source, text, reading, article, claims, coverage_report(text, reading, source.name))


def write_draft(draft: Draft, folder: Path, *, force: bool = False) -> list[Path]:
    """Write the folder: article.txt (a byte copy of the source), article.yaml and claims.yaml."""
    if folder.exists() and not folder.is_dir():
        raise DataError("exists and is not a folder", file=str(folder))
    if folder.exists() and any(folder.iterdir()) and not force:
        raise DataError(
            "the folder is not empty; give --force to overwrite its draft files", file=str(folder)
        )
    folder.mkdir(parents=True, exist_ok=True)
    written = [folder / TEXT_FILE, folder / "article.yaml", folder / "claims.yaml"]
    shutil.copyfile(draft.source, written[0])
    written[1].write_text(draft.article_yaml, encoding="utf-8")
    written[2].write_text(draft.claims_yaml, encoding="utf-8")
    return written


# -- the shared context -----------------------------------------------------------------------------
@dataclass(frozen=True)
class SharedContext:
    #: unit id -> label
    units: dict[str, str]
    #: agent name (lower case) -> id
    agents: dict[str, str]
    #: every id the context defines (a draft never redefines one)
    ids: set[str]


def _context(path: Path | None) -> SharedContext:
    if path is None or not path.exists():
        return SharedContext({}, {}, set())
    data = load_yaml(path)
    if not isinstance(data, Located):
        raise DataError("expected a mapping at the top level", file=str(path), line=1)
    units = {
        str(u.get("id")): str(u.get("label", "")) for u in data.get("units") or [] if isinstance(u, dict)
    }
    agents = {
        str(a.get("name", "")).lower(): str(a.get("id"))
        for a in data.get("agents") or []
        if isinstance(a, dict)
    }
    ids = {str(item.get("id")) for value in data.values() if isinstance(value, list) for item in value
           if isinstance(item, dict)}  # fmt: skip
    return SharedContext(units, agents, ids)


# -- article.yaml -----------------------------------------------------------------------------------
def _article_yaml(
    text: str,
    options: DraftOptions,
    context: SharedContext,
    units: dict[str, tuple[str, str | None]],
    source: Path,
) -> str:
    out = comment(
        f"Draft article written by `claimgraph draft` from {source.name} on {date.today().isoformat()}. "
        "Only what the text or the command line gives is filled in; the rest is listed under "
        "`not_stated`. Review it, with claims.yaml, before publishing."
    )
    # The genre (blog post, news article) is not known from the text: schema:Article, the general one.
    out += ["article:", f"  id: {options.slug}", "  types: [Article]", f"  text_file: {TEXT_FILE}"]
    out.append(f"  language: {scalar(options.language)}")
    not_stated = []
    author, agent = _author(text, context)
    if author:
        out.append(f"  author: {author}")
    else:
        not_stated.append("author")
    for key, field, value in (
        ("headline", "headline", options.title),
        ("url", "url", options.url),
        ("date_published", "datePublished", options.published.isoformat() if options.published else None),
    ):
        if value:
            out.append(f"  {key}: {scalar(value)}")
        else:
            not_stated.append(field)
    not_stated.append("license")
    out.append(f"  not_stated: {flow_list(not_stated)}")
    if agent:
        out += ["", "# The author the byline names (not in the shared context).", "agents:"]
        out.append(f"  - {{id: {agent[0]}, types: [Person], name: {quoted(agent[1])}}}")
    if units:
        out += ["", "# Units the draft's figures use that the shared context does not define.", "units:"]
        for ident, (label, code) in sorted(units.items()):
            code_part = f", code: {code}" if code else ""
            out.append(f"  - {{id: {ident}, label: {quoted(label)}{code_part}}}")
    return "\n".join(out) + "\n"


def _author(text: str, context: SharedContext) -> tuple[str | None, tuple[str, str] | None]:
    """The author a byline names ("Author: Jane Doe, ...", "By Jane Doe"): an agent of the shared
    context with that name, or a new one the draft defines. (None, None) without a byline."""
    for line in lines(text)[:3]:
        body = text[line.start : line.end]
        match = BYLINE.match(body)
        if (
            line.role != "byline"
            or not match
            or not re.match(r"(?i)\s*(?:author|authors|by|written by)", body)
        ):
            continue
        name = re.split(r"[,;(|]| and | - | – ", body[match.end() :].strip(), maxsplit=1)[0].strip()
        if not re.fullmatch(r"[^\W\d_][\w.’'-]*(?: [^\W\d_][\w.’'-]*){0,4}", name):
            continue
        known = context.agents.get(name.lower())
        if known:
            return known, None
        base = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "author"
        ident, n = base, 2
        while ident in context.ids:
            ident, n = f"{base}-{n}", n + 1
        return ident, (ident, name)
    return None, None


# -- claims.yaml ------------------------------------------------------------------------------------
def _claims_yaml(
    text: str,
    reading: Reading,
    options: DraftOptions,
    context: SharedContext,
    units: dict[str, tuple[str, str | None]],
    source: Path,
) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    out = comment(
        f"Draft claims of {options.slug}, written by `claimgraph draft` from {source.name} "
        f"(SHA-256 of the text as read: {digest}). Every claim is `status: draft`: a sentence with "
        "something checkable, read by rules, NOT reviewed. Pages, the API and the RDF say so, and the "
        "checks skip it. To review one: cut the quote to the claim, split a sentence with several "
        "claims, check kind and attribution (and add sources), give each figure its measure, unit, "
        "period, place and population, then remove `status: draft`. See data/README.md."
    )
    out += ["", "claims:"]
    occurrences: dict[str, dict[int, int]] = {}
    for n, candidate in enumerate(reading.candidates, start=1):
        out += _claim_lines(text, f"c{n:03d}", candidate, options, context, units, occurrences)
    if not reading.candidates:
        out[-1] = "claims: []"
    return "\n".join(out) + "\n"


def _claim_lines(
    text: str,
    cid: str,
    candidate: Candidate,
    options: DraftOptions,
    context: SharedContext,
    units: dict[str, tuple[str, str | None]],
    occurrences: dict[str, dict[int, int]],
) -> list[str]:
    sentence = candidate.sentence
    out = [
        f"  - id: {cid}",
        "    status: draft",
        f"    kind: {candidate.kind}",
        f"    quote: {quoted(sentence.text)}",
    ]
    occurrence = _occurrence(text, sentence.text, sentence.start, occurrences)
    if occurrence:
        out.append(f"    occurrence: {occurrence}")
    attribution = candidate.attribution
    out.append(f"    attribution: {attribution.status}")
    if attribution.phrase:
        out.append(f"    attribution_phrase: {quoted(attribution.phrase)}")
    if candidate.hedges:
        out.append(f"    hedge: {flow_list(candidate.hedges)}")
    note = (
        f"Draft, not reviewed. Kind guessed ({candidate.kind_reason}); attribution guessed "
        f"{attribution.status} ({attribution.reason})."
    )
    out.append(f"    note: {quoted(note)}")
    out.append("    assertion:")
    has_percent = False
    for figure in candidate.figures:
        lines_, percent = _figure_lines(figure, context, units)
        out += lines_
        has_percent = has_percent or percent
    for word, meaning in candidate.quantifiers:
        figures = "" if has_percent else ", figures: []"
        out.append(f"      - quantifier: {{word: {quoted(word)}, meaning: {meaning}{figures}}}")
    if not candidate.figures:
        out += _statement_or_event(cid, candidate, options)
    return out


def _occurrence(text: str, quote: str, start: int, seen: dict[str, dict[int, int]]) -> int | None:
    """Which occurrence of ``quote`` starts at ``start``, counted as the compiler counts
    (``find_quote``: overlapping, from the start); None if it is the only one. ``seen`` keeps
    each quote's occurrences, so a sentence repeated many times is searched for once."""
    if quote not in seen:
        starts: dict[int, int] = {}
        at = text.find(quote)
        while at >= 0:
            starts[at] = len(starts) + 1
            at = text.find(quote, at + 1)
        seen[quote] = starts
    starts = seen[quote]
    return starts[start] if len(starts) > 1 else None


def _figure_lines(
    figure: DraftFigure, context: SharedContext, units: dict[str, tuple[str, str | None]]
) -> tuple[list[str], bool]:
    out = ["      - figure:", f"          found: {quoted(figure.found)}"]
    fields: list[tuple[str, Any]] = [
        ("value", figure.value),
        ("min", figure.minimum),
        ("max", figure.maximum),
    ]
    for key, value in fields:
        if value is not None:
            out.append(f"          {key}: {scalar(value)}")
    if figure.minimum is not None and not figure.min_inclusive:
        out.append("          min_inclusive: false")
    if figure.maximum is not None and not figure.max_inclusive:
        out.append("          max_inclusive: false")
    if figure.approximate:
        out.append("          approximate: true")
    choice = choose_unit(figure.unit_word, context.units)
    if choice.unit:
        out.append(f"          unit: {choice.unit}")
        if choice.defines:
            units[choice.defines[0]] = choice.defines[1:]
    elif figure.unit_word:
        out.append(f"          noun: {quoted(figure.unit_word)}")
    if figure.period:
        out.append(f"          period: {period(*figure.period)}")
    return out, choice.unit == "percent"


def period(first: str | int | None, last: str | int | None) -> str:
    """A period as the compiler reads it, dates and years bare (YAML dates and ints): "[2022-02-24, 2024]"."""
    return f"[{first}, {last}]"


def _statement_or_event(cid: str, candidate: Candidate, options: DraftOptions) -> list[str]:
    dated = [d for d in candidate.dates if d.first is not None and d.last is not None]
    days = [d for d in dated if d.form == "date"]
    if candidate.kind == "event" and days:
        return [
            "      - event:",
            f"          id: {options.slug}-{cid}-event",
            f"          name: {quoted(candidate.sentence.text)}",
            f"          date: {days[0].first}",
        ]
    out = ["      - statement:", f"          text: {quoted(candidate.sentence.text)}"]
    if len(dated) == 1:
        out.append(f"          period: {period(dated[0].first, dated[0].last)}")
    return out
