"""Organisation tree, outbox and processed-event log.

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
        "org_unit",
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("parent_id", UUID(as_uuid=True),
                  sa.ForeignKey("org_unit.id", name="fk_org_unit_parent")),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("path", ARRAY(UUID(as_uuid=True)), nullable=False),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.func.now()),
    )
    op.create_index("ix_org_unit_parent_id", "org_unit", ["parent_id"])
    op.create_index("ix_org_unit_path", "org_unit", ["path"], postgresql_using="gin")


def downgrade() -> None:
    op.drop_table("org_unit")
    drop_kit_tables(op)
