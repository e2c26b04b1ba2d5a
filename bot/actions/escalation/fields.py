"""The escalation form's fields: what each accepts, how a typed value is read, and the
Italian re-ask with an example when it is not valid. Pure functions, no Rasa.

Only what an operator needs is asked. Never a codice fiscale, health data or an IBAN:
if typed anyway, they are taken out of the description (sportello/redaction.py).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from sportello.redaction import TICKET_KINDS, redact

NAME = "contact_name"
CONTACT = "contact"
ROLE = "role"
COMPANY = "company"
DESCRIPTION = "description"
CONSENT = "consent"
FIELDS = (NAME, CONTACT, ROLE, COMPANY, DESCRIPTION, CONSENT)

# Values for a field the user skipped (after three failed attempts, or "Salta").
SKIPPED = "-"
# Contact: reply in the conversation itself (Telegram, or the web chat with an operator).
IN_CHAT = "chat"

ROLES = {
    "lavoratore": "Lavoratore o lavoratrice",
    "datore": "Datore di lavoro",
    "socio": "Socio o socia di cooperativa",
    "altro": "Altro",
}
FIELD_LABELS = {
    NAME: "nome",
    CONTACT: "contatto",
    ROLE: "ruolo",
    COMPANY: "azienda o cooperativa",
    DESCRIPTION: "descrizione",
    CONSENT: "consenso",
}
MIN_DESCRIPTION = 10
MAX_DESCRIPTION = 1000
MAX_NAME = 80
MAX_COMPANY = 120

REASK = {
    NAME: "Scrivimi solo il tuo nome, per esempio «Maria Rossi».",
    CONTACT: (
        "Non riconosco un indirizzo email o un numero di telefono valido. "
        "Scrivi per esempio «maria.rossi@esempio.it» oppure «333 123 4567»."
    ),
    ROLE: "Scegli uno dei pulsanti, oppure scrivi per esempio «lavoratore», «datore di lavoro» o «socio».",
    COMPANY: "Scrivi il nome dell'azienda o della cooperativa (al massimo 120 caratteri), oppure premi «Salta».",
    DESCRIPTION: (
        f"Descrivi la richiesta in almeno {MIN_DESCRIPTION} e al massimo {MAX_DESCRIPTION} caratteri, "
        "per esempio «Vorrei sapere se i buoni pasto rientrano nel piano welfare della mia azienda»."
    ),
    CONSENT: "Per inviare la richiesta mi serve il tuo consenso: premi «Sì, acconsento» oppure «No, annulla».",
}


@dataclass(frozen=True)
class Parsed:
    value: str | None = None
    # Shown to the user when the value is accepted but changed (data taken out of a description).
    notice: str | None = None

    @property
    def ok(self) -> bool:
        return self.value is not None


def fold(text: str) -> str:
    """Lower case without accents, for matching words typed in any way."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in folded if not unicodedata.combining(c)).strip()


def parse_name(text: str) -> Parsed:
    name = " ".join(text.split())
    letters = sum(c.isalpha() for c in name)
    if not 2 <= len(name) <= MAX_NAME or letters < 2 or re.search(r"[0-9@/\\<>{}]", name):
        return Parsed()
    return Parsed(name)


def parse_email(text: str) -> str | None:
    candidate = text.strip()
    if " " in candidate or "@" not in candidate:
        return None
    try:
        return validate_email(candidate, check_deliverability=False).normalized
    except EmailNotValidError:
        return None


def parse_phone(text: str) -> str | None:
    if not re.fullmatch(r"[0-9+()./\s-]{6,25}", text.strip()):
        return None
    try:
        number = phonenumbers.parse(text, "IT")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def parse_contact(text: str) -> Parsed:
    value = parse_email(text) or parse_phone(text)
    return Parsed(value)


def parse_role(text: str, entity: str | None = None) -> Parsed:
    if entity in ROLES:
        return Parsed(entity)
    words = fold(text)
    if re.search(r"\b(soci[oa]|cooperativ)", words):
        return Parsed("socio")
    if re.search(r"\b(datore|datrice|titolare|imprenditor|azienda|hr|risorse umane|ufficio personale)", words):
        return Parsed("datore")
    if re.search(r"\b(lavorat|dipendent|impiegat|operai)", words):
        return Parsed("lavoratore")
    if re.search(r"\b(altro|altra|nessuno|consulent|commercialist)", words):
        return Parsed("altro")
    return Parsed()


def parse_company(text: str) -> Parsed:
    company = " ".join(text.split())
    if not 1 <= len(company) <= MAX_COMPANY or not any(c.isalnum() for c in company):
        return Parsed()
    return Parsed(company)


def parse_description(text: str) -> Parsed:
    description = text.strip()
    if not MIN_DESCRIPTION <= len(description) <= MAX_DESCRIPTION:
        return Parsed()
    cleaned = redact(description, TICKET_KINDS)
    notice = None
    if cleaned.found:
        notice = (
            "Ho tolto dal testo codice fiscale, IBAN o dati sulla salute: per la richiesta non servono "
            "e non vanno scritti in chat. Se sono importanti per il tuo caso, l'operatore te li chiederà "
            "nel modo giusto."
        )
    return Parsed(cleaned.text, notice)


def contact_label(value: str | None, channel: str) -> str:
    if not value or value == SKIPPED:
        return "nessun contatto: ti rispondiamo qui in chat"
    if value == IN_CHAT:
        return "qui su Telegram" if channel == "telegram" else "qui in chat"
    return value
