"""Infrastructure tables every service has: the outbox and the consumer's processed-event log.

Each service adds them to its own MetaData with `add_kit_tables(metadata)` and creates them
in its first Alembic revision with `create_kit_tables(op)`.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import UUID


def _outbox_columns() -> list[Any]:
    return [
        sa.Column("id", sa.BigInteger, sa.Identity(always=True), primary_key=True),
        sa.Column("event_id", UUID(as_uuid=True), nullable=False),
        sa.Column("topic", sa.Text, nullable=False),
        sa.Column("key", sa.Text, nullable=False),
        sa.Column("event_type", sa.Text, nullable=False),
        sa.Column("envelope", sa.LargeBinary, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.func.now()),
        sa.Column("published_at", sa.DateTime(timezone=True)),
        # Where the broker put it: lets the relay notice a broker that lost its log.
        sa.Column("kafka_partition", sa.Integer),
        sa.Column("kafka_offset", sa.BigInteger),
        sa.UniqueConstraint("event_id", name="uq_outbox_event_id"),
    ]


def _processed_columns() -> list[Any]:
    return [
        sa.Column("event_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("consumer", sa.Text, primary_key=True),
        sa.Column("event_type", sa.Text, nullable=False),
        # "applied", or "dead_lettered" when it went to the DLQ (so a redelivery is not retried).
        sa.Column("outcome", sa.Text, nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.func.now()),
    ]


# Only unpublished rows are scanned by the relay; a partial index keeps that scan tiny.
_UNPUBLISHED = "published_at IS NULL"


def add_kit_tables(metadata: sa.MetaData) -> tuple[sa.Table, sa.Table]:
    """Declare `outbox` and `processed_event` on a service's MetaData."""
    outbox = sa.Table("outbox", metadata, *_outbox_columns())
    sa.Index("ix_outbox_unpublished", outbox.c.id, postgresql_where=sa.text(_UNPUBLISHED))
    processed = sa.Table("processed_event", metadata, *_processed_columns())
    return outbox, processed


def create_kit_tables(op: Any) -> None:
    """Create the kit tables inside an Alembic migration."""
    op.create_table("outbox", *_outbox_columns())
    op.create_index("ix_outbox_unpublished", "outbox", ["id"], postgresql_where=sa.text(_UNPUBLISHED))
    op.create_table("processed_event", *_processed_columns())


def drop_kit_tables(op: Any) -> None:
    """Drop the kit tables inside an Alembic downgrade."""
    op.drop_table("processed_event")
    op.drop_table("outbox")
