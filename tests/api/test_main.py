"""The application factory and the module-level `app` that uvicorn loads."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy.exc import OperationalError

from api.main import create_app
from api.settings import Settings
from sportello.paths import REPO_ROOT
from tests.api.support import vote_payload


def test_importing_the_app_has_no_side_effects(tmp_path: Path) -> None:
    var_dir = tmp_path / "mai-creata"
    env = {**os.environ, "SPORTELLO_VAR_DIR": str(var_dir), "PYTHONPATH": str(REPO_ROOT)}
    subprocess.run([sys.executable, "-c", "import api.main; assert api.main.app"], env=env, check=True, cwd=REPO_ROOT)
    assert not var_dir.exists()


def test_the_default_app_reads_the_environment_on_start(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db_file = tmp_path / "dati" / "sportello.db"
    monkeypatch.setenv("SPORTELLO_DATABASE_URL", f"sqlite:///{db_file}")
    monkeypatch.setenv("SPORTELLO_SERVICE_TOKEN", "token-da-ambiente")
    with TestClient(create_app()) as client:
        response = client.post(
            "/api/v1/feedback", json=vote_payload(), headers={"Authorization": "Bearer token-da-ambiente"}
        )
        assert response.status_code == 201
    assert db_file.exists()


def test_the_default_app_uses_the_var_dir_and_its_token_file(tmp_path: Path) -> None:
    with TestClient(create_app()) as client:
        token = (tmp_path / "var" / "service_token").read_text()
        response = client.get("/api/v1/feedback", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 200
    assert (tmp_path / "var" / "sportello.db").exists()


def test_start_fails_when_the_database_cannot_be_opened(tmp_path: Path) -> None:
    not_a_file = tmp_path / "cartella.db"
    not_a_file.mkdir()
    app = create_app(Settings(database_url=f"sqlite:///{not_a_file}", service_token=SecretStr("x")))
    with pytest.raises(OperationalError), TestClient(app):
        pass


def test_openapi_documents_the_endpoints(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert set(paths) == {
        "/api/v1/health",
        "/api/v1/feedback",
        "/api/v1/feedback/summary",
        "/api/v1/tickets",
        "/api/v1/tickets/{number}",
        "/api/v1/tickets/{number}/status",
        "/api/v1/tickets/{number}/notes",
        "/api/v1/conversation-tickets/open",
        "/api/v1/conversation-tickets/{number}",
        "/api/v1/conversations/{conversation_id}/owner",
        "/api/v1/conversations/{conversation_id}/messages",
        "/api/v1/monitoring/events",
        "/api/v1/monitoring/dashboard",
        "/api/v1/monitoring/export/{table}",
        "/api/v1/monitoring/review",
    }
    assert set(paths["/api/v1/feedback"]) == {"get", "post"}
