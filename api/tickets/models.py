"""Tables of the ticket store: tickets, their per-year counter, audit trail and notes.

Who acted (`actor_kind`, `actor_id` in the audit trail, `author_*` in the notes) is an
`api.tickets.actors.Actor`: today always the service (the assistant), tomorrow an
operator of the console.

`assignee` holds the id of the operator who took the ticket. Whether an operator is
answering the conversation live (asked by the channels before Rasa answers) is a row of
its own, api/takeover/models.py's ConversationOwner: its primary key, the conversation
id, lets only one operator hold a conversation, and handing back deletes it while the
ticket stays assigned.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from api.models import Base, UTCDateTime, utcnow
from api.tickets.states import INITIAL, STATUS_VALUES

ROLES = ("lavoratore", "datore", "socio", "altro")
PRIORITIES = ("bassa", "normale", "alta")
ACTOR_KINDS = ("service", "operator")

NUMBER_LENGTH = 20
CONVERSATION_ID_LENGTH = 128
DESCRIPTION_LENGTH = 2000
NOTE_LENGTH = 4000
IDEMPOTENCY_KEY_LENGTH = 128


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(value) for value in values)})"


class TicketCounter(Base):
    """The last number given out in a year: taken with an atomic UPDATE ... RETURNING."""

    __tablename__ = "ticket_counters"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(default=0)


class Ticket(Base):
    """A case handed to the Sportello's operators."""

    __tablename__ = "tickets"
    __table_args__ = (
        CheckConstraint(_one_of("status", STATUS_VALUES), name="status"),
        CheckConstraint(_one_of("priority", PRIORITIES), name="priority"),
        CheckConstraint(_one_of("role", ROLES), name="role"),
        CheckConstraint("contact_email IS NOT NULL OR contact_phone IS NOT NULL OR contact_via_chat", name="contact"),
        # The queue: oldest first, optionally by status (keyset pagination, counts per status).
        Index("ix_tickets_created_at_id", "created_at", "id"),
        Index("ix_tickets_status_created_at_id", "status", "created_at", "id"),
        # The assistant's look-ups: this conversation's (open) tickets.
        Index("ix_tickets_conversation_id_created_at", "conversation_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(NUMBER_LENGTH), unique=True)
    status: Mapped[str] = mapped_column(String(20), default=INITIAL.value)
    priority: Mapped[str] = mapped_column(String(10), default="normale")
    channel: Mapped[str] = mapped_column(String(32))
    conversation_id: Mapped[str] = mapped_column(String(CONVERSATION_ID_LENGTH))
    contact_name: Mapped[str] = mapped_column(String(120))
    contact_email: Mapped[str | None] = mapped_column(String(254))
    contact_phone: Mapped[str | None] = mapped_column(String(32))
    # On Telegram the chat itself is a way to reach the user.
    contact_via_chat: Mapped[bool] = mapped_column(default=False)
    role: Mapped[str] = mapped_column(String(16))
    company: Mapped[str | None] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(String(DESCRIPTION_LENGTH))
    consent_at: Mapped[datetime] = mapped_column(UTCDateTime())
    privacy_notice_version: Mapped[str] = mapped_column(String(32))
    transcript: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    slots: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    assignee: Mapped[str | None] = mapped_column(String(64), index=True)
    idempotency_key: Mapped[str] = mapped_column(String(IDEMPOTENCY_KEY_LENGTH), unique=True)
    # SHA-256 of the creation request, to tell a retry from a different request.
    request_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Last status change (or assignment): the "last update" the user is told.
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    first_response_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    events: Mapped[list[TicketEvent]] = relationship(
        back_populates="ticket", order_by="TicketEvent.id", cascade="all, delete-orphan", passive_deletes=True
    )
    notes: Mapped[list[TicketNote]] = relationship(
        back_populates="ticket", order_by="TicketNote.id", cascade="all, delete-orphan", passive_deletes=True
    )


class TicketEvent(Base):
    """One status change (creation included, from NULL): who, when, from, to."""

    __tablename__ = "ticket_events"
    __table_args__ = (
        CheckConstraint(_one_of("actor_kind", ACTOR_KINDS), name="actor_kind"),
        CheckConstraint(_one_of("to_status", STATUS_VALUES), name="to_status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    actor_kind: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[str] = mapped_column(String(64))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))

    ticket: Mapped[Ticket] = relationship(back_populates="events")


class TicketNote(Base):
    """An internal note: operators only, never shown to the user."""

    __tablename__ = "ticket_notes"
    __table_args__ = (CheckConstraint(_one_of("author_kind", ACTOR_KINDS), name="author_kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    author_kind: Mapped[str] = mapped_column(String(16))
    author_id: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)

    ticket: Mapped[Ticket] = relationship(back_populates="notes")
