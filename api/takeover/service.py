"""Taking a conversation over, answering in it, handing it back: what the console calls.

Each function is one transaction; the database work runs in a worker thread (the
console's routes are async), the calls to the Rasa server on the event loop. Errors
are the exceptions below, with an Italian message for the operator; an impossible
status change is the ticket store's `crud.InvalidTransition`.

- `take`: the ticket is assigned to the operator and goes `in_carico`; its first
  response time is recorded; the conversation (web chat or Telegram) stops being
  answered by the assistant and the user is told who joined (display name only).
  A second operator gets `AlreadyOwned` with the name of the one who has it.
- `release`: the conversation goes back to the assistant and the user is told;
  `closing=True` also closes the ticket (its resolution time is recorded).
  Closing or resolving a ticket any other way hands back too (api/tickets/crud.py).
- `send`: only the owner may write; the message reaches the user through the Rasa
  server (recorded in the conversation, so a user who is offline sees it on return).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api import live
from api.models import utcnow
from api.operators.models import Operator
from api.takeover import notices, ownership, rasa_client
from api.takeover.models import MESSAGE_LENGTH, TOPIC_LENGTH, ConversationOwner, TicketMessage
from api.tickets import crud
from api.tickets.actors import Actor
from api.tickets.models import Ticket, TicketEvent
from api.tickets.numbering import canonical_number
from api.tickets.states import RESOLVING, WAITING, TicketStatus
from sportello.identity import reserved_channel

logger = logging.getLogger(__name__)

# Where an operator can answer live; a REST client cannot be reached once it has its reply.
REACHABLE_CHANNELS = frozenset({"webchat", "telegram"})
MAX_SUGGESTIONS = 3
# Below this the model is guessing: a suggestion would cost the operator more than it saves.
MIN_SUGGESTION_CONFIDENCE = 0.2


class TakeoverError(Exception):
    """The operator's request cannot be done; the message says why, in Italian."""


class TicketNotFound(TakeoverError, LookupError):
    def __init__(self) -> None:
        super().__init__("Non trovo questa richiesta: controlla il numero (per esempio SW-2026-000123).")


class AlreadyOwned(TakeoverError):
    def __init__(self, operator_display_name: str) -> None:
        super().__init__(f"Questa richiesta è già in carico a {operator_display_name}.")
        self.operator_display_name = operator_display_name


class NotOwner(TakeoverError):
    def __init__(self, message: str = "Non hai in carico questa conversazione: prendila in carico prima.") -> None:
        super().__init__(message)


class NotReachable(NotOwner):
    def __init__(self) -> None:
        super().__init__(
            "Questa conversazione non si può seguire in chat (non è della chat web né di Telegram): "
            "contatta la persona con i recapiti della richiesta."
        )


class InvalidMessage(TakeoverError, ValueError):
    pass


class DeliveryFailed(TakeoverError):
    def __init__(self) -> None:
        super().__init__("Messaggio non consegnato: l'assistente non risponde in questo momento. Riprova tra poco.")


@dataclass(frozen=True)
class Suggestion:
    topic_id: str
    title: str
    answer: str  # Markdown, as the assistant would answer
    references: tuple[str, ...]
    years: str
    confidence: float

    @classmethod
    def from_rasa(cls, item: dict[str, Any]) -> Suggestion | None:
        try:
            return cls(
                topic_id=str(item["topic_id"]),
                title=str(item["title"]),
                answer=str(item["answer"]),
                references=tuple(str(r) for r in item.get("references") or ()),
                years=str(item.get("years") or ""),
                confidence=float(item.get("confidence") or 0.0),
            )
        except (KeyError, TypeError, ValueError):
            return None


@dataclass(frozen=True)
class Owner:
    """Who answers a conversation, as the Rasa server's channels ask."""

    conversation_id: str
    ticket: str
    operator_name: str
    since: datetime


def operator_actor(operator: Operator) -> Actor:
    return Actor(kind="operator", id=str(operator.id), display_name=operator.display_name)


def reachable(ticket: Ticket) -> bool:
    return reserved_channel(ticket.conversation_id) in REACHABLE_CHANNELS


def _locked(session: Session, number: str) -> Ticket:
    canonical = canonical_number(number)
    query = select(Ticket).where(Ticket.number == canonical).with_for_update()
    ticket = session.scalars(query).one_or_none() if canonical else None
    if ticket is None:
        raise TicketNotFound()
    return ticket


def _found(session: Session, number: str) -> Ticket:
    canonical = canonical_number(number)
    ticket = session.scalars(select(Ticket).where(Ticket.number == canonical)).one_or_none() if canonical else None
    if ticket is None:
        raise TicketNotFound()
    return ticket


def _changed(ticket: Ticket, owner_name: str | None) -> None:
    data = {
        "status": ticket.status,
        "assignee": ticket.assignee,
        "conversation_id": ticket.conversation_id,
        "owner": owner_name,
    }
    live.publish(live.LiveEvent("ticket_changed", ticket.number, data))


