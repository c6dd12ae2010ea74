"""Projections of issue 5 in schema `proj` (facts, cubes, people read models, event log);
vanguard rules and ranking snapshots in public. Drops the walking skeleton's count table.

`proj` is created from the same MetaData that replay uses to build its fresh schema
(adapters/schema.py), so the two cannot drift apart.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op
from lianxin.assessment.adapters.schema import create_projection_schema, drop_projection_schema
from lianxin.assessment.adapters.tables import ranking_snapshot, vanguard_rule

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    create_projection_schema(bind, "proj")
    vanguard_rule.create(bind)
    ranking_snapshot.create(bind)
    op.drop_table("org_unit_ticket_count")


def downgrade() -> None:
    bind = op.get_bind()
    op.create_table(
        "org_unit_ticket_count",
        sa.Column("org_unit_id", sa.Uuid, primary_key=True),
        sa.Column("ticket_count", sa.BigInteger, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.func.now()))
    ranking_snapshot.drop(bind)
    vanguard_rule.drop(bind)
    drop_projection_schema(bind, "proj")
