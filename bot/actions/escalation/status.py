"""«A che punto è la mia richiesta SW-2026-000123?»: only for this conversation's tickets.

Another conversation's number and a number that does not exist get the same reply, so
nobody can find out which numbers exist; look-ups are limited per conversation (the
times are kept in the tracker, so a restart does not reset them).
"""

from __future__ import annotations

import re
import time
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.clients.tickets import ApiUnavailable, TicketStatus, conversation_ticket, open_ticket

NUMBER_RE = re.compile(r"\bSW\s*-?\s*(\d{4})\s*-?\s*(\d{1,6})\b", re.IGNORECASE)
LOOKUPS_SLOT = "ticket_lookups"
MAX_LOOKUPS = 5
WINDOW_S = 600

STATUS_LABELS = {
    "nuovo": "ricevuta, in attesa di un operatore",
    "in_carico": "presa in carico da un operatore",
    "in_attesa_utente": "in attesa di una tua risposta",
    "risolto": "risolta",
    "chiuso": "chiusa",
    "riaperto": "riaperta",
}
NOT_FOUND = "Non trovo una richiesta con questo numero in questa conversazione."
NO_OPEN = (
    "In questa conversazione non hai richieste aperte. Se ne hai una, scrivimi il suo numero "
    "(per esempio «SW-2026-000123»)."
)
TOO_MANY = "Hai chiesto lo stato molte volte in pochi minuti: riprova tra qualche minuto."
UNAVAILABLE = "In questo momento non riesco a controllare lo stato delle richieste. Riprova tra qualche minuto."


def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, status)


def ticket_number(text: str) -> str | None:
    """'sw 2026 123' -> 'SW-2026-000123' (the form the API uses), or None."""
    match = NUMBER_RE.search(text or "")
    return f"SW-{match[1]}-{int(match[2]):06d}" if match else None


def describe(ticket: TicketStatus) -> str:
    text = f"La richiesta **{ticket.number}** è {status_label(ticket.status)}."
    if ticket.status == "nuovo" and ticket.queue_position:
        ahead = ticket.queue_position - 1
        text += " Sei il primo in coda." if ahead == 0 else f" Prima della tua ci sono {ahead} richieste."
    return text


class ActionTicketStatus(Action):
    def name(self) -> str:
        return "action_ticket_status"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        now = time.time()
        recent = [t for t in tracker.get_slot(LOOKUPS_SLOT) or [] if isinstance(t, (int, float)) and now - t < WINDOW_S]
        if len(recent) >= MAX_LOOKUPS:
            dispatcher.utter_message(text=TOO_MANY)
            return [SlotSet(LOOKUPS_SLOT, recent)]
        recent.append(now)
        number = ticket_number(str(tracker.latest_message.get("text") or ""))
        try:
            if number:
                ticket = await conversation_ticket(tracker.sender_id, number)
            else:
                ticket = await open_ticket(tracker.sender_id)
        except ApiUnavailable:
            dispatcher.utter_message(text=UNAVAILABLE)
            return [SlotSet(LOOKUPS_SLOT, recent)]
        if ticket is None:
            dispatcher.utter_message(text=NOT_FOUND if number else NO_OPEN)
        else:
            dispatcher.utter_message(text=describe(ticket))
        return [SlotSet(LOOKUPS_SLOT, recent)]
