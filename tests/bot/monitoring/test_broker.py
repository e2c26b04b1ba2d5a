"""The embedded event broker against a fake API: batching, order, outages, bounded memory."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from aiohttp import web
from rasa.utils.endpoints import EndpointConfig

from bot.monitoring.broker import EVENTS_PATH, BrokerOptions, MonitoringBroker
from tests.ports import free_port

TOKEN = "token-di-prova-del-monitoraggio"


class FakeApi:
    """POST /api/v1/monitoring/events, as the API answers it; can go down and come back."""

    def __init__(self) -> None:
        self.port = free_port()
        self.batches: list[dict[str, Any]] = []
        self.status = 200
        self.hold: asyncio.Event | None = None
        self.entered = asyncio.Event()
        self._runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def events(self) -> list[dict[str, Any]]:
        return [event for batch in self.batches for event in batch["events"]]

    async def handle(self, request: web.Request) -> web.Response:
        assert request.headers["Authorization"] == f"Bearer {TOKEN}"
        self.entered.set()
        if self.hold is not None:
            await self.hold.wait()
        if self.status != 200:
            return web.Response(status=self.status)
        self.batches.append(await request.json())
        return web.json_response({"events": 0, "turns": 0, "ignored": 0, "rejected": 0})

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post(EVENTS_PATH, self.handle)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None


@pytest.fixture
async def api() -> AsyncIterator[FakeApi]:
    fake = FakeApi()
    await fake.start()
    yield fake
    if fake.hold is not None:
        fake.hold.set()
    await fake.stop()


@pytest.fixture
async def make_broker(api: FakeApi) -> AsyncIterator[Callable[..., MonitoringBroker]]:
    made: list[MonitoringBroker] = []

    def make(**overrides: Any) -> MonitoringBroker:
        values: dict[str, Any] = {
            "api_url": api.url,
            "token": TOKEN,
            "capacity": 50,
            "batch_events": 10,
            "flush_s": 0.05,
            "timeout_s": 0.5,
            "max_backoff_s": 0.1,
        }
        options = BrokerOptions(**{**values, **overrides})
        broker = MonitoringBroker(options)
        broker.start()
        made.append(broker)
        return broker

    yield make
    for broker in made:
        await broker.close(timeout_s=0.2)


def user_event(n: int) -> dict[str, Any]:
    return {"sender_id": "rest-1", "event": "user", "timestamp": 1_772_442_000.0 + n, "text": f"domanda {n}"}


async def until(condition: Callable[[], bool], deadline_s: float = 10.0) -> None:
    """Wait for `condition` (a deadline only to fail a broken test, not a measure)."""
    loop = asyncio.get_running_loop()
    end = loop.time() + deadline_s
    while not condition():
        if loop.time() > end:
            raise AssertionError("condizione mai raggiunta")
        await asyncio.sleep(0.02)


async def test_events_go_in_batches_in_order_reduced(
    api: FakeApi, make_broker: Callable[..., MonitoringBroker]
) -> None:
    broker = make_broker()
    for n in range(25):
        broker.publish(user_event(n))
        broker.publish({"sender_id": "rest-1", "event": "action", "name": "action_listen", "timestamp": 1.0})
    await until(lambda: len(api.events) == 25)
    assert [e["text"] for e in api.events] == [f"domanda {n}" for n in range(25)]
    assert all(len(batch["events"]) <= 10 for batch in api.batches) and len(api.batches) >= 3
    assert all(batch["dropped"] == 0 for batch in api.batches)
    assert broker.sent == 25 and broker.is_ready()


async def test_while_the_api_is_down_events_wait_and_arrive_when_it_returns(
    api: FakeApi, make_broker: Callable[..., MonitoringBroker]
) -> None:
    await api.stop()
    broker = make_broker()
    for n in range(20):
        assert broker.publish(user_event(n)) is None  # returns at once: nothing to await
    await asyncio.sleep(0.3)  # several attempts fail meanwhile
    assert api.events == [] and len(broker.buffer) == 20
    await api.start()
    await until(lambda: len(api.events) == 20)
    assert [e["text"] for e in api.events] == [f"domanda {n}" for n in range(20)]
    assert broker.buffer.dropped_total == 0


async def test_past_the_bound_the_oldest_are_dropped_and_reported(
    api: FakeApi, make_broker: Callable[..., MonitoringBroker]
) -> None:
    await api.stop()
    broker = make_broker()
    for n in range(80):
        broker.publish(user_event(n))
    assert len(broker.buffer) == 50
    await api.start()
    await until(lambda: len(api.events) == 50)
    assert [e["text"] for e in api.events] == [f"domanda {n}" for n in range(30, 80)]
    assert sum(batch["dropped"] for batch in api.batches) == 30


async def test_an_api_that_refuses_is_retried_and_nothing_is_sent_twice(
    api: FakeApi, make_broker: Callable[..., MonitoringBroker]
) -> None:
    api.status = 503
    broker = make_broker()
    for n in range(5):
        broker.publish(user_event(n))
    await until(lambda: api.entered.is_set())
    await asyncio.sleep(0.2)
    api.status = 200
    await until(lambda: len(api.events) == 5)
    await asyncio.sleep(0.2)
    assert [e["text"] for e in api.events] == [f"domanda {n}" for n in range(5)]


async def test_a_hanging_api_never_holds_up_a_conversation(
    api: FakeApi, make_broker: Callable[..., MonitoringBroker]
) -> None:
    api.hold = asyncio.Event()
    broker = make_broker(timeout_s=30.0)
    broker.publish(user_event(0))
    await until(lambda: api.entered.is_set())  # the sender is stuck in its request...

    async def conversation() -> str:  # ...while the loop keeps serving users
        for n in range(1, 6):
            broker.publish(user_event(n))
            await asyncio.sleep(0)
        return "risposto"

    assert await asyncio.wait_for(conversation(), timeout=5) == "risposto"
    assert len(broker.buffer) == 5
    api.hold.set()
    await until(lambda: len(api.events) == 6)


async def test_closing_sends_what_is_left(api: FakeApi) -> None:
    broker = MonitoringBroker(BrokerOptions(api_url=api.url, token=TOKEN, flush_s=60.0))
    broker.start()
    for n in range(3):
        broker.publish(user_event(n))
    await broker.close()
    assert [e["text"] for e in api.events] == ["domanda 0", "domanda 1", "domanda 2"]


def _config(**kwargs: str) -> EndpointConfig:
    return EndpointConfig(type="bot.monitoring.broker.MonitoringBroker", **kwargs)


async def test_the_transport_is_chosen_in_endpoints(api: FakeApi) -> None:
    assert await MonitoringBroker.from_endpoint_config(_config(transport="off")) is None
    broker = await MonitoringBroker.from_endpoint_config(
        _config(transport="api", api_url=api.url + "/", queue_events="7")
    )
    assert isinstance(broker, MonitoringBroker)
    assert broker.options.api_url == api.url and broker.buffer.capacity == 7
    await broker.close()
    with pytest.raises(ValueError, match="SPORTELLO_MONITORING_BROKER"):
        await MonitoringBroker.from_endpoint_config(_config(transport="kafka"))


async def test_the_token_defaults_to_the_service_token_of_the_var_dir() -> None:
    from bot.channels.settings import get_settings, service_token

    get_settings.cache_clear()
    options = BrokerOptions.from_endpoint(_config(transport="api", api_url="http://127.0.0.1:1"))
    assert options.token == service_token() and len(options.token) >= 32
    get_settings.cache_clear()
