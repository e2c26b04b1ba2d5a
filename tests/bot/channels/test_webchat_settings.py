from __future__ import annotations

from pathlib import Path

import pytest

from bot.channels.webchat_settings import WebchatSettings, get_webchat_settings, service_token


def test_any_origin_by_default(channel_env: Path) -> None:
    assert get_webchat_settings().allowed_origins() == "*"


def test_origins_from_the_environment(channel_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SPORTELLO_WEBCHAT_ALLOWED_ORIGINS", "https://www.azienda.it, https://intranet.azienda.it/")
    assert WebchatSettings().allowed_origins() == ["https://www.azienda.it", "https://intranet.azienda.it"]


def test_an_empty_value_leaves_cors_to_sanic(channel_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SPORTELLO_WEBCHAT_ALLOWED_ORIGINS", "")
    assert WebchatSettings().allowed_origins() == []


def test_the_service_token_comes_from_the_environment(channel_env: Path) -> None:
    assert service_token(WebchatSettings()) == "token-di-servizio-di-prova"


def test_without_it_the_var_dir_token_is_used_as_run_all_makes_it(channel_env: Path) -> None:
    settings = WebchatSettings(service_token=None, var_dir=channel_env)
    first = service_token(settings)
    assert len(first) >= 32 and (channel_env / "service_token").read_text() == first
    assert (channel_env / "service_token").stat().st_mode & 0o777 == 0o600
    (channel_env / "service_token").write_text("token-scritto-da-run-all\n")
    assert service_token(settings) == "token-scritto-da-run-all"
