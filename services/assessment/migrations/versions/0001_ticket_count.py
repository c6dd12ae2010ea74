"""Ticket-count rollup, outbox and processed-event log.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op
from lianxin.kit.tables import create_kit_tables, drop_kit_tables
from sqlalchemy.dialects.postgresql import UUID

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_kit_tables(op)
    op.create_table(
        "org_unit_ticket_count",
        sa.Column("org_unit_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("ticket_count", sa.BigInteger, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.func.now()),
    )


def downgrade() -> None:
    op.drop_table("org_unit_ticket_count")
    drop_kit_tables(op)
