"""Every protected endpoint refuses requests without the right service token."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.routing import Mount, Route

from api.deps import UNAUTHORIZED_DETAIL
from api.routes import widget
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
]
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


def test_every_route_outside_the_schema_is_a_known_public_one(app: FastAPI) -> None:
    # The app's own routes and mounts, and the widget's router (routers are included lazily,
    # so their routes are read from the router itself).
    routes: set[tuple[str, str]] = set()
    for route in [*app.routes, *widget.router.routes]:
        if isinstance(route, Mount):
            routes.add(("MOUNT", route.path))
        elif isinstance(route, Route) and not getattr(route, "include_in_schema", False):
            routes |= {(method, route.path) for method in route.methods or ()} - {("HEAD", route.path)}
    assert routes == PUBLIC_OUTSIDE_SCHEMA


@pytest.mark.parametrize("path", ["/", "/static/widget/sportello-widget.js"])
def test_the_widget_needs_no_token(client: TestClient, path: str) -> None:
    assert client.get(path).status_code == 200


@pytest.mark.parametrize(("method", "path", "body"), PROTECTED, ids=[f"{m} {p}" for m, p, _ in PROTECTED])
@pytest.mark.parametrize("headers", BAD_HEADERS.values(), ids=list(BAD_HEADERS))
def test_refused_without_the_right_token(
    client: TestClient, method: str, path: str, body: dict[str, Any] | None, headers: dict[str, str]
) -> None:
    response = client.request(method, path.format(number="SW-2026-000001"), json=body, headers=headers | IDEMPOTENCY)
    assert response.status_code == 401
    assert error_detail(response) == UNAUTHORIZED_DETAIL
    assert response.headers["WWW-Authenticate"] == "Bearer"


@pytest.mark.parametrize(("method", "path", "body"), PROTECTED, ids=[f"{m} {p}" for m, p, _ in PROTECTED])
def test_accepted_with_the_right_token(client: TestClient, method: str, path: str, body: dict[str, Any] | None) -> None:
    made = client.post("/api/v1/tickets", json=ticket_payload(), headers={**AUTH, "Idempotency-Key": "esistente"})
    assert made.status_code == 201, made.text
    response = client.request(method, path.format(number=made.json()["number"]), json=body, headers=AUTH | IDEMPOTENCY)
    assert response.status_code in (200, 201), response.text


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
