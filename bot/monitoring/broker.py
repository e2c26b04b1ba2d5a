"""The event broker of endpoints.yml: every conversation event to the monitoring store.

Rasa calls `publish` from its event loop each time it saves a tracker, so `publish`
only reduces the event (bot/monitoring/events.py) and appends it to a bounded queue
(bot/monitoring/buffer.py): no I/O, no waiting. A background task sends the queue in
batches (`POST /api/v1/monitoring/events`, service token, explicit timeout); when the
API is down or slow the events wait, the task retries with back-off, and the oldest are
dropped (counted, logged, reported) only past the queue's capacity. A conversation never
waits for monitoring, and never fails because of it.

`transport` in endpoints.yml (SPORTELLO_MONITORING_BROKER) chooses:
- `api` (default): this broker, nothing else to run;
- `rabbitmq`: Rasa's own Pika broker (bot/monitoring/rabbitmq.py), for deployments with
  several Rasa processes, read by `python -m api.monitoring.consumer`;
- `off`: no broker at all.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from asyncio import AbstractEventLoop
from dataclasses import dataclass
from typing import Any

import aiohttp
from rasa.core.brokers.broker import EventBroker
from rasa.utils.endpoints import EndpointConfig

from bot.monitoring.buffer import BoundedBuffer
from bot.monitoring.events import reduce_event
from bot.server import MONITORING_TRANSPORTS

logger = logging.getLogger(__name__)

EVENTS_PATH = "/api/v1/monitoring/events"
TRANSPORTS = MONITORING_TRANSPORTS


@dataclass(frozen=True)
class BrokerOptions:
    transport: str = "api"
    api_url: str = "http://127.0.0.1:8000"
    token: str = ""
    capacity: int = 10_000
    batch_events: int = 200
    flush_s: float = 1.0
    timeout_s: float = 5.0
    max_backoff_s: float = 30.0
    rabbitmq_url: str = ""
    rabbitmq_queue: str = "sportello_monitoring"

    @classmethod
    def from_endpoint(cls, config: EndpointConfig) -> BrokerOptions:
        """endpoints.yml's values (strings, after `${...}` expansion); the token from the settings."""
        kwargs: dict[str, Any] = dict(config.kwargs)
        transport = str(kwargs.get("transport") or "api").strip().lower()
        if transport not in TRANSPORTS:
            raise ValueError(f"SPORTELLO_MONITORING_BROKER deve valere {', '.join(TRANSPORTS)}, non «{transport}»")
        token = str(kwargs.get("token") or "")
        if not token and transport == "api":
            from bot.channels.settings import service_token

            token = service_token()
        return cls(
            transport=transport,
            api_url=str(kwargs.get("api_url") or cls.api_url).rstrip("/"),
            token=token,
            capacity=int(kwargs.get("queue_events") or cls.capacity),
            rabbitmq_url=str(kwargs.get("rabbitmq_url") or ""),
            rabbitmq_queue=str(kwargs.get("rabbitmq_queue") or cls.rabbitmq_queue),
        )


class MonitoringBroker(EventBroker):
    """Queues events in memory and sends them to the API in batches, in the background."""

    def __init__(self, options: BrokerOptions) -> None:
        self.options = options
        self.buffer = BoundedBuffer(options.capacity)
        self.sent = 0
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._session: aiohttp.ClientSession | None = None
        self._closing = False

    @classmethod
    async def from_endpoint_config(
        cls, broker_config: EndpointConfig, event_loop: AbstractEventLoop | None = None
    ) -> EventBroker | None:
        options = BrokerOptions.from_endpoint(broker_config)
        if options.transport == "off":
            logger.info("Monitoraggio spento (SPORTELLO_MONITORING_BROKER=off)")
            return None
        if options.transport == "rabbitmq":
            from bot.monitoring.rabbitmq import MonitoringPikaBroker

            return MonitoringPikaBroker.start(options)
        broker = cls(options)
        broker.start()
        logger.info("Monitoraggio: eventi inviati a %s%s", options.api_url, EVENTS_PATH)
        return broker

    def start(self) -> None:
        """Start the sender on the running loop (Rasa builds brokers inside its loop)."""
        self._task = asyncio.get_running_loop().create_task(self._run())

    def publish(self, event: dict[str, Any]) -> None:
        reduced = reduce_event(event)
        if reduced is None:
            return
        self.buffer.append(reduced)
        if len(self.buffer) >= self.options.batch_events:
            self._wake.set()

    def is_ready(self) -> bool:
        return self._task is not None and not self._task.done()

    async def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=self.options.timeout_s),
                headers={"Authorization": f"Bearer {self.options.token}"},
            )
        return self._session

    async def send_batch(self) -> bool:
        """Send up to one batch; False when the API could not take it (the batch is kept)."""
        batch = self.buffer.take(self.options.batch_events)
        dropped = self.buffer.report_dropped()
        if not batch and not dropped:
            return True
        try:
            client = await self._client()
            async with client.post(
                f"{self.options.api_url}{EVENTS_PATH}", json={"events": batch, "dropped": dropped}
            ) as response:
                if response.status >= 300:
                    raise aiohttp.ClientResponseError(response.request_info, response.history, status=response.status)
        except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as exc:
            self.buffer.put_back(batch)
            self.buffer.dropped += dropped  # reported with the next batch that goes through
            logger.debug("Monitoraggio: invio non riuscito (%r), %d eventi in attesa", exc, len(self.buffer))
            return False
        self.sent += len(batch)
        return True

    async def _run(self) -> None:
        backoff = self.options.flush_s
        while not self._closing:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=backoff)
            self._wake.clear()
            ok = True
            try:
                while ok and self.buffer and not self._closing:
                    ok = await self.send_batch()
            except Exception:  # a bug here must not stop monitoring for good
                logger.exception("Monitoraggio: errore inatteso nell'invio degli eventi")
                ok = False
            if ok:
                backoff = self.options.flush_s
            else:
                if backoff == self.options.flush_s:
                    logger.warning("Monitoraggio: l'API non riceve gli eventi, riprovo (%d in coda)", len(self.buffer))
                backoff = min(max(backoff, 0.5) * 2, self.options.max_backoff_s)

    async def close(self, timeout_s: float = 3.0) -> None:
        """Stop the sender and try, briefly, to send what is left."""
        self._closing = True
        self._wake.set()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self._drain(), timeout=timeout_s)
        if self.buffer:
            logger.warning("Monitoraggio: %d eventi non inviati alla chiusura", len(self.buffer))
        if self._session is not None:
            await self._session.close()

    async def _drain(self) -> None:
        while self.buffer or self.buffer.dropped:
            if not await self.send_batch():
                return
