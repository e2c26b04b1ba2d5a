"""Helpers of the console tests: operators, sessions, logins, and a stand-in for the Rasa server."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from api.console.sessions import COOKIE_NAME, Lifetimes, open_session
from api.operators import crud
from api.operators.models import Operator, Role
from api.settings import Settings
from api.takeover.rasa_client import Said

PASSWORD = "una-password-lunga-abbastanza"
HTML = {"Accept": "text/html,application/xhtml+xml"}
JSON = {"Accept": "application/json"}
_CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


def make_operator(
    engine: Engine, username: str, display_name: str, *, role: Role = Role.OPERATORE, password: str = PASSWORD
) -> Operator:
    with Session(engine, expire_on_commit=False) as session:
        return crud.create_operator(session, username=username, display_name=display_name, password=password, role=role)


def sign_in(client: TestClient, engine: Engine, settings: Settings, operator: Operator) -> str:
    """Give `client` a session of `operator` (no login form, no Argon2); returns its CSRF token."""
    with Session(engine, expire_on_commit=False) as session:
        token, opened = open_session(session, session.get(Operator, operator.id), Lifetimes.of(settings))  # type: ignore[arg-type]
    client.cookies.set(COOKIE_NAME, token)
    return opened.csrf_token


def form_token(html: str) -> str:
    """The CSRF token of the first form of a page."""
    match = _CSRF_FIELD.search(html)
    assert match, "nessun modulo con csrf_token nella pagina"
    return match.group(1)


def log_in(client: TestClient, username: str, password: str = PASSWORD, **form: str) -> Any:
    """The login form as a browser fills it: GET (token cookie), then POST."""
    page = client.get("/console/login", headers=HTML)
    assert page.status_code == 200, page.text
    data = {"username": username, "password": password, "csrf_token": form_token(page.text), **form}
    return client.post("/console/login", data=data, headers=HTML, follow_redirects=False)


@dataclass
class FakeRasa:
    """The Rasa server's operator routes (api/takeover/rasa_client.RasaPort), recorded."""

    suggestions: list[dict[str, Any]] = field(default_factory=list)
    said: list[tuple[str, str, str, bool]] = field(default_factory=list)
    asked: list[str] = field(default_factory=list)

    async def say(self, sender_id: str, text: str, operator_name: str, *, notice: bool = False) -> Said:
        self.said.append((sender_id, text, operator_name, notice))
        return Said(recorded=True, delivered=True)

    async def suggest(self, text: str) -> list[dict[str, Any]]:
        self.asked.append(text)
        return self.suggestions


@dataclass(frozen=True)
class ConsoleRoute:
    """A console route as the permission tests call it: `{number}`, `{operator_id}`,
    `{reply_id}` and `{tabella}` are filled with a ticket, an operator, a canned reply
    made for the test and a table of the dashboard."""

    method: str
    path: str
    admin: bool = False
    form: dict[str, str] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return f"{self.method} {self.path}"


# Every route of the console but the login page: tests/api/test_auth.py fails when the
# app has a route outside the OpenAPI schema that is neither public nor listed here.
CONSOLE_ROUTES: tuple[ConsoleRoute, ...] = (
    ConsoleRoute("POST", "/console/logout"),
    ConsoleRoute("GET", "/console/password"),
    ConsoleRoute("POST", "/console/password", form={"current": PASSWORD, "new": "x", "confirm": "y"}),
    ConsoleRoute("GET", "/console"),
    ConsoleRoute("GET", "/console/coda"),
    ConsoleRoute("GET", "/console/coda/righe"),
    ConsoleRoute("GET", "/console/events"),
    ConsoleRoute("GET", "/console/ticket/{number}"),
    ConsoleRoute("GET", "/console/ticket/{number}/conversazione"),
    ConsoleRoute("GET", "/console/ticket/{number}/suggerimenti"),
    ConsoleRoute("POST", "/console/ticket/{number}/prendi"),
    ConsoleRoute("POST", "/console/ticket/{number}/restituisci"),
    ConsoleRoute("POST", "/console/ticket/{number}/rispondi", form={"text": "Ciao"}),
    ConsoleRoute("POST", "/console/ticket/{number}/stato", form={"stato": "chiuso"}),
    ConsoleRoute("POST", "/console/ticket/{number}/note", form={"text": "Nota"}),
    ConsoleRoute("GET", "/console/operatori", admin=True),
    ConsoleRoute(
        "POST",
        "/console/operatori",
        admin=True,
        form={"username": "nuovo.op", "display_name": "Nuovo", "password": PASSWORD, "role": "operatore"},
    ),
    ConsoleRoute("POST", "/console/operatori/{operator_id}/disattiva", admin=True),
    ConsoleRoute("POST", "/console/operatori/{operator_id}/riattiva", admin=True),
    ConsoleRoute("POST", "/console/operatori/{operator_id}/password", admin=True),
    ConsoleRoute("GET", "/console/risposte", admin=True),
    ConsoleRoute("POST", "/console/risposte", admin=True, form={"titolo": "Saluto", "testo": "Ciao!"}),
    ConsoleRoute("GET", "/console/risposte/{reply_id}", admin=True),
    ConsoleRoute("POST", "/console/risposte/{reply_id}", admin=True, form={"titolo": "Saluti", "testo": "Ciao!"}),
    ConsoleRoute("POST", "/console/risposte/{reply_id}/elimina", admin=True),
    ConsoleRoute("GET", "/console/cruscotto"),
    ConsoleRoute("GET", "/console/cruscotto/{tabella}.csv"),
    ConsoleRoute("GET", "/console/revisione", admin=True),
    # Messages that do not exist: refused (409) before the knowledge base is opened.
    ConsoleRoute(
        "POST", "/console/revisione/assegna", admin=True, form={"turni": "999999", "argomento": "buoni_pasto"}
    ),
    ConsoleRoute("POST", "/console/revisione/nuovo", admin=True, form={"turni": "999999", "titolo": "Nuovo"}),
    ConsoleRoute("POST", "/console/revisione/scarta", admin=True, form={"turni": "999999"}),
    ConsoleRoute("GET", "/console/cancellazione", admin=True),
    # The conversation of the test's ticket (tests/api/support.ticket_payload).
    ConsoleRoute("POST", "/console/cancellazione", admin=True, form={"conversazione": "telegram:424242"}),
    ConsoleRoute("POST", "/console/cancellazione/conferma", admin=True, form={"conversazione": "telegram:424242"}),
)
