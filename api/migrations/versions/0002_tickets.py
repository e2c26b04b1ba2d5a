"""Ticket store: tickets, per-year number counters, audit trail, internal notes.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATUS_VALUES = "('nuovo', 'in_carico', 'in_attesa_utente', 'risolto', 'chiuso', 'riaperto')"
ACTOR_KINDS = "('service', 'operator')"


def upgrade() -> None:
    op.create_table(
        "ticket_counters",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("year", name=op.f("pk_ticket_counters")),
    )
    op.create_table(
        "tickets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("priority", sa.String(length=10), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("conversation_id", sa.String(length=128), nullable=False),
        sa.Column("contact_name", sa.String(length=120), nullable=False),
        sa.Column("contact_email", sa.String(length=254), nullable=True),
        sa.Column("contact_phone", sa.String(length=32), nullable=True),
        sa.Column("contact_via_chat", sa.Boolean(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("company", sa.String(length=200), nullable=True),
        sa.Column("description", sa.String(length=2000), nullable=False),
        sa.Column("consent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("privacy_notice_version", sa.String(length=32), nullable=False),
        sa.Column("transcript", sa.JSON(), nullable=False),
        sa.Column("slots", sa.JSON(), nullable=False),
        sa.Column("assignee", sa.String(length=64), nullable=True),
        sa.Column("idempotency_key", sa.String(length=128), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("first_response_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(f"status IN {STATUS_VALUES}", name=op.f("ck_tickets_status")),
        sa.CheckConstraint("priority IN ('bassa', 'normale', 'alta')", name=op.f("ck_tickets_priority")),
        sa.CheckConstraint("role IN ('lavoratore', 'datore', 'socio', 'altro')", name=op.f("ck_tickets_role")),
        sa.CheckConstraint(
            "contact_email IS NOT NULL OR contact_phone IS NOT NULL OR contact_via_chat",
            name=op.f("ck_tickets_contact"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tickets")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_tickets_idempotency_key")),
        sa.UniqueConstraint("number", name=op.f("uq_tickets_number")),
    )
    # The queue (oldest first, by status, keyset pages) and the assistant's look-ups.
    op.create_index("ix_tickets_created_at_id", "tickets", ["created_at", "id"])
    op.create_index("ix_tickets_status_created_at_id", "tickets", ["status", "created_at", "id"])
    op.create_index("ix_tickets_conversation_id_created_at", "tickets", ["conversation_id", "created_at"])
    op.create_index(op.f("ix_tickets_assignee"), "tickets", ["assignee"])

    op.create_table(
        "ticket_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_kind", sa.String(length=16), nullable=False),
        sa.Column("actor_id", sa.String(length=64), nullable=False),
        sa.Column("from_status", sa.String(length=20), nullable=True),
        sa.Column("to_status", sa.String(length=20), nullable=False),
        sa.CheckConstraint(f"actor_kind IN {ACTOR_KINDS}", name=op.f("ck_ticket_events_actor_kind")),
        sa.CheckConstraint(f"to_status IN {STATUS_VALUES}", name=op.f("ck_ticket_events_to_status")),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["tickets.id"], name=op.f("fk_ticket_events_ticket_id_tickets"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ticket_events")),
    )
    op.create_index(op.f("ix_ticket_events_ticket_id"), "ticket_events", ["ticket_id"])

    op.create_table(
        "ticket_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("author_kind", sa.String(length=16), nullable=False),
        sa.Column("author_id", sa.String(length=64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.CheckConstraint(f"author_kind IN {ACTOR_KINDS}", name=op.f("ck_ticket_notes_author_kind")),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["tickets.id"], name=op.f("fk_ticket_notes_ticket_id_tickets"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ticket_notes")),
    )
    op.create_index(op.f("ix_ticket_notes_ticket_id"), "ticket_notes", ["ticket_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_ticket_notes_ticket_id"), table_name="ticket_notes")
    op.drop_table("ticket_notes")
    op.drop_index(op.f("ix_ticket_events_ticket_id"), table_name="ticket_events")
    op.drop_table("ticket_events")
    op.drop_index(op.f("ix_tickets_assignee"), table_name="tickets")
    op.drop_index("ix_tickets_conversation_id_created_at", table_name="tickets")
    op.drop_index("ix_tickets_status_created_at_id", table_name="tickets")
    op.drop_index("ix_tickets_created_at_id", table_name="tickets")
    op.drop_table("tickets")
    op.drop_table("ticket_counters")
