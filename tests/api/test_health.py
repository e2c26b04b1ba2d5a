"""GET /api/v1/health: what run_all.py waits for."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import create_engine

from api.deps import get_engine
from api.errors import DATABASE_UNAVAILABLE
from tests.api.support import error_detail, error_field


def test_health_is_ok_without_authentication(client: TestClient) -> None:
    response = client.get("/api/v1/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_health_is_503_when_the_database_is_down(client: TestClient, app: FastAPI, tmp_path: Path) -> None:
    unreachable = create_engine(f"sqlite:///{tmp_path / 'cartella-assente' / 'x.db'}")
    app.dependency_overrides[get_engine] = lambda: unreachable
    response = client.get("/api/v1/health")
    assert response.status_code == 503
    assert error_detail(response) == DATABASE_UNAVAILABLE
    assert error_field(response, "database") == "non raggiungibile"

    app.dependency_overrides.clear()
    assert client.get("/api/v1/health").status_code == 200
