"""endpoints.yml's event broker, as Rasa reads it once `python -m bot.server` resolved the variables."""

from __future__ import annotations

import pytest
from rasa.core.brokers.broker import EventBroker
from rasa.core.utils import AvailableEndpoints

from bot.monitoring.broker import MonitoringBroker
from bot.monitoring.rabbitmq import MonitoringPikaBroker
from bot.server import main
from sportello import config
from sportello.paths import REPO_ROOT


def _endpoints(monkeypatch: pytest.MonkeyPatch, **overrides: str) -> AvailableEndpoints:
    import os

    for name, value in overrides.items():
        monkeypatch.setenv(name, value)
    for name, value in config.service_environment(os.environ).items():
        monkeypatch.setenv(name, value)
    return AvailableEndpoints.read_endpoints(str(REPO_ROOT / "endpoints.yml"))


async def test_by_default_the_embedded_broker_sends_to_the_api(monkeypatch: pytest.MonkeyPatch) -> None:
    endpoints = _endpoints(monkeypatch, SPORTELLO_API_PORT="18123")
    assert endpoints.event_broker is not None
    broker = await EventBroker.create(endpoints.event_broker)
    assert isinstance(broker, MonitoringBroker)
    assert broker.options.api_url == "http://127.0.0.1:18123" and broker.buffer.capacity == 10_000
    await broker.close(timeout_s=0.1)


async def test_rabbitmq_and_off_are_chosen_by_one_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    off = _endpoints(monkeypatch, SPORTELLO_MONITORING_BROKER="off")
    assert await EventBroker.create(off.event_broker) is None
    queue = _endpoints(
        monkeypatch,
        SPORTELLO_MONITORING_BROKER="rabbitmq",
        SPORTELLO_RABBITMQ_URL="amqp://guest:guest@127.0.0.1:1/%2F",  # down: the server starts all the same
        SPORTELLO_RABBITMQ_QUEUE="coda_di_prova",
    )
    broker = await EventBroker.create(queue.event_broker)
    assert isinstance(broker, MonitoringPikaBroker) and broker.queues == ["coda_di_prova"]
    await broker.close()


def test_an_unknown_transport_stops_the_server_before_rasa_loads(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SPORTELLO_MONITORING_BROKER", "kafka")
    assert main([]) == 2
    assert "SPORTELLO_MONITORING_BROKER" in capsys.readouterr().err
