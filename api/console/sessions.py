"""Server-side console sessions: a random 256-bit value in an HttpOnly cookie, a row in the database.

The cookie holds only the random value; the row (keyed by its SHA-256) holds who is
logged in, the session's CSRF token and its two limits: idle (no request for
`SPORTELLO_CONSOLE_IDLE_MINUTES`) and absolute (`SPORTELLO_CONSOLE_SESSION_HOURS` after
the login). Logging out, a disabled account or a password reset delete the row, so the
cookie stops working at once, unlike a signed cookie that stays valid until it expires.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, or_
from sqlalchemy.orm import Session

from api.console.models import ConsoleSession
from api.models import utcnow
from api.operators.models import Operator
from api.settings import Settings

COOKIE_NAME = "sportello_console"
COOKIE_PATH = "/"  # the console's pages and the ticket API under /api/v1 both accept it
# Saves a write per request: the idle clock moves on at most once a minute.
TOUCH_EVERY = timedelta(minutes=1)


@dataclass(frozen=True)
class Lifetimes:
    idle: timedelta
    absolute: timedelta

    @classmethod
    def of(cls, settings: Settings) -> Lifetimes:
        return cls(
            idle=timedelta(minutes=settings.console_idle_minutes),
            absolute=timedelta(hours=settings.console_session_hours),
        )


@dataclass(frozen=True)
class OpenSession:
    """A valid session: the operator and the CSRF token their forms must carry."""

    key: str
    operator: Operator
    csrf_token: str


def session_key(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(
    db: Session, operator: Operator, lifetimes: Lifetimes, *, now: datetime | None = None
) -> tuple[str, OpenSession]:
    """A new session for `operator`: the cookie value (shown once) and the session."""
    now = now or utcnow()
    token = secrets.token_urlsafe(32)
    row = ConsoleSession(
        id=session_key(token),
        operator_id=operator.id,
        csrf_token=secrets.token_urlsafe(32),
        created_at=now,
        last_seen_at=now,
        expires_at=now + lifetimes.absolute,
    )
    db.add(row)
    _purge_expired(db, lifetimes, now)
    db.commit()
    return token, OpenSession(row.id, operator, row.csrf_token)


def _purge_expired(db: Session, lifetimes: Lifetimes, now: datetime) -> None:
    db.execute(
        delete(ConsoleSession).where(
            or_(ConsoleSession.expires_at <= now, ConsoleSession.last_seen_at <= now - lifetimes.idle)
        )
    )


def find_session(db: Session, token: str, lifetimes: Lifetimes, *, now: datetime | None = None) -> OpenSession | None:
    """The session of this cookie value if it is still valid (and its operator still active)."""
    if not token or len(token) > 128:
        return None
    now = now or utcnow()
    row = db.get(ConsoleSession, session_key(token))
    if row is None:
        return None
    operator = db.get(Operator, row.operator_id)
    expired = row.expires_at <= now or row.last_seen_at + lifetimes.idle <= now
    if expired or operator is None or not operator.active:
        db.delete(row)
        db.commit()
        return None
    if now - row.last_seen_at >= TOUCH_EVERY:
        row.last_seen_at = now
        db.commit()
    return OpenSession(row.id, operator, row.csrf_token)


def close_session(db: Session, key: str) -> None:
    db.execute(delete(ConsoleSession).where(ConsoleSession.id == key))
    db.commit()
