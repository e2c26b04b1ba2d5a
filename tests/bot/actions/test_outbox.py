"""The outbox: nothing lost while the API is down, one ticket per request, the number delivered."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.actions.outbox import Outbox, deliver_once


class Api:
    def __init__(self) -> None:
        self.up = False
        self.tickets: dict[str, dict[str, Any]] = {}
        self.calls = 0

    async def create(self, payload: dict[str, Any], key: str) -> dict[str, Any]:
        self.calls += 1
        if not self.up:
            raise ConnectionError("API giù")
        return self.tickets.setdefault(key, {"number": f"SW-2026-{len(self.tickets) + 1:06d}"})


class Channel:
    def __init__(self) -> None:
        self.up = True
        self.told: list[tuple[str, str]] = []

    async def notify(self, conversation_id: str, ticket: dict[str, Any]) -> bool:
        if not self.up:
            raise ConnectionError("canale giù")
        self.told.append((conversation_id, ticket["number"]))
        return True


async def test_a_request_survives_a_restart_and_becomes_exactly_one_ticket(tmp_path: Path) -> None:
    path = tmp_path / "outbox.db"
    api, channel = Api(), Channel()
    Outbox(path).put("chiave-1", "web:abc", {"description": "x"})
    Outbox(path).put("chiave-1", "web:abc", {"description": "x"})  # the same request again: kept once

    assert await deliver_once(Outbox(path), api.create, channel.notify) == 0  # API down
    restarted = Outbox(path)  # a new process finds it on disk
    assert len(restarted) == 1
    api.up = True
    assert await deliver_once(restarted, api.create, channel.notify, now=float("inf")) == 1
    assert list(api.tickets) == ["chiave-1"]
    assert channel.told == [("web:abc", "SW-2026-000001")]
    assert len(restarted) == 0


async def test_a_channel_outage_does_not_open_a_second_ticket(tmp_path: Path) -> None:
    outbox, api, channel = Outbox(tmp_path / "outbox.db"), Api(), Channel()
    api.up, channel.up = True, False
    outbox.put("chiave-2", "telegram:42", {"description": "y"})
    assert await deliver_once(outbox, api.create, channel.notify) == 0
    channel.up = True
    assert await deliver_once(outbox, api.create, channel.notify, now=float("inf")) == 1
    assert api.calls == 1  # the ticket was opened once; only the message was retried
    assert channel.told == [("telegram:42", "SW-2026-000001")]


async def test_failed_attempts_wait_longer_each_time(tmp_path: Path) -> None:
    outbox, api, channel = Outbox(tmp_path / "outbox.db"), Api(), Channel()
    outbox.put("chiave-3", "web:x", {})
    await deliver_once(outbox, api.create, channel.notify)
    assert outbox.due() == []  # not due again at once
    (pending,) = outbox.due(now=float("inf"))
    assert pending.attempts == 1
