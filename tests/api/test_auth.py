"""Every protected endpoint refuses requests without the right service token."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from starlette.routing import Mount

from api.deps import UNAUTHORIZED_DETAIL
from api.operators.models import Operator
from api.takeover.models import ConversationOwner
from api.tickets.models import Ticket
from tests.api.console.support import CONSOLE_ROUTES
from tests.api.support import AUTH, TOKEN, error_detail, ticket_payload, vote_payload

PUBLIC = {("GET", "/api/v1/health")}
# Outside the OpenAPI schema: the chat widget's demo page and files (api/routes/widget.py)
# and FastAPI's own documentation. All public by design.
PUBLIC_OUTSIDE_SCHEMA = {
    ("GET", "/"),
    ("MOUNT", "/static/widget"),
    ("MOUNT", "/static/vendor"),
    ("GET", "/openapi.json"),
    ("GET", "/docs"),
    ("GET", "/docs/oauth2-redirect"),
    ("GET", "/redoc"),
    # The operators' console: its login form (protected by its own CSRF cookie) and files.
    ("GET", "/console/login"),
    ("POST", "/console/login"),
    ("MOUNT", "/static/console"),
}
# Paths as in the OpenAPI schema; requests fill `{number}` with a ticket made for the test
# and add the query string after "?" (look-ups are scoped to a conversation).
PROTECTED: list[tuple[str, str, dict[str, Any] | None]] = [
    ("POST", "/api/v1/feedback", vote_payload()),
    ("GET", "/api/v1/feedback", None),
    ("GET", "/api/v1/feedback/summary", None),
    ("POST", "/api/v1/tickets", ticket_payload()),
    ("GET", "/api/v1/tickets", None),
    ("GET", "/api/v1/tickets/{number}", None),
    ("POST", "/api/v1/tickets/{number}/status", {"status": "in_carico"}),
    ("POST", "/api/v1/tickets/{number}/notes", {"text": "Nota interna"}),
    ("GET", "/api/v1/tickets/{number}/notes", None),
    ("GET", "/api/v1/conversation-tickets/open?conversation_id=telegram:424242", None),
    ("GET", "/api/v1/conversation-tickets/{number}?conversation_id=telegram:424242", None),
    # The Rasa server's side of a takeover (api/takeover/routes.py): service token only.
    ("GET", "/api/v1/conversations/{conversation_id}/owner", None),
    ("POST", "/api/v1/conversations/{conversation_id}/messages", {"text": "ci sei?"}),
    # Monitoring (api/monitoring/routes.py): the event broker's batches, dashboard, inbox.
    ("POST", "/api/v1/monitoring/events", {"events": [], "dropped": 0}),
    ("GET", "/api/v1/monitoring/dashboard", None),
    ("GET", "/api/v1/monitoring/export/{table}", None),
    ("GET", "/api/v1/monitoring/review", None),
]
# `{conversation_id}`: the conversation of the ticket made for the test, taken by an operator.
CONVERSATION = "telegram:424242"
# `{table}`: a table of the monitoring dashboard.
TABLE = "esiti"
# Sent with every request: the ticket creation needs it, the other endpoints ignore it.
IDEMPOTENCY = {"Idempotency-Key": "chiave-test-auth"}
BAD_HEADERS: dict[str, dict[str, str]] = {
    "nessun token": {},
    "token errato": {"Authorization": "Bearer token-sbagliato"},
    "token vuoto": {"Authorization": "Bearer "},
    "token con un carattere in più": {"Authorization": f"Bearer {TOKEN}x"},
    "prefisso del token": {"Authorization": f"Bearer {TOKEN[:-1]}"},
    "schema Basic": {"Authorization": f"Basic {TOKEN}"},
    "token senza schema": {"Authorization": TOKEN},
}


def test_every_endpoint_is_either_public_or_covered_here(app: FastAPI) -> None:
    routes = {(method.upper(), path) for path, operations in app.openapi()["paths"].items() for method in operations}
    assert routes == PUBLIC | {(method, path.split("?")[0]) for method, path, _ in PROTECTED}


def test_every_route_outside_the_schema_is_public_or_a_tested_console_route(app: FastAPI) -> None:
    # Every route as the app serves it, included routers and their prefixes too (FastAPI
    # includes routers lazily: `iter_route_contexts` flattens them). A console route is
    # covered by tests/api/console/test_permissions.py once it is in CONSOLE_ROUTES.
    routes: set[tuple[str, str]] = set()
    for route in iter_route_contexts(app.routes):
        path = str(route.path)
        if isinstance(route.original_route, Mount):
            routes.add(("MOUNT", path))
        elif not route.include_in_schema:
            routes |= {(method, path) for method in route.methods or ()} - {("HEAD", path)}
    console = {(route.method, route.path) for route in CONSOLE_ROUTES}
    assert routes - PUBLIC_OUTSIDE_SCHEMA - console == set(), "aggiungi a CONSOLE_ROUTES (o a PUBLIC_OUTSIDE_SCHEMA)"
    assert routes == PUBLIC_OUTSIDE_SCHEMA | console


@pytest.mark.parametrize("path", ["/", "/static/widget/sportello-widget.js"])
def test_the_widget_needs_no_token(client: TestClient, path: str) -> None:
    assert client.get(path).status_code == 200


@pytest.mark.parametrize(("method", "path", "body"), PROTECTED, ids=[f"{m} {p}" for m, p, _ in PROTECTED])
@pytest.mark.parametrize("headers", BAD_HEADERS.values(), ids=list(BAD_HEADERS))
def test_refused_without_the_right_token(
    client: TestClient, method: str, path: str, body: dict[str, Any] | None, headers: dict[str, str]
) -> None:
    url = path.format(number="SW-2026-000001", conversation_id=CONVERSATION, table=TABLE)
    response = client.request(method, url, json=body, headers=headers | IDEMPOTENCY)
    assert response.status_code == 401
    assert error_detail(response) == UNAUTHORIZED_DETAIL
    assert response.headers["WWW-Authenticate"] == "Bearer"


@pytest.mark.parametrize(("method", "path", "body"), PROTECTED, ids=[f"{m} {p}" for m, p, _ in PROTECTED])
def test_accepted_with_the_right_token(
    client: TestClient, engine: Engine, method: str, path: str, body: dict[str, Any] | None
) -> None:
    made = client.post("/api/v1/tickets", json=ticket_payload(), headers={**AUTH, "Idempotency-Key": "esistente"})
    assert made.status_code == 201, made.text
    _taken_over(engine, made.json()["number"])
    url = path.format(number=made.json()["number"], conversation_id=CONVERSATION, table=TABLE)
    response = client.request(method, url, json=body, headers=AUTH | IDEMPOTENCY)
    assert response.status_code in (200, 201), response.text


def _taken_over(engine: Engine, number: str) -> None:
    """An operator owns the ticket's conversation (a user's message is then accepted)."""
    with Session(engine) as session:
        operator = Operator(username="anna", display_name="Anna", password_hash="-")
        session.add(operator)
        session.flush()
        ticket = session.scalars(select(Ticket).where(Ticket.number == number)).one()
        owner = ConversationOwner(conversation_id=ticket.conversation_id, ticket_id=ticket.id, operator_id=operator.id)
        session.add(owner)
        session.commit()


def test_a_refused_vote_is_not_stored(client: TestClient) -> None:
    client.post("/api/v1/feedback", json=vote_payload(), headers={"Authorization": "Bearer no"})
    assert client.get("/api/v1/feedback", headers=AUTH).json()["count"] == 0


def test_a_refused_ticket_is_not_stored(client: TestClient) -> None:
    client.post("/api/v1/tickets", json=ticket_payload(), headers={"Authorization": "Bearer no"} | IDEMPOTENCY)
    assert client.get("/api/v1/tickets", headers=AUTH).json()["items"] == []


def test_authentication_comes_before_validation(client: TestClient) -> None:
    response = client.post("/api/v1/feedback", json={"vote": "forse"})
    assert response.status_code == 401
    assert error_detail(response) == UNAUTHORIZED_DETAIL


def test_the_scheme_is_case_insensitive(client: TestClient) -> None:
    response = client.get("/api/v1/feedback", headers={"Authorization": f"bearer {TOKEN}"})
    assert response.status_code == 200
