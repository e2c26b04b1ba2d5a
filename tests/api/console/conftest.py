"""Fixtures of the console tests: two operators, a ticket, and the Rasa server's stand-in."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from api.operators.models import Operator, Role
from api.takeover import rasa_client
from tests.api.console.support import FakeRasa, make_operator
from tests.api.support import AUTH, ticket_payload


@pytest.fixture
def admin(engine: Engine) -> Operator:
    return make_operator(engine, "marta.admin", "Marta", role=Role.AMMINISTRATORE)


@pytest.fixture
def operatore(engine: Engine) -> Operator:
    return make_operator(engine, "luca", "Luca")


@pytest.fixture
def rasa(client: TestClient) -> Iterator[FakeRasa]:
    """Installed after the app started (its lifespan installs the real client)."""
    fake = FakeRasa()
    rasa_client.install(fake)
    yield fake
    rasa_client.install(None)


@pytest.fixture
def ticket(client: TestClient) -> str:
    """A Telegram ticket (an operator can answer in the chat), made by the assistant."""
    response = client.post("/api/v1/tickets", json=ticket_payload(), headers={**AUTH, "Idempotency-Key": "console-1"})
    assert response.status_code == 201, response.text
    number: str = response.json()["number"]
    return number
