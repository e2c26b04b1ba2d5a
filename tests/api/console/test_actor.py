"""The ticket API (/api/v1/tickets) with an operator's console session instead of the service token."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from api.console.auth import CSRF_FAILED
from api.operators.models import Operator
from api.settings import Settings
from tests.api.console.support import sign_in
from tests.api.support import error_detail


def test_an_operator_session_reads_the_tickets(
    client: TestClient, engine: Engine, settings: Settings, operatore: Operator, ticket: str
) -> None:
    sign_in(client, engine, settings, operatore)
    assert client.get("/api/v1/tickets").json()["items"][0]["number"] == ticket
    assert client.get(f"/api/v1/tickets/{ticket}").status_code == 200


def test_a_change_through_the_session_needs_the_csrf_header_and_is_signed_by_the_operator(
    client: TestClient, engine: Engine, settings: Settings, operatore: Operator, ticket: str
) -> None:
    csrf = sign_in(client, engine, settings, operatore)
    refused = client.post(f"/api/v1/tickets/{ticket}/notes", json={"text": "nota"})
    assert refused.status_code == 403 and error_detail(refused) == CSRF_FAILED
    wrong = client.post(f"/api/v1/tickets/{ticket}/notes", json={"text": "nota"}, headers={"X-CSRF-Token": "no"})
    assert wrong.status_code == 403
    note = client.post(f"/api/v1/tickets/{ticket}/notes", json={"text": "nota"}, headers={"X-CSRF-Token": csrf})
    assert note.status_code == 201
    assert (note.json()["author_kind"], note.json()["author_id"]) == ("operator", str(operatore.id))
    moved = client.post(f"/api/v1/tickets/{ticket}/status", json={"status": "chiuso"}, headers={"X-CSRF-Token": csrf})
    assert moved.json()["events"][-1]["actor_id"] == str(operatore.id)


def test_a_wrong_service_token_is_refused_even_with_a_session(
    client: TestClient, engine: Engine, settings: Settings, operatore: Operator
) -> None:
    sign_in(client, engine, settings, operatore)
    response = client.get("/api/v1/tickets", headers={"Authorization": "Bearer sbagliato"})
    assert response.status_code == 401 and response.headers["WWW-Authenticate"] == "Bearer"


def test_other_service_routes_do_not_accept_a_session(
    client: TestClient, engine: Engine, settings: Settings, operatore: Operator
) -> None:
    sign_in(client, engine, settings, operatore)
    assert client.get("/api/v1/feedback").status_code == 401
