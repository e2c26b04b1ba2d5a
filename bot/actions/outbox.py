"""Durable outbox: an escalation the API could not take is kept, then delivered.

When the ticket store is down, the user's request goes into a SQLite file in the var
dir before the user is told anything, so it survives an action-server restart. A
background task (started with the action server) retries with back-off: it opens the
ticket with the same idempotency key (so a retry never opens two), then tells the
user their number through their own channel. Rows are removed only once both are done.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import sqlite3
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

FILE_NAME = "outbox.db"
FIRST_DELAY_S = 2.0
MAX_DELAY_S = 300.0
POLL_S = 2.0

_SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    idempotency_key TEXT PRIMARY KEY,
    conversation_id TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at REAL NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at REAL NOT NULL,
    ticket_number TEXT,
    ticket TEXT
)
"""


@dataclass(frozen=True)
class Pending:
    idempotency_key: str
    conversation_id: str
    payload: dict[str, Any]
    attempts: int
    ticket: dict[str, Any] | None  # set once the ticket exists, until the user has been told


class Outbox:
    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._db() as db:
            db.execute(_SCHEMA)

    @contextlib.contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=10)
        try:
            with db:  # commits, or rolls back on error
                yield db
        finally:
            db.close()

    def put(self, idempotency_key: str, conversation_id: str, payload: dict[str, Any]) -> None:
        """Keep a request (durably, before returning); the same key twice is kept once."""
        now = time.time()
        with self._db() as db:
            db.execute(
                "INSERT OR IGNORE INTO outbox (idempotency_key, conversation_id, payload, created_at, next_attempt_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (idempotency_key, conversation_id, json.dumps(payload, ensure_ascii=False), now, now),
            )

    def due(self, now: float | None = None) -> list[Pending]:
        now = time.time() if now is None else now
        with self._db() as db:
            rows = db.execute(
                "SELECT idempotency_key, conversation_id, payload, attempts, ticket FROM outbox "
                "WHERE next_attempt_at <= ? ORDER BY created_at",
                (now,),
            ).fetchall()
        return [Pending(k, c, json.loads(p), a, json.loads(t) if t else None) for k, c, p, a, t in rows]

    def created(self, key: str, ticket: dict[str, Any]) -> None:
        with self._db() as db:
            db.execute(
                "UPDATE outbox SET ticket_number = ?, ticket = ?, attempts = 0, next_attempt_at = ? "
                "WHERE idempotency_key = ?",
                (ticket.get("number"), json.dumps(ticket, ensure_ascii=False), time.time(), key),
            )

    def failed(self, key: str, attempts: int) -> None:
        delay = min(FIRST_DELAY_S * 2**attempts, MAX_DELAY_S)
        with self._db() as db:
            db.execute(
                "UPDATE outbox SET attempts = ?, next_attempt_at = ? WHERE idempotency_key = ?",
                (attempts + 1, time.time() + delay, key),
            )

    def done(self, key: str) -> None:
        with self._db() as db:
            db.execute("DELETE FROM outbox WHERE idempotency_key = ?", (key,))

    def __len__(self) -> int:
        with self._db() as db:
            (count,) = db.execute("SELECT COUNT(*) FROM outbox").fetchone()
        return int(count)


# create(payload, key) -> the ticket as the API returns it; raises when the API is unavailable.
Create = Callable[[dict[str, Any], str], Awaitable[dict[str, Any]]]
# notify(conversation_id, ticket) -> True once the user has been told (or cannot be).
Notify = Callable[[str, dict[str, Any]], Awaitable[bool]]


async def deliver_once(outbox: Outbox, create: Create, notify: Notify, now: float | None = None) -> int:
    """One pass over the requests that are due; how many were completed."""
    completed = 0
    for item in await asyncio.to_thread(outbox.due, now):
        ticket = item.ticket
        try:
            if ticket is None:
                ticket = await create(item.payload, item.idempotency_key)
                await asyncio.to_thread(outbox.created, item.idempotency_key, ticket)
                logger.info("Outbox: aperta la richiesta %s per %s", ticket.get("number"), item.conversation_id)
            if await notify(item.conversation_id, ticket):
                await asyncio.to_thread(outbox.done, item.idempotency_key)
                completed += 1
                continue
        except Exception as exc:  # the API or a channel is still down: try again later
            logger.warning("Outbox: consegna rimandata per %s: %r", item.conversation_id, exc)
        await asyncio.to_thread(outbox.failed, item.idempotency_key, item.attempts)
    return completed


async def run_forever(outbox: Outbox, create: Create, notify: Notify, poll_s: float = POLL_S) -> None:
    """The background delivery loop of the action server."""
    while True:
        try:
            await deliver_once(outbox, create, notify)
        except Exception:  # never let the loop die: the next pass tries again
            logger.exception("Outbox: errore inatteso")
        await asyncio.sleep(poll_s)
