"""One turn of the escalation form: what the user's message does to the form.

The Rasa form asks for the fields in order (bot/actions/escalation/form.py); this
decides, for the field being asked, whether the message fills it, corrects an earlier
one ("cambia email"), goes back ("indietro"), skips it ("salta"), cancels everything
("annulla": nothing is stored), or is not valid (a clear re-ask with an example, and
after three failures the offer to skip the field or cancel). Pure: no Rasa, no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.actions.escalation.fields import (
    COMPANY,
    CONSENT,
    CONTACT,
    DESCRIPTION,
    FIELD_LABELS,
    FIELDS,
    IN_CHAT,
    NAME,
    REASK,
    ROLE,
    SKIPPED,
    Parsed,
    fold,
    parse_company,
    parse_contact,
    parse_description,
    parse_name,
    parse_role,
)

MAX_FAILURES = 3
FAILURES_SLOT = "escalation_failures"
OUTCOME_SLOT = "escalation_outcome"
CANCELLED = "cancelled"
REQUESTED_SLOT = "requested_slot"

CANCEL_BUTTON = {"title": "Annulla la richiesta", "payload": "/cancel"}
SKIP_BUTTON = {"title": "Salta questa domanda", "payload": "/skip_field"}

_CANCEL = re.compile(
    r"^((annull\w*|lascia(mo)? perdere|stop|non (voglio|serve) piu\w*|esci|interromp\w*)\b|basta(\s+cosi)?\W*$)"
)
_BACK = re.compile(r"^(torn\w* indietro|indietro|passo precedente)\b")
_SKIP = re.compile(r"^(salta\w*|preferisco non (dirlo|rispondere)|non (lo so|voglio dirlo))\b")
_CORRECT = re.compile(r"^(cambi\w*|corregg\w*|modific\w*|ho sbagliato|rifai)\b")
_AFFIRM = re.compile(r"^(si|sì|ok|okay|va bene|certo|confermo|acconsento|d'accordo|perfetto|esatto)\b")
_DENY = re.compile(r"^(no|non acconsento|preferisco di no|nego)\b")
_FIELD_WORDS = (
    (CONTACT, r"e-?mail|mail|telefono|cellulare|numero|contatt\w*|recapito"),
    (NAME, r"nome|cognome"),
    (ROLE, r"ruolo"),
    (COMPANY, r"aziend\w*|cooperativ\w*|ditta|impresa"),
    (DESCRIPTION, r"descrizion\w*|richiesta|domanda|testo|messaggio"),
)
_CONTROL_MAX_CHARS = 60  # longer messages are values, even if they start with "no"

HANDOFF_REASSURANCE = "Sto proprio preparando la richiesta per una persona dello Sportello: mancano pochi dati."
CORRECTING = "Va bene, correggiamo {label}."
CORRECTED = "Fatto: ho cambiato {label}."
GOING_BACK = "Torniamo indietro: rifacciamo la domanda su {label}."
NOTHING_TO_GO_BACK = "Questa è la prima domanda: non c'è niente prima."
WHICH_FIELD = "Cosa vuoi correggere? Scrivi per esempio «cambia email», «cambia nome» o «cambia descrizione»."
TOO_MANY_FAILURES = "Se preferisci, puoi saltare questa domanda oppure annullare la richiesta."
CONSENT_ONLY_CANCEL = "Senza il tuo consenso non posso inviare la richiesta: se preferisci, puoi annullarla."


@dataclass(frozen=True)
class Message:
    """What the user's message said, as far as the form cares."""

    text: str = ""
    intent: str | None = None
    entities: Mapping[str, str] = field(default_factory=dict)

    @property
    def typed(self) -> str:
        """The typed text; empty for a pressed button (its payload is not something the user wrote)."""
        return "" if self.text.startswith("/") else self.text.strip()


@dataclass(frozen=True)
class FormState:
    requested: str
    values: Mapping[str, Any]
    channel: str
    failures: int = 0
    draft: str | None = None  # the description prepared from the question that failed


@dataclass
class Outcome:
    updates: dict[str, Any] = field(default_factory=dict)
    messages: list[dict[str, Any]] = field(default_factory=list)

    def say(self, text: str, buttons: list[dict[str, str]] | None = None) -> None:
        self.messages.append({"text": text, "buttons": buttons or []})


def _control(message: Message, pattern: re.Pattern[str], intent: str) -> bool:
    if message.intent == intent:
        return True
    typed = fold(message.typed)
    return bool(typed) and len(typed) <= _CONTROL_MAX_CHARS and bool(pattern.match(typed))


def _named_field(text: str) -> tuple[str | None, str]:
    """The field a correction names, and what follows it ("cambia email in x@y.it" -> x@y.it)."""
    folded = fold(text)
    for name, words in _FIELD_WORDS:
        match = re.search(rf"\b({words})\b", folded)
        if match:
            rest = text.strip()[match.end() :].strip()
            rest = re.sub(r"^(in|con|:|=|->|a)\s+", "", rest, flags=re.IGNORECASE).strip()
            return name, rest
    return None, ""


