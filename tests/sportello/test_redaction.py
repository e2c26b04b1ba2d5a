"""Personal data out of free text: real Italian identifiers go, look-alikes stay."""

from __future__ import annotations

import pytest

from sportello.redaction import (
    CODICE_FISCALE,
    EMAIL,
    HEALTH,
    IBAN,
    NAME,
    PARTITA_IVA,
    PHONE,
    TICKET_KINDS,
    redact,
)


@pytest.mark.parametrize(
    ("text", "expected", "kind"),
    [
        ("il mio cf è RSSMRA85T10A562S grazie", "il mio cf è [codice fiscale rimosso] grazie", CODICE_FISCALE),
        ("cf rssmra85t10a562s", "cf [codice fiscale rimosso]", CODICE_FISCALE),
        ("IBAN IT60X0542811101000000123456.", "IBAN [IBAN rimosso].", IBAN),
        ("IBAN IT60 X054 2811 1010 0000 0123 456", "IBAN [IBAN rimosso]", IBAN),
        ("p.iva 01114601006", "p.iva [partita IVA rimossa]", PARTITA_IVA),
        ("scrivimi a maria.rossi@example.it", "scrivimi a [email rimossa]", EMAIL),
        ("chiamami al 333 123 4567", "chiamami al [telefono rimosso]", PHONE),
        ("oppure +39 011 1234567", "oppure [telefono rimosso]", PHONE),
        ("Buongiorno, mi chiamo Maria Rossi e lavoro", "Buongiorno, mi chiamo [nome rimosso] e lavoro", NAME),
        ("Sono Mario Rossi, lavoro in una cooperativa", "Sono [nome rimosso], lavoro in una cooperativa", NAME),
        ("Mi chiamo Anna e vorrei sapere", "Mi chiamo [nome rimosso] e vorrei sapere", NAME),
    ],
)
def test_each_kind_is_replaced_by_a_placeholder(text: str, expected: str, kind: str) -> None:
    result = redact(text)
    assert result.text == expected
    assert result.found == {kind}


@pytest.mark.parametrize(
    "text",
    [
        "RSSMRA85T10A562X ha il carattere di controllo sbagliato",  # invalid codice fiscale
        "IT60X0542811101000000123457 non torna",  # invalid IBAN check digits
        "la soglia è 12345678901 euro?",  # 11 digits, not a valid partita IVA
        "il premio di 3000 euro nel 2026",
        "sono un lavoratore dipendente",  # "sono" followed by no name
    ],
)
def test_look_alikes_are_left_alone(text: str) -> None:
    assert redact(text).text == text
    assert redact(text).found == frozenset()


@pytest.mark.parametrize(
    "text",
    [
        "Mio figlio ha una diagnosi di autismo. Posso avere il rimborso?",
        "Sono in terapia per la depressione. Posso avere il rimborso?",
        "Mia moglie è malata. Posso avere il rimborso?",
    ],
)
def test_a_sentence_with_health_data_goes_whole(text: str) -> None:
    result = redact(text, [HEALTH])
    assert result.text == "[dati sulla salute rimossi] Posso avere il rimborso?"
    assert result.found == {HEALTH}


def test_welfare_questions_about_the_law_keep_their_words() -> None:
    text = "Spettano i permessi della legge 104 anche ai soci lavoratori?"
    assert redact(text).text == text


def test_tickets_keep_contacts_but_not_identifiers_or_bank_details() -> None:
    text = "Sono Maria Rossi, cf RSSMRA85T10A562S, IBAN IT60X0542811101000000123456, tel 333 123 4567"
    result = redact(text, TICKET_KINDS)
    assert "RSSMRA85T10A562S" not in result.text and "IT60X0542811101000000123456" not in result.text
    assert "Maria Rossi" in result.text and "333 123 4567" in result.text
    assert result.found == {CODICE_FISCALE, IBAN}
    assert redact("Ho una malattia cronica.", TICKET_KINDS).text == "[dati sulla salute rimossi]"
