"""The live feed: every subscriber gets every event in order, from any thread, and never grows without bound."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from fastapi.testclient import TestClient

from api import live
from api.live import LiveEvent, LiveFeed
from tests.api.support import AUTH, ticket_payload

WAIT_S = 5  # only so that a broken test fails instead of hanging


async def _collect(feed: LiveFeed, count: int, started: asyncio.Event) -> list[LiveEvent]:
    received: list[LiveEvent] = []
    stream = feed.subscribe()
    # The subscription exists once the generator has started: ask for the first event.
    first = asyncio.ensure_future(stream.__anext__())
    await asyncio.sleep(0)
    started.set()
    received.append(await first)
    async for event in stream:
        received.append(event)
        if len(received) == count:
            break
    return received


async def test_every_subscriber_gets_every_event_in_order() -> None:
    feed = LiveFeed()
    started = [asyncio.Event(), asyncio.Event()]
    readers = [asyncio.create_task(_collect(feed, 3, s)) for s in started]
    await asyncio.wait_for(asyncio.gather(*(s.wait() for s in started)), WAIT_S)
    for n in (1, 2, 3):
        feed.publish(LiveEvent("ticket_created", f"SW-2026-00000{n}"))
    for reader in readers:
        received = await asyncio.wait_for(reader, WAIT_S)
        assert [e.ticket for e in received] == ["SW-2026-000001", "SW-2026-000002", "SW-2026-000003"]
    assert feed.subscribers == 0  # a subscriber that stops iterating is gone


async def test_events_published_from_worker_threads_arrive() -> None:
    feed = LiveFeed()
    started = asyncio.Event()
    reader = asyncio.create_task(_collect(feed, 20, started))
    await asyncio.wait_for(started.wait(), WAIT_S)

    def publish_ten(prefix: str) -> None:
        for i in range(10):
            feed.publish(LiveEvent("user_message", f"{prefix}{i}"))

    threads = [threading.Thread(target=publish_ten, args=(p,)) for p in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    received = [e.ticket for e in await asyncio.wait_for(reader, WAIT_S)]
    assert sorted(received) == sorted(f"{p}{i}" for p in "ab" for i in range(10))
    assert [t for t in received if t.startswith("a")] == [f"a{i}" for i in range(10)]  # each thread's order kept


async def test_a_subscriber_that_falls_behind_is_ended_not_grown() -> None:
    feed = LiveFeed(max_backlog=5)
    stream = feed.subscribe()
    first = asyncio.ensure_future(stream.__anext__())
    await asyncio.sleep(0)
    for i in range(50):  # nobody reads meanwhile
        feed.publish(LiveEvent("ticket_changed", str(i)))
    await asyncio.sleep(0.05)
    received = [(await asyncio.wait_for(first, WAIT_S)).ticket]
    received += [event.ticket async for event in stream]
    assert received == ["0", "1", "2", "3", "4"]
    assert feed.subscribers == 0


def test_publishing_never_fails_the_caller(monkeypatch: Any) -> None:
    def broken(event: LiveEvent) -> None:
        raise RuntimeError("guasto")

    monkeypatch.setattr(live.feed(), "publish", broken)
    live.publish(LiveEvent("ticket_changed", "SW-2026-000001"))


def test_as_dict_is_json_ready() -> None:
    event = LiveEvent("operator_message", "SW-2026-000001", {"text": "ciao"})
    data = event.as_dict()
    assert data["kind"] == "operator_message" and data["ticket"] == "SW-2026-000001"
    assert data["data"] == {"text": "ciao"} and data["at"].endswith("+00:00")


def test_a_new_ticket_is_announced(client: TestClient, monkeypatch: Any) -> None:
    published: list[LiveEvent] = []
    monkeypatch.setattr(live, "publish", published.append)
    headers = {**AUTH, "Idempotency-Key": "annuncio"}
    number = client.post("/api/v1/tickets", json=ticket_payload(), headers=headers).json()["number"]
    client.post("/api/v1/tickets", json=ticket_payload(), headers=headers)  # a retry announces nothing new
    assert [(e.kind, e.ticket) for e in published] == [("ticket_created", number)]
    assert published[0].data == {"status": "nuovo", "channel": "telegram", "conversation_id": "telegram:424242"}