def _parse(name: str, message: Message, state: FormState) -> Parsed:
    typed = message.typed
    affirmed = message.intent == "affirm" or bool(typed and _AFFIRM.match(fold(typed)))
    if name == NAME:
        return parse_name(typed)
    if name == CONTACT:
        if affirmed and state.channel == "telegram":
            return Parsed(IN_CHAT)
        return parse_contact(typed)
    if name == ROLE:
        return parse_role(typed, message.entities.get("role"))
    if name == COMPANY:
        return parse_company(typed)
    if name == DESCRIPTION:
        if affirmed and state.draft:
            return parse_description(state.draft)
        return parse_description(typed)
    return Parsed()


def _skip_value(name: str, state: FormState) -> str:
    if name == CONTACT:
        return IN_CHAT
    if name == DESCRIPTION and state.draft:
        return parse_description(state.draft).value or SKIPPED
    return SKIPPED


def _cancel(outcome: Outcome) -> Outcome:
    outcome.updates.update({name: None for name in FIELDS})
    outcome.updates.update({OUTCOME_SLOT: CANCELLED, REQUESTED_SLOT: None, FAILURES_SLOT: 0})
    return outcome


def _invalid(name: str, state: FormState, outcome: Outcome) -> Outcome:
    failures = state.failures + 1
    outcome.updates[FAILURES_SLOT] = failures
    if failures >= MAX_FAILURES:
        if name == CONSENT:
            outcome.say(f"{REASK[name]} {CONSENT_ONLY_CANCEL}", [CANCEL_BUTTON])
        else:
            outcome.say(f"{REASK[name]} {TOO_MANY_FAILURES}", [SKIP_BUTTON, CANCEL_BUTTON])
    else:
        outcome.say(REASK[name])
    # The form asks again: the field stays empty.
    outcome.updates[name] = None
    return outcome


def _correct(message: Message, state: FormState, outcome: Outcome) -> Outcome:
    target, rest = _named_field(message.typed)
    position = FIELDS.index
    if target is None or position(target) > position(state.requested):
        outcome.say(WHICH_FIELD)
        outcome.updates[FAILURES_SLOT] = state.failures
        return outcome
    label = FIELD_LABELS[target]
    inline = _parse(target, Message(rest), state) if rest else Parsed()
    if inline.ok and target != state.requested:
        outcome.updates[target] = inline.value
        outcome.say(CORRECTED.format(label=label))
        outcome.updates[state.requested] = None  # ask the current question again
    else:
        # Empty the field and ask it now (a requested slot of None would end the form).
        outcome.updates[target] = None
        outcome.updates[REQUESTED_SLOT] = target
        outcome.say(CORRECTING.format(label=label))
    outcome.updates[FAILURES_SLOT] = 0
    return outcome


def _back(state: FormState, outcome: Outcome) -> Outcome:
    earlier = [name for name in FIELDS[: FIELDS.index(state.requested)] if state.values.get(name) is not None]
    if not earlier:
        outcome.say(NOTHING_TO_GO_BACK)
        outcome.updates[state.requested] = None
    else:
        outcome.updates[earlier[-1]] = None
        outcome.updates[REQUESTED_SLOT] = earlier[-1]
        outcome.say(GOING_BACK.format(label=FIELD_LABELS[earlier[-1]]))
    outcome.updates[FAILURES_SLOT] = 0
    return outcome


def step(message: Message, state: FormState) -> Outcome:
    """The slot updates and messages for one user message while `state.requested` is asked."""
    outcome = Outcome()
    name = state.requested
    if message.intent == "human_handoff":  # "basta, voglio una persona": that is what the form is for
        outcome.say(HANDOFF_REASSURANCE)
        outcome.updates[name] = None
        return outcome
    if _control(message, _CANCEL, "cancel"):
        return _cancel(outcome)
    if _control(message, _BACK, "form_back"):
        return _back(state, outcome)
    if _control(message, _CORRECT, "correct_field"):
        return _correct(message, state, outcome)
    if name != CONSENT and _control(message, _SKIP, "skip_field"):
        outcome.updates.update({name: _skip_value(name, state), FAILURES_SLOT: 0})
        return outcome
    if name == CONSENT:
        typed = fold(message.typed)
        if message.intent == "deny" or (typed and len(typed) <= _CONTROL_MAX_CHARS and _DENY.match(typed)):
            return _cancel(outcome)
        if message.intent == "affirm" or (typed and _AFFIRM.match(typed)):
            outcome.updates.update({CONSENT: "given", FAILURES_SLOT: 0})
            return outcome
        return _invalid(name, state, outcome)
    parsed = _parse(name, message, state)
    if not parsed.ok:
        return _invalid(name, state, outcome)
    if parsed.notice:
        outcome.say(parsed.notice)
    outcome.updates.update({name: parsed.value, FAILURES_SLOT: 0})
    return outcome
