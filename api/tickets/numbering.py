"""Readable ticket numbers, `SW-2026-000123`: a counter per year, taken atomically.

The counter row is created if missing (INSERT ... ON CONFLICT DO NOTHING) and then
incremented with `UPDATE ... RETURNING`: PostgreSQL locks the row until the ticket's
transaction ends and SQLite (≥ 3.35) serialises writers, so two creations never read
the same value. A creation that fails rolls its increment back with it, so numbers
stay consecutive; `count() + 1` would give the same number twice under concurrency.
"""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import insert, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.tickets.models import TicketCounter

PREFIX = "SW"
# The year of a number is the Sportello's year: a ticket opened at 00:30 on
# 1 January in Rome belongs to the new year, although it is still 31 December in UTC.
NUMBER_TIMEZONE = ZoneInfo("Europe/Rome")
# Lenient on input (any case, surrounding blanks, missing leading zeros), canonical on output.
_NUMBER = re.compile(rf"\s*{PREFIX}-(\d{{4}})-(\d{{1,9}})\s*", re.IGNORECASE)


def format_number(year: int, sequence: int) -> str:
    return f"{PREFIX}-{year:04d}-{sequence:06d}"


def canonical_number(text: str) -> str | None:
    """`sw-2026-123` → `SW-2026-000123`; None when it is not a ticket number."""
    match = _NUMBER.fullmatch(text)
    if match is None:
        return None
    year, sequence = int(match.group(1)), int(match.group(2))
    if sequence == 0:
        return None
    return format_number(year, sequence)


def number_year(moment: datetime) -> int:
    return moment.astimezone(NUMBER_TIMEZONE).year


def _ensure_counter(session: Session, year: int) -> None:
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        session.execute(postgresql.insert(TicketCounter).values(year=year, last=0).on_conflict_do_nothing())
    elif dialect == "sqlite":
        session.execute(sqlite.insert(TicketCounter).values(year=year, last=0).on_conflict_do_nothing())
    elif session.get(TicketCounter, year) is None:  # any other database: a savepoint absorbs the race
        try:
            with session.begin_nested():
                session.execute(insert(TicketCounter).values(year=year, last=0))
        except IntegrityError:
            pass


def next_number(session: Session, year: int) -> str:
    """The next number of `year`, inside the caller's transaction (commit or roll back together)."""
    _ensure_counter(session, year)
    sequence = session.execute(
        update(TicketCounter)
        .where(TicketCounter.year == year)
        .values(last=TicketCounter.last + 1)
        .returning(TicketCounter.last)
    ).scalar_one()
    return format_number(year, sequence)
