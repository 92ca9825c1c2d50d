"""`claimgraph draft`: the folder it writes, the figures it reads, its coverage report, its recall
on the shipped article (every figure of the 82 reviewed claims), and a text it has never seen."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from claimgraph.build.claims import find_quote
from claimgraph.build.drafting import DraftOptions, draft_article, run_draft
from claimgraph.build.drafting.attribution import guess_attribution
from claimgraph.build.drafting.dates import date_mentions
from claimgraph.build.drafting.draft import slug_for
from claimgraph.build.drafting.figures import read_figures
from claimgraph.build.drafting.tokens import number_tokens
from claimgraph.cli import main
from claimgraph.errors import DataError

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
SHIPPED = DATA / "articles" / "russians-in-serbia" / "article.txt"
REVIEWED_CLAIMS = SHIPPED.with_name("claims.yaml")
CONTEXT = DATA / "context.yaml"

#: A text of our own, not the shipped article (whose sentences the rules were first written on): a
#: byline, a heading with years, a footnote, a list, currency, ranges, bounds, count words, a
#: quotation with a backslash and quotes, a space as thousands separator, and a repeated sentence.
UNSEEN_FILE = ROOT / "tests" / "data" / "drafting" / "novi-grad.txt"
UNSEEN = UNSEEN_FILE.read_text(encoding="utf-8")


def figures_of(sentence: str) -> list[tuple]:
    tokens = number_tokens(sentence)
    dates = date_mentions(sentence)
    tokens = [t for t in tokens if not any(d.start <= t.start < d.end for d in dates)]
    return [
        (f.found, f.value, f.minimum, f.maximum, f.min_inclusive, f.max_inclusive, f.approximate, f.unit_word)
        for f in read_figures(sentence, tokens, dates)
    ]


D = Decimal


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("an approval rate of over 90%.", [("over 90%", None, D(90), None, False, True, False, "percent")]),
        ("for up to 30 days per visit", [("up to 30 days", None, None, D(30), True, True, False, "days")]),
        ("within 24 hours of arrival", [("within 24 hours", None, None, D(24), True, True, False, "hours")]),
        ("just a two-hour drive", [("two-hour", D(2), None, None, True, True, False, "hour")]),
        ("nearly 90% of them", [("nearly 90%", None, None, D(90), True, False, True, "percent")]),
        ("at least 5 books", [("at least 5 books", None, D(5), None, True, True, False, "books")]),
        ("fewer than 10 cases", [("fewer than 10 cases", None, None, D(10), True, False, False, "cases")]),
        (
            "approximately 80,000 to 110,000.",
            [("approximately 80,000 to 110,000", None, D(80000), D(110000), True, True, True, None)],
        ),
        (
            "between 20 and 30 days",
            [("between 20 and 30 days", None, D(20), D(30), True, True, False, "days")],
        ),
        ("ages 24–39, 55.6%", [("24–39", None, D(24), D(39), True, True, False, None),
                               ("55.6%", D("55.6"), None, None, True, True, False, "percent")]),
        ("it cost €3.5 million", [("€3.5 million", D(3500000), None, None, True, True, False, "eur")]),
        ("a £1.2bn deal", [("£1.2bn", D("1.2E9"), None, None, True, True, False, "gbp")]),
        ("paid 40 euros", [("40 euros", D(40), None, None, True, True, False, "eur")]),
        ("cost RSD 1,000", [("RSD 1,000", D(1000), None, None, True, True, False, "rsd")]),
        ("hundreds of thousands fled", [("hundreds of thousands", None, D(200000), None, True, True, True,
                                         None)]),
        ("a quarter of them", [("a quarter", D(25), None, None, True, True, True, "percent")]),
        ("rose by 3 percentage points", [("3 percentage points", D(3), None, None, True, True, False,
                                          "percentage-point")]),
        ("5 or more", [("5 or more", None, D(5), None, True, True, False, None)]),
        # "rose from 245 to 1,465" is a change: two figures, not a range
        ("denials rose from 245 to 1,465", [("245", D(245), None, None, True, True, False, None),
                                            ("1,465", D(1465), None, None, True, True, False, None)]),
    ],
)  # fmt: skip
def test_figures_read_with_bounds_units_and_ranges(sentence: str, expected: list[tuple]) -> None:
    got = figures_of(sentence)
    assert [(g[0], *(None if v is None else D(v) for v in g[1:4]), *g[4:]) for g in got] == expected


def test_number_words_and_dates() -> None:
    assert [(t.text, t.value) for t in number_tokens("twenty-five, three hundred and a dozen")] == [
        ("twenty-five", 25),
        ("three hundred", 300),
        ("a dozen", 12),
    ]
    # "one" alone is a pronoun, not a number token
    assert number_tokens("one of the most attractive options") == []
    found = [
        (m.form, m.first, m.last) for m in date_mentions("from 2022 to 2024; 21 September 2022; the 1990s")
    ]
    assert found == [("period", 2022, 2024), ("date", "2022-09-21", "2022-09-21"), ("period", 1990, 1999)]
    # not a date: only its year is read
    assert [m.form for m in date_mentions("on February 31, 2024")] == ["year"]


@pytest.mark.parametrize(
    ("sentence", "earlier", "status", "phrase"),
    [
        ("According to official data from the Border Police, 73,197 were filed.", None, "stated",
         "According to official data from the Border Police"),
        ("According to the Serbian Border Police Administration, there were 948,934", None, "issuer-stated",
         "According to the Serbian Border Police Administration"),
        ("A June 2024 Levada Centre poll found that 87% approve.", None, "stated",
         "A June 2024 Levada Centre poll found"),
        ("Of these, 67,236 permits were approved.", "according to data", "inferred", None),
        ("96.5% of respondents feel safe.", None, "inferred", None),
        ("Serbia kept its airspace open.", None, "none", None),
        ("Dozens were fined, the mayor said.", None, "stated", "the mayor said"),
    ],
)  # fmt: skip
def test_attribution_follows_the_rule(
    sentence: str, earlier: str | None, status: str, phrase: str | None
) -> None:
    attribution = guess_attribution(sentence, earlier)
    assert (attribution.status, attribution.phrase) == (status, phrase)


@pytest.fixture(scope="module")
def shipped_draft():
    return draft_article(SHIPPED, DraftOptions("russians-draft"), CONTEXT)


def test_draft_catches_every_figure_of_the_reviewed_claims(shipped_draft) -> None:
    """Recall on the shipped article: each figure (value or bounds) and quantifier word of the 82
    reviewed claims is read by a candidate whose sentence holds the claim's quote."""
    text = SHIPPED.read_text(encoding="utf-8")
    reviewed = yaml.safe_load(REVIEWED_CLAIMS.read_text(encoding="utf-8"))["claims"]
    assert len(reviewed) == 82
    figures = found = quantifiers = quantifiers_found = 0
    misses = []
    for claim in reviewed:
        start = find_quote(text, claim["quote"], claim.get("occurrence", 1))
        end = start + len(claim["quote"])
        candidates = [
            c for c in shipped_draft.reading.candidates if c.sentence.start < end and start < c.sentence.end
        ]
        drafted = [f for c in candidates for f in c.figures]
        for part in claim["assertion"]:
            if "figure" in part:
                figure = part["figure"]
                figures += 1
                want = tuple(D(str(figure[k])) if k in figure else None for k in ("value", "min", "max"))
                match = [f for f in drafted if (f.value, f.minimum, f.maximum) == want]
                if match and match[0].min_inclusive == figure.get("min_inclusive", True):
                    found += 1
                else:
                    misses.append((claim["id"], figure))
            if "quantifier" in part:
                quantifiers += 1
                word = part["quantifier"]["word"].lower()
                quantifiers_found += any(w.lower() == word for c in candidates for w, _ in c.quantifiers)
    assert (figures, quantifiers) == (43, 10)
    assert misses == []
    assert (found, quantifiers_found) == (43, 10)


