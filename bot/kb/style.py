"""Wording checks on the answers: they speak to users, and doubts are flagged.

Two kinds of problem, each reported with file, topic and the offending words:

- research talk: how the facts were gathered («non è stato letto direttamente»,
  «le fonti consultate») means nothing to a worker or an employer; the answer says
  what is not settled in the law and who can help instead;
- doubt wording in an answer not marked `uncertain`: the flag is what shows the
  operator button next to the answer, so every doubtful answer must carry it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from bot.kb.model import Topic


def fold(text: str) -> str:
    """Lower case without accents, so «è» and «e'» match the same pattern."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().replace("’", "'"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


# Patterns are written on folded text (no accents, lower case).
RESEARCH_TALK: tuple[tuple[str, str], ...] = (
    (r"\bnon (?:e'?|sono) stat[oaie] (?:lett|verificat|consultat|trovat|controllat)\w*", "racconta la ricerca"),
    (r"\bnon (?:l'|li |la |le |lo )?abbiamo (?:lett|verificat|consultat|trovat|controllat)\w*", "racconta la ricerca"),
    (r"\b(?:abbiamo|ho) (?:letto|verificato|consultato|trovato|controllato)\b", "racconta la ricerca"),
    (r"\blett[oaie] (?:direttamente|solo)\b", "racconta la ricerca"),
    (r"\bnon lett[oaie]\b", "racconta la ricerca"),
    (r"\bfont[ei]\b", "parla delle fonti invece che della norma"),
    (r"\bricerca\b", "racconta la ricerca"),
    (r"\bscheda (?:fatti|dei fatti)\b", "cita un documento interno"),
)

DOUBT_WORDING: tuple[str, ...] = (
    r"\bnon e'? (?:ancora |del tutto )?(?:certo|certa|chiaro|chiara|chiarito|sicuro|sicura|definito)\b",
    r"\bnon (?:c'e'?|ci sono) (?:ancora )?(?:una )?(?:risposta|regola|chiariment)\w* (?:certa|unica|uffici)\w*",
    r"\bnon ci sono (?:ancora )?chiarimenti\b",
    r"\bdubbi\w*\b",
    r"\bincert\w*",
    r"\bda (?:verificare|chiarire|confermare)\b",
    r"\bcontrovers\w*",
    r"\bnon (?:e'? )?uniforme\b",
    r"\bchiedi(?:ne)? conferma\b",
    r"\bavere una conferma\b",
    r"\bpotrebber?o? (?:essere )?cambiat\w*",
    r"\binterpretazione\b",
    r"\bla norma non lo chiarisce\b",
)

_RESEARCH = [(re.compile(p), why) for p, why in RESEARCH_TALK]
_DOUBT = [re.compile(p) for p in DOUBT_WORDING]


@dataclass(frozen=True)
class StyleProblem:
    topic_id: str
    source_file: str
    message: str

    def __str__(self) -> str:
        return f"{self.source_file} [{self.topic_id}]: {self.message}"


def _outermost(matches: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Drop matches inside a longer one («abbiamo letto» inside «non abbiamo letto»)."""
    kept: list[tuple[int, int, str]] = []
    for start, end, label in sorted(matches, key=lambda m: (m[0], -m[1])):
        if kept and start >= kept[-1][0] and end <= kept[-1][1]:
            continue
        kept.append((start, end, label))
    return kept


def research_talk(text: str) -> list[tuple[str, str]]:
    """(matched words, why) for every research-talk phrase in the text, in order."""
    folded = fold(text)
    found = [(m.start(), m.end(), why) for pattern, why in _RESEARCH for m in pattern.finditer(folded)]
    return [(folded[start:end], why) for start, end, why in _outermost(found)]


def doubt_wording(text: str) -> list[str]:
    """The words that express a doubt, in order."""
    folded = fold(text)
    found = [(m.start(), m.end(), "") for pattern in _DOUBT for m in pattern.finditer(folded)]
    return [folded[start:end] for start, end, _ in _outermost(found)]


def check_topics(topics: Iterable[Topic]) -> list[StyleProblem]:
    problems: list[StyleProblem] = []
    for topic in topics:
        talk = research_talk(topic.answer)
        if talk:
            phrases = ", ".join(f"«{words}» ({why})" for words, why in talk)
            problems.append(
                StyleProblem(
                    topic.id,
                    topic.source_file,
                    f"'answer' parla della ricerca, non a chi legge: {phrases}. Scrivi per esempio «la norma "
                    "non lo chiarisce del tutto: per il tuo caso chiedi a un operatore»",
                )
            )
        doubts = doubt_wording(topic.answer)
        if doubts and not topic.uncertain:
            problems.append(
                StyleProblem(
                    topic.id,
                    topic.source_file,
                    f"'answer' esprime un dubbio («{doubts[0]}») ma 'uncertain' è false: metti 'uncertain: true' "
                    "(mostra il pulsante dell'operatore) oppure togli il dubbio",
                )
            )
    return problems
