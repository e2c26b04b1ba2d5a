"""Who may use a console route: the dependencies every console router declares.

- `session_of`: the valid session of the request's cookie, or None.
- `require_operator`: a session, or 401 (a browser is sent to the login page instead).
- `require_csrf`: on POST (and any unsafe method) the session's CSRF token, from the
  form field `csrf_token` or the header `X-CSRF-Token` (htmx sends it), else 403.
- `require_admin`: all of the above and the role `amministratore`, else 403.

Routers declare them at router level, so a route added later is protected without
thinking of it; tests/api/console/test_permissions.py checks every route.
"""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status

from api.console.sessions import COOKIE_NAME, Lifetimes, OpenSession, find_session
from api.deps import SessionDep, SettingsDep

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# The only pages an operator who must change their password may open.
PASSWORD_PAGE = "/console/password"
LOGIN_PAGE = "/console/login"

LOGIN_REQUIRED = "Accesso richiesto: entra nella console con il tuo nome utente e la tua password."
CSRF_FAILED = "Modulo scaduto o non valido: ricarica la pagina e riprova."
ADMINS_ONLY = "Questa pagina è riservata agli amministratori."
CHANGE_PASSWORD_FIRST = "Prima di continuare scegli una nuova password."


class ConsoleError(HTTPException):
    """An error of a console route: an Italian page for a browser, a problem (JSON) otherwise."""


class LoginRequired(ConsoleError):
    def __init__(self) -> None:
        super().__init__(status.HTTP_401_UNAUTHORIZED, detail=LOGIN_REQUIRED)


class PasswordChangeRequired(ConsoleError):
    def __init__(self) -> None:
        super().__init__(status.HTTP_403_FORBIDDEN, detail=CHANGE_PASSWORD_FIRST)


def session_of(request: Request, db: SessionDep, settings: SettingsDep) -> OpenSession | None:
    """The request's console session, if its cookie names a valid one (cached per request)."""
    token = request.cookies.get(COOKIE_NAME)
    return find_session(db, token, Lifetimes.of(settings)) if token else None


SessionOrNone = Annotated[OpenSession | None, Depends(session_of)]


def csrf_matches(found: OpenSession, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(str(given).encode(), found.csrf_token.encode())


def require_operator(request: Request, found: SessionOrNone) -> OpenSession:
    if found is None:
        raise LoginRequired()
    if found.operator.must_change_password and request.url.path not in (PASSWORD_PAGE, "/console/logout"):
        raise PasswordChangeRequired()
    return found


async def require_csrf(request: Request, found: Annotated[OpenSession, Depends(require_operator)]) -> OpenSession:
    if request.method in SAFE_METHODS:
        return found
    given = request.headers.get(CSRF_HEADER)
    if given is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        value = (await request.form()).get(CSRF_FIELD)
        given = value if isinstance(value, str) else None
    if not csrf_matches(found, given):
        raise ConsoleError(status.HTTP_403_FORBIDDEN, detail=CSRF_FAILED)
    return found


def require_admin(found: Annotated[OpenSession, Depends(require_csrf)]) -> OpenSession:
    if not found.operator.is_admin:
        raise ConsoleError(status.HTTP_403_FORBIDDEN, detail=ADMINS_ONLY)
    return found


OperatorDep = Annotated[OpenSession, Depends(require_csrf)]
AdminDep = Annotated[OpenSession, Depends(require_admin)]
