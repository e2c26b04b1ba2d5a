"""Fixtures for the API tests: a TestClient on a fresh SQLite file per test."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import Engine

from api.main import create_app
from api.settings import Settings, get_settings
from tests.api.support import AUTH, TOKEN, vote_payload


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
