"""The ticket page: transcript, live conversation, contact and form data, notes, audit trail,
status changes, "Prendi in carico" / "Restituisci all'assistente", the reply box with
suggested and canned replies.

Actions are plain HTML forms (they work without JavaScript) answered with 303 to the
page; a refused action shows the page again with the reason and the HTTP status that
says it (409 taken by someone else or not allowed now, 400 invalid, 503 not delivered).
Taking over, handing back and sending go through api/takeover/service.py; the page
only reads.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request, status
from fastapi.responses import Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from api.console import canned
from api.console.auth import ConsoleError, OperatorDep, require_csrf
from api.console.pages import redirect, render
from api.console.queue import operator_names
from api.console.sessions import OpenSession
from api.deps import SessionDep
from api.takeover import ownership
from api.takeover import service as takeover
from api.takeover.models import MESSAGE_LENGTH
from api.tickets import crud, queries
from api.tickets.models import NOTE_LENGTH, Ticket
from api.tickets.numbering import canonical_number
from api.tickets.states import LABELS, TicketStatus, allowed_transitions

NOT_FOUND = "Non trovo questa richiesta: controlla il numero (per esempio SW-2026-000123)."
NOTICES = {
    "presa": "Hai preso in carico la conversazione: ora l'assistente non risponde, rispondi tu.",
    "restituita": "Conversazione restituita all'assistente: l'utente è stato avvisato.",
    "inviata": "Risposta inviata.",
    "stato": "Stato aggiornato.",
    "nota": "Nota aggiunta.",
}

router = APIRouter(prefix="/console/ticket", include_in_schema=False, dependencies=[Depends(require_csrf)])


def _ticket(db: Session, number: str) -> Ticket:
    canonical = canonical_number(number)
    ticket = queries.get_ticket(db, canonical) if canonical else None
    if ticket is None:
        raise ConsoleError(status.HTTP_404_NOT_FOUND, detail=NOT_FOUND)
    return ticket


def _page(db: Session, user: OpenSession, number: str) -> dict[str, Any]:
    ticket = _ticket(db, number)
    owner = ownership.owner_of_ticket(db, ticket)
    names = operator_names(db)
    return {
        "ticket": ticket,
        "names": names,
        "owner_name": names.get(str(owner.operator_id)) if owner else None,
        "mine": owner is not None and owner.operator_id == user.operator.id,
        "reachable": takeover.reachable(ticket),
        "transitions": allowed_transitions(TicketStatus(ticket.status)),
        "notes": queries.list_notes(db, ticket),
        "messages": takeover.messages(db, ticket.number),
        "canned": canned.list_replies(db),
        "note_length": NOTE_LENGTH,
        "message_length": MESSAGE_LENGTH,
    }


async def _refused(
    request: Request, db: Session, user: OpenSession, number: str, message: str, status_code: int, **extra: Any
) -> Response:
    context = await run_in_threadpool(_page, db, user, number)
    return render(request, "ticket.html", {**context, "error": message, **extra}, user=user, status_code=status_code)


def _done(ticket: Ticket, notice: str, anchor: str = "") -> Response:
    response = redirect(f"/console/ticket/{ticket.number}", query={"esito": notice})
    if anchor:
        response.headers["Location"] += f"#{anchor}"
    return response


@router.get("/{number}")
def ticket_page(request: Request, db: SessionDep, user: OperatorDep, number: str, esito: str = "") -> Response:
    context = {**_page(db, user, number), "notice": NOTICES.get(esito, "")}
    return render(request, "ticket.html", context, user=user)


@router.get("/{number}/conversazione")
def conversation(request: Request, db: SessionDep, user: OperatorDep, number: str) -> Response:
    """The conversation alone: htmx fetches it again on each live event of this ticket."""
    return render(request, "_conversation.html", _page(db, user, number), user=user)


@router.get("/{number}/suggerimenti")
async def suggestions(request: Request, db: SessionDep, user: OperatorDep, number: str) -> Response:
    """The knowledge base's best answers to the user's latest message (asked of the Rasa server)."""
    ticket = await run_in_threadpool(_ticket, db, number)
    found = await takeover.suggestions(db, ticket.number)
    owner = await run_in_threadpool(ownership.owner_of_ticket, db, ticket)
    mine = owner is not None and owner.operator_id == user.operator.id
    return render(request, "_suggestions.html", {"suggestions": found, "mine": mine}, user=user)


@router.post("/{number}/prendi")
async def take(request: Request, db: SessionDep, user: OperatorDep, number: str) -> Response:
    try:
        ticket = await takeover.take(db, number, user.operator)
    except takeover.TicketNotFound as exc:
        raise ConsoleError(status.HTTP_404_NOT_FOUND, detail=str(exc)) from exc
    except (takeover.AlreadyOwned, crud.InvalidTransition) as exc:
        message = str(exc) if isinstance(exc, takeover.AlreadyOwned) else _transition_message(exc)
        return await _refused(request, db, user, number, message, status.HTTP_409_CONFLICT)
    return _done(ticket, "presa", "conversazione")


@router.post("/{number}/restituisci")
async def release(request: Request, db: SessionDep, user: OperatorDep, number: str) -> Response:
    try:
        ticket = await takeover.release(db, number, user.operator)
    except takeover.TicketNotFound as exc:
        raise ConsoleError(status.HTTP_404_NOT_FOUND, detail=str(exc)) from exc
    except takeover.NotOwner as exc:
        return await _refused(request, db, user, number, str(exc), status.HTTP_409_CONFLICT)
    return _done(ticket, "restituita")


@router.post("/{number}/rispondi")
async def reply(
    request: Request,
    db: SessionDep,
    user: OperatorDep,
    number: str,
    text: Annotated[str, Form(max_length=MESSAGE_LENGTH * 2)] = "",
    source_topic: Annotated[str, Form(max_length=128)] = "",
) -> Response:
    """The owner's reply; `source_topic` is the suggestion it started from, if any."""
    try:
        await takeover.send(db, number, user.operator, text, source_topic or None)
    except takeover.TicketNotFound as exc:
        raise ConsoleError(status.HTTP_404_NOT_FOUND, detail=str(exc)) from exc
    except takeover.TakeoverError as exc:
        code = {
            takeover.InvalidMessage: status.HTTP_400_BAD_REQUEST,
            takeover.DeliveryFailed: status.HTTP_503_SERVICE_UNAVAILABLE,
        }.get(type(exc), status.HTTP_409_CONFLICT)
        draft = {"text": text, "source_topic": source_topic}
        return await _refused(request, db, user, number, str(exc), code, draft=draft)
    return redirect(f"/console/ticket/{canonical_number(number)}", query={"esito": "inviata"})


