"""Erasure on request (`/console/cancellazione`): all of one user's data, found by their
conversation id or by one of their tickets' number. Administrators only.

Two steps: the first only counts what each store holds of that conversation and asks
for confirmation; the second runs api/monitoring/retention.erase, the same function as
`python -m api.monitoring.retention erase`, and shows how many rows went from each store.
Its `privacy_audit` row says when, who and how many, never whose.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request, status
from fastapi.responses import Response
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from api.console.auth import AdminDep, require_admin
from api.console.pages import render
from api.console.sessions import OpenSession
from api.deps import SessionDep, SettingsDep
from api.models import Feedback
from api.monitoring import retention, tracker
from api.monitoring.models import MonitoredConversation, MonitoredTurn
from api.monitoring.pseudonyms import pseudonym
from api.settings import Settings
from api.takeover.models import TicketMessage
from api.tickets.models import Ticket
from api.tickets.numbering import canonical_number

PAGE = "/console/cancellazione"
ID_LENGTH = 255
# What each store holds, in the order the erasure goes through them (retention.erase's keys).
STORES = {
    "tracker_events": "eventi della conversazione nell'archivio di Rasa (tracker store)",
    "monitoring_turns": "messaggi registrati dal monitoraggio",
    "monitoring_conversations": "conversazioni del monitoraggio",
    "feedback": "voti 👍/👎, con la domanda",
    "ticket_messages": "messaggi dal vivo dei ticket",
    "tickets": "ticket, con contatto, trascrizione, note e cronologia",
}
ONE_OF_THE_TWO = "Indica l'id della conversazione oppure il numero di un ticket (uno dei due)."
NOT_A_NUMBER = "«{given}» non è un numero di ticket: scrivilo come SW-2026-000123."
NO_TICKET = "Non trovo il ticket «{given}»: controlla il numero."
NOTHING_FOUND = "Non trovo dati della conversazione «{given}» in nessun archivio: controlla l'id."
TRACKER_DOWN = (
    "Non raggiungo l'archivio delle conversazioni di Rasa (tracker store): non ho cancellato nulla. Riprova più tardi."
)

router = APIRouter(prefix=PAGE, include_in_schema=False, dependencies=[Depends(require_admin)])

Conversation = Annotated[str, Form(alias="conversazione", max_length=ID_LENGTH * 2)]
TicketNumber = Annotated[str, Form(alias="ticket", max_length=64)]


class Refused(ValueError):
    """Why nothing can be erased: the message for the page, and its HTTP status."""

    def __init__(self, message: str, status_code: int = status.HTTP_400_BAD_REQUEST) -> None:
        super().__init__(message)
        self.status_code = status_code


@dataclass(frozen=True)
class Asked:
    """What the form asked for, checked: the conversation, and how it was found."""

    conversation_id: str
    ticket_number: str | None  # set when found through a ticket

    @property
    def form(self) -> dict[str, str]:
        """The hidden fields of the confirmation: what the second step erases."""
        if self.ticket_number:
            return {"ticket": self.ticket_number}
        return {"conversazione": self.conversation_id}


def resolve(db: Session, conversazione: str, ticket: str) -> Asked:
    conversation_id, number = conversazione.strip(), ticket.strip()
    if bool(conversation_id) == bool(number):
        raise Refused(ONE_OF_THE_TWO)
    if conversation_id:
        if len(conversation_id) > ID_LENGTH:
            raise Refused(ONE_OF_THE_TWO)
        return Asked(conversation_id, None)
    canonical = canonical_number(number)
    if canonical is None:
        raise Refused(NOT_A_NUMBER.format(given=number))
    found = db.scalars(select(Ticket.conversation_id).where(Ticket.number == canonical)).first()
    if found is None:
        raise Refused(NO_TICKET.format(given=number), status.HTTP_404_NOT_FOUND)
    return Asked(found, canonical)


@contextmanager
def tracker_store(settings: Settings) -> Iterator[Engine | None]:
    """Rasa's tracker store for this request (None when it does not exist yet), closed afterwards."""
    try:
        engine = tracker.tracker_engine(settings.tracker_url)
    except SQLAlchemyError as exc:
        raise Refused(TRACKER_DOWN, status.HTTP_503_SERVICE_UNAVAILABLE) from exc
    try:
        yield engine
    finally:
        if engine is not None:
            engine.dispose()


