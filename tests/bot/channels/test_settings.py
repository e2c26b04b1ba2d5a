"""The Rasa process's settings: web chat origins, and secrets shared through the var dir."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.channels.settings import ChannelSettings, get_settings, service_token


def test_any_origin_by_default(channel_env: Path) -> None:
    assert get_settings().allowed_origins() == "*"


def test_origins_from_the_environment(channel_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SPORTELLO_WEBCHAT_ALLOWED_ORIGINS", "https://www.azienda.it, https://intranet.azienda.it/")
    assert ChannelSettings().allowed_origins() == ["https://www.azienda.it", "https://intranet.azienda.it"]


def test_an_empty_value_leaves_cors_to_sanic(channel_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SPORTELLO_WEBCHAT_ALLOWED_ORIGINS", "")
    assert ChannelSettings().allowed_origins() == []


def test_the_service_token_comes_from_the_environment(channel_env: Path) -> None:
    assert service_token(ChannelSettings()) == "token-di-servizio-di-prova"


def test_without_it_the_var_dir_token_is_used_as_every_process_does(
    channel_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SPORTELLO_SERVICE_TOKEN")
    monkeypatch.delenv("SPORTELLO_BUTTON_SECRET")
    (channel_env).mkdir(parents=True, exist_ok=True)
    (channel_env / "service_token").write_text("token-scritto-dal-lanciatore\n")
    settings = ChannelSettings()
    assert settings.service_token == "token-scritto-dal-lanciatore"
    generated = settings.button_secret
    assert len(generated) >= 32 and (channel_env / "button_secret").read_text() == generated
    assert (channel_env / "button_secret").stat().st_mode & 0o777 == 0o600


def test_in_production_unsafe_defaults_stop_the_server(channel_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SPORTELLO_ENV", "production")
    get_settings.cache_clear()
    with pytest.raises(RuntimeError) as refused:
        get_settings()
    message = str(refused.value)
    assert "SPORTELLO_TRACKER_URL" in message and "SPORTELLO_ACTIONS_SECRET" in message
    assert "SPORTELLO_WEBCHAT_ALLOWED_ORIGINS" in message
