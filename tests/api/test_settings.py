"""API settings: embedded defaults, environment overrides, secrets shared with every process,
and production mode refusing unsafe defaults at start."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from api.main import create_app
from api.settings import Settings, get_settings
from scripts.run_all import build_environment
from sportello.config import ConfigurationError
from sportello.paths import REPO_ROOT


def test_defaults_live_in_the_var_dir_which_is_created(tmp_path: Path) -> None:
    var_dir = tmp_path / "var"  # SPORTELLO_VAR_DIR, set by the autouse fixture
    settings = Settings()
    assert settings.var_dir == var_dir
    assert var_dir.is_dir()
    assert settings.database_url == f"sqlite:///{var_dir / 'sportello.db'}"


def test_the_default_var_dir_is_the_repository_dot_var() -> None:
    assert Settings.model_fields["var_dir"].default == REPO_ROOT / ".var"


def test_the_token_is_generated_once_with_private_permissions(tmp_path: Path) -> None:
    first = Settings().service_token.get_secret_value()
    path = tmp_path / "var" / "service_token"
    assert path.read_text() == first
    assert len(first) >= 40
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert Settings().service_token.get_secret_value() == first


def test_environment_variables_win(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SPORTELLO_SERVICE_TOKEN", "dal-ambiente")
    monkeypatch.setenv("SPORTELLO_DATABASE_URL", "postgresql+psycopg://utente:pw@db.example/sportello")
    settings = Settings()
    assert settings.service_token.get_secret_value() == "dal-ambiente"
    assert settings.database_url == "postgresql+psycopg://utente:pw@db.example/sportello"
    assert not (tmp_path / "var" / "service_token").exists()


def test_an_empty_token_variable_counts_as_unset(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SPORTELLO_SERVICE_TOKEN", "")
    token = Settings().service_token.get_secret_value()
    assert token and token == (tmp_path / "var" / "service_token").read_text()


def test_the_token_does_not_show_in_the_settings_repr() -> None:
    settings = Settings(service_token=SecretStr("segretissimo"))
    assert "segretissimo" not in repr(settings)


def test_the_launcher_and_the_api_agree_on_a_generated_token(tmp_path: Path) -> None:
    var_dir = tmp_path / "condivisa"
    env = build_environment({"SPORTELLO_VAR_DIR": str(var_dir)})
    assert Settings(var_dir=var_dir).service_token.get_secret_value() == env["SPORTELLO_SERVICE_TOKEN"]
    other = tmp_path / "altra"
    token = Settings(var_dir=other).service_token.get_secret_value()
    assert build_environment({"SPORTELLO_VAR_DIR": str(other)})["SPORTELLO_SERVICE_TOKEN"] == token


def test_settings_are_read_once(monkeypatch: pytest.MonkeyPatch) -> None:
    first = get_settings()
    monkeypatch.setenv("SPORTELLO_SERVICE_TOKEN", "cambiato-dopo")
    assert get_settings() is first
    assert first.service_token.get_secret_value() != "cambiato-dopo"


def test_in_production_the_api_refuses_to_start_on_sqlite_and_generated_secrets(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SPORTELLO_ENV", "production")
    with pytest.raises(ConfigurationError) as refused, TestClient(create_app()):
        pass
    message = str(refused.value)
    assert "SPORTELLO_DATABASE_URL" in message and "SPORTELLO_SERVICE_TOKEN" in message
    assert "SPORTELLO_WEBCHAT_SERVER_URL" in message


def test_in_production_a_complete_configuration_starts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SPORTELLO_ENV", "production")
    monkeypatch.setenv("SPORTELLO_DATABASE_URL", "postgresql+psycopg://sportello@db.invalid/sportello")
    monkeypatch.setenv("SPORTELLO_SERVICE_TOKEN", "t" * 40)
    monkeypatch.setenv("SPORTELLO_WEBCHAT_SERVER_URL", "https://assistente.cooperativa.it")
    monkeypatch.setenv("SPORTELLO_MONITORING_KEY", "k" * 40)  # the pseudonyms' key (api/monitoring/)
    monkeypatch.setenv("SPORTELLO_TRACKER_URL", "postgresql://sportello@db.invalid/tracker")  # purge and erasure
    settings = get_settings()
    assert settings.env == "production"
    assert settings.database_url.startswith("postgresql")
