"""Fixtures for the API tests: a TestClient on a fresh SQLite file per test.

`postgres_url` gives a test an empty database on PostgreSQL (127.0.0.1:5432, or
SPORTELLO_TEST_POSTGRES_URL): a schema of its own for the whole run, dropped at the
end, emptied after each test. Tests using it skip when the server is down, except in
CI. tests/api/tickets/ runs every test on both SQLite and PostgreSQL through it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import Engine, create_engine, inspect, text
from sqlalchemy.exc import OperationalError

from api.db import temporary_schema
from api.main import create_app
from api.operators import passwords
from api.settings import Settings, get_settings
from tests.api.support import AUTH, TOKEN, vote_payload

POSTGRES_URL = os.environ.get("SPORTELLO_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@pytest.fixture(autouse=True)
def isolated_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No test reads the developer's SPORTELLO_* variables or writes the repository's .var/."""
    for name in list(os.environ):
        if name.startswith("SPORTELLO_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("SPORTELLO_VAR_DIR", str(tmp_path / "var"))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2 with its real parameters costs ~0.15 s a hash: the tests use the cheapest ones."""
    monkeypatch.setattr(passwords, "HASHER", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    monkeypatch.setattr(passwords, "_DUMMY_HASH", None)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        var_dir=tmp_path / "var",
        database_url=f"sqlite:///{tmp_path / 'db' / 'api.db'}",
        service_token=SecretStr(TOKEN),
    )


@pytest.fixture
def app(settings: Settings) -> FastAPI:
    return create_app(settings)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as client:
        yield client


@pytest.fixture
def engine(client: TestClient, app: FastAPI) -> Engine:
    """The running app's engine (the client fixture has started the app)."""
    engine: Engine = app.state.engine
    return engine


@pytest.fixture
def post_vote(client: TestClient) -> Callable[..., dict[str, Any]]:
    """Post a valid vote (fields overridable) and return the 201 body."""

    def post(**overrides: Any) -> dict[str, Any]:
        response = client.post("/api/v1/feedback", json=vote_payload(**overrides), headers=AUTH)
        assert response.status_code == 201, response.text
        body: dict[str, Any] = response.json()
        return body

    return post


@pytest.fixture(scope="session")
def postgres_schema_url() -> Iterator[str]:
    """A URL whose search_path is a schema made for this test run, dropped at the end."""
    try:
        with temporary_schema(POSTGRES_URL, "api_test") as url:
            yield url
    except OperationalError as exc:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"PostgreSQL non raggiungibile ({exc.orig})")


@pytest.fixture
def postgres_url(postgres_schema_url: str) -> Iterator[str]:
    """The run's PostgreSQL schema, emptied after the test (the migrations stay applied)."""
    yield postgres_schema_url
    engine = create_engine(postgres_schema_url)
    try:
        with engine.begin() as connection:
            tables = [name for name in inspect(connection).get_table_names() if name != "alembic_version"]
            if tables:
                quoted = ", ".join(f'"{name}"' for name in tables)
                connection.execute(text(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE"))
    finally:
        engine.dispose()
