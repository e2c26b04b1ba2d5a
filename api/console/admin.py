"""Administrators' pages: operator accounts (add, disable, enable, reset) and canned replies.

Every route here requires the role `amministratore` (router-level `require_admin`),
so an operator gets 403 whatever route is added later. A reset shows the temporary
password once, on the answer to the POST itself: it is never stored in clear, nor
put in a URL.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request, status
from fastapi.responses import Response
from sqlalchemy.orm import Session

from api.console import canned
from api.console.auth import AdminDep, ConsoleError, require_admin
from api.console.models import CANNED_TEXT_LENGTH, CANNED_TITLE_LENGTH, CannedReply
from api.console.pages import redirect, render
from api.console.sessions import OpenSession
from api.deps import SessionDep
from api.operators import crud
from api.operators.models import DISPLAY_NAME_LENGTH, ROLE_LABELS, USERNAME_LENGTH, Operator, Role
from api.operators.passwords import MAX_LENGTH

router = APIRouter(prefix="/console", include_in_schema=False, dependencies=[Depends(require_admin)])

OPERATOR_NOTICES = {
    "creato": "Operatore aggiunto.",
    "disattivato": "Operatore disattivato: le sue sessioni sono chiuse.",
    "riattivato": "Operatore riattivato.",
}
CANNED_NOTICES = {"salvata": "Risposta pronta salvata.", "eliminata": "Risposta pronta eliminata."}
NO_OPERATOR = "Non trovo questo operatore."
NO_CANNED = "Non trovo questa risposta pronta."


def _operators_page(
    request: Request, db: Session, user: OpenSession, *, status_code: int = 200, **extra: Any
) -> Response:
    context = {
        "operators": crud.list_operators(db),
        "roles": ROLE_LABELS,
        "username_length": USERNAME_LENGTH,
        "display_name_length": DISPLAY_NAME_LENGTH,
        **extra,
    }
    return render(request, "operators.html", context, user=user, status_code=status_code)


def _operator(db: Session, operator_id: int) -> Operator:
    operator = db.get(Operator, operator_id)
    if operator is None:
        raise ConsoleError(status.HTTP_404_NOT_FOUND, detail=NO_OPERATOR)
    return operator


@router.get("/operatori")
def operators_page(request: Request, db: SessionDep, user: AdminDep, esito: str = "") -> Response:
    return _operators_page(request, db, user, notice=OPERATOR_NOTICES.get(esito, ""))


@router.post("/operatori")
def add_operator(
    request: Request,
    db: SessionDep,
    user: AdminDep,
    username: Annotated[str, Form(max_length=USERNAME_LENGTH * 2)] = "",
    display_name: Annotated[str, Form(max_length=DISPLAY_NAME_LENGTH * 2)] = "",
    password: Annotated[str, Form(max_length=MAX_LENGTH * 2)] = "",
    role: Annotated[str, Form(max_length=32)] = Role.OPERATORE.value,
) -> Response:
    try:
        chosen = Role(role)
        crud.create_operator(
            db, username=username, display_name=display_name, password=password, role=chosen, must_change_password=True
        )
    except ValueError as exc:  # InvalidOperator, or a role that is not one
        message = str(exc) if isinstance(exc, crud.InvalidOperator) else "Scegli un ruolo tra quelli proposti."
        form = {"username": username, "display_name": display_name, "role": role}
        return _operators_page(request, db, user, status_code=400, error=message, form=form)
    return redirect("/console/operatori", query={"esito": "creato"})


def _set_active(request: Request, db: Session, user: OpenSession, operator_id: int, active: bool) -> Response:
    try:
        crud.set_active(db, _operator(db, operator_id), active, by=user.operator)
    except crud.InvalidOperator as exc:
        return _operators_page(request, db, user, status_code=409, error=str(exc))
    return redirect("/console/operatori", query={"esito": "riattivato" if active else "disattivato"})


@router.post("/operatori/{operator_id}/disattiva")
def disable_operator(request: Request, db: SessionDep, user: AdminDep, operator_id: int) -> Response:
    return _set_active(request, db, user, operator_id, False)


@router.post("/operatori/{operator_id}/riattiva")
def enable_operator(request: Request, db: SessionDep, user: AdminDep, operator_id: int) -> Response:
    return _set_active(request, db, user, operator_id, True)


@router.post("/operatori/{operator_id}/password")
def reset_password(request: Request, db: SessionDep, user: AdminDep, operator_id: int) -> Response:
    operator = _operator(db, operator_id)
    temporary = crud.reset_password(db, operator)
    reset = {"display_name": operator.display_name, "username": operator.username, "password": temporary}
    return _operators_page(request, db, user, reset=reset)


# --- canned replies -------------------------------------------------------------------


def _canned_page(request: Request, db: Session, user: OpenSession, *, status_code: int = 200, **extra: Any) -> Response:
    context = {
        "replies": canned.list_replies(db),
        "title_length": CANNED_TITLE_LENGTH,
        "text_length": CANNED_TEXT_LENGTH,
        **extra,
    }
    return render(request, "canned.html", context, user=user, status_code=status_code)


def _reply(db: Session, reply_id: int) -> CannedReply:
    reply = db.get(CannedReply, reply_id)
    if reply is None:
        raise ConsoleError(status.HTTP_404_NOT_FOUND, detail=NO_CANNED)
    return reply


Title = Annotated[str, Form(alias="titolo", max_length=CANNED_TITLE_LENGTH * 2)]
Body = Annotated[str, Form(alias="testo", max_length=CANNED_TEXT_LENGTH * 2)]


@router.get("/risposte")
def canned_page(request: Request, db: SessionDep, user: AdminDep, esito: str = "") -> Response:
    return _canned_page(request, db, user, notice=CANNED_NOTICES.get(esito, ""))


@router.post("/risposte")
def add_canned(request: Request, db: SessionDep, user: AdminDep, title: Title = "", text: Body = "") -> Response:
    try:
        canned.save(db, title, text)
    except canned.InvalidCannedReply as exc:
        return _canned_page(request, db, user, status_code=400, error=str(exc), form={"title": title, "text": text})
    return redirect("/console/risposte", query={"esito": "salvata"})


@router.get("/risposte/{reply_id}")
def edit_canned_page(request: Request, db: SessionDep, user: AdminDep, reply_id: int) -> Response:
    reply = _reply(db, reply_id)
    return _canned_page(request, db, user, editing=reply, form={"title": reply.title, "text": reply.text})


@router.post("/risposte/{reply_id}")
def edit_canned(
    request: Request, db: SessionDep, user: AdminDep, reply_id: int, title: Title = "", text: Body = ""
) -> Response:
    reply = _reply(db, reply_id)
    try:
        canned.save(db, title, text, reply=reply)
    except canned.InvalidCannedReply as exc:
        form = {"title": title, "text": text}
        return _canned_page(request, db, user, status_code=400, error=str(exc), editing=reply, form=form)
    return redirect("/console/risposte", query={"esito": "salvata"})


@router.post("/risposte/{reply_id}/elimina")
def delete_canned(db: SessionDep, user: AdminDep, reply_id: int) -> Response:
    canned.delete(db, _reply(db, reply_id))
    return redirect("/console/risposte", query={"esito": "eliminata"})
