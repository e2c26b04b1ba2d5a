"""The form's fields: what each accepts, with maintained validators for email and phone."""

from __future__ import annotations

import pytest

from bot.actions.escalation.fields import (
    IN_CHAT,
    SKIPPED,
    contact_label,
    parse_company,
    parse_contact,
    parse_description,
    parse_name,
    parse_role,
)


@pytest.mark.parametrize("text", ["Maria Rossi", "  giovanni   de' Santis ", "Anna-Maria", "Lù"])
def test_names(text: str) -> None:
    assert parse_name(text).value == " ".join(text.split())


@pytest.mark.parametrize("text", ["", "x", "mario@rossi.it", "123", "Mario 3", "a" * 81, "<script>"])
def test_what_is_not_a_name(text: str) -> None:
    assert not parse_name(text).ok


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("maria.rossi@esempio.it", "maria.rossi@esempio.it"),
        ("  Maria.Rossi@Esempio.IT ", "Maria.Rossi@esempio.it"),
        ("333 123 4567", "+393331234567"),
        ("+39 011 1234567", "+390111234567"),
        ("011/1234567", "+390111234567"),
        ("0039 333 1234567", "+393331234567"),
    ],
)
def test_email_or_italian_phone(text: str, value: str) -> None:
    assert parse_contact(text).value == value


@pytest.mark.parametrize(
    "text", ["maria.rossi@", "maria rossi@esempio.it", "@esempio.it", "123", "333 12", "chiamami", "+39 123"]
)
def test_invalid_contacts_are_refused(text: str) -> None:
    assert not parse_contact(text).ok


@pytest.mark.parametrize(
    ("text", "role"),
    [
        ("Lavoratore o lavoratrice", "lavoratore"),
        ("sono una dipendente", "lavoratore"),
        ("Datore di lavoro", "datore"),
        ("lavoro nell'ufficio personale", "datore"),
        ("Socio o socia di cooperativa", "socio"),
        ("sono socia della cooperativa", "socio"),
        ("Altro", "altro"),
        ("commercialista", "altro"),
    ],
)
def test_roles_from_buttons_or_words(text: str, role: str) -> None:
    assert parse_role(text).value == role


def test_a_role_nobody_can_read_is_refused() -> None:
    assert not parse_role("boh").ok


def test_company() -> None:
    assert parse_company("  Cooperativa   Il Sole ").value == "Cooperativa Il Sole"
    assert not parse_company("!!!").ok
    assert not parse_company("x" * 121).ok


def test_a_description_loses_codice_fiscale_and_iban_and_says_so() -> None:
    parsed = parse_description(
        "Il mio cf è RSSMRA85T10A562S e vorrei il rimborso sull'IBAN IT60X0542811101000000123456"
    )
    assert parsed.value == "Il mio cf è [codice fiscale rimosso] e vorrei il rimborso sull'IBAN [IBAN rimosso]"
    assert parsed.notice and "codice fiscale" in parsed.notice


def test_a_description_loses_health_data() -> None:
    parsed = parse_description("Ho una diagnosi di diabete. Posso avere i buoni pasto senza glutine?")
    assert parsed.value == "[dati sulla salute rimossi] Posso avere i buoni pasto senza glutine?"
    assert parsed.notice and "salute" in parsed.notice


def test_a_description_must_say_something() -> None:
    assert not parse_description("aiuto").ok
    assert not parse_description("x" * 1001).ok
    assert parse_description("Vorrei capire i buoni pasto").notice is None


def test_contact_labels() -> None:
    assert contact_label(IN_CHAT, "telegram") == "qui su Telegram"
    assert contact_label(IN_CHAT, "webchat") == "qui in chat"
    assert contact_label(SKIPPED, "webchat").startswith("nessun contatto")
    assert contact_label("+393331234567", "webchat") == "+393331234567"
