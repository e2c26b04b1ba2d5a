"""`python -m api.monitoring.consumer`: conversation events from RabbitMQ into the monitoring store.

For deployments with several Rasa processes (SPORTELLO_MONITORING_BROKER=rabbitmq):
each Rasa server publishes its events through Rasa's Pika broker to the durable queue
SPORTELLO_RABBITMQ_QUEUE, and this process writes them in batches, exactly as the API
does for the embedded broker (api/monitoring/ingest.py).

Nothing is lost while the database is down: a batch is acknowledged only once it is
committed, so RabbitMQ keeps the events (durable queue, persistent messages) until the
store is back, and the consumer retries with back-off. To bound the queue, give it a
RabbitMQ policy, e.g. `rabbitmqctl set_policy sportello-monitoring '^sportello_monitoring$'
'{"max-length": 1000000}' --apply-to queues` (the oldest are dropped first).
Run one consumer (turns are built in order per conversation); it reconnects by itself.
"""

from __future__ import annotations

import json
import logging
import signal
import sys
import time
from dataclasses import dataclass, field
from types import FrameType
from typing import Any

import pika
from pika.adapters.blocking_connection import BlockingChannel
from pika.exceptions import AMQPError
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from api.db import create_db_engine, safe_url, upgrade_database
from api.monitoring.ingest import ingest
from api.settings import Settings, get_settings

logger = logging.getLogger("api.monitoring.consumer")

# Rasa's Pika broker (bot/monitoring/rabbitmq.py) declares the same exchange and queue.
EXCHANGE = "sportello_monitoring"
BATCH_EVENTS = 500
FLUSH_S = 1.0
MAX_BACKOFF_S = 30.0


@dataclass
class Batch:
    events: list[Any] = field(default_factory=list)
    last_tag: int | None = None
    malformed: int = 0


def declare(channel: BlockingChannel, queue: str) -> None:
    """The exchange and queue as Rasa's Pika broker declares them (a mismatch is refused)."""
    channel.exchange_declare(EXCHANGE, exchange_type="fanout")
    channel.queue_declare(queue, durable=True)
    channel.queue_bind(queue, EXCHANGE)


class Consumer:
    def __init__(self, settings: Settings, engine: Engine, batch_events: int = BATCH_EVENTS, flush_s: float = FLUSH_S):
        self.settings = settings
        self.engine = engine
        self.batch_events = batch_events
        self.flush_s = flush_s
        self.stopping = False
        self.stored = 0

    def store(self, batch: Batch, connection: pika.BlockingConnection) -> None:
        """Write the batch, retrying until it is committed (or the consumer is stopped)."""
        backoff = 1.0
        while not self.stopping:
            try:
                with Session(self.engine) as session:
                    result = ingest(
                        session,
                        batch.events,
                        key=self.settings.monitoring_key.get_secret_value(),
                        low_confidence=self.settings.review_low_confidence,
                    )
                self.stored += result.events + result.ignored
                return
            except SQLAlchemyError as exc:
                logger.warning("Database di monitoraggio non disponibile (%s): riprovo tra %.1f s", exc, backoff)
                connection.sleep(backoff)  # keeps the AMQP heartbeats going meanwhile
                backoff = min(backoff * 2, MAX_BACKOFF_S)
        raise InterruptedError

    def consume(self, connection: pika.BlockingConnection, *, idle_exit_s: float | None = None) -> None:
        """Read and store batches until stopped (or, for tests, until idle for `idle_exit_s`)."""
        channel = connection.channel()
        declare(channel, self.settings.rabbitmq_queue)
        channel.basic_qos(prefetch_count=self.batch_events * 2)
        batch = Batch()
        idle_since = time.monotonic()
        for method, _properties, body in channel.consume(self.settings.rabbitmq_queue, inactivity_timeout=self.flush_s):
            if method is not None:
                try:
                    batch.events.append(json.loads(body))
                except (ValueError, UnicodeDecodeError):
                    batch.malformed += 1
                batch.last_tag = method.delivery_tag
                idle_since = time.monotonic()
            if batch.last_tag is not None and (method is None or len(batch.events) >= self.batch_events):
                if batch.malformed:
                    logger.warning("%d messaggi non JSON scartati dalla coda", batch.malformed)
                self.store(batch, connection)
                channel.basic_ack(batch.last_tag, multiple=True)
                batch = Batch()
            if self.stopping or (idle_exit_s is not None and time.monotonic() - idle_since > idle_exit_s):
                break
        channel.cancel()
        channel.close()


def run(settings: Settings) -> int:
    engine = create_db_engine(settings.database_url)
    upgrade_database(engine)
    consumer = Consumer(settings, engine)

    def stop(_signum: int, _frame: FrameType | None) -> None:
        consumer.stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    parameters = pika.URLParameters(settings.rabbitmq_url)
    backoff = 1.0
    logger.info("Consumatore del monitoraggio: coda %s → %s", settings.rabbitmq_queue, safe_url(settings.database_url))
    while not consumer.stopping:
        try:
            connection = pika.BlockingConnection(parameters)
        except AMQPError as exc:
            logger.warning("RabbitMQ non raggiungibile (%s): riprovo tra %.0f s", exc, backoff)
            time.sleep(backoff)
            backoff = min(backoff * 2, MAX_BACKOFF_S)
            continue
        backoff = 1.0
        try:
            consumer.consume(connection)
        except InterruptedError:
            pass  # stopped while the database was down: the unacknowledged events stay queued
        except AMQPError as exc:
            logger.warning("Connessione a RabbitMQ persa (%s): mi riconnetto", exc)
        finally:
            if connection.is_open:
                connection.close()
    engine.dispose()
    logger.info("Consumatore fermato (%d eventi registrati).", consumer.stored)
    return 0


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    return run(get_settings())


if __name__ == "__main__":
    sys.exit(main())
