"""Tables of the monitoring store: conversations, user turns, daily counters, privacy audit.

No table holds a conversation id: a conversation is known by its pseudonym, a keyed
hash whose key lives outside the database (api/monitoring/pseudonyms.py). Messages are
stored redacted (sportello/redaction.py). The daily counters are kept up to date on
ingest (api/monitoring/aggregates.py), so the dashboard reads a few hundred rows for a
year instead of a million turns; they hold counts only, so purge and erasure leave them.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, CheckConstraint, Date, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from api.models import Base, UTCDateTime, utcnow
from api.monitoring.outcomes import OUTCOMES, REVIEW_STATES

PSEUDONYM_LENGTH = 64
TEXT_LENGTH = 1000
TOPIC_LENGTH = 64
CHANNEL_LENGTH = 32


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(value) for value in values)})"


class MonitoredConversation(Base):
    """One Rasa session (a new one starts after an hour of silence), by pseudonym."""

    __tablename__ = "monitoring_conversations"
    __table_args__ = (
        UniqueConstraint("pseudonym", "started_at"),
        Index("ix_monitoring_conversations_pseudonym_id", "pseudonym", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pseudonym: Mapped[str] = mapped_column(String(PSEUDONYM_LENGTH))
    channel: Mapped[str] = mapped_column(String(CHANNEL_LENGTH))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # The day (Europe/Rome) it started: the day its conversation counters belong to.
    day: Mapped[date] = mapped_column(Date)
    last_event_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    turns: Mapped[int] = mapped_column(default=0)
    escalated: Mapped[bool] = mapped_column(default=False)
    has_ticket: Mapped[bool] = mapped_column(default=False)


class MonitoredTurn(Base):
    """One user message and what became of it."""

    __tablename__ = "monitoring_turns"
    __table_args__ = (
        CheckConstraint(_one_of("outcome", OUTCOMES), name="outcome"),
        CheckConstraint("vote IS NULL OR vote IN ('up', 'down')", name="vote"),
        CheckConstraint(f"review IS NULL OR {_one_of('review', REVIEW_STATES)}", name="review"),
        # The review inbox: pending messages of a period.
        Index("ix_monitoring_turns_review_at", "review", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("monitoring_conversations.id", ondelete="CASCADE"), index=True
    )
    # SHA-256 of pseudonym and Rasa's message id: a batch delivered twice adds nothing.
    event_key: Mapped[str] = mapped_column(String(64), unique=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    day: Mapped[date] = mapped_column(Date)
    channel: Mapped[str] = mapped_column(String(CHANNEL_LENGTH))
    # Redacted; None for a button's payload.
    text: Mapped[str | None] = mapped_column(String(TEXT_LENGTH))
    intent: Mapped[str | None] = mapped_column(String(64))
    intent_confidence: Mapped[float | None]
    topic_id: Mapped[str | None] = mapped_column(String(TOPIC_LENGTH))
    topic_confidence: Mapped[float | None]
    runner_up_id: Mapped[str | None] = mapped_column(String(TOPIC_LENGTH))
    runner_up_confidence: Mapped[float | None]
    outcome: Mapped[str] = mapped_column(String(16))
    answered_topic: Mapped[str | None] = mapped_column(String(TOPIC_LENGTH))
    proposed_topics: Mapped[str | None] = mapped_column(String(200))
    vote: Mapped[str | None] = mapped_column(String(4))
    response_ms: Mapped[int | None]
    review: Mapped[str | None] = mapped_column(String(12))
    review_reasons: Mapped[str | None] = mapped_column(String(80))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reviewed_by: Mapped[str | None] = mapped_column(String(64))
    # The topic the messages were assigned to, or the draft made of them.
    review_topic: Mapped[str | None] = mapped_column(String(TOPIC_LENGTH))


class DailyTraffic(Base):
    """Per day (Europe/Rome) and channel: messages, conversations, outcomes, votes."""

    __tablename__ = "monitoring_daily"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    channel: Mapped[str] = mapped_column(String(CHANNEL_LENGTH), primary_key=True)
    conversations: Mapped[int] = mapped_column(default=0)
    turns: Mapped[int] = mapped_column(default=0)
    answered: Mapped[int] = mapped_column(default=0)
    selected: Mapped[int] = mapped_column(default=0)
    proposed: Mapped[int] = mapped_column(default=0)
    not_understood: Mapped[int] = mapped_column(default=0)
    out_of_scope: Mapped[int] = mapped_column(default=0)
    escalated: Mapped[int] = mapped_column(default=0)
    operator: Mapped[int] = mapped_column(default=0)
    other: Mapped[int] = mapped_column(default=0)
    votes_up: Mapped[int] = mapped_column(default=0)
    votes_down: Mapped[int] = mapped_column(default=0)
    # Conversations (by the day they started) handed to a person, and those with a ticket.
    escalated_conversations: Mapped[int] = mapped_column(default=0)
    ticket_conversations: Mapped[int] = mapped_column(default=0)
    response_ms_total: Mapped[int] = mapped_column(BigInteger, default=0)
    responses: Mapped[int] = mapped_column(default=0)


class DailyTopic(Base):
    """Per day and FAQ topic: answers, proposals, votes."""

    __tablename__ = "monitoring_daily_topics"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    topic_id: Mapped[str] = mapped_column(String(TOPIC_LENGTH), primary_key=True)
    answered: Mapped[int] = mapped_column(default=0)
    proposed: Mapped[int] = mapped_column(default=0)
    votes_up: Mapped[int] = mapped_column(default=0)
    votes_down: Mapped[int] = mapped_column(default=0)


class DailyConfidence(Base):
    """Per day: FAQ questions by the best topic's confidence, in tenths (bucket 0 = 0-0.1)."""

    __tablename__ = "monitoring_daily_confidence"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    bucket: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    turns: Mapped[int] = mapped_column(default=0)


class DailyIngest(Base):
    """Per day: events stored, events refused as malformed, events the Rasa side dropped."""

    __tablename__ = "monitoring_daily_ingest"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    events: Mapped[int] = mapped_column(BigInteger, default=0)
    rejected: Mapped[int] = mapped_column(BigInteger, default=0)
    dropped: Mapped[int] = mapped_column(BigInteger, default=0)


class PrivacyAudit(Base):
    """A purge or an erasure: when, by whom, how much; never whose."""

    __tablename__ = "privacy_audit"
    __table_args__ = (
        CheckConstraint("action IN ('purge', 'erasure')", name="action"),
        CheckConstraint("found_by IS NULL OR found_by IN ('conversation', 'ticket')", name="found_by"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    action: Mapped[str] = mapped_column(String(12))
    actor: Mapped[str] = mapped_column(String(64))
    found_by: Mapped[str | None] = mapped_column(String(16))
    cutoff: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ticket_cutoff: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Rows removed per store, e.g. {"tracker_events": 12, "monitoring_turns": 4}.
    counts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
