"""scripts/run_all.py starts the Telegram bridge only when a bot token is configured."""

from __future__ import annotations

from pathlib import Path

from scripts.run_all import ROOT, TELEGRAM_HINT, build_environment, services


def test_no_token_no_telegram_service_and_a_hint_on_how_to_enable_it(tmp_path: Path) -> None:
    env = build_environment({"SPORTELLO_VAR_DIR": str(tmp_path)})

    assert [s.name for s in services(env)] == ["azioni", "api", "rasa"]
    assert "@BotFather" in TELEGRAM_HINT and "SPORTELLO_TELEGRAM_TOKEN" in TELEGRAM_HINT


def test_with_a_token_the_bridge_runs_in_the_app_env_against_our_rasa(tmp_path: Path) -> None:
    env = build_environment(
        {
            "SPORTELLO_VAR_DIR": str(tmp_path),
            "SPORTELLO_TELEGRAM_TOKEN": "123:abc",
            "SPORTELLO_TELEGRAM_PORT": "18081",
            "SPORTELLO_RASA_PORT": "15005",
        }
    )

    telegram = services(env)[-1]

    assert telegram.name == "telegram"
    assert telegram.command == [str(ROOT / ".venv-app" / "bin" / "python"), "-m", "connectors.telegram"]
    assert telegram.health_url == "http://127.0.0.1:18081/health"
    assert env["SPORTELLO_RASA_URL"] == "http://127.0.0.1:15005"


def test_an_explicit_rasa_url_is_kept(tmp_path: Path) -> None:
    env = build_environment({"SPORTELLO_VAR_DIR": str(tmp_path), "SPORTELLO_RASA_URL": "http://127.0.0.1:1"})
    assert env["SPORTELLO_RASA_URL"] == "http://127.0.0.1:1"
