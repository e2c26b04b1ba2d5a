"""Errors meant for people are in Italian; a database outage is a 503, not a crash."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import create_engine

from api.deps import get_engine
from api.errors import DATABASE_UNAVAILABLE
from tests.api.support import AUTH, vote_payload


def test_unknown_path(client: TestClient) -> None:
    response = client.get("/api/v1/non-esiste")
    assert response.status_code == 404
    assert response.json() == {"detail": "Risorsa non trovata."}


def test_wrong_method(client: TestClient) -> None:
    response = client.delete("/api/v1/feedback", headers=AUTH)
    assert response.status_code == 405
    assert response.json() == {"detail": "Metodo non consentito."}


def test_database_down_gives_503_on_feedback_endpoints(client: TestClient, app: FastAPI, tmp_path: Path) -> None:
    unreachable = create_engine(f"sqlite:///{tmp_path / 'cartella-assente' / 'x.db'}")
    app.dependency_overrides[get_engine] = lambda: unreachable
    for response in (
        client.post("/api/v1/feedback", json=vote_payload(), headers=AUTH),
        client.get("/api/v1/feedback", headers=AUTH),
        client.get("/api/v1/feedback/summary", headers=AUTH),
    ):
        assert response.status_code == 503
        assert response.json() == {"detail": DATABASE_UNAVAILABLE}