def test_draft_of_the_shipped_article_accounts_for_every_number(shipped_draft) -> None:
    accounts = shipped_draft.reading.accounts
    assert len(accounts) == 78
    assert [a for a in accounts if a.use == "left-out"] == []
    assert "number tokens in the text: 78" in shipped_draft.report
    assert "left out:                  0" in shipped_draft.report


def test_folder_is_the_article_layout(tmp_path: Path, shipped_draft) -> None:
    folder = tmp_path / "russians-draft"
    drafted, where = run_draft(str(SHIPPED), str(folder))
    assert where == folder
    assert (folder / "article.txt").read_bytes() == SHIPPED.read_bytes()
    article = yaml.safe_load((folder / "article.yaml").read_text(encoding="utf-8"))["article"]
    assert (article["id"], article["text_file"]) == ("russians-draft", "article.txt")
    # the byline names an author of the shared context: reused, not redefined
    assert article["author"] == "kristina-nikolic"
    assert set(article["not_stated"]) == {"headline", "url", "datePublished", "license"}
    assert "url" not in article
    assert "date_published" not in article
    claims = yaml.safe_load((folder / "claims.yaml").read_text(encoding="utf-8"))["claims"]
    assert len(claims) == len(drafted.reading.candidates) == 37
    text = SHIPPED.read_text(encoding="utf-8")
    for claim in claims:
        assert claim["status"] == "draft"
        assert find_quote(text, claim["quote"], claim.get("occurrence", 1)) >= 0
        assert claim["assertion"], claim["id"]
        if claim.get("attribution_phrase"):
            assert claim["attribution_phrase"] in claim["quote"]
        for part in claim["assertion"]:
            assert "measure" not in part.get("figure", {})
    by_quote = {c["quote"][:40]: c for c in claims}
    rate = by_quote["Of these, 67,236 permits were approved, "]
    assert rate["attribution"] == "inferred"
    assert rate["assertion"][1]["figure"] == {
        "found": "over 90%", "min": 90, "min_inclusive": False, "unit": "percent"
    }  # fmt: skip