# --- take ---------------------------------------------------------------------------


def _take(session: Session, number: str, operator: Operator, now: datetime) -> tuple[Ticket, bool]:
    """(ticket, True when the conversation was taken from the assistant just now)."""
    try:
        ticket = _locked(session, number)
        current = TicketStatus(ticket.status)
        owner = ownership.owner_of(session, ticket.conversation_id)
        if owner is not None and owner.operator_id != operator.id:
            raise AlreadyOwned(ownership.display_name(session, owner.operator_id))
        if current in RESOLVING:
            raise crud.InvalidTransition(current, TicketStatus.IN_CARICO)
        if current not in WAITING and ticket.assignee not in (None, str(operator.id)):
            raise AlreadyOwned(ownership.display_name(session, ticket.assignee))
        if current is not TicketStatus.IN_CARICO:
            ticket.status = TicketStatus.IN_CARICO.value
            session.add(
                TicketEvent(
                    ticket_id=ticket.id,
                    at=now,
                    actor_kind="operator",
                    actor_id=str(operator.id),
                    from_status=current.value,
                    to_status=TicketStatus.IN_CARICO.value,
                )
            )
        ticket.assignee = str(operator.id)
        ticket.updated_at = now
        if ticket.first_response_at is None:
            ticket.first_response_at = now
        joined = False
        if owner is not None:
            owner.ticket_id = ticket.id  # the same operator, on this conversation's newer ticket
        elif reachable(ticket):
            session.add(
                ConversationOwner(
                    conversation_id=ticket.conversation_id, ticket_id=ticket.id, operator_id=operator.id, since=now
                )
            )
            ownership.record(session, ticket, "system", notices.joined(operator.display_name), at=now)
            joined = True
        session.commit()
    except IntegrityError:
        # Another operator's take committed between our read and our insert.
        session.rollback()
        ticket = _found(session, number)
        owner = ownership.owner_of(session, ticket.conversation_id)
        raise AlreadyOwned(ownership.display_name(session, owner.operator_id if owner else None)) from None
    except BaseException:
        session.rollback()
        raise
    return ticket, joined


async def take(session: Session, number: str, operator: Operator) -> Ticket:
    """Assign the ticket and take its conversation away from the assistant ("Prendi in carico")."""
    ticket, joined = await asyncio.to_thread(_take, session, number, operator, utcnow())
    if joined:
        await notices.tell(ticket.conversation_id, notices.joined(operator.display_name), operator.display_name)
    _changed(ticket, operator.display_name if reachable(ticket) else None)
    return ticket


# --- release ------------------------------------------------------------------------


def _release(session: Session, number: str, operator: Operator, now: datetime) -> tuple[Ticket, str, str]:
    """(ticket, notice for the user, name of the operator who had it)."""
    try:
        ticket = _locked(session, number)
        owner = ownership.owner_of_ticket(session, ticket)
        if owner is None:
            raise NotOwner("Nessun operatore ha in carico questa conversazione: risponde già l'assistente.")
        name = ownership.display_name(session, owner.operator_id)
        if owner.operator_id != operator.id and not operator.is_admin:
            raise NotOwner(f"Questa conversazione è in carico a {name}: solo chi la segue può restituirla.")
        notice = notices.handed_back(name)
        ownership.end(session, ticket, notice)
        ticket.updated_at = now
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return ticket, notice, name


async def release(session: Session, number: str, operator: Operator, *, closing: bool = False) -> Ticket:
    """Hand the conversation back to the assistant ("Restituisci all'assistente").

    `closing=True` closes the ticket as well: the status change hands back and tells
    the user (crud.change_status), so it works the same from any route.
    """
    if closing:
        canonical = canonical_number(number) or ""
        closed = await asyncio.to_thread(
            crud.change_status, session, canonical, TicketStatus.CHIUSO, actor=operator_actor(operator)
        )
        if closed is None:
            raise TicketNotFound()
        return closed
    ticket, notice, name = await asyncio.to_thread(_release, session, number, operator, utcnow())
    await notices.tell(ticket.conversation_id, notice, name)
    _changed(ticket, None)
    return ticket


# --- messages -----------------------------------------------------------------------


def _owned_ticket(session: Session, number: str, operator: Operator) -> Ticket:
    ticket = _found(session, number)
    if not reachable(ticket):
        raise NotReachable()
    owner = ownership.owner_of_ticket(session, ticket)
    if owner is None or owner.operator_id != operator.id:
        raise NotOwner()
    return ticket


def _store(session: Session, ticket: Ticket, message: TicketMessage) -> TicketMessage:
    try:
        session.add(message)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return message


