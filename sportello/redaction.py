"""Personal data taken out of free text before it is stored.

Users are told not to write their codice fiscale, IBAN or health details, and some do
anyway. A ticket's text, and the monitoring log, keep the question but not these: each
candidate is found by a loose pattern and then checked by a maintained validator
(python-stdnum's check digits, phonenumbers' numbering plans), so "12345678901" in a
question about a threshold is left alone while a real codice fiscale is not.
Pure functions, shared by both environments (both lock files pin the two libraries).
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

import phonenumbers
from stdnum import iban
from stdnum.it import codicefiscale, iva

CODICE_FISCALE = "codice_fiscale"
IBAN = "iban"
PARTITA_IVA = "partita_iva"
EMAIL = "email"
PHONE = "telefono"
NAME = "nome"
HEALTH = "salute"

PLACEHOLDERS = {
    CODICE_FISCALE: "[codice fiscale rimosso]",
    IBAN: "[IBAN rimosso]",
    PARTITA_IVA: "[partita IVA rimossa]",
    EMAIL: "[email rimossa]",
    PHONE: "[telefono rimosso]",
    NAME: "[nome rimosso]",
    HEALTH: "[dati sulla salute rimossi]",
}
# What a ticket's free text never keeps: the operator has the contact in its own fields.
TICKET_KINDS = frozenset({CODICE_FISCALE, IBAN, HEALTH})
ALL_KINDS = frozenset(PLACEHOLDERS)

_CF_CANDIDATE = re.compile(
    r"\b[A-Za-z]{6}[0-9LMNPQRSTUVlmnpqrstuv]{2}[A-Za-z][0-9LMNPQRSTUVlmnpqrstuv]{2}[A-Za-z][0-9LMNPQRSTUVlmnpqrstuv]{3}[A-Za-z]\b"
)
_IBAN_CANDIDATE = re.compile(r"\b[A-Za-z]{2}[0-9]{2}(?:[ ]?[A-Za-z0-9]){11,30}\b")
_PIVA_CANDIDATE = re.compile(r"\b(?:IT)?[0-9]{11}\b", re.IGNORECASE)
_EMAIL = re.compile(r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}\b")
# "mi chiamo Maria Rossi", "Sono Maria Rossi": up to three capitalised words (the
# words before them in any case: a message often starts with "Sono ...").
_NAME_AFTER = re.compile(
    r"\b(?i:mi chiamo|il mio nome è|il mio nome e'|sono)\s+((?:[A-ZÀ-Ý][a-zà-ÿ'’]+)(?:\s+[A-ZÀ-Ý][a-zà-ÿ'’]+){0,2})"
)


# Health data has no check digits: a sentence that names a condition, a diagnosis or a
# treatment goes whole. Deliberately broad (a question loses a sentence rather than a
# person's health data being kept); law numbers such as "legge 104" are not matched.
_HEALTH_TERMS = re.compile(
    r"\b(diagnos\w*|patologi\w*|malatti\w*|malat[oa]\b|tumor\w*|cancro|oncolog\w*|chemioterapi\w*|"
    r"leucemi\w*|diabet\w*|depressione|psichiatr\w*|sclerosi|sindrome|hiv|aids|epilessi\w*|autism\w*|"
    r"disabil\w*|invalidit\w*|handicap\w*|ricover\w*|chirurgic\w*|terapi[ae]\b|gravidanz\w*|"
    r"certificato medico|ASL|referto)",
    re.IGNORECASE,
)
_SENTENCE = re.compile(r"[^.!?\n]+[.!?]*")


@dataclass(frozen=True)
class Redacted:
    text: str
    found: frozenset[str]


def _spans_cf(text: str) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), CODICE_FISCALE) for m in _CF_CANDIDATE.finditer(text) if codicefiscale.is_valid(m[0])]


def _spans_iban(text: str) -> list[tuple[int, int, str]]:
    spans = []
    for match in _IBAN_CANDIDATE.finditer(text):
        if iban.is_valid(match[0]):
            spans.append((match.start(), match.end(), IBAN))
    return spans


def _spans_piva(text: str) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), PARTITA_IVA) for m in _PIVA_CANDIDATE.finditer(text) if iva.is_valid(m[0])]


def _spans_email(text: str) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), EMAIL) for m in _EMAIL.finditer(text)]


def _spans_phone(text: str) -> list[tuple[int, int, str]]:
    return [
        (m.start, m.end, PHONE)
        for m in phonenumbers.PhoneNumberMatcher(text, "IT", leniency=phonenumbers.Leniency.VALID)
    ]


def _spans_name(text: str) -> list[tuple[int, int, str]]:
    return [(m.start(1), m.end(1), NAME) for m in _NAME_AFTER.finditer(text)]


def _spans_health(text: str) -> list[tuple[int, int, str]]:
    spans = []
    for sentence in _SENTENCE.finditer(text):
        if _HEALTH_TERMS.search(sentence[0]):
            start = sentence.start() + len(sentence[0]) - len(sentence[0].lstrip())
            spans.append((start, sentence.end(), HEALTH))
    return spans


_FINDERS = {
    CODICE_FISCALE: _spans_cf,
    IBAN: _spans_iban,
    PARTITA_IVA: _spans_piva,
    EMAIL: _spans_email,
    PHONE: _spans_phone,
    NAME: _spans_name,
    HEALTH: _spans_health,
}


def redact(text: str, kinds: Collection[str] = ALL_KINDS) -> Redacted:
    """`text` with each personal datum of `kinds` replaced by a placeholder saying what it was."""
    spans: list[tuple[int, int, str]] = []
    for kind in kinds:
        spans += _FINDERS[kind](text)
    # Longest first at each position (a health sentence swallows what it contains); on a
    # tie the check-digit identifier wins over a phone number (a partita IVA is also a
    # plausible landline). Then drop overlaps.
    priority = list(_FINDERS)
    spans.sort(key=lambda s: (s[0], -(s[1] - s[0]), priority.index(s[2])))
    kept: list[tuple[int, int, str]] = []
    for span in spans:
        if not kept or span[0] >= kept[-1][1]:
            kept.append(span)
    out, last = [], 0
    for start, end, kind in kept:
        out.append(text[last:start])
        out.append(PLACEHOLDERS[kind])
        last = end
    out.append(text[last:])
    return Redacted("".join(out), frozenset(kind for _, _, kind in kept))
