"""The console's own tables on PostgreSQL: logins and their limit, sessions, the queue's
"assegnati a me", two operators taking the same ticket."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import Engine

from api.operators.models import Operator
from api.settings import Settings
from tests.api.console.support import HTML, JSON, FakeRasa, form_token, log_in, sign_in
from tests.api.support import TOKEN

pytestmark = pytest.mark.postgres


@pytest.fixture
def settings(postgres_url: str, tmp_path: Path) -> Settings:
    """Overrides tests/api/conftest.py's SQLite settings: `app`, `client` and `engine` follow."""
    return Settings(var_dir=tmp_path / "var", database_url=postgres_url, service_token=SecretStr(TOKEN))


def test_login_limit_and_logout(client: TestClient, operatore: Operator) -> None:
    for _ in range(5):
        assert log_in(client, "luca", "password-sbagliata").status_code == 401
    assert log_in(client, "luca").status_code == 429
    with TestClient(client.app, client=("198.51.100.4", 50000)) as elsewhere:
        assert log_in(elsewhere, "luca").status_code == 303
        csrf = form_token(elsewhere.get("/console/coda", headers=HTML).text)
        elsewhere.post("/console/logout", data={"csrf_token": csrf}, headers=HTML)
        assert elsewhere.get("/console/coda", headers=JSON).status_code == 401


def test_two_operators_take_the_same_ticket(
    app: FastAPI,
    client: TestClient,
    engine: Engine,
    settings: Settings,
    operatore: Operator,
    admin: Operator,
    ticket: str,
    rasa: FakeRasa,
) -> None:
    luca = sign_in(client, engine, settings, operatore)
    assert (
        client.post(
            f"/console/ticket/{ticket}/prendi", data={"csrf_token": luca}, headers=HTML, follow_redirects=False
        ).status_code
        == 303
    )
    with TestClient(app) as other:
        marta = sign_in(other, engine, settings, admin)
        refused = other.post(f"/console/ticket/{ticket}/prendi", data={"csrf_token": marta}, headers=HTML)
        assert refused.status_code == 409 and "già in carico a Luca" in refused.text
        assert ticket not in other.get("/console/coda?miei=1", headers=HTML).text
    assert ticket in client.get("/console/coda?miei=1", headers=HTML).text
