"""Each Telegram update handled once, even if it arrives twice.

Telegram re-sends a webhook update it thinks was not acknowledged, and two bridge
instances (or a restart mid-poll) can see the same update. The first to record its
update_id handles it. Redis (`SET NX` with an expiry) is shared by every instance;
without Redis a small SQLite table in the var dir does the job for one instance.
Telegram keeps undelivered updates for at most 24 hours, so that is how long ids are kept.

If the store itself fails, the update is handled anyway: answering twice is a
smaller harm than never answering.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import threading
import time
from pathlib import Path
from typing import Protocol

import redis.asyncio as aioredis
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

KEEP_S = 24 * 3600
REDIS_PREFIX = "sportello:telegram:update:"
REDIS_TIMEOUT_S = 2.0


class UpdateDedup(Protocol):
    async def first_seen(self, update_id: int) -> bool:
        """True the first time an update_id is seen, False for every repeat."""
        ...

    async def aclose(self) -> None: ...


class RedisDedup:
    def __init__(self, url: str, namespace: str, prefix: str = REDIS_PREFIX, keep_s: int = KEEP_S) -> None:
        self._redis = aioredis.from_url(url, socket_timeout=REDIS_TIMEOUT_S, socket_connect_timeout=REDIS_TIMEOUT_S)
        # update_ids are per bot: the namespace keeps two bots on one Redis apart.
        self._prefix = f"{prefix}{namespace}:"
        self._keep_s = keep_s

    async def first_seen(self, update_id: int) -> bool:
        try:
            return bool(await self._redis.set(f"{self._prefix}{update_id}", "1", nx=True, ex=self._keep_s))
        except (RedisError, OSError) as exc:
            logger.warning("Redis non disponibile, update %s elaborato senza controllo duplicati: %r", update_id, exc)
            return True

    async def aclose(self) -> None:
        await self._redis.aclose()


class SqliteDedup:
    """One instance only: the file lives in this machine's var dir."""

    PRUNE_EVERY = 500

    def __init__(self, path: Path, namespace: str, keep_s: int = KEEP_S) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._namespace = namespace
        self._keep_s = keep_s
        self._lock = threading.Lock()
        self._inserts = 0
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=5)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS telegram_updates ("
            " bot TEXT NOT NULL, update_id INTEGER NOT NULL, seen_at REAL NOT NULL,"
            " PRIMARY KEY (bot, update_id))"
        )
        self._db.execute("CREATE INDEX IF NOT EXISTS telegram_updates_seen_at ON telegram_updates (seen_at)")

    def _record(self, update_id: int) -> bool:
        now = time.time()
        with self._lock:
            cursor = self._db.execute(
                "INSERT OR IGNORE INTO telegram_updates (bot, update_id, seen_at) VALUES (?, ?, ?)",
                (self._namespace, update_id, now),
            )
            first = cursor.rowcount == 1
            self._inserts += first
            if self._inserts >= self.PRUNE_EVERY:
                self._inserts = 0
                self._db.execute("DELETE FROM telegram_updates WHERE seen_at < ?", (now - self._keep_s,))
            return first

    def prune(self) -> int:
        """Forget ids older than the keep time; returns how many were dropped."""
        with self._lock:
            cursor = self._db.execute("DELETE FROM telegram_updates WHERE seen_at < ?", (time.time() - self._keep_s,))
            return cursor.rowcount

    async def first_seen(self, update_id: int) -> bool:
        try:
            # sqlite3 blocks: keep it off the event loop.
            return await asyncio.to_thread(self._record, update_id)
        except sqlite3.Error as exc:
            logger.warning("Archivio update non disponibile, update %s elaborato comunque: %r", update_id, exc)
            return True

    async def aclose(self) -> None:
        await asyncio.to_thread(self._db.close)


def make_dedup(redis_url: str, sqlite_path: Path, namespace: str) -> UpdateDedup:
    if redis_url:
        return RedisDedup(redis_url, namespace)
    return SqliteDedup(sqlite_path, namespace)
