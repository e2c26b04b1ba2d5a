"""Reaching a person: offering one, starting the form, or pointing to the open ticket.

A person is offered (one question, which the user may decline) after a 👎, after two
misses in a row ("Altro" after the proposals, or "not understood"), and an uncertain
topic's answer carries the operator button. Asking for one starts the form at once,
unless this conversation already has a ticket being worked: then it links to that one.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.clients.tickets import ApiUnavailable, open_ticket
from bot.actions.escalation.fields import FIELDS
from bot.actions.escalation.form import DRAFT_SLOT, FORM
from bot.actions.escalation.status import status_label
from bot.actions.escalation.steps import FAILURES_SLOT, OUTCOME_SLOT

logger = logging.getLogger(__name__)

OFFER_SLOT = "pending_offer"
MISSES_SLOT = "misses"
HANDOFF_OFFER = "handoff"
MISSES_BEFORE_OFFER = 2

OFFER_TEXT = "Vuoi che giri la tua domanda a una persona dello Sportello?"
OFFER_BUTTONS = [
    {"title": "Sì, parla con un operatore", "payload": "/affirm"},
    {"title": "No, grazie", "payload": "/deny"},
]
NOTHING_PENDING_TEXT = "D'accordo. Se hai una domanda sul welfare aziendale, scrivimela pure."
INTRO_TEXT = (
    "Ti metto in contatto con una persona dello Sportello. Ti faccio poche domande; "
    "in qualsiasi momento puoi scrivere «annulla» (e non salvo niente) o «indietro»."
)
ALREADY_OPEN_TEXT = (
    "Hai già una richiesta aperta con lo Sportello: **{number}** ({status}). "
    "Un operatore la sta seguendo: se vuoi aggiungere qualcosa, scrivilo pure qui."
)


def offer(dispatcher: CollectingDispatcher, intro: str | None = None) -> list[EventType]:
    """Ask once whether the user wants a person; the answer is handled by ActionAnswerOffer."""
    dispatcher.utter_message(text=f"{intro} {OFFER_TEXT}" if intro else OFFER_TEXT, buttons=OFFER_BUTTONS)
    return [SlotSet(OFFER_SLOT, HANDOFF_OFFER)]


def note_miss(tracker: Tracker, dispatcher: CollectingDispatcher) -> tuple[bool, list[EventType]]:
    """Count a miss; on the second in a row, offer a person. (offered?, events)"""
    misses = int(tracker.get_slot(MISSES_SLOT) or 0) + 1
    if misses >= MISSES_BEFORE_OFFER:
        intro = "Mi dispiace, non riesco a capire la domanda."
        return True, [SlotSet(MISSES_SLOT, 0), *offer(dispatcher, intro)]
    return False, [SlotSet(MISSES_SLOT, misses)]


def _failed_question(tracker: Tracker) -> str | None:
    """The question the user could not get answered, to pre-fill the request."""
    question = tracker.get_slot("last_faq_question")
    if question:
        return str(question)
    for event in reversed(tracker.events):
        if event.get("event") != "user":
            continue
        text = str(event.get("text") or "").strip()
        intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
        if text and not text.startswith("/") and intent not in ("human_handoff", "affirm", "deny"):
            return text
    return None


class ActionStartEscalation(Action):
    def name(self) -> str:
        return "action_start_escalation"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        try:
            existing = await open_ticket(tracker.sender_id)
        except ApiUnavailable:
            existing = None  # the form still works: the outbox keeps the request
        if existing is not None:
            dispatcher.utter_message(
                text=ALREADY_OPEN_TEXT.format(number=existing.number, status=status_label(existing.status))
            )
            return [SlotSet(OFFER_SLOT, None), SlotSet("open_ticket", existing.number)]
        dispatcher.utter_message(text=INTRO_TEXT)
        return [
            *(SlotSet(name, None) for name in FIELDS),
            SlotSet(OUTCOME_SLOT, None),
            SlotSet(FAILURES_SLOT, 0),
            SlotSet(DRAFT_SLOT, _failed_question(tracker)),
            SlotSet(OFFER_SLOT, None),
            SlotSet(MISSES_SLOT, 0),
            FollowupAction(FORM),
        ]


class ActionAnswerOffer(Action):
    """A typed "sì" or "no": it answers the offer of a person, if one is pending."""

    def name(self) -> str:
        return "action_answer_offer"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        pending = tracker.get_slot(OFFER_SLOT) == HANDOFF_OFFER
        if pending and intent == "affirm":
            return [SlotSet(OFFER_SLOT, None), FollowupAction("action_start_escalation")]
        if pending:
            dispatcher.utter_message(response="utter_handoff_declined")
        else:
            dispatcher.utter_message(text=NOTHING_PENDING_TEXT)
        return [SlotSet(OFFER_SLOT, None)]


class ActionFaqNone(Action):
    """ "Altro" after the proposals: a miss; the second in a row brings the offer of a person."""

    def name(self) -> str:
        return "action_faq_none"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        offered, events = note_miss(tracker, dispatcher)
        if not offered:
            dispatcher.utter_message(response="utter_rephrase")
        return events