def test_a_text_it_has_never_seen(tmp_path: Path) -> None:
    source = tmp_path / "Novi Grad rents.txt"
    source.write_text(UNSEEN, encoding="utf-8")
    assert slug_for(source) == "novi-grad-rents"
    drafted, folder = run_draft(str(source), str(tmp_path / "novi-grad"), context=str(CONTEXT))
    assert drafted.options.slug == "novi-grad"  # an article folder's name is its slug
    assert (folder / "article.txt").read_bytes() == source.read_bytes()
    article = yaml.safe_load((folder / "article.yaml").read_text(encoding="utf-8"))
    assert article["article"]["author"] == "jane-roe"
    assert article["article"]["types"] == ["Article"]
    assert article["agents"] == [{"id": "jane-roe", "types": ["Person"], "name": "Jane Roe"}]
    assert {u["id"] for u in article["units"]} == {"eur"}  # percent and person are shared units
    claims = yaml.safe_load((folder / "claims.yaml").read_text(encoding="utf-8"))["claims"]
    for claim, candidate in zip(claims, drafted.reading.candidates, strict=True):
        # every quote reads back exactly, escapes and all, and its occurrence is the sentence's own
        assert find_quote(UNSEEN, claim["quote"], claim.get("occurrence", 1)) == candidate.sentence.start
    quotes = [c["quote"] for c in claims]
    assert "The mayor's office did not respond." not in quotes
    assert quotes.count(claims[0]["quote"]) == 1
    assert claims[-1].get("occurrence") == 2
    assert quotes[-1] == claims[0]["quote"].removesuffix("[1]")
    by_start = {c["quote"][:12]: c for c in claims}
    assert by_start["The average "]["assertion"][0]["figure"]["unit"] == "eur"
    assert by_start["The average "]["assertion"][0]["figure"]["value"] == "612.50"
    tenants = by_start["Nearly half "]
    assert (tenants["kind"], tenants["attribution"]) == ("survey-finding", "stated")
    assert tenants["attribution_phrase"] == "a 2023 survey by the Tenants' Union found"
    assert {"quantifier": {"word": "half", "meaning": "half"}} in tenants["assertion"]
    assert tenants["assertion"][0]["figure"]["min"] == "33.33"
    households = by_start["Between 2,00"]["assertion"][0]["figure"]
    assert (households["min"], households["max"]) == (2000, 2500)
    minister = by_start["The minister"]
    assert minister["kind"] == "quotation"
    assert minister["quote"].endswith('and more."')
    estimate = by_start["Officials es"]
    assert estimate["kind"] == "estimate"
    assert estimate["assertion"][0]["figure"] == {
        "found": "approximately 12,000 people", "value": 12000, "approximate": True, "unit": "person",
        "period": [2022, 2023],
    }  # fmt: skip
    residents = by_start["The city had"]["assertion"][0]["figure"]
    assert residents["value"] == 48000
    report = drafted.report
    assert "number tokens in the text: 32" in report
    for line in (
        "line 2, column 29: '2015': in a title or heading",
        "line 3, column 109: '1': a footnote number",
        "line 6, column 1: '1': a list ordinal",
        "line 7, column 1: '2': a list ordinal",
    ):
        assert line in report


def test_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "t.txt"
    source.write_text("Prices rose 12% in 2024, according to the statistics office.\n", encoding="utf-8")
    out = tmp_path / "t"
    args = ["draft", str(source), "-o", str(out), "--title", "Prices", "--published", "2025-01-02"]
    assert main(args) == 0
    printed = capsys.readouterr().out
    assert "wrote a draft of 1 candidate claims" in printed
    assert "number tokens in the text: 2" in printed
    article = yaml.safe_load((out / "article.yaml").read_text(encoding="utf-8"))["article"]
    assert (article["headline"], str(article["date_published"])) == ("Prices", "2025-01-02")
    assert "url" in article["not_stated"]
    assert "author" in article["not_stated"]
    # a second run refuses to overwrite, and changes nothing
    before = (out / "claims.yaml").read_bytes()
    assert main([*args]) == 1
    assert "not empty" in capsys.readouterr().err
    assert (out / "claims.yaml").read_bytes() == before


