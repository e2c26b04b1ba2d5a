"""Ticket routes under /api/v1: the store (`/tickets`) and the assistant's look-ups.

Every route authenticates through `current_actor` (api/tickets/actors.py): the service
token today, an operator session too once the console exists. Errors are Italian;
extra fields ride in `detail` as `{"detail": message, ...}`.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Header, HTTPException, Query, Request, Response, status
from sqlalchemy.orm import Session

from api import live
from api.deps import SessionDep
from api.models import utcnow
from api.problem_docs import problem_responses
from api.tickets import crud, queries
from api.tickets.actors import ActorDep, current_actor
from api.tickets.models import IDEMPOTENCY_KEY_LENGTH, Ticket
from api.tickets.numbering import canonical_number
from api.tickets.queries import Cursor, InvalidCursor, TicketFilters
from api.tickets.schemas import (
    ContactOut,
    ConversationId,
    NoteCreate,
    NoteList,
    NoteOut,
    TicketCreate,
    TicketEventOut,
    TicketOut,
    TicketPage,
    TicketStatusOut,
    TicketSummary,
    TranscriptTurn,
    TransitionIn,
)
from api.tickets.states import LABELS, TicketStatus, allowed_transitions

TICKET_NOT_FOUND = "Non trovo questa richiesta: controlla il numero (per esempio SW-2026-000123)."
NOT_IN_CONVERSATION = "Non trovo una richiesta con questo numero in questa conversazione."
NO_OPEN_TICKET = "In questa conversazione non c'è una richiesta aperta."
INVALID_CURSOR = "Cursore non valido: usa il valore next_cursor della pagina precedente."
KEY_REUSED = (
    "Questa Idempotency-Key è già stata usata per una richiesta diversa: per una nuova richiesta usa una chiave nuova."
)

_AUTH_ERROR = problem_responses(status.HTTP_401_UNAUTHORIZED)
_NOT_FOUND = problem_responses(status.HTTP_404_NOT_FOUND, descriptions={404: "Richiesta non trovata"})

# Authentication at router level: a route added later is protected without thinking of it.
_AUTHENTICATED = [Depends(current_actor)]
tickets_router = APIRouter(prefix="/tickets", tags=["tickets"], dependencies=_AUTHENTICATED, responses=_AUTH_ERROR)
conversation_router = APIRouter(
    prefix="/conversation-tickets", tags=["tickets"], dependencies=_AUTHENTICATED, responses=_AUTH_ERROR
)

IdempotencyKey = Annotated[
    str,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=IDEMPOTENCY_KEY_LENGTH,
        pattern=r"^[\x21-\x7e]+$",
        description="One key per escalation: a retry with the same key returns the same ticket",
    ),
]


def _found(session: Session, number: str, *, with_events: bool = True) -> Ticket:
    canonical = canonical_number(number)
    ticket = queries.get_ticket(session, canonical, with_events=with_events) if canonical else None
    if ticket is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=TICKET_NOT_FOUND)
    return ticket


def _ticket_out(session: Session, ticket: Ticket) -> TicketOut:
    current = TicketStatus(ticket.status)
    return TicketOut(
        number=ticket.number,
        status=current,
        allowed_transitions=list(allowed_transitions(current)),
        priority=ticket.priority,  # type: ignore[arg-type]  # the database's CHECK keeps it a Priority
        channel=ticket.channel,
        conversation_id=ticket.conversation_id,
        contact=ContactOut(
            name=ticket.contact_name,
            email=ticket.contact_email,
            phone=ticket.contact_phone,
            via_chat=ticket.contact_via_chat,
        ),
        role=ticket.role,  # type: ignore[arg-type]  # the database's CHECK keeps it a Role
        company=ticket.company,
        description=ticket.description,
        consent_at=ticket.consent_at,
        privacy_notice_version=ticket.privacy_notice_version,
        transcript=[TranscriptTurn.model_validate(turn) for turn in ticket.transcript],
        slots=ticket.slots,
        assignee=ticket.assignee,
        created_at=ticket.created_at,
        updated_at=ticket.updated_at,
        first_response_at=ticket.first_response_at,
        resolved_at=ticket.resolved_at,
        queue_position=queries.queue_position(session, ticket),
        events=[TicketEventOut.model_validate(event) for event in ticket.events],
    )


def _status_out(session: Session, ticket: Ticket) -> TicketStatusOut:
    return TicketStatusOut(
        number=ticket.number,
        status=TicketStatus(ticket.status),
        created_at=ticket.created_at,
        updated_at=ticket.updated_at,
        queue_position=queries.queue_position(session, ticket),
    )


@tickets_router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=TicketOut,
    responses={
        status.HTTP_200_OK: {
            "model": TicketOut,
            "description": "Stessa Idempotency-Key e stessa richiesta: il ticket già creato",
        },
        **problem_responses(
            400,
            descriptions={
                400: "Richiesta incoerente: nessun recapito, o la chat come recapito fuori da Telegram e chat web",
                422: "Dati non validi (`errors` indica i campi), o Idempotency-Key già usata per altro",
            },
        ),
    },
)
def create_ticket(
    body: TicketCreate,
    idempotency_key: IdempotencyKey,
    session: SessionDep,
    actor: ActorDep,
    request: Request,
    response: Response,
) -> TicketOut:
    """Open a ticket for an escalation; idempotent by `Idempotency-Key`."""
    try:
        ticket, created = crud.create_ticket(session, body, idempotency_key=idempotency_key, actor=actor)
    except crud.InvalidTicket as exc:
        # Well-formed but inconsistent (the schema cannot say "at least one contact").
        raise HTTPException(status.HTTP_400_BAD_REQUEST, detail=str(exc)) from exc
    except crud.IdempotencyMismatch as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail=KEY_REUSED) from exc
    if created:
        data = {"status": ticket.status, "channel": ticket.channel, "conversation_id": ticket.conversation_id}
        live.publish(live.LiveEvent("ticket_created", ticket.number, data))  # the console's queue, live
    else:
        response.status_code = status.HTTP_200_OK
    response.headers["Location"] = request.app.url_path_for("read_ticket", number=ticket.number)
    return _ticket_out(session, ticket)


@tickets_router.get(
    "", response_model=TicketPage, responses=problem_responses(400, descriptions={400: "Cursore non valido"})
)
def list_tickets(
    session: SessionDep,
    status_: Annotated[list[TicketStatus] | None, Query(alias="status", description="Ripetibile")] = None,
    channel: Annotated[str | None, Query(max_length=32)] = None,
    conversation_id: Annotated[str | None, Query(max_length=128)] = None,
    older_than_hours: Annotated[int | None, Query(ge=0, le=24 * 366, description="Creati da almeno N ore")] = None,
    limit: Annotated[int, Query(ge=1, le=200, description="Ticket per pagina")] = 50,
    cursor: Annotated[str | None, Query(max_length=200, description="next_cursor della pagina precedente")] = None,
) -> TicketPage:
    """The queue, oldest first, with keyset pagination and the counts per status."""
    try:
        after = Cursor.decode(cursor) if cursor else None
    except InvalidCursor as exc:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, detail=INVALID_CURSOR) from exc
    filters = TicketFilters(
        statuses=tuple(dict.fromkeys(status_ or ())),
        channel=channel,
        conversation_id=conversation_id,
        created_before=None if older_than_hours is None else utcnow() - timedelta(hours=older_than_hours),
    )
    items, next_cursor = queries.list_tickets(session, filters, limit=limit, cursor=after)
    return TicketPage(
        items=[TicketSummary.model_validate(item) for item in items],
        next_cursor=next_cursor.encode() if next_cursor else None,
        counts=queries.count_by_status(session, filters),
    )


@tickets_router.get("/{number}", response_model=TicketOut, responses=_NOT_FOUND)
def read_ticket(number: str, session: SessionDep) -> TicketOut:
    """A whole ticket: contact, transcript, slots and audit trail."""
    return _ticket_out(session, _found(session, number))


@tickets_router.post(
    "/{number}/status",
    response_model=TicketOut,
    responses=problem_responses(
        descriptions={
            404: "Richiesta non trovata",
            409: "Passaggio non ammesso: `current_status` è lo stato attuale, `allowed` i passaggi possibili",
        }
    ),
)
def change_status(number: str, body: TransitionIn, session: SessionDep, actor: ActorDep) -> TicketOut:
    """Move a ticket along its state machine (api/tickets/states.py); the audit trail records it."""
    canonical = canonical_number(number)
    try:
        ticket = crud.change_status(session, canonical, body.status, actor=actor) if canonical else None
    except crud.InvalidTransition as exc:
        allowed = ", ".join(f"«{LABELS[status]}»" for status in exc.allowed)
        message = (
            f"Non puoi passare la richiesta da «{LABELS[exc.current]}» a «{LABELS[exc.target]}»: "
            f"da «{LABELS[exc.current]}» puoi passare a {allowed}."
        )
        detail = {"detail": message, "current_status": exc.current.value, "allowed": [s.value for s in exc.allowed]}
        raise HTTPException(status.HTTP_409_CONFLICT, detail=detail) from exc
    if ticket is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=TICKET_NOT_FOUND)
    return _ticket_out(session, ticket)


@tickets_router.post(
    "/{number}/notes", status_code=status.HTTP_201_CREATED, response_model=NoteOut, responses=_NOT_FOUND
)
def add_note(number: str, body: NoteCreate, session: SessionDep, actor: ActorDep) -> NoteOut:
    """An internal note, for operators only: the user never sees it."""
    return NoteOut.model_validate(
        crud.add_note(session, _found(session, number, with_events=False), body.text, actor=actor)
    )


@tickets_router.get("/{number}/notes", response_model=NoteList, responses=_NOT_FOUND)
def list_notes(number: str, session: SessionDep) -> NoteList:
    """The ticket's internal notes, oldest first."""
    notes = queries.list_notes(session, _found(session, number, with_events=False))
    return NoteList(items=[NoteOut.model_validate(note) for note in notes])


@conversation_router.get("/open", response_model=TicketStatusOut, responses=_NOT_FOUND)
def open_ticket(conversation_id: Annotated[ConversationId, Query()], session: SessionDep) -> TicketStatusOut:
    """This conversation's open ticket, so that a second escalation links to it."""
    ticket = queries.open_ticket(session, conversation_id)
    if ticket is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=NO_OPEN_TICKET)
    return _status_out(session, ticket)


@conversation_router.get("/{number}", response_model=TicketStatusOut, responses=_NOT_FOUND)
def conversation_ticket(
    number: str, conversation_id: Annotated[ConversationId, Query()], session: SessionDep
) -> TicketStatusOut:
    """Status of a ticket of this conversation ("a che punto è la mia richiesta?").

    A number that does not exist and one of another conversation get the same 404:
    nobody learns which numbers exist.
    """
    canonical = canonical_number(number)
    ticket = queries.conversation_ticket(session, conversation_id, canonical) if canonical else None
    if ticket is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=NOT_IN_CONVERSATION)
    return _status_out(session, ticket)


# What api/main.py mounts under /api/v1.
router = APIRouter()
router.include_router(tickets_router)
router.include_router(conversation_router)
