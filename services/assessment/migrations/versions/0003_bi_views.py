"""Read-only views for BI tools in schema `bi` (adapters/bi_views.py documents them); replay
re-creates them after swapping a rebuilt `proj` in.

Revision ID: 0003
Revises: 0002
"""

from alembic import op
from lianxin.assessment.adapters.bi_views import create_bi_views, drop_bi_views

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_bi_views(op.get_bind())


def downgrade() -> None:
    drop_bi_views(op.get_bind())
