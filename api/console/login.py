"""Logging in and out, and changing one's own password.

The login form is protected from cross-site posts too (someone else's site logging an
operator into an account of its choosing): before there is a session, the form's token
is a double-submit cookie, set with the form and compared on POST. Argon2 and the
database run in FastAPI's thread pool (these routes are plain `def`).
"""

from __future__ import annotations

import hmac
import math
import secrets
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request, status
from fastapi.responses import Response
from sqlalchemy import delete

from api.console import ratelimit
from api.console.auth import CSRF_FIELD, LOGIN_PAGE, PASSWORD_PAGE, OperatorDep, SessionOrNone, require_csrf
from api.console.models import ConsoleSession
from api.console.pages import redirect, render, safe_next
from api.console.sessions import COOKIE_NAME, COOKIE_PATH, Lifetimes, close_session, open_session
from api.deps import SessionDep, SettingsDep
from api.operators import crud
from api.operators.models import USERNAME_LENGTH
from api.operators.passwords import MAX_LENGTH
from api.settings import Settings

LOGIN_CSRF_COOKIE = "sportello_console_login"
LOGIN_FORM_MAX_AGE = 2 * 3600

WRONG_CREDENTIALS = "Nome utente o password non corretti."
FORM_EXPIRED = "Il modulo è scaduto: riprova ad accedere."
PASSWORD_CHANGED = "Password cambiata."
NOTICES = {"uscita": "Sei uscito dalla console.", "scaduta": "La sessione è scaduta: accedi di nuovo."}

public_router = APIRouter(prefix="/console", include_in_schema=False)
router = APIRouter(prefix="/console", include_in_schema=False, dependencies=[Depends(require_csrf)])


def _secure(settings: Settings) -> bool:
    return settings.env != "development"


def _client(request: Request) -> str:
    return request.client.host if request.client else "sconosciuto"


def _login_page(
    request: Request,
    settings: Settings,
    *,
    next_url: str,
    error: str = "",
    notice: str = "",
    status_code: int = 200,
    username: str = "",
    headers: dict[str, str] | None = None,
) -> Response:
    token = secrets.token_urlsafe(32)
    context = {"login_csrf": token, "next": next_url, "error": error, "notice": notice, "username": username}
    response = render(request, "login.html", context, status_code=status_code, headers=headers)
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        max_age=LOGIN_FORM_MAX_AGE,
        path=LOGIN_PAGE,
        secure=_secure(settings),
        httponly=True,
        samesite="strict",
    )
    return response


@public_router.get("/login")
def login_form(
    request: Request,
    settings: SettingsDep,
    found: SessionOrNone,
    next_url: Annotated[str, Query(alias="next", max_length=2000)] = "",
    esito: Annotated[str, Query(max_length=32)] = "",
) -> Response:
    if found is not None:
        return redirect(safe_next(next_url))
    return _login_page(request, settings, next_url=safe_next(next_url), notice=NOTICES.get(esito, ""))


@public_router.post("/login")
def login(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    found: SessionOrNone,
    username: Annotated[str, Form(max_length=USERNAME_LENGTH * 4)] = "",
    password: Annotated[str, Form(max_length=MAX_LENGTH * 4)] = "",
    csrf_token: Annotated[str, Form(alias=CSRF_FIELD, max_length=256)] = "",
    next_field: Annotated[str, Form(alias="next", max_length=2000)] = "",
) -> Response:
    next_url = safe_next(next_field)
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not expected or not csrf_token or not hmac.compare_digest(csrf_token.encode(), expected.encode()):
        return _login_page(request, settings, next_url=next_url, error=FORM_EXPIRED, status_code=403)
    limit = ratelimit.LoginLimit.of(settings)
    client = _client(request)
    wait_s = ratelimit.retry_after(db, username, client, limit)
    if wait_s:
        minutes = math.ceil(wait_s / 60)
        message = f"Troppi tentativi di accesso non riusciti: riprova tra {minutes} min."
        return _login_page(
            request,
            settings,
            next_url=next_url,
            error=message,
            status_code=status.HTTP_429_TOO_MANY_REQUESTS,
            username=username,
            headers={"Retry-After": str(wait_s)},
        )
    operator = crud.authenticate(db, username, password)
    if operator is None:
        ratelimit.record_failure(db, username, client, limit)
        return _login_page(
            request, settings, next_url=next_url, error=WRONG_CREDENTIALS, status_code=401, username=username
        )
    ratelimit.clear(db, username, client)
    if found is not None:  # a new login never reuses an old session (no fixation)
        close_session(db, found.key)
    token, _ = open_session(db, operator, Lifetimes.of(settings))
    response = redirect(PASSWORD_PAGE if operator.must_change_password else next_url)
    response.set_cookie(COOKIE_NAME, token, path=COOKIE_PATH, secure=_secure(settings), httponly=True, samesite="lax")
    response.delete_cookie(LOGIN_CSRF_COOKIE, path=LOGIN_PAGE)
    return response


@router.post("/logout")
def logout(db: SessionDep, settings: SettingsDep, user: OperatorDep) -> Response:
    close_session(db, user.key)
    response = redirect(LOGIN_PAGE, query={"esito": "uscita"})
    response.delete_cookie(COOKIE_NAME, path=COOKIE_PATH, secure=_secure(settings), httponly=True, samesite="lax")
    return response


@router.get("/password")
def password_form(request: Request, user: OperatorDep) -> Response:
    return render(request, "password.html", {}, user=user)


@router.post("/password")
def change_password(
    request: Request,
    db: SessionDep,
    user: OperatorDep,
    current: Annotated[str, Form(max_length=MAX_LENGTH * 4)] = "",
    new: Annotated[str, Form(max_length=MAX_LENGTH * 4)] = "",
    confirm: Annotated[str, Form(max_length=MAX_LENGTH * 4)] = "",
) -> Response:
    operator = user.operator
    try:
        if new != confirm:
            raise crud.InvalidOperator("Le due nuove password non coincidono.")
        crud.change_password(db, operator, current, new)
    except crud.InvalidOperator as exc:
        return render(request, "password.html", {"error": str(exc)}, user=user, status_code=400)
    # Any other open session (another browser, someone else) ends with the old password.
    db.execute(delete(ConsoleSession).where(ConsoleSession.operator_id == operator.id, ConsoleSession.id != user.key))
    db.commit()
    return redirect("/console/coda", query={"esito": "password"})
