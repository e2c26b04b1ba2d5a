"""The console's server-sent events: the live feed as SSE, one ticket's only, the end of the session."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from api import live
from api.console import events
from api.operators.models import Operator
from api.settings import Settings
from tests.api.console.support import sign_in


@pytest.fixture(autouse=True)
def quick_heartbeat(monkeypatch: pytest.MonkeyPatch) -> None:
    """A quiet feed is waited on for a heartbeat: the tests' heartbeats come at once."""
    monkeypatch.setattr(events, "HEARTBEAT_S", 0.01)


async def _feed(*items: live.LiveEvent, then_wait: bool = True) -> AsyncIterator[live.LiveEvent]:
    for item in items:
        yield item
    if then_wait:
        await asyncio.Event().wait()  # a quiet feed: nothing more comes


def _left(*values: float | None) -> object:
    """session_left() answering `values` in turn, then None (the session ended)."""
    answers = iter(values)

    async def left() -> float | None:
        return next(answers, None)

    return left


async def _collect(body: AsyncIterator[str]) -> list[str]:
    return [chunk async for chunk in body]


NEW = live.LiveEvent("ticket_created", "SW-2026-000001", {"channel": "telegram"})
MESSAGE = live.LiveEvent("user_message", "SW-2026-000002", {"text": "ci sei? <b>ciao</b>"})


async def test_events_go_out_under_their_kind_with_an_html_summary() -> None:
    chunks = await _collect(events.stream(_feed(NEW, MESSAGE), None, _left(60, 60, 60)))  # type: ignore[arg-type]
    assert chunks[0] == ": connesso\n\n"
    assert chunks[1].startswith("event: ticket_created\ndata: <li>")
    assert 'Nuova richiesta <a href="/console/ticket/SW-2026-000001">SW-2026-000001</a> (Telegram)' in chunks[1]
    assert chunks[2].startswith("event: user_message\ndata: ")
    assert "«ci sei? &lt;b&gt;ciao&lt;/b&gt;»" in chunks[2] and chunks[2].endswith("\n\n")
    assert chunks[-1] == "event: session_expired\ndata: \n\n"


async def test_a_ticket_page_gets_only_its_tickets_events() -> None:
    chunks = await _collect(events.stream(_feed(NEW, MESSAGE), "SW-2026-000002", _left(60, 60, 60)))  # type: ignore[arg-type]
    kinds = [chunk.split("\n")[0] for chunk in chunks if chunk.startswith("event:")]
    assert kinds == ["event: user_message", "event: session_expired"]


async def test_a_quiet_stream_sends_heartbeats_until_the_session_ends() -> None:
    chunks = await _collect(events.stream(_feed(), None, _left(60, 60, 60)))  # type: ignore[arg-type]
    assert chunks == [": connesso\n\n", *[": attivo\n\n"] * 3, "event: session_expired\ndata: \n\n"]


async def test_the_stream_ends_when_the_feed_drops_it() -> None:
    chunks = await _collect(events.stream(_feed(NEW, then_wait=False), None, _left(60, 60, 60)))  # type: ignore[arg-type]
    assert chunks[-1].startswith("event: ticket_created")


def test_multiline_data_is_split_into_data_lines() -> None:
    assert events.sse("x", "uno\ndue") == "event: x\ndata: uno\ndata: due\n\n"


def test_the_route_streams_until_the_session_ends(
    client: TestClient, engine: Engine, settings: Settings, operatore: Operator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(events, "_session_end", lambda *_: None)
    sign_in(client, engine, settings, operatore)
    response = client.get("/console/events")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    assert response.headers["cache-control"] == "no-store"
    assert response.text == ": connesso\n\nevent: session_expired\ndata: \n\n"


def test_the_session_end_is_read_from_the_database(engine: Engine, settings: Settings, operatore: Operator) -> None:
    from sqlalchemy.orm import Session

    from api.console.sessions import Lifetimes, close_session, open_session

    lifetimes = Lifetimes.of(settings)
    with Session(engine, expire_on_commit=False) as db:
        _, opened = open_session(db, db.get(Operator, operatore.id), lifetimes)  # type: ignore[arg-type]
    left = events._session_end(engine, opened.key, lifetimes)
    assert left is not None and 0 < left <= settings.console_idle_minutes * 60
    with Session(engine) as db:
        close_session(db, opened.key)
    assert events._session_end(engine, opened.key, lifetimes) is None
