"""One turn of the escalation form: fill, correct, go back, skip, cancel, re-ask."""

from __future__ import annotations

from typing import Any

import pytest

from bot.actions.escalation.fields import COMPANY, CONSENT, CONTACT, DESCRIPTION, FIELDS, IN_CHAT, NAME, ROLE, SKIPPED
from bot.actions.escalation.steps import (
    CANCEL_BUTTON,
    CANCELLED,
    FAILURES_SLOT,
    OUTCOME_SLOT,
    REQUESTED_SLOT,
    SKIP_BUTTON,
    FormState,
    Message,
    step,
)

FILLED = {NAME: "Maria Rossi", CONTACT: "maria@esempio.it", ROLE: "lavoratore", COMPANY: "Coop Sole"}


def state(requested: str, channel: str = "webchat", failures: int = 0, draft: str | None = None) -> FormState:
    values: dict[str, Any] = {name: FILLED.get(name) for name in FIELDS[: FIELDS.index(requested)]}
    return FormState(requested, values, channel, failures, draft)


def test_a_valid_answer_fills_the_field_and_resets_failures() -> None:
    outcome = step(Message("Maria Rossi"), state(NAME, failures=2))
    assert outcome.updates == {NAME: "Maria Rossi", FAILURES_SLOT: 0}
    assert outcome.messages == []


def test_an_invalid_email_is_asked_again_with_an_example() -> None:
    outcome = step(Message("maria.rossi@"), state(CONTACT))
    assert outcome.updates == {CONTACT: None, FAILURES_SLOT: 1}
    (message,) = outcome.messages
    assert "maria.rossi@esempio.it" in message["text"] and "333 123 4567" in message["text"]
    assert message["buttons"] == []


def test_after_three_failures_skip_or_cancel_is_offered() -> None:
    outcome = step(Message("333 12"), state(CONTACT, failures=2))
    assert outcome.updates[FAILURES_SLOT] == 3
    assert outcome.messages[0]["buttons"] == [SKIP_BUTTON, CANCEL_BUTTON]


@pytest.mark.parametrize("text", ["annulla", "Annulla la richiesta", "lascia perdere", "basta così", "/cancel"])
def test_cancel_at_any_point_empties_everything(text: str) -> None:
    message = Message(text, intent="cancel" if text.startswith("/") else None)
    outcome = step(message, state(DESCRIPTION))
    assert outcome.updates[OUTCOME_SLOT] == CANCELLED
    assert outcome.updates[REQUESTED_SLOT] is None
    assert all(outcome.updates[name] is None for name in FIELDS)


def test_a_long_message_that_starts_with_no_is_a_value_not_a_command() -> None:
    text = "no, in realtà vorrei capire se il premio di risultato può diventare welfare"
    outcome = step(Message(text), state(DESCRIPTION))
    assert outcome.updates[DESCRIPTION] == text


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("cambia email", CONTACT),
        ("correggi il nome", NAME),
        ("ho sbagliato il numero", CONTACT),
        ("cambia ruolo", ROLE),
    ],
)
def test_a_correction_empties_that_field_and_asks_it_now(text: str, field: str) -> None:
    outcome = step(Message(text), state(DESCRIPTION))
    assert outcome.updates[field] is None
    assert outcome.updates[REQUESTED_SLOT] == field
    assert "correggiamo" in outcome.messages[0]["text"]


def test_a_correction_with_the_new_value_changes_it_and_goes_on() -> None:
    outcome = step(Message("cambia email in nuova@esempio.it"), state(DESCRIPTION))
    assert outcome.updates[CONTACT] == "nuova@esempio.it"
    assert outcome.updates[DESCRIPTION] is None  # the current question is asked again
    assert REQUESTED_SLOT not in outcome.updates


def test_a_correction_of_a_field_not_asked_yet_says_what_can_be_corrected() -> None:
    outcome = step(Message("cambia descrizione"), state(ROLE))
    assert DESCRIPTION not in outcome.updates
    assert "Cosa vuoi correggere" in outcome.messages[0]["text"]


def test_back_goes_to_the_previous_answered_field() -> None:
    outcome = step(Message("indietro"), state(COMPANY))
    assert outcome.updates[ROLE] is None and outcome.updates[REQUESTED_SLOT] == ROLE


def test_back_on_the_first_question_stays_there() -> None:
    outcome = step(Message("torna indietro"), state(NAME))
    assert outcome.updates == {NAME: None, FAILURES_SLOT: 0}
    assert "prima domanda" in outcome.messages[0]["text"]


def test_skip_keeps_the_form_going() -> None:
    assert step(Message("/skip_field", intent="skip_field"), state(COMPANY)).updates[COMPANY] == SKIPPED
    assert step(Message("salta"), state(CONTACT)).updates[CONTACT] == IN_CHAT


def test_on_telegram_yes_means_reply_in_this_chat() -> None:
    assert step(Message("/affirm", intent="affirm"), state(CONTACT, "telegram")).updates[CONTACT] == IN_CHAT
    refused = step(Message("/affirm", intent="affirm"), state(CONTACT, "webchat"))
    assert refused.updates[CONTACT] is None


def test_the_prepared_description_is_accepted_or_replaced() -> None:
    draft = "Posso convertire il premio di risultato in welfare?"
    assert step(Message("/affirm", intent="affirm"), state(DESCRIPTION, draft=draft)).updates[DESCRIPTION] == draft
    own = "Vorrei sapere come funziona il welfare nella mia cooperativa"
    assert step(Message(own), state(DESCRIPTION, draft=draft)).updates[DESCRIPTION] == own


def test_asking_for_a_person_mid_form_reassures_and_keeps_the_form() -> None:
    outcome = step(Message("basta, voglio una persona", intent="human_handoff"), state(ROLE))
    assert outcome.updates == {ROLE: None}
    assert "Sto proprio preparando" in outcome.messages[0]["text"]


def test_consent_yes_no_or_nothing() -> None:
    assert step(Message("/affirm", intent="affirm"), state(CONSENT)).updates[CONSENT] == "given"
    assert step(Message("no", intent="deny"), state(CONSENT)).updates[OUTCOME_SLOT] == CANCELLED
    unclear = step(Message("forse"), state(CONSENT, failures=2))
    assert unclear.updates[CONSENT] is None
    assert unclear.messages[0]["buttons"] == [CANCEL_BUTTON]  # consent cannot be skipped


def test_a_pressed_button_is_not_read_as_typed_text() -> None:
    assert not step(Message("/affirm", intent="affirm"), state(NAME)).updates.get(NAME)
