"""Live takeover: who owns a conversation, and the messages since the escalation.

Revision ID: 0004_takeover
Revises: 0003_operators
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_takeover"
down_revision: str | None = "0003_operators"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SPEAKERS = "('user', 'operator', 'bot', 'system')"


def upgrade() -> None:
    op.create_table(
        "conversation_owners",
        sa.Column("conversation_id", sa.String(length=128), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("operator_id", sa.Integer(), nullable=False),
        sa.Column("since", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["tickets.id"], name=op.f("fk_conversation_owners_ticket_id_tickets"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["operator_id"], ["operators.id"], name=op.f("fk_conversation_owners_operator_id_operators")
        ),
        sa.PrimaryKeyConstraint("conversation_id", name=op.f("pk_conversation_owners")),
        sa.UniqueConstraint("ticket_id", name=op.f("uq_conversation_owners_ticket_id")),
    )
    op.create_index(op.f("ix_conversation_owners_operator_id"), "conversation_owners", ["operator_id"])

    op.create_table(
        "ticket_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("who", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("operator_id", sa.Integer(), nullable=True),
        sa.Column("source_topic", sa.String(length=64), nullable=True),
        sa.Column("intent", sa.String(length=128), nullable=True),
        sa.Column("confidence", sa.Float(), nullable=True),
        sa.CheckConstraint(f"who IN {SPEAKERS}", name=op.f("ck_ticket_messages_who")),
        sa.CheckConstraint(
            "confidence IS NULL OR (confidence >= 0 AND confidence <= 1)", name=op.f("ck_ticket_messages_confidence")
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["tickets.id"], name=op.f("fk_ticket_messages_ticket_id_tickets"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["operator_id"], ["operators.id"], name=op.f("fk_ticket_messages_operator_id_operators")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ticket_messages")),
    )
    op.create_index("ix_ticket_messages_ticket_id_id", "ticket_messages", ["ticket_id", "id"])
    op.create_index(op.f("ix_ticket_messages_operator_id"), "ticket_messages", ["operator_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_ticket_messages_operator_id"), table_name="ticket_messages")
    op.drop_index("ix_ticket_messages_ticket_id_id", table_name="ticket_messages")
    op.drop_table("ticket_messages")
    op.drop_index(op.f("ix_conversation_owners_operator_id"), table_name="conversation_owners")
    op.drop_table("conversation_owners")
