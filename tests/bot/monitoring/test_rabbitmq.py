"""The `rabbitmq` transport, for real: Rasa's Pika broker, started without waiting for RabbitMQ.

Needs RabbitMQ at 127.0.0.1:5672 (guest/guest); skipped when it is down, except in CI.
Each test has a queue of its own. The consumer's side is tested in
tests/api/monitoring/test_consumer.py.
"""

from __future__ import annotations

import asyncio
import json
import os
import uuid
from collections.abc import AsyncIterator
from typing import Any

import aio_pika
import pytest

from bot.monitoring.broker import BrokerOptions
from bot.monitoring.rabbitmq import EXCHANGE, MonitoringPikaBroker, connection_kwargs

RABBITMQ_URL = os.environ.get("SPORTELLO_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/%2F")


@pytest.fixture
async def queue() -> AsyncIterator[str]:
    name = f"test_pika_{uuid.uuid4().hex[:10]}"
    try:
        connection = await aio_pika.connect(RABBITMQ_URL, timeout=5)
    except Exception as exc:  # aio-pika raises several kinds of connection errors
        if os.environ.get("CI"):
            raise
        pytest.skip(f"RabbitMQ non raggiungibile ({exc!r})")
    yield name
    channel = await connection.channel()
    await channel.queue_delete(name)
    await connection.close()


async def drain(name: str, expected: int, deadline_s: float = 10.0) -> list[dict[str, Any]]:
    """The messages on the queue, once `expected` of them are there (or the deadline passes)."""
    connection = await aio_pika.connect(RABBITMQ_URL)
    received: list[dict[str, Any]] = []
    try:
        channel = await connection.channel()
        declared = await channel.declare_queue(name, durable=True)
        loop = asyncio.get_running_loop()
        end = loop.time() + deadline_s
        while len(received) < expected and loop.time() < end:
            message = await declared.get(fail=False)
            if message is None:
                await asyncio.sleep(0.05)
                continue
            await message.ack()
            received.append(json.loads(message.body))
            assert message.delivery_mode == aio_pika.DeliveryMode.PERSISTENT
    finally:
        await connection.close()
    return received


def user_event(n: int) -> dict[str, Any]:
    return {
        "sender_id": "telegram:5",
        "event": "user",
        "timestamp": 1_772_442_000.0 + n,
        "text": f"domanda {n}",
        "parse_data": {"intent": {"name": "faq", "confidence": 0.9}},
    }


async def wait_connected(broker: MonitoringPikaBroker) -> None:
    for _ in range(200):
        if broker.is_ready() and broker._exchange is not None:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("mai connesso")


async def test_events_reach_the_durable_queue_reduced(queue: str) -> None:
    broker = MonitoringPikaBroker.start(
        BrokerOptions(transport="rabbitmq", rabbitmq_url=RABBITMQ_URL, rabbitmq_queue=queue)
    )
    try:
        for n in range(3):  # published before the connection is made: kept, then sent
            broker.publish(user_event(n))
        broker.publish(
            {"sender_id": "telegram:5", "event": "slot", "name": "contact", "value": "a@b.it", "timestamp": 1.0}
        )
        await wait_connected(broker)
        assert broker.exchange_name == EXCHANGE
        for n in range(3, 5):
            broker.publish(user_event(n))
        received = await drain(queue, 5)
    finally:
        await broker.close()
    assert [event["text"] for event in received] == [f"domanda {n}" for n in range(5)]
    assert received[0]["parse_data"] == {"intent": {"name": "faq", "confidence": 0.9}, "response_selector": {}}


async def test_rabbitmq_down_at_start_does_not_stop_the_server_and_memory_is_bounded() -> None:
    options = BrokerOptions(
        transport="rabbitmq", rabbitmq_url="amqp://guest:guest@127.0.0.1:1/%2F", rabbitmq_queue="mai", capacity=10
    )
    broker = MonitoringPikaBroker.start(options)  # returns at once, connects in the background
    try:
        assert not broker.is_ready()
        for n in range(25):
            broker.publish(user_event(n))
        pending = broker._unpublished_events
        assert len(pending) == 10 and pending.dropped_total == 15
        assert [event["text"] for event in pending] == [f"domanda {n}" for n in range(15, 25)]
    finally:
        await broker.close()


def test_the_url_becomes_pikas_host_and_credentials() -> None:
    assert connection_kwargs("amqp://sportello:s%40greto@mq.example.org:5673/monitor") == {
        "host": "amqp://mq.example.org:5673/monitor",
        "port": 5673,
        "username": "sportello",
        "password": "s%40greto",
    }
    with pytest.raises(ValueError, match="SPORTELLO_RABBITMQ_URL"):
        connection_kwargs("http://127.0.0.1:5672")
