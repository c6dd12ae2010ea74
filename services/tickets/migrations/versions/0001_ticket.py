"""Tickets, the local org-unit read model, outbox and processed-event log.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op
from lianxin.kit.tables import create_kit_tables, drop_kit_tables
from sqlalchemy.dialects.postgresql import ARRAY, UUID

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_kit_tables(op)
    op.create_table(
        "ticket",
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("org_unit_id", UUID(as_uuid=True), nullable=False),
        sa.Column("org_path", ARRAY(UUID(as_uuid=True)), nullable=False),
        sa.Column("channel", sa.Text, nullable=False),
        sa.Column("category", sa.Text, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("submitted_by", sa.Text, nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
    )
    op.create_index("ix_ticket_org_path", "ticket", ["org_path"], postgresql_using="gin")
    op.create_index("ix_ticket_submitted_at", "ticket", ["submitted_at"])
    op.create_table(
        "org_unit_ref",
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("parent_id", UUID(as_uuid=True)),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("path", ARRAY(UUID(as_uuid=True)), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("org_unit_ref")
    op.drop_table("ticket")
    drop_kit_tables(op)
