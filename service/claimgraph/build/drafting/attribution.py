"""Attribution phrases ("according to", "data from", "a poll found") and the status they give,
by the rule in data/claims.yaml's header:

- ``stated``: the sentence holds an attribution phrase that names the source or its document
  ("according to official data from ...", "a June 2024 Levada Centre poll found", "the research
  shows");
- ``issuer-stated``: the phrase names only who issued it ("According to the Serbian Border Police
  Administration"): which document is inferred;
- ``inferred``: the sentence names no source, the context gives it (a draft guesses so when an
  earlier sentence of the same paragraph had a phrase, or the sentence speaks of respondents);
- ``none``: no source found.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Words that name a document or data, not only an issuer.
DOCUMENT_WORDS = re.compile(
    r"\b(?:data|figures?|statistics|numbers|report|reports|survey|surveys|poll|polls|study|studies|"
    r"research|census|records?|estimates?|analysis|findings|documents?|response|responses|interviews?|"
    r"register|registry|database|dataset|review|audit|investigation|filing|filings|release)\b",
    re.IGNORECASE,
)
_CLAUSE = r"[^,.;:!?()\u201c\u201d\"]{1,140}"
PHRASES: tuple[re.Pattern[str], ...] = tuple(
    re.compile(pattern, re.IGNORECASE)
    for pattern in (
        rf"\baccording to {_CLAUSE}",
        rf"\b(?:data|figures|statistics|numbers|estimates) (?:from|by|of|published by|released by|"
        rf"provided by|compiled by|obtained from){_CLAUSE}",
        rf"\bbased on (?:the |official |new )?(?:data|figures|information|estimates|statistics|a survey|"
        rf"the survey|a study|the study|research|interviews){_CLAUSE}?",
        r"\b(?:an?|the)(?: [\w’'-]+){0,6} (?:poll|survey|study|report|census|analysis|research|review|"
        r"audit|investigation)(?: (?:by|of|from|for) [^,.;:]{1,60}?)? (?:also )?(?:found|finds|shows?|"
        r"showed|revealed?|reveals|indicates?|indicated|suggests?|suggested|concluded|concludes|"
        r"estimated?|estimates|uncovered)\b",
        r"\b(?:the )?(?:research|study|survey|findings|data|report|analysis|poll|interviews)(?: also)? "
        r"(?:shows?|showed|found|finds|indicates?|indicated|suggests?|suggested|reveals?|revealed|"
        r"uncovered|refutes|confirms?|confirmed)\b",
        rf"\b(?:study|survey|poll|research|report|analysis) (?:conducted|carried out|published|"
        rf"commissioned|released) by{_CLAUSE}",
        r"\bin both the (?:survey|study) and (?:the )?interviews\b",
        r"\b(?:reported by|cited by|quoted by|published by|released by) (?-i:[A-Z][\w.’'-]*)"
        r"(?: (?-i:[A-Z][\w.’'-]*))*",
        r"(?-i:(?:[A-Z][\w.’'-]+ )+)(?:said|say|says|told|stated|reported|explained|wrote|estimated?|"
        r"estimates)\b",
        r"\b(?:the|its|their|his|her) (?:[a-z’']+ ){0,2}(?:said|says|told|stated|announced|reported)\b",
        r"\b(?:one|a|the|another) (?:respondent|interviewee|official|spokesperson|spokesman|spokeswoman|"
        r"source|expert|analyst|witness) (?:explained|said|told|stated|noted|added|recalled)\b",
        r"\b(?:he|she|they) (?:said|told|explained|stated|added)\b",
    )
)
#: Speech verbs: a phrase with one names the statement itself as the source.
SPEECH = re.compile(
    r"\b(?:said|say|says|told|stated|announced|explained|wrote|noted|added|recalled|estimated?|estimates|"
    r"reported)\b"
)
#: Sentences that speak of a study's respondents: the study, given earlier, is their source.
RESPONDENTS = re.compile(r"\b(?:respondents?|interviewees?|participants|those surveyed)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Attribution:
    #: stated | issuer-stated | inferred | none
    status: str
    #: The phrase as it stands in the sentence, or None.
    phrase: str | None
    #: Why the status was guessed, for the draft claim's note.
    reason: str


def find_phrase(sentence: str) -> str | None:
    """The first (longest at its place) attribution phrase of ``sentence``, verbatim.

    >>> find_phrase("According to the Serbian Border Police Administration, there were 948,934")
    'According to the Serbian Border Police Administration'
    >>> find_phrase("A June 2024 Levada Centre poll found that 87% of Russians")
    'A June 2024 Levada Centre poll found'
    >>> find_phrase("Only 15.9% support Vladimir Putin.") is None
    True
    """
    best: re.Match[str] | None = None
    for pattern in PHRASES:
        match = pattern.search(sentence)
        if match and (
            best is None or (match.start(), -len(match.group())) < (best.start(), -len(best.group()))
        ):
            best = match
    return best.group().strip() if best else None


def guess_attribution(sentence: str, earlier_phrase: str | None) -> Attribution:
    """The attribution status a sentence gets by the rule, with the phrase and why.

    >>> guess_attribution("According to the Border Police, there were 948,934", None).status
    'issuer-stated'
    >>> guess_attribution("According to official data from the Border Police, 73,197 were", None).status
    'stated'
    >>> guess_attribution("Of these, 67,236 permits were approved.", "according to data from X").status
    'inferred'
    """
    phrase = find_phrase(sentence)
    if phrase is not None:
        if DOCUMENT_WORDS.search(phrase) or SPEECH.search(phrase):
            return Attribution("stated", phrase, f"the phrase {phrase!r} names the source")
        return Attribution(
            "issuer-stated", phrase, f"the phrase {phrase!r} names who issued the source, not the document"
        )
    if earlier_phrase is not None:
        return Attribution(
            "inferred",
            None,
            f"the sentence names no source; an earlier sentence of its paragraph has {earlier_phrase!r}",
        )
    respondents = RESPONDENTS.search(sentence)
    if respondents:
        return Attribution(
            "inferred",
            None,
            f"the sentence names no source but speaks of {respondents.group()!r}: a study's, given elsewhere",
        )
    return Attribution("none", None, "no attribution phrase in the sentence or its paragraph")
