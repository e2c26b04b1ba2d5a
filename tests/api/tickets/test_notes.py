"""Internal notes: added by whoever acts, listed oldest first, never mixed between tickets."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from api.models import utcnow
from tests.api.support import AUTH, error_detail, parse_utc


def _add(client: TestClient, number: str, text: str) -> Any:
    return client.post(f"/api/v1/tickets/{number}/notes", json={"text": text}, headers=AUTH)


def test_notes_are_added_and_listed_oldest_first(
    client: TestClient, post_ticket: Callable[..., dict[str, Any]]
) -> None:
    number, other = post_ticket()["number"], post_ticket()["number"]
    before = utcnow()
    first = _add(client, number, "Richiamare lunedì mattina.")
    _add(client, other, "Nota di un altro ticket")
    second = _add(client, number, "Ha mandato il regolamento aziendale. «Bene» 👍")
    assert first.status_code == second.status_code == 201
    assert first.json()["author_kind"] == "service" and first.json()["author_id"] == "assistente"
    assert parse_utc(first.json()["created_at"]) >= before

    listed = client.get(f"/api/v1/tickets/{number}/notes", headers=AUTH).json()["items"]
    assert listed == [first.json(), second.json()]
    assert [n["text"] for n in client.get(f"/api/v1/tickets/{other}/notes", headers=AUTH).json()["items"]] == [
        "Nota di un altro ticket"
    ]


def test_a_note_does_not_change_the_ticket(client: TestClient, post_ticket: Callable[..., dict[str, Any]]) -> None:
    ticket = post_ticket()
    _add(client, ticket["number"], "Nota interna")
    after = client.get(f"/api/v1/tickets/{ticket['number']}", headers=AUTH).json()
    assert after == ticket


def test_empty_or_oversized_notes_are_refused(client: TestClient, post_ticket: Callable[..., dict[str, Any]]) -> None:
    number = post_ticket()["number"]
    assert _add(client, number, "").status_code == 422
    assert _add(client, number, "x" * 4001).status_code == 422
    assert client.get(f"/api/v1/tickets/{number}/notes", headers=AUTH).json() == {"items": []}


def test_notes_of_an_unknown_ticket_are_404(client: TestClient) -> None:
    for response in (
        _add(client, "SW-2026-000404", "nota"),
        client.get("/api/v1/tickets/SW-2026-000404/notes", headers=AUTH),
    ):
        assert response.status_code == 404
        assert "Non trovo questa richiesta" in error_detail(response)
