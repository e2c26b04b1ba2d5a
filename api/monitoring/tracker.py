"""Rasa's tracker store, seen from the app environment: only to purge and erase.

Rasa (SQLAlchemy 1.4, in the other environment) owns the `events` table of the database
at SPORTELLO_TRACKER_URL: one row per event, `sender_id` the conversation id and
`timestamp` seconds since the epoch. This module deletes rows from it with
SQLAlchemy 2, in chunks so that a large purge never holds long locks on a live store.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy import Column, Engine, Float, Integer, MetaData, String, Table, delete, inspect, make_url, select
from sqlalchemy.engine import URL

from api.db import create_db_engine

CHUNK = 5000
EVENTS = Table(
    "events",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("sender_id", String(255)),
    Column("timestamp", Float),
)


def app_url(tracker_url: str) -> URL:
    """Rasa's URL with a driver of this environment (psycopg 3 rather than psycopg2)."""
    url = make_url(tracker_url)
    if url.drivername in ("postgresql", "postgres", "postgresql+psycopg2"):
        url = url.set(drivername="postgresql+psycopg")
    return url


def tracker_engine(tracker_url: str) -> Engine | None:
    """An engine on the tracker store, or None when it does not exist yet (nothing to delete)."""
    url = app_url(tracker_url)
    if url.get_backend_name() == "sqlite":
        database = url.database or ""
        if not database or database == ":memory:" or not Path(database).exists():
            return None
    engine = create_db_engine(url.render_as_string(hide_password=False))
    if not inspect(engine).has_table("events"):
        engine.dispose()
        return None
    return engine


def _delete_in_chunks(engine: Engine, condition: object) -> int:
    removed = 0
    while True:
        with engine.begin() as connection:
            ids = select(EVENTS.c.id).where(condition).limit(CHUNK)  # type: ignore[arg-type]
            count = connection.execute(delete(EVENTS).where(EVENTS.c.id.in_(ids.scalar_subquery()))).rowcount
        removed += count
        if count < CHUNK:
            return removed


def purge_before(engine: Engine, cutoff: datetime) -> int:
    """Delete every event older than `cutoff`; how many were deleted."""
    return _delete_in_chunks(engine, EVENTS.c.timestamp < cutoff.timestamp())


def erase_conversation(engine: Engine, sender_id: str) -> int:
    """Delete every event of one conversation."""
    return _delete_in_chunks(engine, EVENTS.c.sender_id == sender_id)
