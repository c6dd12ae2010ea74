"""Photo references on a ticket (https:// URLs, WeChat cloud:// fileIDs), in submission order.
Existing tickets have none.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("ticket", sa.Column("photos", postgresql.ARRAY(sa.Text()), server_default="{}",
                                      nullable=False))


def downgrade() -> None:
    op.drop_column("ticket", "photos")
