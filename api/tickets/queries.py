"""Reading tickets: the queue (keyset pages, counts per status) and the look-ups.

The queue is ordered by (created_at, id), oldest first. A page is one statement and the
counts another, both served by the (status, created_at, id) and (created_at, id)
indexes, so a deep page costs what the first one does (no OFFSET to skip).
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, func, literal, select, tuple_
from sqlalchemy.orm import Session, load_only, selectinload

from api.models import UTCDateTime
from api.tickets.models import Ticket, TicketNote
from api.tickets.states import OPEN, WAITING, TicketStatus

_SUMMARY_COLUMNS = (
    Ticket.number,
    Ticket.status,
    Ticket.priority,
    Ticket.channel,
    Ticket.conversation_id,
    Ticket.contact_name,
    Ticket.role,
    Ticket.company,
    Ticket.description,
    Ticket.assignee,
    Ticket.created_at,
    Ticket.updated_at,
)


class InvalidCursor(ValueError):
    pass


@dataclass(frozen=True)
class Cursor:
    """Where a page ends: the (created_at, id) of its last ticket."""

    created_at: datetime
    id: int

    def encode(self) -> str:
        raw = json.dumps([self.created_at.isoformat(), self.id], separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, token: str) -> Cursor:
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
            created_at_text, ticket_id = json.loads(raw)
            created_at = datetime.fromisoformat(created_at_text)
        except (binascii.Error, UnicodeDecodeError, ValueError, TypeError) as exc:
            raise InvalidCursor(token) from exc
        if created_at.tzinfo is None or not isinstance(ticket_id, int) or isinstance(ticket_id, bool):
            raise InvalidCursor(token)
        return cls(created_at=created_at, id=ticket_id)

    @classmethod
    def after(cls, ticket: Ticket) -> Cursor:
        return cls(created_at=ticket.created_at, id=ticket.id)


@dataclass(frozen=True)
class TicketFilters:
    statuses: tuple[TicketStatus, ...] = ()
    channel: str | None = None
    conversation_id: str | None = None
    created_before: datetime | None = None  # "older than N hours"
    assignee: str | None = None  # "assegnati a me": an operator's id (api/console/)

    def conditions(self, *, with_status: bool = True) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = []
        if with_status and self.statuses:
            conditions.append(Ticket.status.in_([status.value for status in self.statuses]))
        if self.channel is not None:
            conditions.append(Ticket.channel == self.channel)
        if self.conversation_id is not None:
            conditions.append(Ticket.conversation_id == self.conversation_id)
        if self.created_before is not None:
            conditions.append(Ticket.created_at <= self.created_before)
        if self.assignee is not None:
            conditions.append(Ticket.assignee == self.assignee)
        return conditions


def _position_after(cursor: Cursor) -> ColumnElement[bool]:
    """(created_at, id) > cursor, as a row comparison both databases can seek an index with."""
    created_at = literal(cursor.created_at, UTCDateTime())
    return tuple_(Ticket.created_at, Ticket.id) > tuple_(created_at, literal(cursor.id))


def list_tickets(
    session: Session, filters: TicketFilters, *, limit: int, cursor: Cursor | None = None
) -> tuple[list[Ticket], Cursor | None]:
    """A page of the queue, oldest first, and the cursor of the next page (None on the last)."""
    query = select(Ticket).options(load_only(*_SUMMARY_COLUMNS)).where(*filters.conditions())
    if cursor is not None:
        query = query.where(_position_after(cursor))
    rows = list(session.scalars(query.order_by(Ticket.created_at, Ticket.id).limit(limit + 1)))
    if len(rows) > limit:
        return rows[:limit], Cursor.after(rows[limit - 1])
    return rows, None


def count_by_status(session: Session, filters: TicketFilters) -> dict[TicketStatus, int]:
    """Tickets per status (every status, zeros included), with every filter but the status."""
    counts = dict.fromkeys(TicketStatus, 0)
    query = select(Ticket.status, func.count()).where(*filters.conditions(with_status=False)).group_by(Ticket.status)
    for status, count in session.execute(query):
        counts[TicketStatus(status)] = count
    return counts


def get_ticket(session: Session, number: str, *, with_events: bool = True) -> Ticket | None:
    """A ticket by its canonical number, with its audit trail loaded (a second statement) if asked."""
    query = select(Ticket).where(Ticket.number == number)
    if with_events:
        query = query.options(selectinload(Ticket.events))
    return session.scalars(query).one_or_none()


def conversation_ticket(session: Session, conversation_id: str, number: str) -> Ticket | None:
    """The ticket with this number, only if it belongs to this conversation.

    One statement either way, so a number of another conversation and a missing one
    are indistinguishable, also in time.
    """
    query = select(Ticket).where(Ticket.number == number, Ticket.conversation_id == conversation_id)
    return session.scalars(query).one_or_none()


def open_ticket(session: Session, conversation_id: str) -> Ticket | None:
    """The conversation's most recent open ticket, to link a second escalation to it."""
    query = (
        select(Ticket)
        .where(Ticket.conversation_id == conversation_id, Ticket.status.in_([status.value for status in OPEN]))
        .order_by(Ticket.created_at.desc(), Ticket.id.desc())
        .limit(1)
    )
    return session.scalars(query).first()


def queue_position(session: Session, ticket: Ticket) -> int | None:
    """1 for the next ticket an operator should take; None when it is not waiting."""
    if TicketStatus(ticket.status) not in WAITING:
        return None
    before = tuple_(Ticket.created_at, Ticket.id) < tuple_(
        literal(ticket.created_at, UTCDateTime()), literal(ticket.id)
    )
    waiting = Ticket.status.in_([status.value for status in WAITING])
    ahead = session.scalar(select(func.count()).select_from(Ticket).where(waiting, before)) or 0
    return ahead + 1


def list_notes(session: Session, ticket: Ticket) -> list[TicketNote]:
    query = select(TicketNote).where(TicketNote.ticket_id == ticket.id).order_by(TicketNote.id)
    return list(session.scalars(query))
