"""Table definitions of the people database (Alembic migrations create them)."""

from __future__ import annotations

import sqlalchemy as sa
from lianxin.kit.tables import add_kit_tables
from sqlalchemy.dialects.postgresql import ARRAY, UUID

metadata = sa.MetaData()

org_unit = sa.Table(
    "org_unit",
    metadata,
    sa.Column("id", UUID(as_uuid=True), primary_key=True),
    sa.Column("parent_id", UUID(as_uuid=True),
              sa.ForeignKey("org_unit.id", name="fk_org_unit_parent")),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("kind", sa.Text, nullable=False),
    # Materialised path root → self: a subtree is `path @> ARRAY[id]`, served by the GIN index.
    sa.Column("path", ARRAY(UUID(as_uuid=True)), nullable=False),
    sa.Column("version", sa.Integer, nullable=False, server_default="1"),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Index("ix_org_unit_parent_id", "parent_id"),
    sa.Index("ix_org_unit_path", "path", postgresql_using="gin"),
)

outbox, processed_event = add_kit_tables(metadata)
