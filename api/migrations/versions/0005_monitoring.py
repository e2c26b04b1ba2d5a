"""Monitoring: pseudonymous conversations, redacted user turns, daily counters, privacy audit.

Revision ID: 0005_monitoring
Revises: 0004_takeover
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_monitoring"
down_revision: str | None = "0004_takeover"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OUTCOMES = "'answered', 'selected', 'proposed', 'not_understood', 'out_of_scope', 'escalated', 'operator', 'other'"
REVIEW_STATES = "'pending', 'assigned', 'new_topic', 'dismissed'"


def _counters(*names: str) -> list[sa.Column]:
    return [sa.Column(name, sa.Integer(), nullable=False) for name in names]


def upgrade() -> None:
    op.create_table(
        "monitoring_conversations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pseudonym", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("last_event_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("turns", sa.Integer(), nullable=False),
        sa.Column("escalated", sa.Boolean(), nullable=False),
        sa.Column("has_ticket", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_monitoring_conversations")),
        sa.UniqueConstraint("pseudonym", "started_at", name=op.f("uq_monitoring_conversations_pseudonym")),
    )
    op.create_index("ix_monitoring_conversations_pseudonym_id", "monitoring_conversations", ["pseudonym", "id"])
    op.create_index(op.f("ix_monitoring_conversations_last_event_at"), "monitoring_conversations", ["last_event_at"])

    op.create_table(
        "monitoring_turns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("event_key", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("text", sa.String(length=1000), nullable=True),
        sa.Column("intent", sa.String(length=64), nullable=True),
        sa.Column("intent_confidence", sa.Double(), nullable=True),
        sa.Column("topic_id", sa.String(length=64), nullable=True),
        sa.Column("topic_confidence", sa.Double(), nullable=True),
        sa.Column("runner_up_id", sa.String(length=64), nullable=True),
        sa.Column("runner_up_confidence", sa.Double(), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("answered_topic", sa.String(length=64), nullable=True),
        sa.Column("proposed_topics", sa.String(length=200), nullable=True),
        sa.Column("vote", sa.String(length=4), nullable=True),
        sa.Column("response_ms", sa.Integer(), nullable=True),
        sa.Column("review", sa.String(length=12), nullable=True),
        sa.Column("review_reasons", sa.String(length=80), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reviewed_by", sa.String(length=64), nullable=True),
        sa.Column("review_topic", sa.String(length=64), nullable=True),
        sa.CheckConstraint(f"outcome IN ({OUTCOMES})", name=op.f("ck_monitoring_turns_outcome")),
        sa.CheckConstraint("vote IS NULL OR vote IN ('up', 'down')", name=op.f("ck_monitoring_turns_vote")),
        sa.CheckConstraint(f"review IS NULL OR review IN ({REVIEW_STATES})", name=op.f("ck_monitoring_turns_review")),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["monitoring_conversations.id"],
            name=op.f("fk_monitoring_turns_conversation_id_monitoring_conversations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_monitoring_turns")),
        sa.UniqueConstraint("event_key", name=op.f("uq_monitoring_turns_event_key")),
    )
    op.create_index(op.f("ix_monitoring_turns_conversation_id"), "monitoring_turns", ["conversation_id"])
    op.create_index(op.f("ix_monitoring_turns_at"), "monitoring_turns", ["at"])
    op.create_index("ix_monitoring_turns_review_at", "monitoring_turns", ["review", "at"])

    op.create_table(
        "monitoring_daily",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        *_counters(
            "conversations",
            "turns",
            "answered",
            "selected",
            "proposed",
            "not_understood",
            "out_of_scope",
            "escalated",
            "operator",
            "other",
            "votes_up",
            "votes_down",
            "escalated_conversations",
            "ticket_conversations",
        ),
        sa.Column("response_ms_total", sa.BigInteger(), nullable=False),
        sa.Column("responses", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", "channel", name=op.f("pk_monitoring_daily")),
    )
    op.create_table(
        "monitoring_daily_topics",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("topic_id", sa.String(length=64), nullable=False),
        *_counters("answered", "proposed", "votes_up", "votes_down"),
        sa.PrimaryKeyConstraint("day", "topic_id", name=op.f("pk_monitoring_daily_topics")),
    )
    op.create_table(
        "monitoring_daily_confidence",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("bucket", sa.Integer(), autoincrement=False, nullable=False),
        *_counters("turns"),
        sa.PrimaryKeyConstraint("day", "bucket", name=op.f("pk_monitoring_daily_confidence")),
    )
    op.create_table(
        "monitoring_daily_ingest",
        sa.Column("day", sa.Date(), nullable=False),
        *(sa.Column(name, sa.BigInteger(), nullable=False) for name in ("events", "rejected", "dropped")),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_monitoring_daily_ingest")),
    )

    op.create_table(
        "privacy_audit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("action", sa.String(length=12), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("found_by", sa.String(length=16), nullable=True),
        sa.Column("cutoff", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ticket_cutoff", sa.DateTime(timezone=True), nullable=True),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.CheckConstraint("action IN ('purge', 'erasure')", name=op.f("ck_privacy_audit_action")),
        sa.CheckConstraint(
            "found_by IS NULL OR found_by IN ('conversation', 'ticket')", name=op.f("ck_privacy_audit_found_by")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_privacy_audit")),
    )


def downgrade() -> None:
    op.drop_table("privacy_audit")
    op.drop_table("monitoring_daily_ingest")
    op.drop_table("monitoring_daily_confidence")
    op.drop_table("monitoring_daily_topics")
    op.drop_table("monitoring_daily")
    op.drop_index("ix_monitoring_turns_review_at", table_name="monitoring_turns")
    op.drop_index(op.f("ix_monitoring_turns_at"), table_name="monitoring_turns")
    op.drop_index(op.f("ix_monitoring_turns_conversation_id"), table_name="monitoring_turns")
    op.drop_table("monitoring_turns")
    op.drop_index(op.f("ix_monitoring_conversations_last_event_at"), table_name="monitoring_conversations")
    op.drop_index("ix_monitoring_conversations_pseudonym_id", table_name="monitoring_conversations")
    op.drop_table("monitoring_conversations")