def _transition_message(exc: crud.InvalidTransition) -> str:
    allowed = ", ".join(f"«{LABELS[s]}»" for s in exc.allowed)
    return f"Non puoi passare da «{LABELS[exc.current]}» a «{LABELS[exc.target]}»: puoi passare a {allowed}."


@router.post("/{number}/stato")
def change_status(
    request: Request,
    db: SessionDep,
    user: OperatorDep,
    number: str,
    target: Annotated[str, Form(alias="stato", max_length=32)] = "",
) -> Response:
    ticket = _ticket(db, number)
    try:
        wanted = TicketStatus(target)
        changed = crud.change_status(db, ticket.number, wanted, actor=takeover.operator_actor(user.operator))
    except ValueError:
        message = "Scegli uno degli stati proposti."
        return render(request, "ticket.html", {**_page(db, user, number), "error": message}, user=user, status_code=400)
    except crud.InvalidTransition as exc:
        context = {**_page(db, user, number), "error": _transition_message(exc)}
        return render(request, "ticket.html", context, user=user, status_code=409)
    assert changed is not None  # _ticket found it, and tickets are never deleted
    return _done(changed, "stato")


@router.post("/{number}/note")
def add_note(
    request: Request,
    db: SessionDep,
    user: OperatorDep,
    number: str,
    text: Annotated[str, Form(max_length=NOTE_LENGTH * 2)] = "",
) -> Response:
    ticket = _ticket(db, number)
    cleaned = text.strip()
    if not cleaned or len(cleaned) > NOTE_LENGTH:
        message = f"Scrivi la nota (al massimo {NOTE_LENGTH} caratteri)."
        context = {**_page(db, user, number), "error": message, "note_draft": text}
        return render(request, "ticket.html", context, user=user, status_code=400)
    crud.add_note(db, ticket, cleaned, actor=takeover.operator_actor(user.operator))
    return _done(ticket, "nota", "note")
