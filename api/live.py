"""Live events for the operators' console: publish here, subscribe from the SSE route.

In-process publish/subscribe: the API runs as one process today (uvicorn, one worker),
so every request that changes a ticket and every open console page share this feed.
With several API processes, replace the backend of `publish`/`subscribe` with
PostgreSQL LISTEN/NOTIFY or Redis pub/sub; the events and the callers stay the same.

`publish` may be called from any thread (the sync routes run in FastAPI's thread pool):
each subscriber is woken on its own event loop. A subscriber that falls too far behind
(a stalled browser) is ended rather than allowed to grow without bound; the console
reconnects and reloads what it shows.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from api.models import utcnow

logger = logging.getLogger(__name__)

EventKind = Literal["ticket_created", "ticket_changed", "user_message", "operator_message"]
MAX_BACKLOG = 1000


@dataclass(frozen=True)
class LiveEvent:
    kind: EventKind
    ticket: str  # the ticket's number, e.g. SW-2026-000123
    data: dict[str, Any] = field(default_factory=dict)
    at: datetime = field(default_factory=utcnow)

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "ticket": self.ticket, "data": self.data, "at": self.at.isoformat()}


class _Subscriber:
    def __init__(self, loop: asyncio.AbstractEventLoop, max_backlog: int) -> None:
        self.loop = loop
        self.max_backlog = max_backlog
        self.backlog: deque[LiveEvent] = deque()
        self.wake = asyncio.Event()
        self.overflowed = False

    def offer(self, event: LiveEvent) -> None:
        """Runs on the subscriber's own loop."""
        if len(self.backlog) >= self.max_backlog:
            self.overflowed = True
        else:
            self.backlog.append(event)
        self.wake.set()


class LiveFeed:
    def __init__(self, max_backlog: int = MAX_BACKLOG) -> None:
        self._max_backlog = max_backlog
        self._subscribers: set[_Subscriber] = set()
        self._lock = threading.Lock()

    @property
    def subscribers(self) -> int:
        with self._lock:
            return len(self._subscribers)

    def publish(self, event: LiveEvent) -> None:
        with self._lock:
            subscribers = list(self._subscribers)
        for subscriber in subscribers:
            try:
                subscriber.loop.call_soon_threadsafe(subscriber.offer, event)
            except RuntimeError:  # that loop is closed: its subscriber is gone
                self._remove(subscriber)

    def _remove(self, subscriber: _Subscriber) -> None:
        with self._lock:
            self._subscribers.discard(subscriber)

    async def subscribe(self) -> AsyncIterator[LiveEvent]:
        """Every event published from now on, in order, until the caller stops iterating."""
        subscriber = _Subscriber(asyncio.get_running_loop(), self._max_backlog)
        with self._lock:
            self._subscribers.add(subscriber)
        try:
            while True:
                await subscriber.wake.wait()
                subscriber.wake.clear()
                while subscriber.backlog:
                    yield subscriber.backlog.popleft()
                if subscriber.overflowed:
                    logger.warning("Aggiornamenti in tempo reale: un iscritto è rimasto indietro, chiuso")
                    return
        finally:
            self._remove(subscriber)


_feed = LiveFeed()


def publish(event: LiveEvent) -> None:
    """Tell every open console about `event` (never blocks, never fails the caller)."""
    try:
        _feed.publish(event)
    except Exception:  # a console update must never break the write that caused it
        logger.exception("Evento in tempo reale non pubblicato: %s", event.kind)


def subscribe() -> AsyncIterator[LiveEvent]:
    return _feed.subscribe()


def feed() -> LiveFeed:
    """The process's feed (tests look at its subscribers)."""
    return _feed
