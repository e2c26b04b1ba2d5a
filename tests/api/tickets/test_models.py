"""What the database itself guarantees, on both backends: constraints and cascades."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.deps import get_engine
from api.errors import DATABASE_UNAVAILABLE
from api.tickets.models import Ticket, TicketEvent, TicketNote
from tests.api.support import AUTH, error_detail, ticket_payload

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


def _ticket(**overrides: Any) -> Ticket:
    fields: dict[str, Any] = {
        "number": "SW-2026-999999",
        "status": "nuovo",
        "priority": "normale",
        "channel": "telegram",
        "conversation_id": "telegram:1",
        "contact_name": "Anna",
        "contact_email": None,
        "contact_phone": None,
        "contact_via_chat": True,
        "role": "altro",
        "description": "x",
        "consent_at": NOW,
        "privacy_notice_version": "2026-01",
        "idempotency_key": "k-model",
        "request_hash": "0" * 64,
    }
    return Ticket(**{**fields, **overrides})


@pytest.mark.parametrize(
    "overrides",
    [
        {"status": "archiviato"},
        {"priority": "urgente"},
        {"role": "dirigente"},
        {"contact_via_chat": False},  # no way to reach the user
    ],
    ids=lambda overrides: next(iter(overrides)),
)
def test_check_constraints(engine: Engine, overrides: dict[str, Any]) -> None:
    with Session(engine) as session:
        session.add(_ticket(**overrides))
        with pytest.raises(IntegrityError):
            session.commit()


@pytest.mark.parametrize("column", ["number", "idempotency_key"])
def test_numbers_and_idempotency_keys_are_unique(engine: Engine, make_ticket: Callable[..., str], column: str) -> None:
    number = make_ticket(NOW)
    with Session(engine) as session:
        existing = session.scalars(select(Ticket).where(Ticket.number == number)).one()
        session.add(_ticket(**{column: getattr(existing, column)}))
        with pytest.raises(IntegrityError):
            session.commit()


def test_events_and_notes_go_with_their_ticket(
    engine: Engine, client: TestClient, make_ticket: Callable[..., str]
) -> None:
    number = make_ticket(NOW)
    client.post(f"/api/v1/tickets/{number}/notes", json={"text": "nota"}, headers=AUTH)
    with Session(engine) as session:
        session.delete(session.scalars(select(Ticket).where(Ticket.number == number)).one())
        session.commit()
        assert session.scalar(select(func.count()).select_from(TicketEvent)) == 0
        assert session.scalar(select(func.count()).select_from(TicketNote)) == 0


def test_database_down_gives_503(client: TestClient, app: FastAPI, tmp_path: Path) -> None:
    unreachable = create_engine(f"sqlite:///{tmp_path / 'cartella-assente' / 'x.db'}")
    app.dependency_overrides[get_engine] = lambda: unreachable
    try:
        for response in (
            client.post("/api/v1/tickets", json=ticket_payload(), headers={**AUTH, "Idempotency-Key": "k"}),
            client.get("/api/v1/tickets", headers=AUTH),
            client.get("/api/v1/conversation-tickets/open", params={"conversation_id": "telegram:1"}, headers=AUTH),
        ):
            assert response.status_code == 503
            assert error_detail(response) == DATABASE_UNAVAILABLE
    finally:
        app.dependency_overrides.clear()
        unreachable.dispose()
