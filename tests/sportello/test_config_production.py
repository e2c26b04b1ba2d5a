"""Production mode: every unsafe default is named, in Italian, with the variable to set."""

from __future__ import annotations

import pytest

from sportello.config.production import ConfigurationError, check, environment_name, problems
from sportello.config.registry import ACTIONS, API, RASA, SERVICES, TELEGRAM

SECRET = "s" * 32
SAFE = {
    "SPORTELLO_ENV": "production",
    "SPORTELLO_DATABASE_URL": "postgresql+psycopg://sportello@db/sportello",
    "SPORTELLO_TRACKER_DIALECT": "postgresql",
    "SPORTELLO_TRACKER_URL": "postgresql://sportello@db/tracker",
    "SPORTELLO_SERVICE_TOKEN": SECRET,
    "SPORTELLO_BUTTON_SECRET": SECRET,
    "SPORTELLO_ACTIONS_SECRET": SECRET,
    "SPORTELLO_MONITORING_KEY": SECRET,
    "SPORTELLO_WEBCHAT_ALLOWED_ORIGINS": "https://www.cooperativa.it",
    "SPORTELLO_WEBCHAT_SERVER_URL": "https://assistente.cooperativa.it",
    "SPORTELLO_PRIVACY_NOTICE_URL": "https://www.cooperativa.it/privacy",
}


def test_development_needs_nothing() -> None:
    assert problems(SERVICES, {}) == []
    assert problems(SERVICES, {"SPORTELLO_ENV": "development"}) == []


def test_a_complete_production_configuration_passes() -> None:
    assert problems(SERVICES, SAFE) == []
    check(SERVICES, SAFE)


def test_an_unknown_environment_name_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="production"):
        environment_name({"SPORTELLO_ENV": "prod"})


@pytest.mark.parametrize(
    ("change", "variable"),
    [
        ({"SPORTELLO_DATABASE_URL": ""}, "SPORTELLO_DATABASE_URL"),
        ({"SPORTELLO_DATABASE_URL": "sqlite:////srv/sportello.db"}, "SPORTELLO_DATABASE_URL"),
        ({"SPORTELLO_TRACKER_URL": "sqlite:///tracker.db"}, "SPORTELLO_TRACKER_URL"),
        ({"SPORTELLO_TRACKER_DIALECT": "sqlite"}, "SPORTELLO_TRACKER_DIALECT"),
        ({"SPORTELLO_SERVICE_TOKEN": ""}, "SPORTELLO_SERVICE_TOKEN"),
        ({"SPORTELLO_BUTTON_SECRET": "corto"}, "SPORTELLO_BUTTON_SECRET"),
        ({"SPORTELLO_ACTIONS_SECRET": "x" * 31}, "SPORTELLO_ACTIONS_SECRET"),
        ({"SPORTELLO_WEBCHAT_ALLOWED_ORIGINS": "*"}, "SPORTELLO_WEBCHAT_ALLOWED_ORIGINS"),
        ({"SPORTELLO_WEBCHAT_ALLOWED_ORIGINS": "http://www.cooperativa.it"}, "SPORTELLO_WEBCHAT_ALLOWED_ORIGINS"),
        ({"SPORTELLO_WEBCHAT_SERVER_URL": "http://assistente.cooperativa.it"}, "SPORTELLO_WEBCHAT_SERVER_URL"),
        ({"SPORTELLO_WEBCHAT_SERVER_URL": ""}, "SPORTELLO_WEBCHAT_SERVER_URL"),
        ({"SPORTELLO_PRIVACY_NOTICE_URL": "http://www.cooperativa.it/privacy"}, "SPORTELLO_PRIVACY_NOTICE_URL"),
        (
            {
                "SPORTELLO_TELEGRAM_WEBHOOK_URL": "https://bot.cooperativa.it/tg",
                "SPORTELLO_TELEGRAM_WEBHOOK_SECRET": "",
            },
            "SPORTELLO_TELEGRAM_WEBHOOK_SECRET",
        ),
    ],
)
def test_each_unsafe_default_is_named(change: dict[str, str], variable: str) -> None:
    found = problems(SERVICES, {**SAFE, **change})
    assert len(found) == 1 and variable in found[0]
    with pytest.raises(ConfigurationError) as refused:
        check(SERVICES, {**SAFE, **change})
    assert "SPORTELLO_ENV=production" in str(refused.value) and variable in str(refused.value)


def test_each_process_checks_only_what_it_reads() -> None:
    env = {"SPORTELLO_ENV": "production"}
    assert any("SPORTELLO_DATABASE_URL" in p for p in problems([API], env))
    assert not any("SPORTELLO_DATABASE_URL" in p for p in problems([RASA], env))
    assert not any("SPORTELLO_TRACKER_URL" in p for p in problems([ACTIONS], env))
    assert not any("WEBCHAT_" in p for p in problems([TELEGRAM], env))
    # Long polling needs no webhook secret.
    assert not any("WEBHOOK_SECRET" in p for p in problems([TELEGRAM], env))


def test_the_rabbitmq_broker_needs_its_own_credentials_in_production() -> None:
    rabbit = {**SAFE, "SPORTELLO_MONITORING_BROKER": "rabbitmq"}
    assert any("SPORTELLO_RABBITMQ_URL" in p for p in problems([RASA], rabbit))
    rabbit["SPORTELLO_RABBITMQ_URL"] = "amqp://sportello:una-password-vera@mq.example.org:5672/%2F"
    assert problems([RASA], rabbit) == []
    assert problems([API], {**SAFE, "SPORTELLO_MONITORING_BROKER": "rabbitmq"}) == []  # the API never publishes
