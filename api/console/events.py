"""`GET /console/events`: the live feed (api/live.py) as server-sent events for the console.

Each event goes out under its kind (`ticket_created`, `ticket_changed`, `user_message`,
`operator_message`) with a one-line HTML summary as data: the queue shows it in its
"Novità" list (htmx `sse-swap`), and both pages refetch what they show on it (`hx-trigger
="sse:…"`). `?ticket=SW-…` limits the stream to one ticket (the ticket page).

The stream does not keep the session alive: it ends with a `session_expired` event
when the session has seen no other request for the idle time (or reaches its absolute
end), and the page then reloads, which leads to the login. A comment line every
HEARTBEAT_S keeps proxies from closing a quiet connection; a closed browser tab is
noticed by Starlette's StreamingResponse, which cancels the stream.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import StreamingResponse
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from api import live
from api.console.auth import OperatorDep, require_csrf
from api.console.models import ConsoleSession
from api.console.pages import channel_label, templates
from api.console.sessions import Lifetimes
from api.deps import SessionDep, SettingsDep, get_engine
from api.models import utcnow
from api.tickets.numbering import canonical_number

HEARTBEAT_S = 20.0
# How often a long-lived stream looks at its session again (it may have been closed).
SESSION_CHECK = timedelta(minutes=1)

router = APIRouter(prefix="/console", include_in_schema=False, dependencies=[Depends(require_csrf)])


def _session_end(engine: Engine, key: str, lifetimes: Lifetimes) -> float | None:
    """Seconds until the session ends, as the database says now; None when it has ended."""
    with Session(engine) as db:
        row = db.get(ConsoleSession, key)
        if row is None:
            return None
        end = min(row.expires_at, row.last_seen_at + lifetimes.idle)
    left = (end - utcnow()).total_seconds()
    return left if left > 0 else None


def sse(kind: str, data: str) -> str:
    lines = "".join(f"data: {line}\n" for line in data.splitlines() or [""])
    return f"event: {kind}\n{lines}\n"


def summary(event: live.LiveEvent) -> str:
    """The event as one line of HTML, escaped by the template."""
    template = templates.get_template("_event.html")
    return " ".join(template.render(event=event, channel=channel_label).split())


async def stream(
    events: AsyncIterator[live.LiveEvent], ticket: str | None, session_left: Callable[[], Awaitable[float | None]]
) -> AsyncIterator[str]:
    """SSE text for `events` (of `ticket` only, if given) until the session ends."""
    yield ": connesso\n\n"
    pending: asyncio.Task[live.LiveEvent] | None = None
    try:
        while True:
            left = await session_left()
            if left is None:
                yield sse("session_expired", "")
                return
            if pending is None:
                pending = asyncio.ensure_future(anext(events))
            done, _ = await asyncio.wait({pending}, timeout=min(HEARTBEAT_S, left, SESSION_CHECK.total_seconds()))
            if not done:
                yield ": attivo\n\n"
                continue
            try:
                event = pending.result()
            except StopAsyncIteration:
                return  # the feed dropped a subscriber that fell behind: the page reconnects
            finally:
                pending = None
            if ticket is None or event.ticket == ticket:
                yield sse(event.kind, summary(event))
    finally:
        if pending is not None:
            pending.cancel()
            with contextlib.suppress(BaseException):
                await pending
        aclose = getattr(events, "aclose", None)
        if aclose is not None:
            await aclose()


@router.get("/events")
async def events(
    user: OperatorDep,
    settings: SettingsDep,
    db: SessionDep,
    engine: Annotated[Engine, Depends(get_engine)],
    ticket: Annotated[str, Query(max_length=32)] = "",
) -> StreamingResponse:
    # The request's database session lives as long as the response: give its connection
    # back now, or every open console page would hold one for hours.
    await run_in_threadpool(db.close)
    lifetimes = Lifetimes.of(settings)

    async def session_left() -> float | None:
        return await run_in_threadpool(_session_end, engine, user.key, lifetimes)

    only = canonical_number(ticket) if ticket else None
    body = stream(live.subscribe(), only, session_left)
    headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}  # nginx: do not buffer the stream
    return StreamingResponse(body, media_type="text/event-stream", headers=headers)
