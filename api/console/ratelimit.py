"""The login rate limit: at most N failed logins per (username, address) in a sliding window.

Failures are rows in the database, so the limit survives restarts and holds across API
processes. The key includes the address, so someone guessing a colleague's password
from elsewhere cannot lock that colleague out of their own desk; a successful login
clears its key. While blocked, the password is not even checked.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from api.console.models import LoginFailure
from api.models import utcnow
from api.operators.models import USERNAME_LENGTH
from api.settings import Settings


@dataclass(frozen=True)
class LoginLimit:
    max_failures: int
    window: timedelta

    @classmethod
    def of(cls, settings: Settings) -> LoginLimit:
        return cls(settings.console_login_max_failures, timedelta(minutes=settings.console_login_window_minutes))


def _key(username: str, client: str) -> tuple[str, str]:
    # Stored as typed (lowercased, cut to the column): an unknown name is limited just the same.
    return username.strip().lower()[:USERNAME_LENGTH], client[:64]


def retry_after(db: Session, username: str, client: str, limit: LoginLimit, *, now: datetime | None = None) -> int:
    """Seconds until this key may try again; 0 when it may try now."""
    now = now or utcnow()
    name, address = _key(username, client)
    since = now - limit.window
    recent = (LoginFailure.username == name, LoginFailure.client == address, LoginFailure.at > since)
    count = db.scalar(select(func.count()).select_from(LoginFailure).where(*recent)) or 0
    if count < limit.max_failures:
        return 0
    # Free again when enough of the failures have left the window.
    times = db.scalars(select(LoginFailure.at).where(*recent).order_by(LoginFailure.at.desc())).all()
    freed_at = times[limit.max_failures - 1] + limit.window
    return max(1, math.ceil((freed_at - now).total_seconds()))


def record_failure(db: Session, username: str, client: str, limit: LoginLimit, *, now: datetime | None = None) -> None:
    now = now or utcnow()
    name, address = _key(username, client)
    db.add(LoginFailure(username=name, client=address, at=now))
    # Old rows are useless to every key: pruned as we go, no separate job needed.
    db.execute(delete(LoginFailure).where(LoginFailure.at <= now - limit.window))
    db.commit()


def clear(db: Session, username: str, client: str) -> None:
    name, address = _key(username, client)
    db.execute(delete(LoginFailure).where(LoginFailure.username == name, LoginFailure.client == address))
    db.commit()
