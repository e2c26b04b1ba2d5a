"""Writing tickets: idempotent creation, status transitions, internal notes.

Each function is one transaction and raises a domain error (below) that the routes
turn into an HTTP answer; nothing here knows about HTTP.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api import live
from api.models import utcnow
from api.takeover import notices, ownership
from api.tickets.actors import Actor
from api.tickets.models import Ticket, TicketEvent, TicketNote
from api.tickets.numbering import next_number, number_year
from api.tickets.schemas import TicketCreate
from api.tickets.states import INITIAL, RESOLVING, TicketStatus, allowed_transitions, can_transition
from sportello.identity import reserved_channel


class InvalidTicket(ValueError):
    """The request is well-formed but cannot become a ticket; the message is for people."""


class IdempotencyMismatch(Exception):
    """The key was already used for a different request."""


class InvalidTransition(Exception):
    def __init__(self, current: TicketStatus, target: TicketStatus) -> None:
        super().__init__(f"{current} → {target}")
        self.current = current
        self.target = target
        self.allowed: Sequence[TicketStatus] = allowed_transitions(current)


def request_hash(data: TicketCreate) -> str:
    """Fingerprint of a creation request, insensitive to key order and datetime spelling."""
    canonical = json.dumps(data.model_dump(mode="json"), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _check(data: TicketCreate) -> None:
    contact = data.contact
    # Operators can answer in a Telegram chat or a web chat; a REST client cannot be reached.
    if contact.via_chat and reserved_channel(data.conversation_id) is None:
        raise InvalidTicket(
            "La chat come recapito vale solo per le conversazioni Telegram o della chat web: indica email o telefono."
        )
    if not (contact.email or contact.phone or contact.via_chat):
        raise InvalidTicket(
            "Serve almeno un recapito: email, telefono o, su Telegram e nella chat web, la chat stessa."
        )


def _by_key(session: Session, key: str) -> Ticket | None:
    return session.scalars(select(Ticket).where(Ticket.idempotency_key == key)).one_or_none()


def _replayed(ticket: Ticket, fingerprint: str) -> Ticket:
    if ticket.request_hash != fingerprint:
        raise IdempotencyMismatch(ticket.idempotency_key)
    return ticket


def create_ticket(
    session: Session, data: TicketCreate, *, idempotency_key: str, actor: Actor, now: datetime | None = None
) -> tuple[Ticket, bool]:
    """The ticket and True when created; the earlier ticket and False on a retry of the same request."""
    _check(data)
    fingerprint = request_hash(data)
    existing = _by_key(session, idempotency_key)
    if existing is not None:
        return _replayed(existing, fingerprint), False
    now = now or utcnow()
    ticket = Ticket(
        number=next_number(session, number_year(now)),
        status=INITIAL.value,
        priority=data.priority,
        channel=data.channel,
        conversation_id=data.conversation_id,
        contact_name=data.contact.name,
        contact_email=data.contact.email,
        contact_phone=data.contact.phone,
        contact_via_chat=data.contact.via_chat,
        role=data.role,
        company=data.company,
        description=data.description,
        consent_at=data.consent_at,
        privacy_notice_version=data.privacy_notice_version,
        transcript=[turn.model_dump(mode="json") for turn in data.transcript],
        slots=data.slots,
        idempotency_key=idempotency_key,
        request_hash=fingerprint,
        created_at=now,
        updated_at=now,
    )
    ticket.events.append(
        TicketEvent(at=now, actor_kind=actor.kind, actor_id=actor.id, from_status=None, to_status=INITIAL.value)
    )
    session.add(ticket)
    try:
        session.commit()
    except IntegrityError:
        # A concurrent request with the same key won the race (its number rolls back with us).
        session.rollback()
        existing = _by_key(session, idempotency_key)
        if existing is None:
            raise
        return _replayed(existing, fingerprint), False
    return ticket, True


def change_status(
    session: Session, number: str, target: TicketStatus, *, actor: Actor, now: datetime | None = None
) -> Ticket | None:
    """Move a ticket to `target` and record who did it; None when the number does not exist.

    The row is locked (PostgreSQL; SQLite serialises writers) so that two operators
    acting at once record true from → to pairs. Resolving or closing a ticket hands its
    conversation back to the assistant, if an operator had taken it over, in the same
    transaction; the user is told once it has committed (api/takeover/).
    """
    ticket = session.scalars(select(Ticket).where(Ticket.number == number).with_for_update()).one_or_none()
    if ticket is None:
        return None
    current = TicketStatus(ticket.status)
    if not can_transition(current, target):
        session.rollback()
        raise InvalidTransition(current, target)
    now = now or utcnow()
    ticket.status = target.value
    ticket.updated_at = now
    if current is TicketStatus.NUOVO and ticket.first_response_at is None:
        ticket.first_response_at = now
    if target in RESOLVING and ticket.resolved_at is None:
        ticket.resolved_at = now
    elif target is TicketStatus.RIAPERTO:
        ticket.resolved_at = None
    session.add(
        TicketEvent(
            ticket_id=ticket.id,
            at=now,
            actor_kind=actor.kind,
            actor_id=actor.id,
            from_status=current.value,
            to_status=target.value,
        )
    )
    notice = notices.closed(ticket.number, target.value)
    released = ownership.end(session, ticket, notice) if target in RESOLVING else None
    session.commit()
    if released is not None:
        notices.tell_soon(ticket.conversation_id, notice, actor.display_name)
    live.publish(
        live.LiveEvent(
            "ticket_changed",
            ticket.number,
            {"status": ticket.status, "assignee": ticket.assignee, "conversation_id": ticket.conversation_id},
        )
    )
    return ticket


def add_note(session: Session, ticket: Ticket, text: str, *, actor: Actor) -> TicketNote:
    note = TicketNote(ticket_id=ticket.id, author_kind=actor.kind, author_id=actor.id, text=text)
    session.add(note)
    session.commit()
    return note
