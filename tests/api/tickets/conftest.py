"""Every ticket test runs twice: on SQLite (the default) and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from api.settings import Settings
from api.tickets import crud
from api.tickets.actors import SERVICE_ACTOR
from api.tickets.schemas import TicketCreate
from tests.api.support import AUTH, TOKEN, ticket_payload

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKENDS)
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """Overrides tests/api/conftest.py's SQLite-only settings: `app`, `client` and `engine` follow."""
    if request.param == "sqlite":
        database_url = f"sqlite:///{tmp_path / 'db' / 'api.db'}"
    else:
        database_url = request.getfixturevalue("postgres_url")
    return Settings(var_dir=tmp_path / "var", database_url=database_url, service_token=SecretStr(TOKEN))


@pytest.fixture
def post_ticket(client: TestClient) -> Callable[..., dict[str, Any]]:
    """Create a ticket through the API (payload fields overridable) and return the 201 body."""
    counter = iter(range(1, 1_000_000))

    def post(key: str | None = None, **overrides: Any) -> dict[str, Any]:
        headers = {**AUTH, "Idempotency-Key": key or f"chiave-{next(counter)}"}
        response = client.post("/api/v1/tickets", json=ticket_payload(**overrides), headers=headers)
        assert response.status_code == 201, response.text
        body: dict[str, Any] = response.json()
        return body

    return post


@pytest.fixture
def make_ticket(engine: Engine) -> Callable[..., str]:
    """Create a ticket at a chosen moment (the API always uses now) and return its number."""
    counter = iter(range(1, 1_000_000))

    def make(now: datetime, **overrides: Any) -> str:
        with Session(engine) as session:
            ticket, _ = crud.create_ticket(
                session,
                TicketCreate.model_validate(ticket_payload(**overrides)),
                idempotency_key=f"seed-{next(counter)}",
                actor=SERVICE_ACTOR,
                now=now,
            )
            return ticket.number

    return make