@pytest.mark.parametrize(
    ("content", "extra", "message"),
    [
        (b"\xff\xfe not utf-8", [], "not UTF-8"),
        (b"   \n", [], "empty"),
        (b"It rose 5%.", ["--slug", "Bad Slug"], "slug"),
        (b"It rose 5%.", ["--slug", "other"], "folder's name is its slug"),
        (b"It rose 5%.", ["--published", "yesterday"], "YYYY-MM-DD"),
        (b"It rose 5%.", ["--url", "javascript:alert(1)"], "http"),
    ],
)
def test_bad_input_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes, extra: list[str], message: str
) -> None:
    source = tmp_path / "in.txt"
    source.write_bytes(content)
    assert main(["draft", str(source), "-o", str(tmp_path / "out"), *extra]) == 1
    assert message in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_missing_file_is_an_error() -> None:
    with pytest.raises(DataError, match="cannot read"):
        run_draft("/nonexistent/article.txt", None)


def test_a_second_text(tmp_path: Path) -> None:
    """A news text of our own on another subject: its gaps (a ratio "one in five", an attribution by
    "its director told", a currency after "about") were fixed in the rules, not in this test."""
    source = ROOT / "tests" / "data" / "drafting" / "water-bills.txt"
    drafted, folder = run_draft(str(source), str(tmp_path / "water-bills"), context=str(CONTEXT))
    claims = yaml.safe_load((folder / "claims.yaml").read_text(encoding="utf-8"))["claims"]
    text = source.read_text(encoding="utf-8")
    assert [c["quote"][:20] for c in claims] == [
        "The city water utili", "A household using 10", "According to the uti", "Some 4,300 homes in ",
        '"We cannot keep the ', "The council approved", "Critics say that few",
    ]  # fmt: skip
    for claim in claims:
        assert find_quote(text, claim["quote"]) >= 0
    figures = {f["figure"]["found"]: f["figure"] for c in claims for f in c["assertion"] if "figure" in f}
    assert figures["8.5 percent"]["value"] == "8.5"
    assert figures["about RSD 1,150"] == {
        "found": "about RSD 1,150",
        "value": 1150,
        "approximate": True,
        "unit": "rsd",
    }
    assert figures["Some 4,300 homes"]["approximate"] is True
    assert figures["fewer than one in five"] == {
        "found": "fewer than one in five", "max": 20, "max_inclusive": False, "unit": "percent"
    }  # fmt: skip
    assert figures["15 days"]["unit"] == "day"
    assert figures["38%"]["period"] == [2023, 2023]
    attributions = {c["quote"][:20]: (c["attribution"], c.get("attribution_phrase")) for c in claims}
    assert attributions["The city water utili"] == ("stated", "its director told")
    assert attributions["According to the uti"] == ("stated", "According to the utility's annual report")
    assert claims[4]["kind"] == "quotation"
    article = yaml.safe_load((folder / "article.yaml").read_text(encoding="utf-8"))
    assert article["agents"] == [{"id": "marta-ilic", "types": ["Person"], "name": "Marta Ilic"}]
    assert "number tokens in the text: 16" in drafted.report
    assert "left out:                  0" in drafted.report


def test_left_out_tokens_say_why(tmp_path: Path) -> None:
    source = tmp_path / "codes.txt"
    text = "The G20 met for the 5th time, and COVID-19 cases rose 3% in the policy.12 Then 4 came.\n"
    source.write_text(text, encoding="utf-8")
    drafted, _ = run_draft(str(source), str(tmp_path / "codes"))
    report = drafted.report
    assert "number tokens in the text: 6" in report
    for line in (
        "line 1, column 6: '20': part of a name or code (letters glued to it)",
        "line 1, column 21: '5': an ordinal (1st, 2nd ...)",
        "line 1, column 41: '19': part of a name or code (letters glued to it)",
        "line 1, column 72: '12': a footnote number",
    ):
        assert line in report
    found = [f.found for c in drafted.reading.candidates for f in c.figures]
    assert found == ["3%", "4"]


def test_a_long_paragraph_keeps_every_sentence_and_offset(tmp_path: Path) -> None:
    """A paragraph far longer than pysbd handles quickly is cut at sentence ends first."""
    text = "".join(f"Prices rose {n}% in 2024. Dr. Smith said so. " for n in range(1, 400)) + "\n"
    source = tmp_path / "long.txt"
    source.write_text(text, encoding="utf-8")
    drafted = draft_article(source, DraftOptions("long"), CONTEXT)
    assert drafted.reading.sentence_count == 2 * 399
    assert len(drafted.reading.candidates) == 2 * 399  # "Dr. Smith said so." each time: a speaker
    for candidate in drafted.reading.candidates:
        sentence = candidate.sentence
        assert text[sentence.start : sentence.end] == sentence.text
    claims = yaml.safe_load(drafted.claims_yaml)["claims"]
    assert claims[-1]["occurrence"] == 399  # the repeated sentence, counted as the compiler counts
