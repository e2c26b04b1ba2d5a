"""The RabbitMQ path, for real: events on the queue Rasa's Pika broker feeds, into the store.

Needs RabbitMQ at 127.0.0.1:5672 (guest/guest, SPORTELLO_RABBITMQ_URL to use another);
skipped when it is down, except in CI. Each test has a queue of its own.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from typing import Any

import pika
import pytest
from pika.exceptions import AMQPConnectionError
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from api.monitoring import consumer as consumer_module
from api.monitoring.consumer import EXCHANGE, Consumer, declare
from api.monitoring.models import MonitoredTurn
from api.settings import Settings
from tests.api.monitoring.rasa_events import Conversation

RABBITMQ_URL = os.environ.get("SPORTELLO_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/%2F")


@pytest.fixture
def connection() -> Iterator[pika.BlockingConnection]:
    try:
        opened = pika.BlockingConnection(pika.URLParameters(RABBITMQ_URL))
    except AMQPConnectionError as exc:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"RabbitMQ non raggiungibile ({exc!r})")
    yield opened
    if opened.is_open:
        opened.close()


@pytest.fixture
def queue_settings(settings: Settings, connection: pika.BlockingConnection) -> Iterator[Settings]:
    queue = f"test_monitoring_{uuid.uuid4().hex[:10]}"
    yield settings.model_copy(update={"rabbitmq_queue": queue, "rabbitmq_url": RABBITMQ_URL})
    cleanup = pika.BlockingConnection(pika.URLParameters(RABBITMQ_URL))
    cleanup.channel().queue_delete(queue)
    cleanup.close()


def publish(connection: pika.BlockingConnection, queue: str, events: list[dict[str, Any]]) -> None:
    """As Rasa's Pika broker does: JSON bodies, persistent, on the fanout exchange."""
    channel = connection.channel()
    declare(channel, queue)
    for event in events:
        channel.basic_publish(
            EXCHANGE, "", json.dumps(event).encode(), pika.BasicProperties(delivery_mode=pika.DeliveryMode.Persistent)
        )
    channel.close()


def queued(connection: pika.BlockingConnection, queue: str) -> int:
    channel = connection.channel()
    count = int(channel.queue_declare(queue, durable=True, passive=True).method.message_count)
    channel.close()
    return count


def stored_turns(engine: Engine) -> int:
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(MonitoredTurn)) or 0


def _events() -> list[dict[str, Any]]:
    conversation = Conversation("telegram:77").start()
    for n in range(7):
        conversation.answered(f"domanda numero {n}", "buoni_pasto")
    return conversation.events


def test_events_on_the_queue_reach_the_store_in_batches(
    queue_settings: Settings, engine: Engine, connection: pika.BlockingConnection
) -> None:
    events = _events()
    publish(connection, queue_settings.rabbitmq_queue, events)
    consumer = Consumer(queue_settings, engine, batch_events=10, flush_s=0.2)
    consumer.consume(connection, idle_exit_s=1.0)
    assert stored_turns(engine) == 7
    assert consumer.stored == len(events)
    assert queued(connection, queue_settings.rabbitmq_queue) == 0


def test_while_the_store_is_down_the_events_wait_on_the_queue(
    queue_settings: Settings, engine: Engine, connection: pika.BlockingConnection, monkeypatch: pytest.MonkeyPatch
) -> None:
    events = _events()
    publish(connection, queue_settings.rabbitmq_queue, events)
    consumer = Consumer(queue_settings, engine, batch_events=1000, flush_s=0.2)
    attempts: list[int] = []

    def down(*_args: Any, **_kwargs: Any) -> None:
        attempts.append(1)
        if len(attempts) >= 2:
            consumer.stopping = True  # stopped during the outage
        raise OperationalError("SELECT 1", {}, Exception("connessione rifiutata"))

    monkeypatch.setattr(consumer_module, "ingest", down)
    monkeypatch.setattr(consumer_module, "MAX_BACKOFF_S", 0.1)
    with pytest.raises(InterruptedError):
        consumer.consume(connection)
    connection.close()
    assert len(attempts) == 2 and stored_turns(engine) == 0
    # Nothing was acknowledged: RabbitMQ still has every event, for the next consumer.
    again = pika.BlockingConnection(pika.URLParameters(RABBITMQ_URL))
    try:
        assert queued(again, queue_settings.rabbitmq_queue) == len(events)
        monkeypatch.undo()
        Consumer(queue_settings, engine, flush_s=0.2).consume(again, idle_exit_s=1.0)
        assert stored_turns(engine) == 7
        assert queued(again, queue_settings.rabbitmq_queue) == 0
    finally:
        again.close()


def test_a_store_that_comes_back_gets_the_batch_it_refused(
    queue_settings: Settings, engine: Engine, connection: pika.BlockingConnection, monkeypatch: pytest.MonkeyPatch
) -> None:
    publish(connection, queue_settings.rabbitmq_queue, _events())
    real = consumer_module.ingest
    failures = iter([True, True])

    def flaky(*args: Any, **kwargs: Any) -> Any:
        if next(failures, False):
            raise OperationalError("INSERT", {}, Exception("database in riavvio"))
        return real(*args, **kwargs)

    monkeypatch.setattr(consumer_module, "ingest", flaky)
    monkeypatch.setattr(consumer_module, "MAX_BACKOFF_S", 0.1)
    Consumer(queue_settings, engine, flush_s=0.2).consume(connection, idle_exit_s=1.0)
    assert stored_turns(engine) == 7
    assert queued(connection, queue_settings.rabbitmq_queue) == 0


def test_a_message_that_is_not_json_is_dropped_not_retried(
    queue_settings: Settings, engine: Engine, connection: pika.BlockingConnection
) -> None:
    channel = connection.channel()
    declare(channel, queue_settings.rabbitmq_queue)
    channel.basic_publish(EXCHANGE, "", b"\xff non json")
    channel.close()
    publish(connection, queue_settings.rabbitmq_queue, Conversation("rest-j").start().not_understood("boh").events)
    Consumer(queue_settings, engine, flush_s=0.2).consume(connection, idle_exit_s=1.0)
    assert stored_turns(engine) == 1
    assert queued(connection, queue_settings.rabbitmq_queue) == 0