def _checked_text(text: str) -> str:
    text = text.strip()
    if not text:
        raise InvalidMessage("Il messaggio è vuoto: scrivi la risposta da mandare.")
    if len(text) > MESSAGE_LENGTH:
        raise InvalidMessage(f"Il messaggio è troppo lungo: al massimo {MESSAGE_LENGTH} caratteri.")
    return text


async def send(
    session: Session, number: str, operator: Operator, text: str, source_topic: str | None = None
) -> TicketMessage:
    """The owner's reply, delivered to the user's channel and recorded with the topic it came from."""
    text = _checked_text(text)
    if source_topic is not None and (not source_topic or len(source_topic) > TOPIC_LENGTH):
        raise InvalidMessage("Argomento di origine non valido.")
    ticket = await asyncio.to_thread(_owned_ticket, session, number, operator)
    try:
        await rasa_client.current().say(ticket.conversation_id, text, operator.display_name)
    except rasa_client.RasaUnavailable as exc:
        logger.warning("Risposta dell'operatore non consegnata (%s): %s", ticket.number, exc)
        raise DeliveryFailed() from exc
    message = TicketMessage(
        ticket_id=ticket.id, who="operator", text=text, at=utcnow(), operator_id=operator.id, source_topic=source_topic
    )
    await asyncio.to_thread(_store, session, ticket, message)
    data = {
        "id": message.id,
        "text": text,
        "operator": operator.display_name,
        "source_topic": source_topic,
        "conversation_id": ticket.conversation_id,
    }
    live.publish(live.LiveEvent("operator_message", ticket.number, data))
    return message


def messages(session: Session, number: str) -> list[TicketMessage]:
    """The live conversation since the escalation, oldest first (empty for an unknown number)."""
    canonical = canonical_number(number)
    if canonical is None:
        return []
    query = (
        select(TicketMessage)
        .join(Ticket, Ticket.id == TicketMessage.ticket_id)
        .where(Ticket.number == canonical)
        .order_by(TicketMessage.id)
    )
    return list(session.scalars(query))


# --- the Rasa server's side ---------------------------------------------------------


def owner(session: Session, conversation_id: str) -> Owner | None:
    """Who answers this conversation instead of the assistant, if anyone."""
    row = ownership.owner_of(session, conversation_id)
    if row is None:
        return None
    ticket = session.get(Ticket, row.ticket_id)
    if ticket is None:
        return None
    return Owner(conversation_id, ticket.number, ownership.display_name(session, row.operator_id), row.since)


def user_message(
    session: Session, conversation_id: str, text: str, *, intent: str | None = None, confidence: float | None = None
) -> tuple[Ticket, TicketMessage] | None:
    """Record what the user wrote to an owned conversation (None when nobody owns it)."""
    try:
        row = ownership.owner_of(session, conversation_id)
        ticket = session.get(Ticket, row.ticket_id) if row is not None else None
        if ticket is None:
            session.rollback()
            return None
        message = ownership.record(session, ticket, "user", text, intent=intent, confidence=confidence)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    data = {
        "id": message.id,
        "text": text,
        "intent": intent,
        "confidence": confidence,
        "conversation_id": conversation_id,
    }
    live.publish(live.LiveEvent("user_message", ticket.number, data))
    return ticket, message


# --- suggestions --------------------------------------------------------------------


def latest_user_text(session: Session, number: str) -> str | None:
    """The user's latest words: a live message, else the escalation's transcript, else its description."""
    canonical = canonical_number(number)
    ticket = session.scalars(select(Ticket).where(Ticket.number == canonical)).one_or_none() if canonical else None
    if ticket is None:
        return None
    latest = session.scalars(
        select(TicketMessage)
        .where(TicketMessage.ticket_id == ticket.id, TicketMessage.who == "user")
        .order_by(TicketMessage.id.desc())
        .limit(1)
    ).first()
    if latest is not None:
        return latest.text
    for turn in reversed(ticket.transcript or []):
        text = str(turn.get("text") or "").strip()
        # A button's payload ("/affirm") is not something the user wrote.
        if turn.get("who") == "user" and text and not text.startswith("/"):
            return text
    return ticket.description


async def suggestions(session: Session, number: str) -> list[Suggestion]:
    """The best two or three knowledge-base answers to the user's latest message, best first.

    Ranked by the assistant's own model (the Rasa server's ResponseSelector); empty when
    there is nothing to go on or the Rasa server does not answer.
    """
    text = await asyncio.to_thread(latest_user_text, session, number)
    if not text:
        return []
    try:
        items = await rasa_client.current().suggest(text)
    except rasa_client.RasaUnavailable as exc:
        logger.warning("Risposte suggerite non disponibili (%s): %s", number, exc)
        return []
    found = [s for s in map(Suggestion.from_rasa, items) if s is not None and s.confidence >= MIN_SUGGESTION_CONFIDENCE]
    return sorted(found, key=lambda s: s.confidence, reverse=True)[:MAX_SUGGESTIONS]
