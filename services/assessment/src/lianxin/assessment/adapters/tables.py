"""Projection tables of the assessment database."""

from __future__ import annotations

import sqlalchemy as sa
from lianxin.kit.tables import add_kit_tables
from sqlalchemy.dialects.postgresql import UUID

metadata = sa.MetaData()

# Tickets submitted at or below each org unit (a rollup kept current by the consumer).
org_unit_ticket_count = sa.Table(
    "org_unit_ticket_count",
    metadata,
    sa.Column("org_unit_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("ticket_count", sa.BigInteger, nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
)

outbox, processed_event = add_kit_tables(metadata)
