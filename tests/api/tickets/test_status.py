"""Status transitions through the API: allowed moves, 409 with the allowed ones, audit trail."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.tickets.states import TRANSITIONS, TicketStatus
from tests.api.support import AUTH, error_detail, error_field, parse_utc


def _move(client: TestClient, number: str, status: str) -> Any:
    return client.post(f"/api/v1/tickets/{number}/status", json={"status": status}, headers=AUTH)


def test_a_ticket_goes_through_its_life_and_every_step_is_recorded(
    client: TestClient, post_ticket: Callable[..., dict[str, Any]]
) -> None:
    number = post_ticket()["number"]
    path = ["in_carico", "in_attesa_utente", "in_carico", "risolto", "riaperto", "risolto", "chiuso"]
    for status in path:
        response = _move(client, number, status)
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["status"] == status
        assert body["allowed_transitions"] == [s.value for s in TRANSITIONS[TicketStatus(status)]]
        assert body["updated_at"] == body["events"][-1]["at"]

    events = client.get(f"/api/v1/tickets/{number}", headers=AUTH).json()["events"]
    assert [(e["from_status"], e["to_status"]) for e in events] == list(
        zip([None, "nuovo", *path[:-1]], ["nuovo", *path], strict=True)
    )
    assert {(e["actor_kind"], e["actor_id"]) for e in events} == {("service", "assistente")}
    times = [parse_utc(e["at"]) for e in events]
    assert times == sorted(times)


def test_first_response_and_resolution_times(client: TestClient, post_ticket: Callable[..., dict[str, Any]]) -> None:
    number = post_ticket()["number"]
    taken = _move(client, number, "in_carico").json()
    assert taken["first_response_at"] == taken["updated_at"]
    assert taken["resolved_at"] is None

    waiting = _move(client, number, "in_attesa_utente").json()
    assert waiting["first_response_at"] == taken["first_response_at"]  # the first one only

    resolved = _move(client, number, "risolto").json()
    assert resolved["resolved_at"] == resolved["updated_at"]
    closed = _move(client, number, "chiuso").json()
    assert closed["resolved_at"] == resolved["resolved_at"]

    reopened = _move(client, number, "riaperto").json()
    assert reopened["resolved_at"] is None
    assert reopened["first_response_at"] == taken["first_response_at"]
    closed_again = _move(client, number, "chiuso").json()
    assert closed_again["resolved_at"] == closed_again["updated_at"] > closed["resolved_at"]


def test_closing_a_new_ticket_counts_as_first_response_and_resolution(
    client: TestClient, post_ticket: Callable[..., dict[str, Any]]
) -> None:
    closed = _move(client, post_ticket()["number"], "chiuso").json()
    assert closed["first_response_at"] == closed["resolved_at"] == closed["updated_at"]


@pytest.mark.parametrize(
    ("path", "target", "allowed"),
    [
        ([], "risolto", ["in_carico", "chiuso"]),
        ([], "nuovo", ["in_carico", "chiuso"]),
        ([], "riaperto", ["in_carico", "chiuso"]),
        (["in_carico"], "in_carico", ["in_attesa_utente", "risolto", "chiuso"]),
        (["chiuso"], "in_carico", ["riaperto"]),
        (["in_carico", "risolto"], "in_attesa_utente", ["riaperto", "chiuso"]),
    ],
)
def test_an_invalid_transition_is_409_with_the_allowed_ones(
    client: TestClient, post_ticket: Callable[..., dict[str, Any]], path: list[str], target: str, allowed: list[str]
) -> None:
    number = post_ticket()["number"]
    for status in path:
        assert _move(client, number, status).status_code == 200
    before = client.get(f"/api/v1/tickets/{number}", headers=AUTH).json()

    response = _move(client, number, target)
    assert response.status_code == 409
    assert error_field(response, "allowed") == allowed
    assert error_field(response, "current_status") == (path[-1] if path else "nuovo")
    message = error_detail(response)
    assert message.startswith("Non puoi passare la richiesta da ")
    assert all(status.replace("_", " ") in message for status in allowed if status != "in_attesa_utente")
    assert client.get(f"/api/v1/tickets/{number}", headers=AUTH).json() == before  # nothing changed


def test_unknown_status_is_a_validation_error(client: TestClient, post_ticket: Callable[..., dict[str, Any]]) -> None:
    assert _move(client, post_ticket()["number"], "archiviato").status_code == 422


@pytest.mark.parametrize("number", ["SW-2026-000999", "SW-2026-abc", "nulla"])
def test_unknown_ticket_is_404(client: TestClient, post_ticket: Callable[..., dict[str, Any]], number: str) -> None:
    post_ticket()
    response = _move(client, number, "in_carico")
    assert response.status_code == 404
    assert "Non trovo questa richiesta" in error_detail(response)


def test_the_number_is_accepted_in_any_case_and_without_zeros(
    client: TestClient, post_ticket: Callable[..., dict[str, Any]]
) -> None:
    number = post_ticket()["number"]
    short = number.lower().replace("-00000", "-")
    assert _move(client, short, "in_carico").json()["number"] == number
    assert client.get(f"/api/v1/tickets/{short}", headers=AUTH).json()["status"] == "in_carico"
