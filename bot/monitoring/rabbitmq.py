"""The `rabbitmq` transport: Rasa's own Pika broker, made safe for a conversation.

Rasa's PikaEventBroker publishes each event to a fanout exchange bound to durable
queues, with persistent messages; `python -m api.monitoring.consumer` reads the queue
into the monitoring store. Used as it is, it has two habits a help desk cannot have:
it connects before the server starts (20 attempts 5 s apart: a RabbitMQ outage would
keep the assistant down for minutes, then stop it), and what it cannot publish it keeps
in an unbounded list. So here:

- the server starts at once and the connection is made in the background, retrying;
- events published meanwhile, or failing, wait in a bounded buffer (counted, logged
  drops past SPORTELLO_MONITORING_QUEUE_EVENTS) and are published on (re)connection;
- events are reduced first (bot/monitoring/events.py): form slots never reach RabbitMQ.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import rasa.shared.core.events  # noqa: F401  (Rasa's Pika broker uses it without importing it)
from rasa.core.brokers.pika import PikaEventBroker

from bot.monitoring.buffer import BoundedBuffer
from bot.monitoring.events import reduce_event

if TYPE_CHECKING:
    from bot.monitoring.broker import BrokerOptions

logger = logging.getLogger(__name__)

# The consumer declares the same names (api/monitoring/consumer.py).
EXCHANGE = "sportello_monitoring"
MAX_BACKOFF_S = 30.0


def connection_kwargs(url: str) -> dict[str, Any]:
    """PikaEventBroker's host/port/credentials from one amqp:// URL (credentials kept apart,
    as the broker adds them to the URL itself)."""
    parts = urlsplit(url)
    if parts.scheme not in ("amqp", "amqps") or not parts.hostname:
        raise ValueError("SPORTELLO_RABBITMQ_URL deve essere un indirizzo amqp://utente:password@host:porta/vhost")
    port = parts.port or (5671 if parts.scheme == "amqps" else 5672)
    host = f"{parts.scheme}://{parts.hostname}:{port}{parts.path or '/'}"
    return {
        "host": host,
        "port": port,
        "username": parts.username or "guest",
        "password": parts.password or "guest",
    }


class MonitoringPikaBroker(PikaEventBroker):
    def __init__(self, *args: Any, capacity: int = 10_000, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Replaces Rasa's unbounded deque: the same role, a bounded size.
        self._unpublished_events = BoundedBuffer(capacity)
        self._connector: asyncio.Task[None] | None = None

    @classmethod
    def start(cls, options: BrokerOptions) -> MonitoringPikaBroker:
        broker = cls(
            **connection_kwargs(options.rabbitmq_url),
            queues=[options.rabbitmq_queue],
            exchange_name=EXCHANGE,
            connection_attempts=1,
            retry_delay_in_seconds=0,
            event_loop=asyncio.get_running_loop(),
            capacity=options.capacity,
        )
        broker._connector = broker._loop.create_task(broker._connect_in_background())
        return broker

    async def _connect_in_background(self) -> None:
        backoff = 1.0
        while True:
            try:
                await self.connect()
            except Exception as exc:
                if backoff == 1.0:
                    logger.warning("Monitoraggio: RabbitMQ non raggiungibile (%s), riprovo in background", exc)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF_S)
                continue
            logger.info("Monitoraggio: eventi inviati a RabbitMQ (coda %s)", ", ".join(self.queues))
            self._publish_unpublished_messages()
            return

    def publish(self, event: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        reduced = reduce_event(event)
        if reduced is None:
            return
        if self._exchange is None or not self.is_ready():
            self._unpublished_events.append(reduced)  # published once connected
            return
        super().publish(reduced, headers)

    async def close(self) -> None:
        if self._connector is not None and not self._connector.done():
            self._connector.cancel()
        await super().close()
