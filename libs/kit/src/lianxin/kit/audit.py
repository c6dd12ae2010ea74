"""Audit of unmasked reads of personal data: who saw what, when, and why (PIPL).

A service that stores personal data adds `pii_access` to its MetaData and first migration.
The audit row commits before the clear value is returned: if it cannot be written, the
value is not shown.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from lianxin.kit.auth import Principal
from lianxin.kit.errors import Forbidden, InvalidInput
from lianxin.kit.graphql import RequestContext, loader
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

PII_PERMISSION = "pii:read"
MAX_REASON = 500


def _columns() -> list[Any]:
    return [
        sa.Column("id", sa.BigInteger, sa.Identity(always=True), primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("subject", sa.Text, nullable=False),
        sa.Column("role", sa.Text, nullable=False),
        sa.Column("entity_type", sa.Text, nullable=False),
        sa.Column("entity_id", UUID(as_uuid=True), nullable=False),
        sa.Column("field", sa.Text, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
    ]


def add_audit_table(metadata: sa.MetaData) -> sa.Table:
    """Declare `pii_access` on a service's MetaData."""
    table = sa.Table("pii_access", metadata, *_columns())
    sa.Index("ix_pii_access_entity", table.c.entity_id)
    return table


def create_audit_table(op: Any) -> None:
    """Create `pii_access` inside an Alembic migration."""
    op.create_table("pii_access", *_columns())
    op.create_index("ix_pii_access_entity", "pii_access", ["entity_id"])


_PII_ACCESS = sa.table("pii_access", sa.column("subject"), sa.column("role"),
                       sa.column("entity_type"), sa.column("entity_id", UUID(as_uuid=True)),
                       sa.column("field"), sa.column("reason"))


def check_unmask(principal: Principal, reason: str | None) -> str:
    """Raise unless the caller may see clear personal data and says why; return the reason."""
    if not principal.is_admin and PII_PERMISSION not in principal.permissions:
        raise Forbidden(f"seeing personal data in clear needs the {PII_PERMISSION!r} permission; "
                        "ask without `unmasked` to get the masked value")
    reason = " ".join((reason or "").split())
    if not reason:
        raise InvalidInput("say why you need the clear value (reason): it is kept in the audit "
                           "log", field="reason")
    if len(reason) > MAX_REASON:
        raise InvalidInput(f"reason must be at most {MAX_REASON} characters", field="reason")
    return reason


async def record_pii_access(sessions: async_sessionmaker[AsyncSession], principal: Principal,
                            entity_type: str, entity_ids: Sequence[uuid.UUID], field: str,
                            reason: str) -> None:
    """Write and commit one audit row per entity, in a transaction of its own."""
    if not entity_ids:
        return
    async with sessions() as session:
        await session.execute(sa.insert(_PII_ACCESS), [
            {"subject": principal.subject, "role": principal.role, "entity_type": entity_type,
             "entity_id": entity_id, "field": field, "reason": reason}
            for entity_id in entity_ids])
        await session.commit()


async def reveal(context: RequestContext, entity_type: str, entity_id: uuid.UUID, field: str,
                 reason: str | None) -> None:
    """Gate for a clear value in a resolver: check the caller may unmask, then commit the audit
    row before the value is returned. Batched through the request's DataLoader: one row per
    entity, field and reason, one transaction per field and reason."""
    principal = context.require()
    reason = check_unmask(principal, reason)

    async def batch(keys: list[tuple[str, str, str, uuid.UUID]]) -> list[bool]:
        groups: dict[tuple[str, str, str], list[uuid.UUID]] = defaultdict(list)
        for kind, what, why, entity in keys:
            groups[(kind, what, why)].append(entity)
        for (kind, what, why), entities in groups.items():
            await record_pii_access(context.resources.sessions, principal, kind, entities, what, why)
        return [True] * len(keys)

    await loader(context, "pii_access", batch).load((entity_type, field, reason, entity_id))
