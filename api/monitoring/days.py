"""Days as the Sportello lives them: Europe/Rome, whatever the server's clock zone."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

ROME = ZoneInfo("Europe/Rome")


def local_day(moment: datetime) -> date:
    return moment.astimezone(ROME).date()


def day_start(day: date) -> datetime:
    """Midnight of `day` in Rome, as an aware UTC datetime."""
    return datetime.combine(day, time(), ROME).astimezone(timezone.utc)


def days_between(start: date, end: date) -> list[date]:
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]
