"""The escalation form in Rasa: its validation action and the questions it asks.

Rasa's form (`escalation_form` in domain.yml) asks for the fields in order; after each
answer it calls `validate_escalation_form`, which hands the turn to `steps.step`, and
then asks for the first field still empty with the matching `action_ask_<field>`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from datetime import datetime, timezone
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.escalation.fields import (
    COMPANY,
    CONSENT,
    CONTACT,
    DESCRIPTION,
    NAME,
    ROLE,
    ROLES,
    SKIPPED,
    contact_label,
)
from bot.actions.escalation.steps import CANCEL_BUTTON, FAILURES_SLOT, FormState, Message, step
from bot.actions.settings import get_settings
from sportello.identity import channel_of

FORM = "escalation_form"
DRAFT_SLOT = "escalation_draft"
NO_PERSONAL_DATA = "Non scrivere codice fiscale, IBAN o dati sulla salute: non servono."


def _message(tracker: Tracker) -> Message:
    latest = tracker.latest_message or {}
    entities = {
        str(e.get("entity")): str(e.get("value"))
        for e in latest.get("entities") or []
        if e.get("entity") and e.get("value") is not None
    }
    return Message(str(latest.get("text") or ""), (latest.get("intent") or {}).get("name"), entities)


def consent_time() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class ValidateEscalationForm(FormValidationAction):
    def name(self) -> str:
        return f"validate_{FORM}"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        requested = tracker.get_slot("requested_slot")
        if not requested or (tracker.active_loop or {}).get("name") != FORM:
            return []  # activation: nothing to validate yet
        state = FormState(
            requested=requested,
            values={name: tracker.get_slot(name) for name in (NAME, CONTACT, ROLE, COMPANY, DESCRIPTION, CONSENT)},
            channel=channel_of(tracker.sender_id),
            failures=int(tracker.get_slot(FAILURES_SLOT) or 0),
            draft=tracker.get_slot(DRAFT_SLOT),
        )
        outcome = step(_message(tracker), state)
        for message in outcome.messages:
            dispatcher.utter_message(text=message["text"], buttons=message["buttons"])
        if outcome.updates.get(CONSENT) == "given":
            outcome.updates[CONSENT] = consent_time()
        # Always at least one SlotSet: otherwise Rasa takes the turn as "not for the form".
        outcome.updates.setdefault(FAILURES_SLOT, state.failures)
        return [SlotSet(name, value) for name, value in outcome.updates.items()]


def _summary(tracker: Tracker) -> str:
    channel = channel_of(tracker.sender_id)
    role = tracker.get_slot(ROLE)
    company = tracker.get_slot(COMPANY)
    lines = [
        f"- **Nome:** {tracker.get_slot(NAME) if tracker.get_slot(NAME) not in (None, SKIPPED) else 'non indicato'}",
        f"- **Ti rispondiamo:** {contact_label(tracker.get_slot(CONTACT), channel)}",
        f"- **Ruolo:** {ROLES.get(role or '', 'non indicato')}",
        f"- **Azienda o cooperativa:** {company if company not in (None, SKIPPED) else 'non indicata'}",
        f"- **Richiesta:** {tracker.get_slot(DESCRIPTION) or ''}",
    ]
    return "\n".join(lines)


class AskAction(Action, ABC):
    """Asks for one field of the form; subclasses say which and how."""

    slot: str = ""

    def name(self) -> str:
        return f"action_ask_{self.slot}"

    @abstractmethod
    def ask(self, tracker: Tracker) -> tuple[str, list[dict[str, str]]]: ...

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        text, buttons = self.ask(tracker)
        dispatcher.utter_message(text=text, buttons=[*buttons, CANCEL_BUTTON])
        return []


class AskContactName(AskAction):
    slot = NAME

    def ask(self, tracker: Tracker) -> tuple[str, list[dict[str, str]]]:
        return "Come ti chiami? Basta il nome con cui vuoi che l'operatore si rivolga a te.", []


class AskContact(AskAction):
    slot = CONTACT

    def ask(self, tracker: Tracker) -> tuple[str, list[dict[str, str]]]:
        if channel_of(tracker.sender_id) == "telegram":
            return (
                "Possiamo risponderti qui su Telegram. Va bene, oppure preferisci lasciare un'email o un telefono? "
                "In quel caso scrivilo qui.",
                [{"title": "Sì, qui su Telegram", "payload": "/affirm"}],
            )
        return "Come possiamo ricontattarti? Scrivi un indirizzo email o un numero di telefono.", []


class AskRole(AskAction):
    slot = ROLE

    def ask(self, tracker: Tracker) -> tuple[str, list[dict[str, str]]]:
        # Plain-text payloads: a pressed button reads exactly like the title typed.
        return "Tu sei…", [{"title": title, "payload": title} for title in ROLES.values()]


class AskCompany(AskAction):
    slot = COMPANY

    def ask(self, tracker: Tracker) -> tuple[str, list[dict[str, str]]]:
        return (
            "Per quale azienda o cooperativa? Se preferisci non dirlo, premi «Salta».",
            [{"title": "Salta", "payload": "/skip_field"}],
        )


class AskDescription(AskAction):
    slot = DESCRIPTION

    def ask(self, tracker: Tracker) -> tuple[str, list[dict[str, str]]]:
        draft = tracker.get_slot(DRAFT_SLOT)
        if draft:
            return (
                f"Ho preparato così la tua richiesta:\n\n«{draft}»\n\nVa bene? Se vuoi, riscrivila con parole tue. "
                + NO_PERSONAL_DATA,
                [{"title": "Va bene così", "payload": "/affirm"}],
            )
        return f"Descrivi in poche righe di cosa hai bisogno. {NO_PERSONAL_DATA}", []


class AskConsent(AskAction):
    slot = CONSENT

    def ask(self, tracker: Tracker) -> tuple[str, list[dict[str, str]]]:
        settings = get_settings()
        text = (
            f"Ecco la tua richiesta:\n\n{_summary(tracker)}\n\n"
            "Per inoltrarla allo Sportello usiamo questi dati solo per risponderti, come spiega "
            f"l'[informativa privacy]({settings.privacy_notice_url}). Acconsenti e la invio? "
            "Per correggere un dato scrivi per esempio «cambia email»."
        )
        return text, [{"title": "Sì, acconsento e invio", "payload": "/affirm"}]


ASK_ACTIONS = (AskContactName, AskContact, AskRole, AskCompany, AskDescription, AskConsent)
