"""Table definitions of the tickets database (Alembic migrations create them)."""

from __future__ import annotations

import sqlalchemy as sa
from lianxin.kit.tables import add_kit_tables
from sqlalchemy.dialects.postgresql import ARRAY, UUID

metadata = sa.MetaData()

ticket = sa.Table(
    "ticket",
    metadata,
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
    sa.Index("ix_ticket_org_path", "org_path", postgresql_using="gin"),
    sa.Index("ix_ticket_submitted_at", "submitted_at"),
)

# Local read model of the people service's org tree, built from people.v1 (never a sync call).
org_unit_ref = sa.Table(
    "org_unit_ref",
    metadata,
    sa.Column("id", UUID(as_uuid=True), primary_key=True),
    sa.Column("parent_id", UUID(as_uuid=True)),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("path", ARRAY(UUID(as_uuid=True)), nullable=False),
)

outbox, processed_event = add_kit_tables(metadata)