def _count(db: Session, query: Any) -> int:
    return int(db.scalar(query) or 0)


def preview(db: Session, store: Engine | None, key: str, conversation_id: str) -> tuple[dict[str, int], list[str]]:
    """How many rows each store holds of the conversation, and its tickets' numbers."""
    counts = {"tracker_events": 0}
    if store is not None:
        with store.connect() as connection:
            query = select(func.count()).select_from(tracker.EVENTS)
            counts["tracker_events"] = int(
                connection.scalar(query.where(tracker.EVENTS.c.sender_id == conversation_id)) or 0
            )
    conversations = select(MonitoredConversation.id).where(
        MonitoredConversation.pseudonym == pseudonym(key, conversation_id)
    )
    counts["monitoring_turns"] = _count(
        db,
        select(func.count())
        .select_from(MonitoredTurn)
        .where(MonitoredTurn.conversation_id.in_(conversations.scalar_subquery())),
    )
    counts["monitoring_conversations"] = _count(db, select(func.count()).select_from(conversations.subquery()))
    counts["feedback"] = _count(
        db, select(func.count()).select_from(Feedback).where(Feedback.conversation_id == conversation_id)
    )
    numbers = list(
        db.scalars(select(Ticket.number).where(Ticket.conversation_id == conversation_id).order_by(Ticket.number))
    )
    tickets = select(Ticket.id).where(Ticket.conversation_id == conversation_id).scalar_subquery()
    counts["ticket_messages"] = _count(
        db, select(func.count()).select_from(TicketMessage).where(TicketMessage.ticket_id.in_(tickets))
    )
    counts["tickets"] = len(numbers)
    return counts, numbers


def _rows(counts: dict[str, int]) -> list[tuple[str, int]]:
    return [(label, counts.get(key, 0)) for key, label in STORES.items()]


def _page(
    request: Request, user: OpenSession, *, status_code: int = 200, form: dict[str, str] | None = None, **extra: Any
) -> Response:
    context = {"form": form or {}, "id_length": ID_LENGTH, **extra}
    return render(request, "erasure.html", context, user=user, status_code=status_code)


@router.get("")
def erasure_page(request: Request, user: AdminDep) -> Response:
    return _page(request, user)


@router.post("")
def check_erasure(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    user: AdminDep,
    conversazione: Conversation = "",
    ticket: TicketNumber = "",
) -> Response:
    """Step 1: what would go, and a button to confirm."""
    typed = {"conversazione": conversazione, "ticket": ticket}
    try:
        asked = resolve(db, conversazione, ticket)
        with tracker_store(settings) as store:
            counts, numbers = preview(db, store, settings.monitoring_key.get_secret_value(), asked.conversation_id)
    except Refused as exc:
        return _page(request, user, status_code=exc.status_code, form=typed, error=str(exc))
    if not any(counts.values()):
        message = NOTHING_FOUND.format(given=asked.conversation_id)
        return _page(request, user, status_code=status.HTTP_404_NOT_FOUND, form=typed, error=message)
    return _page(request, user, asked=asked, rows=_rows(counts), numbers=numbers)


@router.post("/conferma")
def erase(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    user: AdminDep,
    conversazione: Conversation = "",
    ticket: TicketNumber = "",
) -> Response:
    """Step 2: erase everywhere, and say how many rows went from each store."""
    typed = {"conversazione": conversazione, "ticket": ticket}
    try:
        asked = resolve(db, conversazione, ticket)
        with tracker_store(settings) as store:
            counts = retention.erase(
                db,
                store,
                key=settings.monitoring_key.get_secret_value(),
                actor=user.operator.username,
                conversation_id=None if asked.ticket_number else asked.conversation_id,
                ticket_number=asked.ticket_number,
            )
    except Refused as exc:
        return _page(request, user, status_code=exc.status_code, form=typed, error=str(exc))
    return _page(request, user, erased=_rows(counts), total=sum(counts.values()))
