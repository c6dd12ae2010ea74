"""The dev/test stacks' clock offset (time travel for end-to-end tests; unused in production).

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dev_clock",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("offset_seconds", sa.Float, nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("set_by", sa.Text, nullable=False),
        sa.CheckConstraint("id = 1", name="ck_dev_clock_single_row"),
    )


def downgrade() -> None:
    op.drop_table("dev_clock")
