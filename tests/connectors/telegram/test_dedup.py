"""Each update_id is handled once: SQLite in the var dir, or Redis when configured."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
import redis.asyncio as aioredis
from redis.exceptions import RedisError

from connectors.telegram.app import TelegramBridge
from connectors.telegram.dedup import RedisDedup, SqliteDedup, make_dedup
from connectors.telegram.settings import TelegramSettings
from tests.connectors.telegram.conftest import CHAT
from tests.connectors.telegram.fake_rasa import FakeRasa
from tests.connectors.telegram.fake_telegram import FakeTelegram
from tests.connectors.telegram.support import assert_a_duplicate_update_is_handled_once
from tests.ports import free_port

REDIS_URL = "redis://127.0.0.1:6379/0"


async def test_sqlite_remembers_update_ids_per_bot_and_across_restarts(tmp_path: Path) -> None:
    path = tmp_path / "var" / "telegram_updates.db"
    dedup = SqliteDedup(path, "111")
    assert await dedup.first_seen(1) is True
    assert await dedup.first_seen(1) is False
    assert await dedup.first_seen(2) is True
    # Another bot's update 1 is a different update.
    other_bot = SqliteDedup(path, "222")
    assert await other_bot.first_seen(1) is True
    await dedup.aclose()
    await other_bot.aclose()

    restarted = SqliteDedup(path, "111")
    assert await restarted.first_seen(1) is False
    await restarted.aclose()


async def test_sqlite_forgets_ids_older_than_the_keep_time(tmp_path: Path) -> None:
    dedup = SqliteDedup(tmp_path / "u.db", "111", keep_s=-1)  # everything is already old
    for update_id in range(5):
        assert await dedup.first_seen(update_id)

    assert dedup.prune() == 5
    assert await dedup.first_seen(0) is True
    await dedup.aclose()


async def test_sqlite_prunes_by_itself_as_ids_accumulate(tmp_path: Path) -> None:
    dedup = SqliteDedup(tmp_path / "u.db", "111", keep_s=-1)
    for update_id in range(SqliteDedup.PRUNE_EVERY):
        await dedup.first_seen(update_id)

    assert dedup.prune() == 0  # the last insert already pruned everything
    await dedup.aclose()


def test_without_redis_url_the_sqlite_store_is_used(tmp_path: Path) -> None:
    assert isinstance(make_dedup("", tmp_path / "u.db", "1"), SqliteDedup)
    assert isinstance(make_dedup(REDIS_URL, tmp_path / "u.db", "1"), RedisDedup)


@pytest.fixture
async def redis_prefix() -> AsyncIterator[str]:
    """A key prefix of this test only; its keys are deleted afterwards."""
    client = aioredis.from_url(REDIS_URL, socket_timeout=2, socket_connect_timeout=2)
    try:
        await client.ping()
    except (RedisError, OSError) as exc:
        await client.aclose()
        pytest.skip(f"Redis non raggiungibile su 127.0.0.1:6379 ({exc!r})")
    prefix = f"test:sportello:telegram:{uuid.uuid4().hex}:"
    yield prefix
    keys = [key async for key in client.scan_iter(match=f"{prefix}*")]
    if keys:
        await client.delete(*keys)
    await client.aclose()


async def test_redis_remembers_update_ids_with_an_expiry(redis_prefix: str) -> None:
    dedup = RedisDedup(REDIS_URL, "111", prefix=redis_prefix, keep_s=600)
    second_instance = RedisDedup(REDIS_URL, "111", prefix=redis_prefix, keep_s=600)

    assert await dedup.first_seen(7) is True
    assert await second_instance.first_seen(7) is False  # shared by every bridge instance
    assert await dedup.first_seen(8) is True

    client = aioredis.from_url(REDIS_URL)
    ttl = await client.ttl(f"{redis_prefix}111:7")
    await client.aclose()
    assert 0 < ttl <= 600
    await dedup.aclose()
    await second_instance.aclose()


async def test_redis_down_lets_updates_through(redis_prefix: str) -> None:
    dedup = RedisDedup(f"redis://127.0.0.1:{free_port()}/0", "111", prefix=redis_prefix)

    # Answering twice is better than never answering.
    assert await dedup.first_seen(1) is True
    assert await dedup.first_seen(1) is True
    await dedup.aclose()


async def test_the_bridge_uses_redis_when_configured_and_handles_a_duplicate_once(
    redis_prefix: str,
    telegram: FakeTelegram,
    rasa: FakeRasa,
    start_bridge: Callable[..., Any],
    make_settings: Callable[..., TelegramSettings],
) -> None:
    settings = make_settings(redis_url=REDIS_URL)
    unstarted = TelegramBridge(settings)
    assert isinstance(unstarted.dedup, RedisDedup)
    await unstarted.stop()

    await start_bridge(settings, dedup=RedisDedup(REDIS_URL, "424242", prefix=redis_prefix))
    await assert_a_duplicate_update_is_handled_once(telegram, rasa, CHAT)
