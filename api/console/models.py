"""Tables of the console: login sessions, failed logins (the rate limit) and canned replies.

A session row is keyed by the SHA-256 of the cookie's value, never the value itself: a
copy of the database does not let anyone log in. Failed logins are rows, not a counter
in memory, so the limit survives a restart and holds with several API processes.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from api.models import Base, UTCDateTime, utcnow
from api.operators.models import USERNAME_LENGTH

CANNED_TITLE_LENGTH = 120
CANNED_TEXT_LENGTH = 4000


class ConsoleSession(Base):
    __tablename__ = "console_sessions"

    # hex SHA-256 of the 256-bit random value in the cookie
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    operator_id: Mapped[int] = mapped_column(ForeignKey("operators.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # The absolute limit, however active the operator is.
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class LoginFailure(Base):
    __tablename__ = "login_failures"
    __table_args__ = (Index("ix_login_failures_username_client_at", "username", "client", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(USERNAME_LENGTH))
    # The client's address as the API sees it (behind a proxy: uvicorn --proxy-headers).
    client: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)


class CannedReply(Base):
    """A ready answer the administrators keep; operators insert it, edit it and send it."""

    __tablename__ = "canned_replies"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(CANNED_TITLE_LENGTH), unique=True)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
