"""Tables of the live takeover: who owns a conversation, and what was said since the escalation.

A conversation has at most one owner (its id is the primary key), so two operators can
never take it at once, whatever the timing: the database refuses the second row. The
row lives while the operator answers; handing back or closing the ticket deletes it,
and the channels let the assistant answer again.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Float, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from api.models import Base, UTCDateTime, utcnow
from api.tickets.models import CONVERSATION_ID_LENGTH

SPEAKERS = ("user", "operator", "bot", "system")
MESSAGE_LENGTH = 4000
TOPIC_LENGTH = 64
INTENT_LENGTH = 128


class ConversationOwner(Base):
    """This conversation is answered by an operator, not by the assistant."""

    __tablename__ = "conversation_owners"

    conversation_id: Mapped[str] = mapped_column(String(CONVERSATION_ID_LENGTH), primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), unique=True)
    operator_id: Mapped[int] = mapped_column(ForeignKey("operators.id"), index=True)
    since: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class TicketMessage(Base):
    """One message of the live conversation: the user's, an operator's, the assistant's or a notice."""

    __tablename__ = "ticket_messages"
    __table_args__ = (
        CheckConstraint(f"who IN ({', '.join(repr(s) for s in SPEAKERS)})", name="who"),
        CheckConstraint("confidence IS NULL OR (confidence >= 0 AND confidence <= 1)", name="confidence"),
        # The ticket page reads a ticket's messages in order.
        Index("ix_ticket_messages_ticket_id_id", "ticket_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    who: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    operator_id: Mapped[int | None] = mapped_column(ForeignKey("operators.id"), index=True)
    # The knowledge-base topic an operator's reply started from (a suggestion they inserted).
    source_topic: Mapped[str | None] = mapped_column(String(TOPIC_LENGTH))
    # What the assistant's NLU read in a user's message, for the log.
    intent: Mapped[str | None] = mapped_column(String(INTENT_LENGTH))
    confidence: Mapped[float | None] = mapped_column(Float)
