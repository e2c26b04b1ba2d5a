"""Settings from SPORTELLO_* variables, read once; secrets shared with run_all via the var dir."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import ValidationError

from connectors.telegram.settings import TelegramSettings, get_settings
from scripts.run_all import build_environment


def test_defaults_mean_long_polling_against_the_local_rasa(tmp_path: Path) -> None:
    settings = TelegramSettings(var_dir=tmp_path)

    assert settings.telegram_token.get_secret_value() == ""
    assert not settings.webhook_mode
    assert settings.rasa_url == "http://127.0.0.1:5005"
    assert settings.telegram_port == 8081
    assert settings.telegram_api_base_url == "https://api.telegram.org"
    assert settings.redis_url == ""
    assert settings.dedup_db_path == tmp_path / "telegram_updates.db"
    # No webhook, no webhook secret file.
    assert not (tmp_path / "telegram_webhook_secret").exists()


def test_values_come_from_sportello_variables_read_once(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SPORTELLO_TELEGRAM_TOKEN", "123:abc")
    monkeypatch.setenv("SPORTELLO_TELEGRAM_WEBHOOK_URL", "https://bot.example.test/tg/hook")
    monkeypatch.setenv("SPORTELLO_TELEGRAM_WEBHOOK_SECRET", "Segreto_del-webhook")
    monkeypatch.setenv("SPORTELLO_TELEGRAM_API_BASE_URL", "http://127.0.0.1:9999/")
    monkeypatch.setenv("SPORTELLO_TELEGRAM_PORT", "18081")
    monkeypatch.setenv("SPORTELLO_RASA_URL", "http://127.0.0.1:15005/")
    monkeypatch.setenv("SPORTELLO_RASA_TIMEOUT_S", "2.5")
    monkeypatch.setenv("SPORTELLO_REDIS_URL", "redis://127.0.0.1:6379/3")
    monkeypatch.setenv("SPORTELLO_SERVICE_TOKEN", "servizio")
    monkeypatch.setenv("SPORTELLO_BUTTON_SECRET", "pulsanti-abbastanza-lungo")

    settings = get_settings()
    monkeypatch.setenv("SPORTELLO_TELEGRAM_PORT", "1")

    assert get_settings() is settings
    assert settings.telegram_token.get_secret_value() == "123:abc"
    assert settings.webhook_mode and settings.webhook_path == "/tg/hook"
    assert settings.telegram_webhook_secret.get_secret_value() == "Segreto_del-webhook"
    assert settings.telegram_api_base_url == "http://127.0.0.1:9999"
    assert settings.telegram_port == 18081
    assert settings.rasa_url == "http://127.0.0.1:15005"
    assert settings.rasa_timeout_s == 2.5
    assert settings.redis_url == "redis://127.0.0.1:6379/3"
    assert settings.service_token.get_secret_value() == "servizio"
    assert settings.button_secret.get_secret_value() == "pulsanti-abbastanza-lungo"


def test_service_token_and_button_secret_are_the_ones_run_all_shares(tmp_path: Path) -> None:
    env = build_environment({"SPORTELLO_VAR_DIR": str(tmp_path)})

    settings = TelegramSettings(var_dir=tmp_path)

    assert settings.service_token.get_secret_value() == env["SPORTELLO_SERVICE_TOKEN"]
    assert settings.button_secret.get_secret_value() == env["SPORTELLO_BUTTON_SECRET"]


def test_webhook_secret_is_generated_once_in_the_var_dir(tmp_path: Path) -> None:
    first = TelegramSettings(var_dir=tmp_path, telegram_webhook_url="https://bot.example.test/")
    again = TelegramSettings(var_dir=tmp_path, telegram_webhook_url="https://bot.example.test/")

    secret = first.telegram_webhook_secret.get_secret_value()
    assert secret == again.telegram_webhook_secret.get_secret_value()
    assert re.fullmatch(r"[A-Za-z0-9_-]{32,256}", secret)  # what Telegram accepts
    assert (tmp_path / "telegram_webhook_secret").stat().st_mode & 0o777 == 0o600
    assert first.webhook_path == "/"


@pytest.mark.parametrize(
    ("overrides", "problem"),
    [
        ({"telegram_webhook_url": "http://bot.example.test/hook"}, "https"),
        ({"telegram_webhook_url": "https://bot.example.test/internal/deliver"}, "/internal"),
        ({"telegram_webhook_secret": "con spazi e !"}, "WEBHOOK_SECRET"),
        ({"telegram_port": 70000}, "65535"),
        ({"rasa_timeout_s": 0}, "greater than 0"),
    ],
)
def test_wrong_values_are_refused_with_a_clear_reason(
    tmp_path: Path, overrides: dict[str, object], problem: str
) -> None:
    with pytest.raises(ValidationError, match=re.escape(problem)):
        TelegramSettings(var_dir=tmp_path, **overrides)  # type: ignore[arg-type]
