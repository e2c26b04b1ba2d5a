"""Reading and ending ownership inside the caller's transaction (no commit here).

Shared by the takeover service and the ticket store: closing or resolving a ticket
(api/tickets/crud.py) ends its conversation's ownership in the same transaction as the
status change, so the assistant can never stay silent on a closed ticket.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.models import utcnow
from api.operators.models import Operator
from api.takeover.models import ConversationOwner, TicketMessage
from api.tickets.models import Ticket

UNKNOWN_OPERATOR = "un operatore"


def owner_of(session: Session, conversation_id: str) -> ConversationOwner | None:
    return session.get(ConversationOwner, conversation_id, populate_existing=True)


def owner_of_ticket(session: Session, ticket: Ticket) -> ConversationOwner | None:
    query = select(ConversationOwner).where(ConversationOwner.ticket_id == ticket.id)
    return session.scalars(query).one_or_none()


def display_name(session: Session, operator_id: int | str | None) -> str:
    """What users and colleagues see of an operator (never the login)."""
    if operator_id is None:
        return UNKNOWN_OPERATOR
    try:
        operator = session.get(Operator, int(operator_id))
    except ValueError:
        return UNKNOWN_OPERATOR
    return operator.display_name if operator is not None else UNKNOWN_OPERATOR


def record(
    session: Session,
    ticket: Ticket,
    who: str,
    text: str,
    *,
    at: datetime | None = None,
    operator_id: int | None = None,
    source_topic: str | None = None,
    intent: str | None = None,
    confidence: float | None = None,
) -> TicketMessage:
    message = TicketMessage(
        ticket_id=ticket.id,
        who=who,
        text=text,
        at=at or utcnow(),
        operator_id=operator_id,
        source_topic=source_topic,
        intent=intent,
        confidence=confidence,
    )
    session.add(message)
    return message


def end(session: Session, ticket: Ticket, notice: str) -> ConversationOwner | None:
    """Hand the ticket's conversation back to the assistant, if an operator owns it.

    The notice the user will be told is recorded with the ticket's messages; the caller
    commits, then sends it (api/takeover/notices.py).
    """
    owner = owner_of_ticket(session, ticket)
    if owner is None:
        return None
    session.delete(owner)
    record(session, ticket, "system", notice)
    return owner
