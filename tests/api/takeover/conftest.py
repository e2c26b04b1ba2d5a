"""Takeover tests run on SQLite and PostgreSQL, with a stand-in for the Rasa server.

`rasa` replaces the client of the Rasa server's operator routes (what the user would
be told, what the model would suggest); `events` keeps every live event published.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from api import live
from api.operators.models import Operator, Role
from api.settings import Settings
from api.takeover import rasa_client
from api.takeover.rasa_client import RasaUnavailable, Said
from tests.api.support import AUTH, TOKEN, ticket_payload

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKENDS)
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    if request.param == "sqlite":
        database_url = f"sqlite:///{tmp_path / 'db' / 'api.db'}"
    else:
        database_url = request.getfixturevalue("postgres_url")
    return Settings(var_dir=tmp_path / "var", database_url=database_url, service_token=SecretStr(TOKEN))


@dataclass
class Utterance:
    sender_id: str
    text: str
    operator_name: str
    notice: bool


@dataclass
class FakeRasa:
    """What the Rasa server's operator routes were asked; `down` makes every call fail."""

    said: list[Utterance] = field(default_factory=list)
    suggested: list[str] = field(default_factory=list)
    answers: list[dict[str, Any]] = field(default_factory=list)
    down: bool = False

    async def say(self, sender_id: str, text: str, operator_name: str, *, notice: bool = False) -> Said:
        if self.down:
            raise RasaUnavailable("spento per il test")
        self.said.append(Utterance(sender_id, text, operator_name, notice))
        return Said(recorded=True, delivered=True)

    async def suggest(self, text: str) -> list[dict[str, Any]]:
        if self.down:
            raise RasaUnavailable("spento per il test")
        self.suggested.append(text)
        return self.answers

    def notices(self) -> list[str]:
        return [s.text for s in self.said if s.notice]

    def messages(self) -> list[str]:
        return [s.text for s in self.said if not s.notice]


@pytest.fixture
def rasa(client: TestClient) -> Iterator[FakeRasa]:
    """Installed after the app has started (its lifespan installs the real client)."""
    fake = FakeRasa()
    rasa_client.install(fake)
    yield fake
    rasa_client.install(None)


@pytest.fixture
def events(monkeypatch: pytest.MonkeyPatch) -> list[live.LiveEvent]:
    published: list[live.LiveEvent] = []
    monkeypatch.setattr(live, "publish", published.append)
    return published


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as session:
        yield session


@pytest.fixture
def make_operator(engine: Engine) -> Callable[..., Operator]:
    def make(username: str = "anna.rossi", display_name: str = "Anna", role: Role = Role.OPERATORE) -> Operator:
        with Session(engine, expire_on_commit=False) as session:
            operator = Operator(username=username, display_name=display_name, password_hash="-", role=role.value)
            session.add(operator)
            session.commit()
            return operator

    return make


@pytest.fixture
def make_ticket(client: TestClient) -> Callable[..., dict[str, Any]]:
    """A ticket through the API (payload fields overridable): the 201 body."""
    counter = iter(range(1, 1_000_000))

    def make(**overrides: Any) -> dict[str, Any]:
        headers = {**AUTH, "Idempotency-Key": f"chiave-{next(counter)}"}
        response = client.post("/api/v1/tickets", json=ticket_payload(**overrides), headers=headers)
        assert response.status_code == 201, response.text
        body: dict[str, Any] = response.json()
        return body

    return make
