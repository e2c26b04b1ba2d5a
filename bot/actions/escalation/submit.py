"""The end of the escalation form: the ticket is opened (or kept in the outbox), or nothing.

A cancelled form stores nothing. Otherwise the request goes to the API with an
idempotency key made from the conversation and the moment of consent, so a retry (by
the outbox, or Rasa calling the action again) never opens a second ticket. If the API
cannot be reached the request is kept in the outbox first and the user is told, honestly,
that it is recorded and that the number will follow in this chat.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime, timezone
from functools import lru_cache
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.clients import channels
from bot.actions.clients.tickets import ApiUnavailable, TicketRefused, TicketStatus, create_ticket
from bot.actions.escalation.fields import (
    COMPANY,
    CONSENT,
    CONTACT,
    DESCRIPTION,
    FIELDS,
    IN_CHAT,
    NAME,
    ROLE,
    SKIPPED,
    contact_label,
)
from bot.actions.escalation.form import DRAFT_SLOT
from bot.actions.escalation.office_hours import describe_opening, parse_office_hours
from bot.actions.escalation.steps import CANCELLED, FAILURES_SLOT, OUTCOME_SLOT
from bot.actions.escalation.transcript import transcript
from bot.actions.outbox import Outbox
from bot.actions.settings import get_settings
from sportello.identity import channel_of

logger = logging.getLogger(__name__)

OPEN_TICKET_SLOT = "open_ticket"
# Slots an operator may want to see; the form's own are in the ticket's fields already.
SNAPSHOT_SLOTS = ("last_faq_topic", "last_faq_confidence", "last_faq_question", "last_answered_topic", "misses")

CANCELLED_TEXT = "Va bene, ho annullato la richiesta e non ho salvato nessun dato. Se hai altre domande, scrivimi pure."
QUEUED_TEXT = (
    "Ho registrato la tua richiesta, ma in questo momento non riesco a darti il numero: "
    "te lo scrivo qui appena possibile. Non serve che la invii di nuovo."
)
REFUSED_TEXT = (
    "Mi dispiace, non sono riuscito a registrare la richiesta per un problema tecnico. "
    "Per parlare con una persona dello Sportello: {contact}"
)
STATUS_HINT = "Per sapere a che punto è, scrivimi «a che punto è la mia richiesta {number}?»."


@lru_cache(maxsize=1)
def get_outbox() -> Outbox:
    from bot.actions.outbox import FILE_NAME

    return Outbox(get_settings().var_dir / FILE_NAME)


def idempotency_key(conversation_id: str, consent_at: str) -> str:
    return hashlib.sha256(f"{conversation_id}\x1f{consent_at}".encode()).hexdigest()[:40]


def _contact(value: str | None, name: str | None, channel: str) -> dict[str, Any]:
    contact: dict[str, Any] = {"name": name if name and name != SKIPPED else "Non indicato"}
    if value and value not in (SKIPPED, IN_CHAT):
        contact["email" if "@" in value else "phone"] = value
    else:
        contact["via_chat"] = True
    return contact


def ticket_payload(tracker: Tracker) -> dict[str, Any]:
    sender = tracker.sender_id
    channel = channel_of(sender)
    slot = tracker.get_slot
    role = slot(ROLE)
    company = slot(COMPANY)
    description = slot(DESCRIPTION)
    return {
        "channel": channel,
        "conversation_id": sender,
        "contact": _contact(slot(CONTACT), slot(NAME), channel),
        "role": role if role and role != SKIPPED else "altro",
        "company": company if company and company != SKIPPED else None,
        "description": description if description and description != SKIPPED else "(nessuna descrizione)",
        "consent_at": slot(CONSENT),
        "privacy_notice_version": get_settings().privacy_notice_version,
        "transcript": transcript(tracker.events),
        "slots": {name: slot(name) for name in SNAPSHOT_SLOTS if slot(name) is not None},
    }


def next_steps(ticket: TicketStatus, contact: str, now: datetime | None = None) -> str:
    """What happens now, in the user's words: the number, who answers, and when."""
    now = now or datetime.now(timezone.utc)
    settings = get_settings()
    hours = parse_office_hours(settings.office_hours, settings.office_province)
    lines = [f"Ho aperto la tua richiesta: il numero è **{ticket.number}**."]
    if not hours.configured:
        lines.append(f"Una persona dello Sportello ti risponderà appena possibile ({contact}).")
    elif hours.is_open(now):
        ahead = max((ticket.queue_position or 1) - 1, 0)
        queue = {0: "sei il primo in coda", 1: "c'è una richiesta prima della tua"}.get(
            ahead, f"ci sono {ahead} richieste prima della tua"
        )
        lines.append(f"Un operatore ti risponderà a breve ({contact}): {queue}.")
    else:
        opening = hours.next_opening(now)
        when = f"Lo Sportello riapre {describe_opening(opening, now)}" if opening else "Lo Sportello ora è chiuso"
        lines.append(f"{when}: un operatore ti risponderà da quel momento ({contact}).")
    lines.append(STATUS_HINT.format(number=ticket.number))
    return " ".join(lines)


def _cleared() -> list[EventType]:
    return [
        *(SlotSet(name, None) for name in FIELDS),
        SlotSet(OUTCOME_SLOT, None),
        SlotSet(FAILURES_SLOT, 0),
        SlotSet(DRAFT_SLOT, None),
        SlotSet("misses", 0),
    ]


async def notify_ticket(conversation_id: str, ticket: dict[str, Any]) -> bool:
    """The outbox's last step: the number of a ticket opened late reaches the user."""
    status = TicketStatus.from_api(ticket)
    contact = "nel modo che ci hai indicato"
    text = f"Ecco il numero della richiesta che mi avevi lasciato. {next_steps(status, contact)}"
    await channels.push(conversation_id, [{"text": text}])
    return True  # told, or nobody can be told (a REST conversation): either way, done


class ActionSubmitEscalation(Action):
    def name(self) -> str:
        return "action_submit_escalation"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        if tracker.get_slot(OUTCOME_SLOT) == CANCELLED or not tracker.get_slot(CONSENT):
            dispatcher.utter_message(text=CANCELLED_TEXT)
            return _cleared()
        payload = ticket_payload(tracker)
        key = idempotency_key(tracker.sender_id, str(payload["consent_at"]))
        contact = contact_label(tracker.get_slot(CONTACT), channel_of(tracker.sender_id))
        try:
            ticket = await create_ticket(payload, key)
        except ApiUnavailable:
            get_outbox().put(key, tracker.sender_id, payload)
            dispatcher.utter_message(text=QUEUED_TEXT)
            return _cleared()
        except TicketRefused as exc:
            logger.error("Richiesta rifiutata dall'API per %s: %s", tracker.sender_id, exc)
            dispatcher.utter_message(text=REFUSED_TEXT.format(contact=get_settings().contact_info))
            return _cleared()
        dispatcher.utter_message(text=next_steps(ticket, contact))
        return [*_cleared(), SlotSet(OPEN_TICKET_SLOT, ticket.number)]
