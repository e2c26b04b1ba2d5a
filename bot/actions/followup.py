"""Follow-up questions: "e per il 2027?" right after an answer.

Such a message names a year, a person or a case, and leaves the subject to the
previous answer. It is recognised by its shape (short, opening with "e", "ed",
"invece", "e se", ...) and scored against the last topic: the topic itself, its
siblings (`family`) and its `related` topics get a boost, and a year the message
names keeps only the topics valid that year and favours the ones written for it. A message that clearly names another
subject ("e il tfr?") still wins on its own confidence. Pure Python.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Sequence
from typing import Protocol

from bot.actions.years import covers, topic_years, years_in
from bot.kb.model import KnowledgeBase

MAX_WORDS = 12
_OPENING = re.compile(
    r"^(?:e|ed|invece|anche|pure|ma se|ma per|ma nel|ma invece|e invece|ok e|ok,? e|grazie,? e|allora e|quindi e|"
    r"e quindi|e allora|e poi|e nel caso)\b"
)
# A message that is only a year or a moment: "2027?", "nel 2023?", "e adesso?", with at
# most a word that asks for the same thing again ("e nel 2025 quanto era?", "invece").
_ONLY_WHEN = re.compile(
    r"^(?:e |ed )?(?:per |nel |nell'|dal |fino al |invece )*(?:il |l')?(?:20[0-4]\d|anno prossimo|anno scorso|"
    r"quest'anno|adesso|oggi)(?:,? (?:invece|quanto (?:era|e|vale|valeva)|com'era|cosa cambia(?:va)?))?\s*\??$"
)


# Who is asking: "e per le aziende?" moves to the employer's side of the subject.
_EMPLOYER = re.compile(r"\b(?:datore|datori|aziend\w*|impres\w*|ditta|titolare|hr|ufficio del personale)\b")
_WORKER = re.compile(r"\b(?:dipendent\w*|lavorat\w*|mamm\w*|genitor\w*|famigli\w*)\b")


class Scored(Protocol):
    @property
    def topic_id(self) -> str: ...

    @property
    def confidence(self) -> float: ...


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold().replace("’", "'"))
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


def _message(text: str | None) -> str:
    """The message as the follow-up patterns read it: folded, without closing . or !"""
    return _fold(text).strip(" .!") if text else ""


def is_followup(text: str | None) -> bool:
    """Whether a message reads as a follow-up of the previous answer."""
    message = _message(text)
    if not message or len(message.split()) > MAX_WORDS:
        return False
    return bool(_OPENING.match(message) or _ONLY_WHEN.match(message))


def names_only_a_moment(text: str | None) -> bool:
    """Whether a follow-up is only a year or a moment ("e nel 2025?", "e adesso?"):
    it names no subject, so the subject is the last answer's."""
    return bool(_ONLY_WHEN.match(_message(text)))


def context_scores(
    ranked: Sequence[Scored],
    kb: KnowledgeBase,
    context: str,
    text: str,
    today: dt.date | None,
    context_boost: float,
    family_boost: float,
    related_boost: float,
    year_boost: float,
    audience_boost: float = 0.0,
) -> list[tuple[str, float]]:
    """Every topic's score for a follow-up of `context`, best first."""
    last = kb.get(context)
    assert last is not None
    confidence = {c.topic_id: c.confidence for c in ranked}
    years = years_in(text, today)
    folded = _fold(text)
    audience = "datore" if _EMPLOYER.search(folded) else "lavoratore" if _WORKER.search(folded) else None
    scores: list[tuple[str, float]] = []
    for topic in kb.topics:
        own = confidence.get(topic.id, 0.0)
        # A sibling that the editors also listed as related is the likeliest next step.
        boost = 0.0
        if topic.id == context:
            boost = context_boost
        else:
            if last.family is not None and topic.family == last.family:
                boost += family_boost
            if topic.id in last.related or context in topic.related:
                boost += related_boost
        if boost and audience is not None and topic.audience == audience:
            boost += audience_boost
        span = topic_years(topic.years)
        if years and not covers(span, years):
            score = own * 0.5  # not valid in the year asked: no boost, and less than its peers
        elif years and boost and covers(span, years, strict=True):
            score = own + boost + year_boost  # a close topic that speaks of exactly that year
        else:
            score = own + boost
        scores.append((topic.id, score))
    return sorted(scores, key=lambda s: s[1], reverse=True)
