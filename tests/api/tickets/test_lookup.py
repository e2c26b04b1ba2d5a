"""The assistant's look-ups: this conversation's ticket by number, and its open ticket.

Someone else's number and a missing one must be indistinguishable (no enumeration).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.support import AUTH, error_detail

MINE = "telegram:424242"
OTHER = "web:someone-else"
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


def _lookup(client: TestClient, number: str, conversation_id: str) -> Any:
    return client.get(
        f"/api/v1/conversation-tickets/{number}", params={"conversation_id": conversation_id}, headers=AUTH
    )


def _open(client: TestClient, conversation_id: str) -> Any:
    return client.get("/api/v1/conversation-tickets/open", params={"conversation_id": conversation_id}, headers=AUTH)


def _move(client: TestClient, number: str, status: str) -> None:
    assert client.post(f"/api/v1/tickets/{number}/status", json={"status": status}, headers=AUTH).status_code == 200


def test_the_owner_reads_status_and_last_update(client: TestClient, post_ticket: Callable[..., dict[str, Any]]) -> None:
    created = post_ticket(conversation_id=MINE)
    response = _lookup(client, created["number"], MINE)
    assert response.status_code == 200
    assert response.json() == {
        "number": created["number"],
        "status": "nuovo",
        "created_at": created["created_at"],
        "updated_at": created["updated_at"],
        "queue_position": 1,
    }
    _move(client, created["number"], "in_carico")
    later = _lookup(client, created["number"].lower(), MINE).json()
    assert later["status"] == "in_carico"
    assert later["updated_at"] > created["updated_at"]
    assert later["queue_position"] is None


def test_another_conversations_ticket_is_the_same_404_as_a_missing_one(
    client: TestClient, post_ticket: Callable[..., dict[str, Any]]
) -> None:
    theirs = post_ticket(
        conversation_id=OTHER, channel="webchat", contact={"name": "Bruno", "email": "bruno@example.it"}
    )["number"]
    mine = post_ticket(conversation_id=MINE)["number"]
    missing = mine[:-6] + "000999"

    responses = [
        _lookup(client, theirs, MINE),
        _lookup(client, missing, MINE),
        _lookup(client, "SW-2026-abc", MINE),
        _lookup(client, mine, "telegram:1"),
        _lookup(client, mine, MINE.upper()),
    ]
    assert {response.status_code for response in responses} == {404}
    assert {response.content for response in responses} == {responses[0].content}
    assert {tuple(sorted(response.headers.items())) for response in responses} == {
        tuple(sorted(responses[0].headers.items()))
    }
    assert error_detail(responses[0]) == "Non trovo una richiesta con questo numero in questa conversazione."
    assert _lookup(client, theirs, OTHER).status_code == 200


def test_the_conversation_is_required(client: TestClient, post_ticket: Callable[..., dict[str, Any]]) -> None:
    number = post_ticket()["number"]
    assert client.get(f"/api/v1/conversation-tickets/{number}", headers=AUTH).status_code == 422
    assert _lookup(client, number, "").status_code == 422


def test_the_open_ticket_of_a_conversation(client: TestClient, make_ticket: Callable[..., str]) -> None:
    assert _open(client, MINE).status_code == 404
    assert error_detail(_open(client, MINE)) == "In questa conversazione non c'è una richiesta aperta."

    first = make_ticket(T0, conversation_id=MINE)
    make_ticket(T0 + timedelta(minutes=1), conversation_id="telegram:1")
    assert _open(client, MINE).json()["number"] == first

    second = make_ticket(T0 + timedelta(minutes=2), conversation_id=MINE)
    assert _open(client, MINE).json()["number"] == second  # the most recent open one

    for status in ("in_carico", "in_attesa_utente"):
        _move(client, second, status)
        assert _open(client, MINE).json()["number"] == second
    _move(client, second, "risolto")
    assert _open(client, MINE).json()["number"] == first
    _move(client, first, "chiuso")
    assert _open(client, MINE).status_code == 404
    _move(client, first, "riaperto")
    reopened = _open(client, MINE).json()
    assert (reopened["number"], reopened["status"]) == (first, "riaperto")


@pytest.mark.parametrize("conversation_id", ["telegram:1", "web:x"])
def test_the_open_look_up_sees_only_its_conversation(
    client: TestClient, make_ticket: Callable[..., str], conversation_id: str
) -> None:
    make_ticket(T0, conversation_id=MINE)
    assert _open(client, conversation_id).status_code == 404


def test_queue_position_counts_the_tickets_waiting_before(client: TestClient, make_ticket: Callable[..., str]) -> None:
    a, b, c, d = (make_ticket(T0 + timedelta(minutes=m), conversation_id=f"telegram:{m}") for m in range(4))

    def position(number: str, conversation_id: str) -> int | None:
        value: int | None = _lookup(client, number, conversation_id).json()["queue_position"]
        return value

    assert [position(n, f"telegram:{m}") for m, n in enumerate((a, b, c, d))] == [1, 2, 3, 4]
    _move(client, a, "in_carico")
    _move(client, b, "chiuso")
    _move(client, b, "riaperto")  # reopened: waiting again, in order of creation
    assert [position(n, f"telegram:{m}") for m, n in enumerate((a, b, c, d))] == [None, 1, 2, 3]
    assert client.get(f"/api/v1/tickets/{d}", headers=AUTH).json()["queue_position"] == 3
